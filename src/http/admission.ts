import type { Context, MiddlewareHandler } from 'hono';
import type { RateLimiter } from './rate-limit.ts';

/** Longest request target accepted (longer: 414). */
export const MAX_URL_LENGTH = 4096;

/** Requests handled at once at most by default; more get 503 with Retry-After. */
export const DEFAULT_MAX_IN_FLIGHT = 256;

/** A poll that ends in 304 costs a quarter of a full fetch: this much of its token comes back. */
const CONDITIONAL_REFUND = 0.75;

/** Gives back part of a token when the answer was 304 (the cheaper conditional poll). */
export function refundConditional(limiter: RateLimiter, client: string, status: number): void {
  if (status === 304) limiter.refund(client, CONDITIONAL_REFUND);
}

/**
 * Admission for the Hono routes: at most `maxInFlight` requests at once (503 beyond), then one token per
 * request from the client's bucket (429 when empty) unless the route is exempt; a 304 gets its refund.
 */
export function admission(options: {
  limiter: RateLimiter | null;
  maxInFlight: number;
  clientKey: (c: Context) => string;
  /** Routes that never take a token (health checks, the admin API). */
  exempt: (path: string) => boolean;
}): MiddlewareHandler {
  const { limiter, maxInFlight } = options;
  let inFlight = 0;
  return async function admit(c, next) {
    if (inFlight >= maxInFlight) {
      return c.json({ error: 'Too busy, retry shortly', status: 503 }, 503, { 'Retry-After': '1' });
    }
    const client = limiter && !options.exempt(c.req.path) ? options.clientKey(c) : null;
    if (client !== null) {
      const admitted = limiter!.take(client);
      if (!admitted.allowed) {
        return c.json({ error: `Rate limit: retry in ${admitted.retryAfterSeconds} s`, status: 429 }, 429, { 'Retry-After': String(admitted.retryAfterSeconds) });
      }
    }
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
    }
    if (client !== null) refundConditional(limiter!, client, c.res.status);
  };
}
