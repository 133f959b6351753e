import { Hono } from 'hono';
import type { Context } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import type { FeedSpec } from '../model.ts';
import { createRepresentations, type Compressor, type Representation, type RepresentationCache, type Representations } from '../publish/representation.ts';
import { PreparedItems } from '../publish/prepared-items.ts';
import type { DeliveryStats } from '../store/outbox.ts';
import type { Store } from '../store/store.ts';
import { webhookStatus } from '../publish/webhooks.ts';
import { mountAdmin, type AdminDeps } from './admin.ts';
import { PUBLIC_ACCESS, withoutKey, type AccessControl } from './auth.ts';
import { admission, DEFAULT_MAX_IN_FLIGHT, MAX_URL_LENGTH } from './admission.ts';
import { answer, CORS_EXPOSE, DEFAULT_MAX_AGE } from './conditional.ts';
import { feedKey, feedLinks, trimBase } from './feed-key.ts';
import { renderPublishedFeed, renderPublishedOpml, resolveFeed } from './feed-render.ts';
import { NO_METRICS, type Metrics } from './metrics.ts';
import { countingRepresentations, countRequests, mountMetrics } from './metrics-route.ts';
import { mountPages } from './pages.ts';
import { RateLimiter, type RateLimitOptions } from './rate-limit.ts';
import { requestLog } from './request-log.ts';
import { createJsonLogger, type Logger } from '../util/log.ts';
import { mountSubscribers } from './subscribers.ts';

export { FORMATS, type PublishedFormat } from './feed-render.ts';
export { MAX_URL_LENGTH } from './admission.ts';
export type { Compressor } from '../publish/representation.ts';

/** What the HTTP app needs: the store, the published feeds, and presentation settings. */
export interface AppDeps {
  store: Store;
  feeds: FeedSpec[];
  /** Public base URL for self links; defaults to the request's origin. */
  baseUrl?: string | undefined;
  title?: string;
  /** The feeds' language, a BCP 47 tag (`server.language`). */
  language?: string | undefined;
  /** Seconds pollers may cache a feed (`Cache-Control: max-age`). */
  maxAge?: number;
  /** A WebSub hub announced in every feed. */
  hubUrl?: string | undefined;
  /** The publishing pipeline; share it with a runtime's fast path (`createFastPath`). Built from `cache` and `compress` when absent. */
  representations?: Representations;
  cache?: RepresentationCache;
  compress?: Compressor;
  now?: () => number;
  /** The admin API (`/admin/*`), behind a bearer token; off when absent. */
  admin?: AdminDeps | undefined;
  /** Per-client token buckets on the public routes; off when absent (and no `limiter` is given). */
  rateLimit?: RateLimitOptions | undefined;
  /** The token buckets themselves, to share them with a runtime's fast path; built from `rateLimit` when absent. */
  limiter?: RateLimiter | null | undefined;
  /** Who a request comes from, for rate limiting (the runtime knows the peer address). */
  clientKey?: (c: Context) => string;
  /** Requests handled at once at most; more get 503 with Retry-After (default 256). */
  maxInFlight?: number;
  /** What is counted, and exported at `/metrics` (behind the admin token, or loopback only without one); nothing when absent. */
  metrics?: Metrics | undefined;
  /** The peer's address (the runtime knows it), for `/metrics` without a token. */
  peerAddress?: ((c: Context) => string | undefined) | undefined;
  /** Where request failures (and, at debug, every request) are logged, with the request id. */
  logger?: Logger | undefined;
  /**
   * Lets a feed's render give way to other requests between a few new items (Node: the next turn of the event
   * loop, while the others get the previous representation); absent (Workers: a request has its isolate's turn),
   * a render runs through.
   */
  pause?: (() => Promise<void>) | undefined;
  /** Items prepared for rendering, kept per item version and shared by every feed; a fresh cache when absent. */
  preparedItems?: PreparedItems | undefined;
  /** Subscribers' keys and entitlements; without it a feed request with a key is refused (401). */
  access?: AccessControl | undefined;
  /** Push delivery's per-subscriber state: counts in `/status`, each subscriber's in its admin usage. */
  webhooks?: { stats(): Promise<DeliveryStats[]> } | undefined;
}

/** The feed every instance publishes: all stored items. */
export const ALL_FEED: FeedSpec = { name: 'all', title: 'All stories', description: 'Every story from every source', filter: {} };

/** Builds the Hono app serving the pages (`/`, feed pages, `/items/:id`, `/status`), the published feeds, OPML, `/healthz`, `/metrics` and the admin API. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const feeds = [ALL_FEED, ...deps.feeds];
  const byName = new Map(feeds.map((f) => [f.name, f]));
  const metrics = deps.metrics ?? NO_METRICS;
  const logger = deps.logger ?? createJsonLogger((line) => console.error(line));
  const representations = countingRepresentations(deps.representations ?? createRepresentations({ cache: deps.cache, compress: deps.compress }), metrics);
  const prepared = deps.preparedItems ?? new PreparedItems();
  const maxAge = deps.maxAge ?? DEFAULT_MAX_AGE;
  const title = deps.title ?? 'wirefeed';
  const now = deps.now ?? Date.now;
  const baseOf = (c: Context): string => trimBase(deps.baseUrl ?? new URL(c.req.url).origin);
  const limiter = deps.limiter !== undefined ? deps.limiter : deps.rateLimit ? new RateLimiter(deps.rateLimit, now) : null;
  const isAdmin = (path: string): boolean => path.startsWith('/admin/');

  // CORS: a browser's conditional poll (If-None-Match) is preflighted; GET responses carry the headers
  // themselves (setting them here, before the handler, would make Hono rebuild every cached response).
  const preflight = cors({ origin: '*', allowMethods: ['GET', 'HEAD'], allowHeaders: ['If-None-Match', 'If-Modified-Since'], exposeHeaders: [...CORS_EXPOSE], maxAge: 86_400 });
  app.use(async (c, next) => (c.req.method === 'OPTIONS' && !isAdmin(c.req.path) ? preflight(c, next) : next()));

  app.use(requestLog(logger), countRequests(metrics));
  app.use(async (c, next) => {
    if (c.req.url.length > MAX_URL_LENGTH) throw new HTTPException(414, { message: `Request target longer than ${MAX_URL_LENGTH} characters` });
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && !isAdmin(c.req.path)) {
      throw new HTTPException(405, { message: 'Only GET and HEAD are served here' });
    }
    await next();
  });

  app.use(
    admission({
      limiter,
      maxInFlight: deps.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
      clientKey: (c) => deps.clientKey?.(c) ?? 'anonymous',
      exempt: (path) => isAdmin(path) || path === '/healthz' || path === '/metrics',
    }),
  );

  mountAdmin(app, deps.store, deps.admin);
  mountMetrics(app, metrics, { token: deps.admin?.token, peerAddress: deps.peerAddress });
  const deliveryStats = deps.webhooks ? () => deps.webhooks!.stats() : undefined;
  if (deps.access) mountSubscribers(app, deps.access, now, deliveryStats);

  mountPages(app, { store: deps.store, feeds, title, representations, hubUrl: deps.hubUrl, now, baseOf, respond, licenses: deps.access ? () => deps.access!.store.licenses() : undefined, webhookStatus: deliveryStats ? async () => webhookStatus(await deliveryStats()) : undefined });

  app.get('/healthz', async (c) => {
    await deps.store.dataVersion();
    return c.text('ok');
  });

  app.get('/opml', async (c) => {
    const base = baseOf(c);
    const rep = await representations.obtain(`opml|${base}`, await deps.store.dataVersion(), () => renderPublishedOpml({ store: deps.store, title, feeds, now: now() }, base));
    return respond(c, rep, []);
  });

  app.get('/feeds/:file', async (c) => {
    const url = new URL(c.req.url);
    const { spec, format } = resolveFeed(c.req.param('file'), url.searchParams.get('format'), byName);
    const base = baseOf(c);
    // The data version is asked beside the key, not after it: while its memo is stale every poll comes here, and a
    // keyed one held up behind the key's lookup (a hash off the thread) kept the whole fast path waiting.
    const [grant, version] = await Promise.all([authenticate(c, url), deps.store.dataVersion()]);
    const { access, id } = deps.access?.feedAccess(grant, spec.name) ?? PUBLIC_ACCESS;
    // The cache keys by entitlement; a key sent in the URL is in the links, so that representation is the key's (by its id).
    const search = grant ? withoutKey(url.search) : url.search;
    const key = feedKey({ base, pathname: url.pathname, search }, now(), undefined, grant?.inUrl ? `${id}|${grant.keyId}` : id);
    // A bearer key's representation is its entitlement's, shared: a `?key=` sent beside the header stays out of its links.
    const rendered = grant && !grant.inUrl && search !== url.search ? new URL(`${url.origin}${url.pathname}${search}`) : url;
    const rep = await representations.obtain(key, version, () =>
      renderPublishedFeed({ store: deps.store, title, hubUrl: deps.hubUrl, now: now(), language: deps.language, prepared, pause: deps.pause }, { spec, format, url: rendered, base, access }),
    );
    const res = respond(c, rep, feedLinks(deps.hubUrl, `${base}${url.pathname}${rendered.search}`));
    if (grant) {
      res.headers.set('Cache-Control', (res.headers.get('Cache-Control') ?? 'no-cache').replace('public', 'private'));
      deps.access!.record(grant, res.status, rep.itemCount ?? 0);
    }
    return res;
  });

  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      return c.json({ error: err.message || 'error', status: err.status }, err.status);
    }
    logger.error({ event: 'request-failed', reqId: c.get('requestId'), method: c.req.method, path: c.req.path, err }, 'wirefeed: request failed');
    return c.json({ error: 'internal error', status: 500 }, 500);
  });
  app.notFound((c) => c.json({ error: `Not found: ${new URL(c.req.url).pathname}`, status: 404 }, 404));
  return app;

  async function authenticate(c: Context, url: URL) {
    const authorization = c.req.header('Authorization');
    const keyParam = url.searchParams.get('key');
    if (authorization === undefined && keyParam === null) return null;
    if (!deps.access) throw new HTTPException(401, { message: 'Unknown, revoked or expired key' });
    return deps.access.authenticate({ authorization, keyParam, client: deps.clientKey?.(c) ?? 'anonymous' });
  }

  function respond(c: Context, rep: Representation, links: string[], age = maxAge): Response {
    const { status, headers, body } = answer(
      rep,
      { ifNoneMatch: c.req.header('If-None-Match'), ifModifiedSince: c.req.header('If-Modified-Since'), acceptEncoding: c.req.header('Accept-Encoding') },
      age,
      links,
    );
    return new Response(body as Uint8Array<ArrayBuffer> | null, { status, headers });
  }
}
