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
 * Rendered representations, kept until the store's data version moves on. Bounded by entry count, least
 * recently used out first. A hit only stamps its entry (polls are many, renders few): the eviction scan
 * happens when a new representation is stored.
 */
export class RepresentationCache {
  readonly #entries = new Map<string, { rep: Representation; used: number }>();
  #clock = 0;
  constructor(readonly maxEntries = 500) {}

  /** The cached representation for `key` if it was rendered from `version`. */
  get(key: string, version: number): Representation | undefined {
    const hit = this.#entries.get(key);
    if (hit === undefined) return undefined;
    if (hit.rep.version !== version) {
      this.#entries.delete(key);
      return undefined;
    }
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
  /** The cached representation for `key` at `version`, without rendering. */
  peek(key: string, version: number): Representation | undefined;
  /**
   * The representation for `key` at `version`: from the cache, or rendered (and compressed) once; concurrent
   * misses for the same key share one render instead of each doing it (no stampede after an ingest).
   */
  obtain(key: string, version: number, render: () => Promise<Rendered> | Rendered): Promise<Representation>;
}

/** Builds the pipeline over a cache (a fresh one of 500 entries by default) and an optional compressor. */
export function createRepresentations(options: { cache?: RepresentationCache | undefined; compress?: Compressor | undefined } = {}): Representations {
  const cache = options.cache ?? new RepresentationCache();
  const { compress } = options;
  const encoder = new TextEncoder();
  const inFlight = new Map<string, Promise<Representation>>();
  return {
    cache,
    peek: (key, version) => cache.get(key, version),
    obtain(key, version, render) {
      const hit = cache.get(key, version);
      if (hit) return Promise.resolve(hit);
      const flightKey = `${version}|${key}`;
      let flight = inFlight.get(flightKey);
      if (!flight) {
        flight = (async () => {
          const { body, contentType, lastModified, itemCount } = await render();
          const bytes = encoder.encode(body);
          const compressed = compress ? await compress(bytes) : {};
          const rep: Representation = { body: bytes, ...compressed, contentType, etag: `"${hash64(body)}"`, lastModified, lastModifiedHttp: lastModified.toUTCString(), version, ...(itemCount === undefined ? {} : { itemCount }) };
          cache.set(key, rep);
          return rep;
        })().finally(() => inFlight.delete(flightKey));
        inFlight.set(flightKey, flight);
      }
      return flight;
    },
  };
}
