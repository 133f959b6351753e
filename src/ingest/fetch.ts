/**
 * The upstream fetcher: a conditional GET on the global `fetch` with manual redirects, each hop checked
 * against the address policy (`address-policy.ts`), one deadline for the whole exchange, and a cap on
 * decompressed body bytes. It imports nothing from Node so it runs wherever `fetch` exists; the
 * runtime passes in DNS resolution and file reading where it has them.
 */
import { FetchError } from '../errors.ts';
import { hostKey, knownAddresses, privateNetworkAllowed, refusal } from './address-policy.ts';

/** One fetch of an upstream: its URL and the validators from the previous successful fetch. */
export interface FetchRequest {
  url: string;
  etag?: string | null;
  lastModified?: string | null;
  /** Allow private/loopback addresses for this source's own host (never for a host a redirect leads to). */
  allowPrivateNetwork?: boolean;
  /** The source's feed URL when this request is for another URL (an article page): its host is the source's own. */
  sourceUrl?: string | undefined;
  /** Cap on decompressed body bytes for this request (an article page's `limits.maxPageBytes`); the fetcher's `maxBytes` when absent. */
  maxBytes?: number | undefined;
}

/** Caching hints from the final response, for scheduling the next poll. */
export interface FetchCacheHints {
  cacheControl: string | null;
  expires: string | null;
  /** `Retry-After` in seconds, or null when absent or unreadable. */
  retryAfter: number | null;
}

/** What a fetch produced: either "unchanged since the validators" or the body of the final response. */
export type FetchResult =
  | {
      status: 'not-modified';
      url: string;
      etag: string | null;
      lastModified: string | null;
      headers: FetchCacheHints;
    }
  | {
      status: 'ok';
      /** The final URL after redirects. */
      url: string;
      bytes: Uint8Array;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      headers: FetchCacheHints;
    };

/** How a fetcher behaves; every field has a default. */
export interface FetcherOptions {
  /** The `fetch` to use; defaults to `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Resolves a host name to IP addresses; absent → only literal IPs (and `localhost`) are checked. */
  resolveHost?: (host: string) => Promise<string[]>;
  /**
   * The fetch for hops that must not reach a private address: one whose connections check the addresses they
   * connect to (Node: `src/runtime/guarded-fetch.ts`), closing the window between the pre-check and the
   * connection (DNS rebinding). Defaults to `fetch`.
   */
  publicFetch?: typeof fetch;
  /** Reads a local file; enables `file:` URLs. Absent → `file:` is refused. */
  readFile?: (path: string) => Promise<Uint8Array>;
  /** Total deadline in milliseconds, including reading the body. Default 20 000. */
  timeoutMs?: number;
  /** Cap on decompressed body bytes. Default 15 MiB. */
  maxBytes?: number;
  /** Redirects followed before giving up. Default 5. */
  maxRedirects?: number;
  /** The `User-Agent` header. */
  userAgent?: string;
}

/** The default `User-Agent`: names wirefeed and where to find it. */
export const DEFAULT_USER_AGENT = 'wirefeed/0.1 (+https://github.com/wirefeed/wirefeed)';

/** The `Accept` header: feed types first, generic XML next, anything last. */
export const FEED_ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1';

const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_MAX_BYTES = 15 * 1024 * 1024;
const DEFAULT_MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

// HTTP/2 responses carry no reason phrase, so `statusText` is empty there; these fill the common gaps.
const REASON_PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  410: 'Gone',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * Creates a fetcher. Each call makes one conditional GET, following redirects itself and enforcing
 * the address policy, deadline and size cap; failures are thrown as {@link FetchError}.
 */
export function createFetcher(options: FetcherOptions = {}): (req: FetchRequest) => Promise<FetchResult> {
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const publicFetch = options.publicFetch ?? doFetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const { resolveHost, readFile } = options;

  return async function fetchUpstream(req: FetchRequest): Promise<FetchResult> {
    const controller = new AbortController();
    const { signal } = controller;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new FetchError('timeout', `Timed out after ${timeoutMs} ms fetching ${req.url}`));
    }, timeoutMs);
    // A body read to its end has released its connection: aborting then would only make an AbortError for nobody.
    let drained = false;
    try {
      const result = await run(req, signal);
      drained = result.status === 'ok';
      return result;
    } catch (err) {
      if (timedOut) throw new FetchError('timeout', `Timed out after ${timeoutMs} ms fetching ${req.url}`);
      if (err instanceof FetchError) throw err;
      throw new FetchError('network', `Network error fetching ${req.url}: ${describeCause(err)}`, { cause: err });
    } finally {
      clearTimeout(timer);
      // Releases the connection of any body left unread (too large, error status, redirect).
      if (!signal.aborted && !drained) controller.abort();
    }
  };

  async function run(req: FetchRequest, signal: AbortSignal): Promise<FetchResult> {
    const cap = req.maxBytes ?? maxBytes;
    const original = parseUrl(req.url);
    if (original.protocol === 'file:') return readLocalFile(original, cap, signal);
    if (!isHttp(original)) {
      throw new FetchError('bad-scheme', `Unsupported URL scheme ${original.protocol} in ${req.url}`);
    }

    const headers: Record<string, string> = { 'User-Agent': userAgent, Accept: FEED_ACCEPT };
    if (req.etag) headers['If-None-Match'] = req.etag;
    if (req.lastModified) headers['If-Modified-Since'] = req.lastModified;

    const sourceUrl = req.sourceUrl === undefined ? original : parseUrl(req.sourceUrl);
    let url = original;
    for (let redirects = 0; ; redirects++) {
      const privateOk = privateNetworkAllowed(url, original, req.allowPrivateNetwork, sourceUrl);
      await checkAddress(url, privateOk, signal);

      const send = (): Promise<Response> => (privateOk ? doFetch : publicFetch)(url.href, { method: 'GET', headers, redirect: 'manual', signal });
      // A pooled keep-alive connection the upstream closed meanwhile fails before any response: a GET is
      // safe to send once more, on a new connection.
      const res = await send()
        .catch((err: unknown) => (staleConnection(err) && !signal.aborted ? send() : Promise.reject(err)))
        .catch((err: unknown) => {
          if (blockedAtConnect(err)) {
            throw new FetchError('blocked-address', `Refusing to fetch ${url.href}: ${describeCause(err)}`, { cause: err });
          }
          throw err;
        });

      if (REDIRECT_STATUSES.has(res.status) && res.headers.has('location')) {
        await discardBody(res);
        if (redirects >= maxRedirects) {
          throw new FetchError(
            'too-many-redirects',
            `More than ${maxRedirects} redirects fetching ${req.url} (last at ${url.href})`,
          );
        }
        const location = res.headers.get('location') ?? '';
        let next: URL;
        try {
          next = new URL(location, url);
        } catch (err) {
          throw new FetchError('network', `Invalid redirect Location "${location}" from ${url.href}`, { cause: err });
        }
        if (!isHttp(next)) {
          throw new FetchError('bad-scheme', `Redirect from ${url.href} to unsupported scheme ${next.protocol}`);
        }
        url = next;
        continue;
      }

      const hints = cacheHints(res.headers);
      const etag = res.headers.get('etag');
      const lastModified = res.headers.get('last-modified');

      // A 304 has no body by definition; anything left on the wire is released by the final abort.
      if (res.status === 304) {
        return { status: 'not-modified', url: url.href, etag, lastModified, headers: hints };
      }
      if (res.status < 200 || res.status > 299) {
        await discardBody(res);
        const reason = res.statusText || REASON_PHRASES[res.status] || '';
        throw new FetchError('http-status', `HTTP ${res.status}${reason ? ` ${reason}` : ''} from ${url.href}`, {
          status: res.status,
          ...(hints.retryAfter === null ? {} : { retryAfter: hints.retryAfter }),
        });
      }

      const bytes = await readBody(res, url.href, cap);
      return {
        status: 'ok',
        url: url.href,
        bytes,
        contentType: res.headers.get('content-type'),
        etag,
        lastModified,
        headers: hints,
      };
    }
  }

  async function checkAddress(url: URL, privateOk: boolean, signal: AbortSignal): Promise<void> {
    if (privateOk) return;
    const host = hostKey(url);
    let addresses = knownAddresses(host);
    if (addresses === null) {
      if (!resolveHost) return;
      try {
        addresses = await untilAborted(resolveHost(host), signal);
      } catch (err) {
        if (signal.aborted) throw err;
        throw new FetchError('network', `Could not resolve ${host}: ${describeCause(err)}`, { cause: err });
      }
      if (addresses.length === 0) throw new FetchError('network', `Could not resolve ${host}: no addresses`);
    }
    const reason = refusal(host, addresses);
    if (reason !== null) throw new FetchError('blocked-address', `Refusing to fetch ${url.href}: ${reason}`);
  }

  async function readBody(res: Response, url: string, cap: number): Promise<Uint8Array> {
    const declared = res.headers.get('content-length');
    if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > cap) {
      await discardBody(res);
      throw tooLarge(url, cap);
    }
    if (!res.body) return new Uint8Array(0);
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > cap) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(url, cap);
      }
      chunks.push(value);
    }
    return concat(chunks, total);
  }

  function tooLarge(url: string, cap: number): FetchError {
    return new FetchError('too-large', `Body of ${url} exceeds ${cap} bytes`);
  }

  async function readLocalFile(url: URL, cap: number, signal: AbortSignal): Promise<FetchResult> {
    if (!readFile) throw new FetchError('bad-scheme', `file: URLs are not enabled here (${url.href})`);
    const bytes = await untilAborted(readFile(filePath(url)), signal);
    if (bytes.byteLength > cap) throw tooLarge(url.href, cap);
    return {
      status: 'ok',
      url: url.href,
      bytes,
      contentType: null,
      etag: null,
      lastModified: null,
      headers: { cacheControl: null, expires: null, retryAfter: null },
    };
  }
}

/**
 * Reads a `Retry-After` value, either delta-seconds or an HTTP-date (relative to `now`, epoch ms),
 * as whole seconds from now, never negative. Null when absent or unreadable. How long a wait is
 * honoured is the scheduler's call (`MAX_RETRY_AFTER_MS` in `schedule.ts`), not the parser's.
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+$/.test(text)) return Number(text);
  // Date.parse accepts bare numbers and other non-dates; an HTTP-date always names a day or month.
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

function parseUrl(raw: string): URL {
  try {
    return new URL(raw);
  } catch (err) {
    throw new FetchError('bad-scheme', `Not a valid URL: ${raw}`, { cause: err });
  }
}

function isHttp(url: URL): boolean {
  return url.protocol === 'http:' || url.protocol === 'https:';
}

function cacheHints(headers: Headers): FetchCacheHints {
  return {
    cacheControl: headers.get('cache-control'),
    expires: headers.get('expires'),
    retryAfter: parseRetryAfter(headers.get('retry-after'), Date.now()),
  };
}

async function discardBody(res: Response): Promise<void> {
  if (res.body && !res.bodyUsed) await res.body.cancel().catch(() => undefined);
}

/** Rejects with the signal's reason as soon as it aborts, for work that cannot itself be aborted. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function filePath(url: URL): string {
  if (url.hostname !== '' && url.hostname !== 'localhost') {
    throw new FetchError('bad-scheme', `file: URLs naming a remote host are not supported (${url.href})`);
  }
  if (/%2f/i.test(url.pathname)) {
    throw new FetchError('bad-scheme', `file: URL path must not contain an encoded "/" (${url.href})`);
  }
  const path = decodeURIComponent(url.pathname);
  // Windows drive paths arrive as "/C:/…"; the leading slash must go.
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** The connection was closed by the other side before a response (undici `UND_ERR_SOCKET`, `ECONNRESET`). */
function staleConnection(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as Error & { code?: unknown }).code;
    if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET') return true;
  }
  return false;
}

/** The guarded fetch refused the address it was about to connect to (code `EWIREFEEDBLOCKED`). */
function blockedAtConnect(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as Error & { code?: unknown }).code === 'EWIREFEEDBLOCKED') return true;
  }
  return false;
}

function describeCause(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause: unknown = err.cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message;
  }
  return err.message;
}
