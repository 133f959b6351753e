/** The longest a failing source waits between tries, unless its own interval is longer. */
export const MAX_BACKOFF_MS = 6 * 60 * 60 * 1000;
/** The longest we honour an upstream's Retry-After. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** When a source polled successfully at `now` is due again. */
export function nextPollAfterSuccess(intervalMinutes: number, now: number): number {
  return now + intervalMinutes * 60_000;
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
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
