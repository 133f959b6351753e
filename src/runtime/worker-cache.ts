/**
 * The edge cache of the Workers build: rendered feeds kept in the Workers Cache API (`caches.default`),
 * keyed by the request URL, for as long as their `Cache-Control: max-age` says. A feed poll answered from
 * it runs no D1 query; conditional requests (`If-None-Match`, `If-Modified-Since`) are answered from the
 * cached headers exactly as `src/http/app.ts` answers them on Node.
 */

/** The part of the Workers Cache API the edge cache uses; `caches.default` satisfies it. */
export interface EdgeCache {
  match(request: Request): Promise<Response | undefined>;
  put(request: Request, response: Response): Promise<void>;
}

/** The headers a `304 Not Modified` carries, as on Node. */
const NOT_MODIFIED_HEADERS = ['etag', 'last-modified', 'cache-control', 'vary', 'access-control-allow-origin', 'link'];

/** Whether a request is a feed read the edge cache may answer (GET or HEAD of `/feeds/…`). */
export function isEdgeCacheable(request: Request): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const url = new URL(request.url);
  // A subscriber's request (a key in a header or the URL) is never stored under a URL anyone can ask for.
  return url.pathname.startsWith('/feeds/') && !request.headers.has('Authorization') && !url.searchParams.has('key');
}

/**
 * Answers a feed request from the edge cache, or from `origin` (the Hono app) on a miss. On a miss the
 * origin is asked for the full representation (no conditional headers, GET), which is stored when it is a
 * 200; the request's own conditions are then evaluated against it. Anything else the origin says (404,
 * 400) is passed through uncached.
 */
export async function serveFromEdgeCache(
  request: Request,
  cache: EdgeCache,
  origin: (request: Request) => Promise<Response>,
  waitUntil: (work: Promise<unknown>) => void,
): Promise<Response> {
  const key = new Request(new URL(request.url).href, { method: 'GET' });
  let full = await cache.match(key);
  if (!full) {
    const headers = new Headers(request.headers);
    headers.delete('if-none-match');
    headers.delete('if-modified-since');
    const fresh = await origin(new Request(key.url, { method: 'GET', headers }));
    if (fresh.status !== 200) {
      return request.method === 'HEAD' ? new Response(null, fresh) : fresh;
    }
    waitUntil(cache.put(key, fresh.clone()));
    full = fresh;
  }
  if (notModified(request.headers, full.headers)) {
    const headers = new Headers();
    for (const name of NOT_MODIFIED_HEADERS) {
      const value = full.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    return new Response(null, { status: 304, headers });
  }
  if (request.method === 'HEAD') return new Response(null, full);
  return full;
}

/** RFC 9110 §13.2.2, as on Node: If-None-Match wins over If-Modified-Since; weak comparison. */
function notModified(request: Headers, representation: Headers): boolean {
  const ifNoneMatch = request.get('if-none-match');
  if (ifNoneMatch !== null) {
    const etag = representation.get('etag');
    const tags = ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
    return tags.includes('*') || (etag !== null && tags.includes(etag));
  }
  const ifModifiedSince = request.get('if-modified-since');
  const lastModified = representation.get('last-modified');
  if (ifModifiedSince !== null && lastModified !== null) {
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && Date.parse(lastModified) <= since;
  }
  return false;
}
