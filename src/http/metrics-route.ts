import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { Representations } from '../publish/representation.ts';
import { formatLabel, type Metrics } from './metrics.ts';
import { constantTimeEqual } from './rate-limit.ts';

/** Who may read `/metrics`: the admin token's holders, or with no token the loopback peers only. */
export interface MetricsAccess {
  /** The admin bearer token (`WIREFEED_ADMIN_TOKEN`); when absent only loopback peers are served. */
  token?: string | undefined;
  /** The peer's address as the runtime knows it; undefined when it cannot tell (then not loopback). */
  peerAddress?: ((c: Context) => string | undefined) | undefined;
}

/**
 * Mounts `GET /metrics` (Prometheus text) behind the admin token, or for loopback peers when no token is
 * set; 404 when the runtime exports no metrics.
 */
export function mountMetrics(app: Hono, metrics: Metrics, access: MetricsAccess): void {
  app.get('/metrics', async (c) => {
    if (access.token !== undefined) {
      const header = c.req.header('Authorization') ?? '';
      const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
      if (!given || !constantTimeEqual(given, access.token)) {
        return c.json({ error: 'A valid bearer token is required', status: 401 }, 401, { 'WWW-Authenticate': 'Bearer realm="wirefeed metrics"' });
      }
    } else if (!isLoopback(access.peerAddress?.(c))) {
      return c.json({ error: 'Metrics are served to loopback clients only while no admin token is set', status: 403 }, 403);
    }
    const exposed = await metrics.expose();
    if (!exposed) return c.json({ error: 'This runtime exports no metrics', status: 404 }, 404);
    return c.body(exposed.body, 200, { 'Content-Type': exposed.contentType, 'Cache-Control': 'no-store' });
  });
}

/**
 * Counts what the Hono app answers: requests in flight, 429s, and every `/feeds/…` answer by status and
 * format. Mount it before admission so refused requests count too.
 */
export function countRequests(metrics: Metrics): MiddlewareHandler {
  const bound = new Map<string, () => void>();
  return async function countRequest(c, next) {
    metrics.inFlight(1);
    try {
      await next();
    } finally {
      metrics.inFlight(-1);
    }
    const status = c.res.status;
    if (status === 429) metrics.rateLimited();
    const path = c.req.path;
    if (path.startsWith('/feeds/')) {
      const url = c.req.url;
      const q = url.indexOf('?');
      const format = formatLabel(path, q === -1 ? '' : url.slice(q));
      const key = `${status}|${format}`;
      let count = bound.get(key);
      if (count === undefined) bound.set(key, (count = metrics.feedAnswers(status, format)));
      count();
    }
  };
}

/** The pipeline with its cache lookups counted: a hit when no render was needed, else a miss. */
export function countingRepresentations(representations: Representations, metrics: Metrics): Representations {
  return {
    cache: representations.cache,
    peek: (key, version) => representations.peek(key, version),
    obtain(key, version, render) {
      let rendered = false;
      const result = representations.obtain(key, version, () => {
        rendered = true;
        return render();
      });
      void result.then(
        () => metrics.cacheLookup(!rendered),
        () => metrics.cacheLookup(false),
      );
      return result;
    },
  };
}

/** Whether an address is the loopback interface (127.0.0.0/8, ::1, or IPv4 loopback mapped into IPv6). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}
