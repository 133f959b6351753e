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
}

/**
 * Rendered representations, kept until the store's data version moves on. Bounded by entry count,
 * least recently used out first.
 */
export class RepresentationCache {
  readonly #entries = new Map<string, Representation>();
  constructor(readonly maxEntries = 500) {}

  /** The cached representation for `key` if it was rendered from `version`. */
  get(key: string, version: number): Representation | undefined {
    const hit = this.#entries.get(key);
    if (!hit) return undefined;
    if (hit.version !== version) {
      this.#entries.delete(key);
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, hit);
    return hit;
  }

  /** Stores a representation, evicting the least recently used beyond the bound. */
  set(key: string, value: Representation): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
