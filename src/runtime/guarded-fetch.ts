import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { isPrivateAddress } from '../ingest/address-policy.ts';

/** Raised at connect time when a host name resolves to a private address. */
export class BlockedAtConnectError extends Error {
  readonly code = 'EWIREFEEDBLOCKED';
}

type Resolve = (host: string, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemResolve: Resolve = (host, callback) => dnsLookup(host, { all: true }, callback);

/**
 * A `fetch` whose connections refuse private, loopback and link-local addresses: the check runs inside the
 * socket's own DNS lookup, on the very addresses it connects to. A host that answers a public address to
 * the fetcher's pre-check and a private one a moment later (DNS rebinding) is refused all the same.
 */
export function createGuardedFetch(options: { resolve?: Resolve } = {}): typeof fetch {
  const resolve = options.resolve ?? systemResolve;
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolve(hostname, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const blocked = addresses.find((a) => isPrivateAddress(a.address));
      if (blocked) {
        return callback(new BlockedAtConnectError(`${hostname} resolved to the private address ${blocked.address}`), '', 4);
      }
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname}: no addresses`), { code: 'ENOTFOUND' }), '', 4);
      if (lookupOptions.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
  const agent = new Agent({ connect: { lookup } });
  return ((input: RequestInfo | URL, init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent })) as unknown as typeof fetch;
}
