import type { Context, MiddlewareHandler } from 'hono';
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
 * A request id for every request that reaches the Hono app (the client's `X-Request-Id` when it is sane, see
 * {@link SANE_REQUEST_ID}; else a fresh UUID), kept as `c.get('requestId')` for request-scoped log lines,
 * and a `request` line at debug level (the path only: a query can carry a key). The response echoes the
 * client's id; a fresh one is sent back on errors only (status 400 and up), so that a client can quote it,
 * while a 200 or 304 keeps the same headers as the fast path's, which makes no id of its own.
 */
export function requestLog(logger: Logger): MiddlewareHandler {
  return async function logRequest(c, next) {
    const started = Date.now();
    const sent = c.req.header('X-Request-Id');
    const echo = sent !== undefined && SANE_REQUEST_ID.test(sent);
    const id = echo ? sent : crypto.randomUUID();
    c.set('requestId', id);
    await next();
    if (echo || c.res.status >= 400) setHeader(c, id);
    logger.debug({ event: 'request', reqId: id, method: c.req.method, path: c.req.path, status: c.res.status, durationMs: Date.now() - started }, 'request');
  };
}

function setHeader(c: Context, id: string): void {
  // Set on the finished response: set before the handler, Hono would copy every cached feed response to add it.
  try {
    c.res.headers.set('X-Request-Id', id);
  } catch {
    // A response whose headers are immutable (one straight from a `fetch`): copy it to add the header.
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set('X-Request-Id', id);
  }
}
