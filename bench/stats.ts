/** Small statistics helpers for the benchmarks. */

/** The nearest-rank percentile (`q` in 0..1) of ascending `sorted` values; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/** Median and p99 of raw samples. */
export function summarize(samples: number[]): { median: number; p99: number; n: number } {
  const sorted = Float64Array.from(samples).sort();
  return { median: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), n: sorted.length };
}

/** A number with `digits` significant digits, without exponent notation. */
export function sig(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return value.toFixed(decimals);
}
