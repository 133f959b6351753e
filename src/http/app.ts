import { Hono } from 'hono';
import type { Context } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import type { FeedSpec } from '../model.ts';
import { RepresentationCache, type Representation } from '../publish/cache.ts';
import { collectPage } from '../publish/collect.ts';
import { FilterError, parseFeedRequest, type FeedRequest } from '../publish/filter.ts';
import { renderNinjs } from '../publish/ninjs.ts';
import { OPML_CONTENT_TYPE, renderOpml } from '../publish/opml.ts';
import { renderFeed } from '../publish/render.ts';
import { FEED_XSL, XSL_CONTENT_TYPE } from '../publish/xsl.ts';
import type { PollOutcome } from '../ingest/run.ts';
import type { SourceStatus, Store } from '../store/store.ts';
import { hash64 } from '../util/hash.ts';
import { indexPage } from './pages.ts';
import { constantTimeEqual, RateLimiter, type RateLimitOptions } from './rate-limit.ts';

/** The formats a feed is published in, by extension and `?format=`. */
export const FORMATS = ['rss', 'atom', 'json', 'ninjs'] as const;
export type PublishedFormat = (typeof FORMATS)[number];

/** Pre-compressed copies of a body; a runtime without compression (Workers compress at the edge) passes none. */
export type Compressor = (body: Uint8Array) => Promise<{ gzip?: Uint8Array; br?: Uint8Array }>;

/** What the HTTP app needs: the store, the published feeds, and presentation settings. */
export interface AppDeps {
  store: Store;
  feeds: FeedSpec[];
  /** Public base URL for self links; defaults to the request's origin. */
  baseUrl?: string | undefined;
  title?: string;
  /** Seconds pollers may cache a feed (`Cache-Control: max-age`). */
  maxAge?: number;
  /** A WebSub hub announced in every feed. */
  hubUrl?: string | undefined;
  cache?: RepresentationCache;
  compress?: Compressor;
  now?: () => number;
  /** The admin API (`/admin/*`), behind a bearer token; off when absent. */
  admin?: { token: string; refresh(sourceId: string): Promise<PollOutcome | null> } | undefined;
  /** Per-client token buckets on the public routes; off when absent. */
  rateLimit?: RateLimitOptions | undefined;
  /** Who a request comes from, for rate limiting (the runtime knows the peer address). */
  clientKey?: (c: Context) => string;
  /** Requests handled at once at most; more get 503 with Retry-After (default 256). */
  maxInFlight?: number;
  /** The store's data version when it is known without a query (a memo), else null; enables `serveCached`. */
  peekVersion?: () => number | null;
}

const CORS_EXPOSE = ['ETag', 'Last-Modified', 'Link'] as const;
const CORS_EXPOSE_HEADER = CORS_EXPOSE.join(', ');

/** Longest request target accepted (longer: 414). */
export const MAX_URL_LENGTH = 4096;

/** A request as a runtime's own server sees it, for {@link WirefeedApp.serveCached}. */
export interface CachedRequest {
  method: string;
  /** `http://host:port` as the request names it. */
  origin: string;
  /** The request target: path and query. */
  path: string;
  header(name: string): string | undefined;
  client: string;
}

/** A complete answer: status, headers as a flat name/value list, and body (null for 304 and HEAD). */
export interface CachedAnswer {
  status: number;
  headers: string[];
  body: Uint8Array | null;
}

/** An answer with its headers by name. */
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | null;
}

/** The Hono app, plus a fast path that answers polls of cached feeds without building a Request. */
export type WirefeedApp = Hono & {
  /**
   * Answers a GET/HEAD of a feed straight from the cache when the representation is there and current
   * (same rate limiting, same headers as the Hono route); null when the request needs the full route.
   */
  serveCached(request: CachedRequest): CachedAnswer | null;
};

/** The feed every instance publishes: all stored items. */
export const ALL_FEED: FeedSpec = { name: 'all', title: 'All stories', description: 'Every story from every source', filter: {} };

const encoder = new TextEncoder();

/** Builds the Hono app serving the index, the published feeds, OPML, `/status` and `/healthz`. */
export function createApp(deps: AppDeps): WirefeedApp {
  const app = new Hono() as WirefeedApp;
  const feeds = [ALL_FEED, ...deps.feeds];
  const byName = new Map(feeds.map((f) => [f.name, f]));
  const cache = deps.cache ?? new RepresentationCache();
  const maxAge = deps.maxAge ?? 60;
  const title = deps.title ?? 'wirefeed';
  const now = deps.now ?? Date.now;
  const baseOf = (c: Context): string => (deps.baseUrl ?? new URL(c.req.url).origin).replace(/\/+$/, '');
  const limiter = deps.rateLimit ? new RateLimiter(deps.rateLimit, now) : null;
  const inFlightRenders = new Map<string, Promise<Representation>>();
  // A poll that ends in 304 costs a quarter of a full fetch.
  const refundConditional = (client: string, status: number): void => {
    if (status === 304) limiter?.refund(client, 0.75);
  };
  const flatHeaders = new WeakMap<Representation, Map<string, string[]>>();
  const maxInFlight = deps.maxInFlight ?? 256;
  let inFlight = 0;
  const dataVersion = (): Promise<number> => deps.store.dataVersion();

  // CORS: a browser's conditional poll (If-None-Match) is preflighted; GET responses carry the headers
  // themselves (setting them here, before the handler, would make Hono rebuild every cached response).
  const preflight = cors({ origin: '*', allowMethods: ['GET', 'HEAD'], allowHeaders: ['If-None-Match', 'If-Modified-Since'], exposeHeaders: [...CORS_EXPOSE], maxAge: 86_400 });
  app.use(async (c, next) => (c.req.method === 'OPTIONS' && !c.req.path.startsWith('/admin/') ? preflight(c, next) : next()));

  app.use(async (c, next) => {
    if (c.req.url.length > MAX_URL_LENGTH) throw new HTTPException(414, { message: `Request target longer than ${MAX_URL_LENGTH} characters` });
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && !c.req.path.startsWith('/admin/')) {
      throw new HTTPException(405, { message: 'Only GET and HEAD are served here' });
    }
    if (inFlight >= maxInFlight) {
      return c.json({ error: 'Too busy, retry shortly', status: 503 }, 503, { 'Retry-After': '1' });
    }
    const client = limiter && !c.req.path.startsWith('/admin/') && c.req.path !== '/healthz' ? (deps.clientKey?.(c) ?? 'anonymous') : null;
    const admission = client !== null ? limiter!.take(client) : null;
    if (admission && !admission.allowed) {
      return c.json({ error: `Rate limit: retry in ${admission.retryAfterSeconds} s`, status: 429 }, 429, { 'Retry-After': String(admission.retryAfterSeconds) });
    }
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
    }
    if (client !== null) refundConditional(client, c.res.status);
  });

  app.use('/admin/*', async (c, next) => {
    if (!deps.admin) throw new HTTPException(404, { message: 'The admin API is off: set WIREFEED_ADMIN_TOKEN to turn it on' });
    const header = c.req.header('Authorization') ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!given || !constantTimeEqual(given, deps.admin.token)) {
      return c.json({ error: 'A valid bearer token is required', status: 401 }, 401, { 'WWW-Authenticate': 'Bearer realm="wirefeed admin"' });
    }
    c.header('Cache-Control', 'no-store');
    await next();
  });

  app.get('/admin/sources', async (c) => c.json({ sources: (await deps.store.listSources()).map(sourceHealth) }));

  app.post('/admin/sources/:id/refresh', async (c) => {
    const outcome = await deps.admin!.refresh(c.req.param('id'));
    if (!outcome) throw new HTTPException(404, { message: `No source "${c.req.param('id')}"` });
    const source = (await deps.store.listSources()).find((s) => s.id === outcome.source);
    return c.json({ outcome, source: source ? sourceHealth(source) : null });
  });

  app.get('/', (c) => c.html(indexPage({ title, baseUrl: baseOf(c), feeds })));

  app.get('/healthz', async (c) => {
    await deps.store.dataVersion();
    return c.text('ok');
  });

  app.get('/feed.xsl', (c) => {
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(FEED_XSL, 200, { 'Content-Type': XSL_CONTENT_TYPE });
  });

  app.get('/opml', async (c) => {
    const base = baseOf(c);
    const rep = await cached(`opml|${base}`, await dataVersion(), async () => ({
      body: renderOpml({ title, baseUrl: base, feeds, updated: new Date(0) }),
      contentType: OPML_CONTENT_TYPE,
      lastModified: new Date(0),
    }));
    return respond(c, rep, maxAge, []);
  });

  app.get('/status', async (c) => {
    const sources = await deps.store.listSources();
    c.header('Cache-Control', 'no-store');
    c.header('Access-Control-Allow-Origin', '*');
    return c.json({ sources: sources.map(sourceHealth) });
  });

  app.get('/feeds/:file', async (c) => {
    const file = c.req.param('file');
    const url = new URL(c.req.url);
    const { spec, format } = resolveFeed(file, url.searchParams.get('format'), byName, feeds);
    const base = baseOf(c);
    const selfUrl = `${base}${url.pathname}${url.search}`;
    const links = feedLinks(selfUrl);
    const key = feedKey(base, url.pathname, url.search);
    const rep = await cached(key, await dataVersion(), async () => {
      let request: FeedRequest;
      try {
        request = parseFeedRequest(spec, url.searchParams, now());
      } catch (err) {
        if (err instanceof FilterError) throw new HTTPException(400, { message: err.message });
        throw err;
      }
      const page = await collectPage(deps.store, request);
      const items = page.items.map((s) => s.item);
      const newest = items.reduce((max, item) => Math.max(max, Date.parse(item.versionCreated) || 0), 0);
      const lastModified = new Date(Math.floor(newest / 1000) * 1000);
      if (format === 'ninjs') return { ...renderNinjs(items), lastModified };
      const nextUrl = page.next ? withParam(url, 'before', page.next, base) : undefined;
      const rendered = renderFeed(
        {
          id: `${base}/feeds/${spec.name}`,
          title: spec.name === 'all' ? title : `${spec.title} — ${title}`,
          description: spec.description ?? spec.title,
          siteUrl: `${base}/`,
          selfUrl,
          updated: lastModified,
          nextUrl,
          hubUrl: deps.hubUrl,
          stylesheetUrl: format === 'json' ? undefined : `${base}/feed.xsl`,
        },
        items,
        format,
      );
      return { ...rendered, lastModified };
    });
    return respond(c, rep, maxAge, links);
  });

  app.serveCached = (request) => {
    const version = deps.peekVersion?.() ?? null;
    if (version === null || (request.method !== 'GET' && request.method !== 'HEAD')) return null;
    // The raw target, split without a URL parser: a target that Hono would normalize differently simply
    // misses the cache and takes the full route.
    const { path } = request;
    if (!path.startsWith('/feeds/') || path.length > MAX_URL_LENGTH || path.includes('#')) return null;
    const q = path.indexOf('?');
    const pathname = q === -1 ? path : path.slice(0, q);
    const search = q === -1 ? '' : path.slice(q);
    const base = (deps.baseUrl ?? request.origin).replace(/\/+$/, '');
    const rep = cache.get(feedKey(base, pathname, search), version);
    if (!rep) return null;
    if (limiter) {
      const admission = limiter.take(request.client);
      // The full route words the 429 (a refused take costs nothing).
      if (!admission.allowed) return null;
    }
    const ifNoneMatch = request.header('if-none-match');
    const ifModifiedSince = request.header('if-modified-since');
    const status = notModified(ifNoneMatch, ifModifiedSince, rep) ? 304 : 200;
    const encoding = status === 304 ? null : chooseEncoding(request.header('accept-encoding'), rep);
    if (limiter) refundConditional(request.client, status);
    // The headers of one answer of one representation never change: built once, as the flat list Node
    // writes fastest.
    let lists = flatHeaders.get(rep);
    if (!lists) flatHeaders.set(rep, (lists = new Map()));
    const listKey = `${status}|${encoding ?? ''}`;
    let flat = lists.get(listKey);
    if (!flat) {
      const full = answer(rep, maxAge, feedLinks(`${base}${pathname}${search}`), { ifNoneMatch, ifModifiedSince, acceptEncoding: encoding ?? undefined });
      lists.set(listKey, (flat = Object.entries(full.headers).flat()));
    }
    const body = status === 304 || request.method === 'HEAD' ? null : encoding ? rep[encoding]! : rep.body;
    return { status, headers: flat, body };
  };

  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      return c.json({ error: err.message || 'error', status: err.status }, err.status);
    }
    console.error('wirefeed: request failed:', err);
    return c.json({ error: 'internal error', status: 500 }, 500);
  });
  app.notFound((c) => c.json({ error: `Not found: ${new URL(c.req.url).pathname}`, status: 404 }, 404));
  return app;

  function feedLinks(selfUrl: string): string[] {
    return [...(deps.hubUrl ? [`<${deps.hubUrl}>; rel="hub"`] : []), `<${selfUrl}>; rel="self"`];
  }

  function feedKey(base: string, pathname: string, search: string): string {
    // The time filters (`since=P2D`, `filter_time`) move with the clock: they key the cache per minute.
    const clockKey = /(?:^|&)(?:since|until|filter_time)=/.test(search.slice(1)) ? Math.floor(now() / 60_000) : 0;
    return `feed|${base}|${pathname}|${search}|${clockKey}`;
  }

  /** A representation from the cache, or rendered (and compressed) once for this data version. */
  /**
   * A representation from the cache, or rendered (and compressed) once for this data version: concurrent
   * misses for the same key share one render instead of each doing it (no stampede after an ingest).
   */
  function cached(
    key: string,
    version: number,
    render: () => Promise<{ body: string; contentType: string; lastModified: Date }>,
  ): Promise<Representation> {
    const hit = cache.get(key, version);
    if (hit) return Promise.resolve(hit);
    const flightKey = `${version}|${key}`;
    let flight = inFlightRenders.get(flightKey);
    if (!flight) {
      flight = (async () => {
        const { body, contentType, lastModified } = await render();
        const bytes = encoder.encode(body);
        const compressed = deps.compress ? await deps.compress(bytes) : {};
        const rep: Representation = { body: bytes, ...compressed, contentType, etag: `"${hash64(body)}"`, lastModified, lastModifiedHttp: lastModified.toUTCString(), version };
        cache.set(key, rep);
        return rep;
      })().finally(() => inFlightRenders.delete(flightKey));
      inFlightRenders.set(flightKey, flight);
    }
    return flight;
  }
}

function resolveFeed(
  file: string,
  formatParam: string | null,
  byName: Map<string, FeedSpec>,
  feeds: FeedSpec[],
): { spec: FeedSpec; format: PublishedFormat } {
  const dot = file.lastIndexOf('.');
  const name = dot > 0 ? file.slice(0, dot) : file;
  const ext = dot > 0 ? file.slice(dot + 1) : null;
  const spec = byName.get(name);
  if (!spec) {
    throw new HTTPException(404, { message: `No feed "${name}". Feeds: ${feeds.map((f) => f.name).join(', ')}` });
  }
  const wanted = formatParam ?? ext ?? 'rss';
  if (!(FORMATS as readonly string[]).includes(wanted)) {
    throw new HTTPException(ext !== null && formatParam === null ? 404 : 400, {
      message: `Unknown format "${wanted.slice(0, 20)}": use ${FORMATS.map((f) => `.${f}`).join(', ')} or ?format=`,
    });
  }
  if (ext !== null && formatParam !== null && ext !== formatParam && (FORMATS as readonly string[]).includes(ext)) {
    throw new HTTPException(400, { message: `The extension .${ext} and ?format=${formatParam} disagree` });
  }
  return { spec, format: wanted as PublishedFormat };
}

function respond(c: Context, rep: Representation, maxAge: number, links: string[]): Response {
  const { status, headers, body } = answer(rep, maxAge, links, {
    ifNoneMatch: c.req.header('If-None-Match'),
    ifModifiedSince: c.req.header('If-Modified-Since'),
    acceptEncoding: c.req.header('Accept-Encoding'),
  });
  return new Response(body as Uint8Array<ArrayBuffer> | null, { status, headers });
}

/** The answer to a request for a representation: 304 or 200 with the best encoding, and its headers. */
function answer(
  rep: Representation,
  maxAge: number,
  links: string[],
  request: { ifNoneMatch: string | undefined; ifModifiedSince: string | undefined; acceptEncoding: string | undefined },
): Answer {
  const headers: Record<string, string> = {
    ETag: rep.etag,
    'Last-Modified': rep.lastModifiedHttp,
    'Cache-Control': `public, max-age=${maxAge}`,
    Vary: 'Accept-Encoding',
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': CORS_EXPOSE_HEADER,
  };
  if (links.length) headers.Link = links.join(', ');
  if (notModified(request.ifNoneMatch, request.ifModifiedSince, rep)) return { status: 304, headers, body: null };
  headers['Content-Type'] = rep.contentType;
  const encoding = chooseEncoding(request.acceptEncoding, rep);
  const body = encoding ? rep[encoding]! : rep.body;
  if (encoding) headers['Content-Encoding'] = encoding;
  headers['Content-Length'] = String(body.byteLength);
  return { status: 200, headers, body };
}

/** The best pre-compressed copy the client accepts (br, then gzip), or null for the identity body. */
function chooseEncoding(header: string | undefined, rep: Representation): 'br' | 'gzip' | null {
  if (!header) return null;
  const accepted = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    accepted.set(name!, q ? Number(q.slice(2)) || 0 : 1);
  }
  const ok = (name: string): boolean => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (rep.br && ok('br')) return 'br';
  if (rep.gzip && ok('gzip')) return 'gzip';
  return null;
}

/** RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since; weak comparison for If-None-Match. */
function notModified(ifNoneMatch: string | undefined, ifModifiedSince: string | undefined, rep: Representation): boolean {
  if (ifNoneMatch !== undefined) {
    const tags = ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(rep.etag);
  }
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && rep.lastModified.getTime() <= since;
  }
  return false;
}

function withParam(url: URL, name: string, value: string, base: string): string {
  const params = new URLSearchParams(url.search);
  params.set(name, value);
  return `${base}${url.pathname}?${params.toString()}`;
}

/** A source's state as `/status` and the admin API show it. */
function sourceHealth(s: SourceStatus): Record<string, unknown> {
  return {
    id: s.id,
    title: s.title,
    url: s.url,
    healthy: s.errorCount === 0 && s.lastSuccessAt !== null,
    items: s.itemCount,
    lastFetchAt: iso(s.lastFetchAt),
    lastSuccessAt: iso(s.lastSuccessAt),
    nextFetchAt: iso(s.nextFetchAt),
    errorCount: s.errorCount,
    lastError: s.lastError ? { ...s.lastError, at: iso(s.lastError.at) } : null,
    etag: s.etag,
    lastModified: s.lastModified,
  };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
