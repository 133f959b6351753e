import { parseDate } from '../util/dates.ts';

/** The longest a failing source waits between tries, unless its own interval is longer. */
export const MAX_BACKOFF_MS = 6 * 60 * 60 * 1000;
/** The longest we honour an upstream's Retry-After. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;
/** The longest a healthy source waits between polls when the adaptive rule stretches it, unless its own interval is longer. */
export const MAX_ADAPTIVE_INTERVAL_MS = 6 * 60 * 60 * 1000;
/** How far back the posting frequency looks. */
export const POSTING_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
/** How many of a source's newest arrival times the posting frequency reads from the store. */
export const POSTING_HISTORY = 50;

/** What a successful poll tells about when to poll again; every field is optional. */
export interface PollHints {
  /** The upstream's `Cache-Control` header. */
  cacheControl?: string | null | undefined;
  /** The upstream's `Expires` header (an HTTP-date). */
  expires?: string | null | undefined;
  /** When the source's newest stored items first arrived (epoch ms, any order): its posting history. */
  arrivals?: readonly number[] | null | undefined;
  /** How often the feed itself says it changes, in minutes (RSS `<ttl>`, `sy:updatePeriod`). */
  refreshMinutes?: number | null | undefined;
}

/**
 * When a source polled successfully at `now` (a 200 or a 304) is due again: the adaptive interval.
 *
 * The configured interval is the floor and the usual answer. It is stretched, never shortened, by the
 * longest of two signals:
 * - **the upstream's word** — `Cache-Control: max-age=N` (which wins over `Expires`, as in RFC 9111), else
 *   `Expires` minus now; `no-store`/`no-cache`, an unreadable or past `Expires` give no stretch; and the
 *   feed's own RSS `<ttl>` or `sy:updatePeriod`/`sy:updateFrequency`, whichever is longer;
 * - **its posting frequency** — from the arrival times of its newest {@link POSTING_HISTORY} stored items:
 *   k items arrived within the last {@link POSTING_WINDOW_MS 7 days}, observed over
 *   `min(7 days, now − oldest arrival)`, give an average gap of `observed / k` between posts, and we poll
 *   about twice per gap (`gap / 2`). No arrival in 7 days stretches to the cap; no history at all (a new
 *   source) gives no stretch. Arrival (first-seen) times are used, not the upstream's dates, which can be
 *   missing, wrong or backdated, and so that a backlog read on the first poll does not count as silence.
 *
 * The result is capped at {@link MAX_ADAPTIVE_INTERVAL_MS 6 hours}, or at the configured interval when that
 * is longer.
 */
export function nextPollAfterSuccess(intervalMinutes: number, now: number, hints: PollHints = {}): number {
  return now + adaptiveIntervalMs(intervalMinutes, now, hints);
}

/** The delay {@link nextPollAfterSuccess} waits, in milliseconds. */
export function adaptiveIntervalMs(intervalMinutes: number, now: number, hints: PollHints = {}): number {
  const interval = intervalMinutes * 60_000;
  const cap = Math.max(interval, MAX_ADAPTIVE_INTERVAL_MS);
  const lifetime = Math.max(upstreamLifetimeMs(hints.cacheControl ?? null, hints.expires ?? null, now) ?? 0, (hints.refreshMinutes ?? 0) * 60_000);
  const posting = postingIntervalMs(hints.arrivals ?? [], now) ?? 0;
  return Math.round(Math.min(cap, Math.max(interval, lifetime, posting)));
}

/**
 * How long the upstream says its response stays fresh, in ms: `Cache-Control: max-age` first, else
 * `Expires − now`. Zero for `no-store`/`no-cache` or a past or unreadable `Expires`; null when it says nothing.
 */
export function upstreamLifetimeMs(cacheControl: string | null, expires: string | null, now: number): number | null {
  if (cacheControl !== null) {
    let maxAge: number | null = null;
    for (const directive of cacheControl.split(',')) {
      const [rawName = '', rawValue] = directive.split('=', 2);
      const name = rawName.trim().toLowerCase();
      if (name === 'no-store' || name === 'no-cache') return 0;
      if (name === 'max-age' && rawValue !== undefined) {
        const value = rawValue.trim().replace(/^"(.*)"$/, '$1');
        if (/^\d+$/.test(value)) maxAge = Number(value) * 1000;
      }
    }
    if (maxAge !== null) return maxAge;
  }
  if (expires !== null) {
    // RFC 9111 §5.3: an invalid date, such as "0" or "-1", means already expired.
    const iso = parseDate(expires);
    if (iso === null) return 0;
    return Math.max(0, Date.parse(iso) - now);
  }
  return null;
}

/**
 * About half the average gap between a source's posts, from the arrival times of its newest items (ms): null
 * without history, `Infinity` when nothing arrived within {@link POSTING_WINDOW_MS}.
 */
export function postingIntervalMs(arrivals: readonly number[], now: number): number | null {
  const times = arrivals.filter((t) => Number.isFinite(t));
  if (times.length === 0) return null;
  const recent = times.filter((t) => t > now - POSTING_WINDOW_MS).length;
  if (recent === 0) return Infinity;
  const observed = Math.min(POSTING_WINDOW_MS, Math.max(0, now - Math.min(...times)));
  return observed / recent / 2;
}

/**
 * When a source that has now failed `errorCount` times in a row is due again: its interval doubled per
 * consecutive failure, capped, with ±10% jitter so failing sources do not retry in lockstep, and never
 * sooner than the upstream's `Retry-After` (itself capped at a day).
 */
export function nextPollAfterFailure(
  intervalMinutes: number,
  errorCount: number,
  now: number,
  options: { retryAfterSeconds?: number | null | undefined; random?: () => number } = {},
): number {
  const interval = intervalMinutes * 60_000;
  const cap = Math.max(interval, MAX_BACKOFF_MS);
  const exponent = Math.min(Math.max(errorCount - 1, 0), 30);
  const base = Math.min(interval * 2 ** exponent, cap);
  const jitter = 0.9 + 0.2 * (options.random ?? Math.random)();
  let delay = Math.round(base * jitter);
  if (options.retryAfterSeconds != null && options.retryAfterSeconds > 0) {
    delay = Math.max(delay, Math.min(options.retryAfterSeconds * 1000, MAX_RETRY_AFTER_MS));
  }
  return now + delay;
}

/** Runs `task` over `items` with at most `concurrency` at a time; results keep the input order. */
export async function mapBounded<T, R>(items: T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  return mapBoundedPerKey(items, { concurrency, perKey: concurrency, key: () => '' }, task);
}

/**
 * Runs `task` over `items` with at most `concurrency` at a time overall and at most `perKey` at a time for
 * items of one key (an upstream host). Items start in input order, except that one whose key is at its
 * limit waits while later items of other keys go ahead. Results keep the input order; the first rejection
 * rejects the whole (after the tasks already running have settled).
 */
export function mapBoundedPerKey<T, R>(
  items: T[],
  options: { concurrency: number; perKey: number; key: (item: T) => string },
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const perKey = Math.max(1, Math.floor(options.perKey));
  const results = new Array<R>(items.length);
  const keys = items.map((item) => options.key(item));
  const waiting = items.map((_, i) => i);
  const active = new Map<string, number>();
  let running = 0;
  let failure: { error: unknown } | null = null;

  return new Promise<R[]>((resolve, reject) => {
    const finish = (): void => {
      if (running > 0) return;
      if (failure) reject(failure.error);
      else if (waiting.length === 0) resolve(results);
    };
    const launch = (): void => {
      for (let w = 0; w < waiting.length && running < concurrency && !failure; ) {
        const index = waiting[w]!;
        const key = keys[index]!;
        const busy = active.get(key) ?? 0;
        if (busy >= perKey) {
          w++;
          continue;
        }
        waiting.splice(w, 1);
        active.set(key, busy + 1);
        running++;
        let started: Promise<R>;
        try {
          started = Promise.resolve(task(items[index]!));
        } catch (err) {
          started = Promise.reject(err);
        }
        started.then(
          (value) => {
            results[index] = value;
          },
          (err: unknown) => {
            failure ??= { error: err };
          },
        ).finally(() => {
          running--;
          active.set(key, (active.get(key) ?? 1) - 1);
          launch();
          finish();
        });
      }
    };
    launch();
    finish();
  });
}

/** The concurrency key of a source URL: its host name, lowercased (the port does not make another host). */
export function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return u.protocol === 'file:' ? 'file:' : u.hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return url;
  }
}
