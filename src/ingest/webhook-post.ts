/**
 * The webhook poster: one POST to a subscriber's webhook through the same address policy and guarded fetch
 * as upstream fetches (`fetch.ts`), with a deadline, no redirects followed (a 3xx is an answer like any
 * other non-2xx), and the answer's body discarded. Imports nothing from Node: the runtime passes DNS in.
 */
import { FetchError } from '../errors.ts';
import { hostKey, knownAddresses, refusal } from './address-policy.ts';
import { DEFAULT_USER_AGENT } from './fetch.ts';

/** One POST: the target, the headers and the body, and whether the target may be a private address. */
export interface WebhookPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  allowPrivateNetwork?: boolean | undefined;
}

/** A webhook's answer: its status (any, 2xx or not). */
export interface WebhookAnswer {
  status: number;
}

/** The settings of {@link createWebhookPoster}; as for `createFetcher`. */
export interface WebhookPosterOptions {
  fetch?: typeof fetch;
  /** The fetch for targets that must not reach a private address (Node: `runtime/guarded-fetch.ts`). */
  publicFetch?: typeof fetch;
  resolveHost?: (host: string) => Promise<string[]>;
  /** Deadline of one POST, answer included. Default 10 000 ms. */
  timeoutMs?: number;
  userAgent?: string;
}

/**
 * Creates a poster. Each call makes one POST and resolves with the answer's status, or throws a
 * {@link FetchError} (`blocked-address`, `bad-scheme`, `timeout`, `network`) whose message names the host,
 * never a header (the signature) or the URL's query.
 */
export function createWebhookPoster(options: WebhookPosterOptions = {}): (post: WebhookPost) => Promise<WebhookAnswer> {
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const publicFetch = options.publicFetch ?? doFetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;

  return async function postWebhook(post: WebhookPost): Promise<WebhookAnswer> {
    let url: URL;
    try {
      url = new URL(post.url);
    } catch (err) {
      throw new FetchError('bad-scheme', 'The webhook URL is not a valid URL', { cause: err });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchError('bad-scheme', `Unsupported webhook URL scheme ${url.protocol}`);
    const host = hostKey(url);
    const privateOk = post.allowPrivateNetwork === true;
    const signal = AbortSignal.timeout(timeoutMs);
    if (!privateOk) {
      let addresses = knownAddresses(host);
      if (addresses === null && options.resolveHost) {
        try {
          addresses = await options.resolveHost(host);
        } catch (err) {
          throw new FetchError('network', `Could not resolve ${host}`, { cause: err });
        }
      }
      const reason = addresses === null ? null : refusal(host, addresses);
      if (reason !== null) throw new FetchError('blocked-address', `Refusing to post to ${host}: ${reason} (the subscriber's webhook may allow it with allowPrivateNetwork)`);
    }
    try {
      const res = await (privateOk ? doFetch : publicFetch)(url.href, {
        method: 'POST',
        headers: { 'User-Agent': userAgent, 'Content-Type': 'application/json; charset=utf-8', ...post.headers },
        body: post.body,
        redirect: 'manual',
        signal,
      });
      if (res.body) await res.body.cancel().catch(() => undefined);
      return { status: res.status };
    } catch (err) {
      if (signal.aborted) throw new FetchError('timeout', `No answer from ${host} within ${timeoutMs} ms`, { cause: err });
      if (blockedAtConnect(err)) throw new FetchError('blocked-address', `Refusing to post to ${host}: it resolved to a private address`, { cause: err });
      throw new FetchError('network', `Could not post to ${host}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  };
}

/** The guarded fetch refused the address it was about to connect to (code `EWIREFEEDBLOCKED`). */
function blockedAtConnect(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as Error & { code?: unknown }).code === 'EWIREFEEDBLOCKED') return true;
  }
  return false;
}
