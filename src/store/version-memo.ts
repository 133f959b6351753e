import type { Store } from './store.ts';

/**
 * A store whose `dataVersion()` is answered from memory for up to `ttlMs`, so that a poll of a cached feed
 * costs no database query. `invalidate()` forgets it at once (after an ingest in this process); a change made
 * by another process (`wirefeed ingest --once`) is seen within `ttlMs`.
 */
export function memoizeDataVersion(
  store: Store,
  ttlMs: number,
  now: () => number = Date.now,
): { store: Store; invalidate(): void; peek(): number | null } {
  let known: { version: number; at: number } | null = null;
  return {
    store: {
      ...store,
      async dataVersion() {
        const t = now();
        if (known && t - known.at < ttlMs) return known.version;
        const version = await store.dataVersion();
        known = { version, at: t };
        return version;
      },
    },
    invalidate() {
      known = null;
    },
    /** The remembered version while it is fresh, else null (ask the store). */
    peek() {
      return known && now() - known.at < ttlMs ? known.version : null;
    },
  };
}
