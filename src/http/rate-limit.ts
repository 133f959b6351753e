/** Token-bucket settings: `burst` tokens at most, refilled at `perSecond`. */
export interface RateLimitOptions {
  burst: number;
  perSecond: number;
  /** Clients remembered at most; the least recently seen are forgotten first. */
  maxClients: number;
}

/** The outcome of asking for tokens. */
export type Admission = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const ALLOWED: Admission = Object.freeze({ allowed: true });

/**
 * Per-client token buckets. A request takes a token before it runs; a request that ends in 304 gets part of
 * it back, so conditional polling is cheaper than fetching the feed. Memory is bounded by `maxClients`.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  // The most recently seen client is already last in the map: a run of its requests skips the reordering.
  #lastClient: string | undefined;
  #lastBucket: { tokens: number; at: number } | undefined;
  constructor(
    readonly options: RateLimitOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes `cost` tokens from `client`'s bucket if it has them. */
  take(client: string, cost = 1): Admission {
    const bucket = this.#refill(client);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return ALLOWED;
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((cost - bucket.tokens) / this.options.perSecond)) };
  }

  /** Gives `amount` tokens back (at most up to the burst). */
  refund(client: string, amount: number): void {
    const bucket = client === this.#lastClient ? this.#lastBucket : this.#buckets.get(client);
    if (bucket) bucket.tokens = Math.min(this.options.burst, bucket.tokens + amount);
  }

  get clients(): number {
    return this.#buckets.size;
  }

  #refill(client: string): { tokens: number; at: number } {
    const now = this.now();
    if (client === this.#lastClient) {
      const last = this.#lastBucket!;
      last.tokens = Math.min(this.options.burst, last.tokens + ((now - last.at) / 1000) * this.options.perSecond);
      last.at = now;
      return last;
    }
    let bucket = this.#buckets.get(client);
    if (bucket) {
      this.#buckets.delete(client);
      bucket.tokens = Math.min(this.options.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.options.perSecond);
      bucket.at = now;
    } else {
      bucket = { tokens: this.options.burst, at: now };
    }
    this.#buckets.set(client, bucket);
    while (this.#buckets.size > this.options.maxClients) {
      this.#buckets.delete(this.#buckets.keys().next().value as string);
    }
    this.#lastClient = client;
    this.#lastBucket = bucket;
    return bucket;
  }
}

/** Compares two secrets in time that depends only on their lengths, not on where they differ. */
export function constantTimeEqual(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(expected);
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a[i % (a.length || 1)] ?? 0) ^ (b[i % (b.length || 1)] ?? 0);
  return diff === 0;
}
