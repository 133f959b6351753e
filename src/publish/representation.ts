import { hash64 } from '../util/hash.ts';

/** A rendered representation of a feed, ready to serve. */
export interface Representation {
  /** The UTF-8 body, and its pre-compressed copies when the runtime made them. */
  body: Uint8Array;
  gzip?: Uint8Array;
  br?: Uint8Array;
  contentType: string;
  etag: string;
  lastModified: Date;
  /** `lastModified` as an HTTP date, formatted once. */
  lastModifiedHttp: string;
  /** The store's data version it was rendered from. */
  version: number;
  /** Items it carries, when the renderer said (usage counts them). */
  itemCount?: number;
}

/** What a renderer hands over: the text, its media type and the time of its newest change. */
export interface Rendered {
  body: string;
  contentType: string;
  lastModified: Date;
  itemCount?: number;
}

/** Pre-compressed copies of a body; a runtime without compression (Workers compress at the edge) passes none. */
export type Compressor = (body: Uint8Array) => Promise<{ gzip?: Uint8Array; br?: Uint8Array }>;

/**
 * Rendered representations, by key, each with the store's data version it was rendered from (current while
 * that version is; the previous one until its key is rendered again). Bounded by entry count, least recently
 * used out first. A hit only stamps its entry (polls are many, renders few): the eviction scan happens when a
 * new representation is stored.
 */
export class RepresentationCache {
  readonly #entries = new Map<string, { rep: Representation; used: number }>();
  #clock = 0;
  constructor(readonly maxEntries = 500) {}

  /** The cached representation for `key` if it was rendered from `version`. */
  get(key: string, version: number): Representation | undefined {
    const hit = this.#entries.get(key);
    if (hit === undefined || hit.rep.version !== version) return undefined;
    hit.used = ++this.#clock;
    return hit.rep;
  }

  /**
   * The newest representation kept for `key`, whatever data version it was rendered from (an older one stays
   * until its key is rendered again or evicted: it is what a request gets while that render is in flight).
   */
  latest(key: string): Representation | undefined {
    const hit = this.#entries.get(key);
    if (hit === undefined) return undefined;
    hit.used = ++this.#clock;
    return hit.rep;
  }

  /** Stores a representation, evicting the least recently used beyond the bound. */
  set(key: string, value: Representation): void {
    this.#entries.set(key, { rep: value, used: ++this.#clock });
    while (this.#entries.size > this.maxEntries) {
      let oldest: string | undefined;
      let oldestUse = Infinity;
      for (const [k, e] of this.#entries) {
        if (e.used < oldestUse) {
          oldestUse = e.used;
          oldest = k;
        }
      }
      this.#entries.delete(oldest!);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** The publishing pipeline: render → bytes + ETag → compress → cache, one render per key and data version. */
export interface Representations {
  readonly cache: RepresentationCache;
  /**
   * The representation for `key` that a request at `version` may be answered with, without rendering: the one
   * rendered from `version`, or the previous one while the render of `version` is in flight (see `obtain`).
   */
  peek(key: string, version: number): Representation | undefined;
  /**
   * The representation for `key` at `version`: from the cache, or rendered (and compressed) once; concurrent
   * misses for the same key share one render instead of each doing it (no stampede after an ingest). While
   * that render is in flight, the requests that did not start it get the key's previous representation at
   * once (stale while revalidating) when it was rendered from an older version and the render started less
   * than `staleForMs` ago; the request that started the render waits for it, so a request made after a change
   * of the data, with no other in flight, always sees the change.
   */
  obtain(key: string, version: number, render: () => Promise<Rendered> | Rendered): Promise<Representation>;
}

/**
 * How long a render may be in flight while the requests for its key get the previous representation
 * (default): after that they wait for it, so an answer is never older than the data version's memo plus this.
 */
export const DEFAULT_STALE_FOR_MS = 2000;

/**
 * The store's data version counts policy epochs in its multiples of this (migration 0012): the epoch moves when
 * what a feed may show is taken back (a licence changed, an item killed or withdrawn), and a previous
 * representation of another epoch is never served stale.
 */
export const POLICY_EPOCH = 2 ** 32;

/** True when two data versions are of one policy epoch (see {@link POLICY_EPOCH}). */
export function sameEpoch(a: number, b: number): boolean {
  return Math.floor(a / POLICY_EPOCH) === Math.floor(b / POLICY_EPOCH);
}

/**
 * Builds the pipeline over a cache (a fresh one of 500 entries by default) and an optional compressor.
 * `staleForMs` bounds stale-while-revalidate (0: every request waits for the render of its version).
 */
export function createRepresentations(
  options: { cache?: RepresentationCache | undefined; compress?: Compressor | undefined; staleForMs?: number | undefined; now?: () => number } = {},
): Representations {
  const cache = options.cache ?? new RepresentationCache();
  const { compress } = options;
  const staleForMs = options.staleForMs ?? DEFAULT_STALE_FOR_MS;
  const now = options.now ?? Date.now;
  const encoder = new TextEncoder();
  const inFlight = new Map<string, { promise: Promise<Representation>; started: number }>();
  // When each cached representation's render started (in start order): a slow render of an older version that
  // ends after a newer one must not put the older bytes back.
  const startOf = new WeakMap<Representation, number>();
  let starts = 0;
  const flightKey = (key: string, version: number): string => `${version}|${key}`;
  // The key's previous representation while the render of `version` is in flight and young enough, else undefined.
  const previous = (key: string, version: number): Representation | undefined => {
    if (staleForMs <= 0) return undefined;
    const flight = inFlight.get(flightKey(key, version));
    if (flight === undefined || now() - flight.started >= staleForMs) return undefined;
    const rep = cache.latest(key);
    return rep !== undefined && rep.version < version && sameEpoch(rep.version, version) ? rep : undefined;
  };
  return {
    cache,
    peek: (key, version) => cache.get(key, version) ?? previous(key, version),
    obtain(key, version, render) {
      const hit = cache.get(key, version);
      if (hit) return Promise.resolve(hit);
      const stale = previous(key, version);
      if (stale) return Promise.resolve(stale);
      const fk = flightKey(key, version);
      let flight = inFlight.get(fk);
      if (!flight) {
        const start = ++starts;
        const promise = (async () => {
          const { body, contentType, lastModified, itemCount } = await render();
          const bytes = encoder.encode(body);
          const compressed = compress ? await compress(bytes) : {};
          const rep: Representation = { body: bytes, ...compressed, contentType, etag: `"${hash64(body)}"`, lastModified, lastModifiedHttp: lastModified.toUTCString(), version, ...(itemCount === undefined ? {} : { itemCount }) };
          const current = cache.latest(key);
          if (current === undefined || (startOf.get(current) ?? 0) < start) {
            startOf.set(rep, start);
            cache.set(key, rep);
          }
          return rep;
        })().finally(() => inFlight.delete(fk));
        flight = { promise, started: now() };
        inFlight.set(fk, flight);
      }
      return flight.promise;
    },
  };
}
