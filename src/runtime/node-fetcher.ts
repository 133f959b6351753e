import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import type { WirefeedConfig } from '../config.ts';
import { createFetcher, type FetchRequest, type FetchResult } from '../ingest/fetch.ts';
import { createGuardedFetch } from './guarded-fetch.ts';

/** How Node resolves a host name for the fetcher's address checks: every address of it. */
export const resolveHostNode = async (host: string): Promise<string[]> => (await lookup(host, { all: true })).map((a) => a.address);

/**
 * The feed fetcher on Node, as the config's limits say: DNS checks before the request and at connect time
 * (`guarded`, the caller's or a new one), `file:` URLs read from disk.
 */
export function createNodeFetcher(
  limits: Pick<WirefeedConfig['limits'], 'fetchTimeoutMs' | 'maxFeedBytes' | 'maxRedirects'>,
  guarded: typeof fetch = createGuardedFetch(),
): (request: FetchRequest) => Promise<FetchResult> {
  return createFetcher({
    timeoutMs: limits.fetchTimeoutMs,
    maxBytes: limits.maxFeedBytes,
    maxRedirects: limits.maxRedirects,
    resolveHost: resolveHostNode,
    publicFetch: guarded,
    readFile: async (path) => new Uint8Array(await readFile(path)),
  });
}
