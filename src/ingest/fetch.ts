/**
 * The upstream fetcher: a conditional GET on the global `fetch` with manual redirects, an address
 * policy against server-side request forgery, one deadline for the whole exchange, and a cap on
 * decompressed body bytes. It imports nothing from Node so it runs wherever `fetch` exists; the
 * runtime passes in DNS resolution and file reading where it has them.
 */
import { FetchError } from '../errors.ts';

/** One fetch of an upstream: its URL and the validators from the previous successful fetch. */
export interface FetchRequest {
  url: string;
  etag?: string | null;
  lastModified?: string | null;
  /** Allow private/loopback addresses for this source's own host (never for a host a redirect leads to). */
  allowPrivateNetwork?: boolean;
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

/** The longest `Retry-After` honoured, in seconds (24 hours). */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

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
    try {
      return await run(req, signal);
    } catch (err) {
      if (timedOut) throw new FetchError('timeout', `Timed out after ${timeoutMs} ms fetching ${req.url}`);
      if (err instanceof FetchError) throw err;
      throw new FetchError('network', `Network error fetching ${req.url}: ${describeCause(err)}`, { cause: err });
    } finally {
      clearTimeout(timer);
      // Releases the connection of any body left unread (too large, error status, redirect).
      if (!signal.aborted) controller.abort();
    }
  };

  async function run(req: FetchRequest, signal: AbortSignal): Promise<FetchResult> {
    const original = parseUrl(req.url);
    if (original.protocol === 'file:') return readLocalFile(original, signal);
    if (!isHttp(original)) {
      throw new FetchError('bad-scheme', `Unsupported URL scheme ${original.protocol} in ${req.url}`);
    }

    const headers: Record<string, string> = { 'User-Agent': userAgent, Accept: FEED_ACCEPT };
    if (req.etag) headers['If-None-Match'] = req.etag;
    if (req.lastModified) headers['If-Modified-Since'] = req.lastModified;

    let url = original;
    for (let redirects = 0; ; redirects++) {
      const privateOk = req.allowPrivateNetwork === true && hostKey(url) === hostKey(original);
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

      const bytes = await readBody(res, url.href);
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
    let addresses: string[];
    if (isIpLiteral(host)) {
      addresses = [host];
    } else if (host === 'localhost' || host.endsWith('.localhost')) {
      // RFC 6761: these names are loopback by definition, whatever a resolver says.
      addresses = ['127.0.0.1'];
    } else if (resolveHost) {
      try {
        addresses = await untilAborted(resolveHost(host), signal);
      } catch (err) {
        if (signal.aborted) throw err;
        throw new FetchError('network', `Could not resolve ${host}: ${describeCause(err)}`, { cause: err });
      }
      if (addresses.length === 0) throw new FetchError('network', `Could not resolve ${host}: no addresses`);
    } else {
      return;
    }
    const blocked = addresses.find((ip) => isPrivateAddress(ip));
    if (blocked !== undefined) {
      const via = blocked === host ? '' : ` (${blocked})`;
      throw new FetchError('blocked-address', `Refusing to fetch ${url.href}: ${host}${via} is a private address`);
    }
  }

  async function readBody(res: Response, url: string): Promise<Uint8Array> {
    const declared = res.headers.get('content-length');
    if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
      await discardBody(res);
      throw tooLarge(url);
    }
    if (!res.body) return new Uint8Array(0);
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(url);
      }
      chunks.push(value);
    }
    return concat(chunks, total);
  }

  function tooLarge(url: string): FetchError {
    return new FetchError('too-large', `Body of ${url} exceeds ${maxBytes} bytes`);
  }

  async function readLocalFile(url: URL, signal: AbortSignal): Promise<FetchResult> {
    if (!readFile) throw new FetchError('bad-scheme', `file: URLs are not enabled here (${url.href})`);
    const bytes = await untilAborted(readFile(filePath(url)), signal);
    if (bytes.byteLength > maxBytes) throw tooLarge(url.href);
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
 * Whether an IP address (IPv4 dotted quad or IPv6 in any textual form, zone id allowed) is one a
 * fetch must not reach by default: unspecified, loopback, private (RFC 1918), CGNAT, link-local,
 * unique-local, site-local, multicast, reserved, documentation and benchmarking ranges, and IPv6
 * forms that embed such an IPv4 address (mapped, compatible, NAT64, 6to4). A string that is not an
 * IP address counts as private, so bad resolver output fails closed.
 */
export function isPrivateAddress(ip: string): boolean {
  const text = ip.trim().replace(/^\[(.*)\]$/, '$1');
  const v4 = parseIpv4(text);
  if (v4) return isPrivateIpv4(v4);
  const v6 = parseIpv6(text);
  if (v6) return isPrivateIpv6(v6);
  return true;
}

/**
 * Reads a `Retry-After` value, either delta-seconds or an HTTP-date (relative to `now`, epoch ms),
 * as whole seconds from now, never negative and capped at 24 hours. Null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+$/.test(text)) return Math.min(Number(text), MAX_RETRY_AFTER_SECONDS);
  // Date.parse accepts bare numbers and other non-dates; an HTTP-date always names a day or month.
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return null;
  return Math.min(Math.max(0, Math.ceil((at - now) / 1000)), MAX_RETRY_AFTER_SECONDS);
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

/** The host name of a URL, lowercased, without IPv6 brackets or a trailing root dot. */
function hostKey(url: URL): string {
  return url.hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

function isIpLiteral(host: string): boolean {
  return parseIpv4(host) !== null || parseIpv6(host) !== null;
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

function parseIpv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    bytes.push(n);
  }
  return bytes;
}

/** Parses an IPv6 address into eight 16-bit groups; accepts `::`, an embedded IPv4 tail and a zone id. */
function parseIpv6(input: string): number[] | null {
  const text = input.replace(/%.*$/, '');
  if (!text.includes(':')) return null;
  let head = text;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const v4 = parseIpv4(maybeV4);
    if (!v4) return null;
    tail = [((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0)];
    head = text.slice(0, lastColon + 1);
    if (head.endsWith('::')) {
      // "::a.b.c.d": keep the "::"
    } else if (head.endsWith(':')) {
      head = head.slice(0, -1);
    }
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (s: string): number[] | null => {
    if (s === '') return [];
    const groups: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
      groups.push(parseInt(g, 16));
    }
    return groups;
  };
  const left = parseGroups(halves[0] ?? '');
  if (!left) return null;
  if (halves.length === 1) {
    const groups = [...left, ...tail];
    return groups.length === 8 ? groups : null;
  }
  const right = parseGroups(halves[1] ?? '');
  if (!right) return null;
  const fill = 8 - left.length - right.length - tail.length;
  if (fill < 1) return null;
  return [...left, ...new Array<number>(fill).fill(0), ...right, ...tail];
}

function isPrivateIpv4(b: number[]): boolean {
  const [a = 0, c = 0] = b;
  const d = b[2] ?? 0;
  return (
    a === 0 || // "this network", incl. 0.0.0.0 unspecified
    a === 10 ||
    a === 127 ||
    (a === 100 && c >= 64 && c <= 127) || // CGNAT 100.64/10
    (a === 169 && c === 254) ||
    (a === 172 && c >= 16 && c <= 31) ||
    (a === 192 && c === 168) ||
    (a === 192 && c === 0 && (d === 0 || d === 2)) || // IETF protocol assignments, TEST-NET-1
    (a === 198 && (c === 18 || c === 19)) || // benchmarking
    (a === 198 && c === 51 && d === 100) || // TEST-NET-2
    (a === 203 && c === 0 && d === 113) || // TEST-NET-3
    a >= 224 // multicast, reserved, broadcast
  );
}

function isPrivateIpv6(g: number[]): boolean {
  const at = (i: number): number => g[i] ?? 0;
  const embedded = (hi: number, lo: number): number[] => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
  const zeroUpTo = (n: number): boolean => g.slice(0, n).every((x) => x === 0);

  // ::/96 covers ::, ::1 and the deprecated IPv4-compatible form; none is a public destination.
  if (zeroUpTo(6)) return true;
  if (zeroUpTo(5) && at(5) === 0xffff) return isPrivateIpv4(embedded(at(6), at(7))); // IPv4-mapped
  if (at(0) === 0x64 && at(1) === 0xff9b) {
    if (at(2) === 1) return true; // 64:ff9b:1::/48 local-use NAT64
    if (g.slice(2, 6).every((x) => x === 0)) return isPrivateIpv4(embedded(at(6), at(7))); // NAT64
  }
  if (at(0) === 0x2002) return isPrivateIpv4(embedded(at(1), at(2))); // 6to4
  if (at(0) === 0x0100 && at(1) === 0 && at(2) === 0 && at(3) === 0) return true; // discard-only 100::/64
  if (at(0) === 0x2001 && at(1) === 0x0db8) return true; // documentation
  const first = at(0);
  return (
    (first & 0xfe00) === 0xfc00 || // unique-local fc00::/7
    (first & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (first & 0xffc0) === 0xfec0 || // site-local (deprecated) fec0::/10
    (first & 0xff00) === 0xff00 // multicast
  );
}
