import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import type { Logger } from '../util/log.ts';

/**
 * A request id for every request that reaches the Hono app (`X-Request-Id` echoed when the client sent a
 * sane one: at most 128 word characters, `-` or `=`; else a fresh UUID), kept as `c.get('requestId')` for
 * request-scoped log lines, and a `request` line at debug level (path only: a query can carry a key).
 */
export function requestLog(logger: Logger): MiddlewareHandler {
  const assign = requestId({ limitLength: 128 });
  return async function logRequest(c, next) {
    const started = Date.now();
    await assign(c, async () => {
      await next();
      logger.debug({ event: 'request', reqId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, durationMs: Date.now() - started }, 'request');
    });
  };
}
