/**
 * Publication dates: the upstream's published (else updated) time when it is possible. None, unreadable, in
 * the future (beyond a small clock skew) or before 1990 gives `null` with a flag — the store then keeps the
 * time it first saw the item — and never "now", which would make an undated item new on every poll.
 */
import { parseDate } from '../util/dates.ts';
import type { RawEntry } from '../model.ts';

/** Why an entry has no usable publication time. */
export type DateFlag = 'missing' | 'invalid' | 'future' | 'too-old';

/** A publication time, or null with the reason. */
export interface PublishedDate {
  /** ISO-8601 UTC, or null. */
  iso: string | null;
  /** Epoch milliseconds, or null. */
  ms: number | null;
  flag: DateFlag | null;
}

/** Limits of a plausible publication time. */
export interface DateLimits {
  /** How far past `now` a time may be (clock skew); default 5 minutes. */
  futureToleranceMs: number;
  /** The earliest plausible time; default 1990-01-01T00:00:00Z. */
  earliestMs: number;
}

/** The default limits: 5 minutes of clock skew, nothing before 1990. */
export const DEFAULT_DATE_LIMITS: DateLimits = {
  futureToleranceMs: 5 * 60_000,
  earliestMs: Date.UTC(1990, 0, 1),
};

/** Checks one upstream time against `now` and the limits. */
export function checkDate(value: string | null | undefined, now: Date, limits: DateLimits = DEFAULT_DATE_LIMITS): PublishedDate {
  if (!value || !value.trim()) return { iso: null, ms: null, flag: 'missing' };
  // parseDate, not Date.parse: Date.parse reads a zoneless or US-style date in the host's time zone.
  const parsed = parseDate(value);
  if (parsed === null) return { iso: null, ms: null, flag: 'invalid' };
  const ms = Date.parse(parsed);
  if (ms > now.getTime() + limits.futureToleranceMs) return { iso: null, ms: null, flag: 'future' };
  if (ms < limits.earliestMs) return { iso: null, ms: null, flag: 'too-old' };
  return { iso: new Date(ms).toISOString(), ms, flag: null };
}

/** The publication time of an entry: `published` when usable, else `updated`, else null flagged by `published`'s fault. */
export function publishedDate(entry: Pick<RawEntry, 'published' | 'updated'>, now: Date, limits: DateLimits = DEFAULT_DATE_LIMITS): PublishedDate {
  const published = checkDate(entry.published, now, limits);
  if (published.flag === null) return published;
  const updated = checkDate(entry.updated, now, limits);
  if (updated.flag === null) return updated;
  return published.flag === 'missing' && updated.flag !== 'missing' ? updated : published;
}
