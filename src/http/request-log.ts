import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../util/log.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** The request's id (see {@link requestLog}). */
    requestId: string;
  }
}

/** A client's request id is taken when it is this sane; else a fresh one is made. */
export const SANE_REQUEST_ID = /^[\w\-=]{1,128}$/;

/**
 * A request id for every request that reaches the Hono app (`X-Request-Id` echoed when the client sent a
 * sane one, see {@link SANE_REQUEST_ID}; else a fresh UUID), kept as `c.get('requestId')` for
 * request-scoped log lines, and a `request` line at debug level (the path only: a query can carry a key).
 */
export function requestLog(logger: Logger): MiddlewareHandler {
  return async function logRequest(c, next) {
    const started = Date.now();
    const sent = c.req.header('X-Request-Id');
    const id = sent !== undefined && SANE_REQUEST_ID.test(sent) ? sent : crypto.randomUUID();
    c.set('requestId', id);
    await next();
    // Set on the finished response: set before the handler, Hono would copy every cached feed response to add it.
    try {
      c.res.headers.set('X-Request-Id', id);
    } catch {
      // A response whose headers are immutable (one straight from a `fetch`): copy it to add the header.
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set('X-Request-Id', id);
    }
    logger.debug({ event: 'request', reqId: id, method: c.req.method, path: c.req.path, status: c.res.status, durationMs: Date.now() - started }, 'request');
  };
}
