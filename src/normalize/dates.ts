/**
 * Publication dates: the upstream's published (else updated) time when it is possible. None, unreadable, in
 * the future (beyond a small clock skew) or before 1990 gives `null` with a flag — the store then keeps the
 * time it first saw the item — and never "now", which would make an undated item new on every poll.
 */
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

// The RawEntry contract: the parser has already read the upstream's date into ISO-8601 UTC (`Z`).
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z$/;

/** The instant of an ISO-8601 UTC string as the parser writes it, or null (another syntax, a day or time that does not exist). */
function isoUtcMs(value: string): number | null {
  const m = ISO_UTC.exec(value);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  // Whole seconds from year 100 on (Date.UTC reads years 0–99 as 1900–1999): the fields are the instant when each is in range.
  if (value.length === 20 && year >= 100) {
    const valid = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 && second <= 59;
    return valid ? Date.UTC(year, month - 1, day, hour, minute, second) : null;
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return null;
  // Date.parse accepts 2021-02-31 as 3 March: only a time that reads back as written is a real one.
  const back = new Date(ms).toISOString();
  return back.slice(0, 19) === `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}` ? ms : null;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Checks one upstream time (ISO-8601 UTC, as `RawEntry` carries it) against `now` and the limits. Anything that is
 * not ISO-8601 UTC is `invalid`: reading other syntaxes is the parser's job, not normalization's.
 */
export function checkDate(value: string | null | undefined, now: Date, limits: DateLimits = DEFAULT_DATE_LIMITS): PublishedDate {
  if (!value || !value.trim()) return { iso: null, ms: null, flag: 'missing' };
  const v = value.trim();
  const ms = isoUtcMs(v);
  if (ms === null) return { iso: null, ms: null, flag: 'invalid' };
  if (ms > now.getTime() + limits.futureToleranceMs) return { iso: null, ms: null, flag: 'future' };
  if (ms < limits.earliestMs) return { iso: null, ms: null, flag: 'too-old' };
  // A whole-second time from year 1000 on is written back as it came, with milliseconds.
  const iso = v.length === 20 && v.charCodeAt(0) !== 0x30 ? `${v.slice(0, 19)}.000Z` : new Date(ms).toISOString();
  return { iso, ms, flag: null };
}

/** The publication time of an entry: `published` when usable, else `updated`, else null flagged by `published`'s fault. */
export function publishedDate(entry: Pick<RawEntry, 'published' | 'updated'>, now: Date, limits: DateLimits = DEFAULT_DATE_LIMITS): PublishedDate {
  const published = checkDate(entry.published, now, limits);
  if (published.flag === null) return published;
  const updated = checkDate(entry.updated, now, limits);
  if (updated.flag === null) return updated;
  return published.flag === 'missing' && updated.flag !== 'missing' ? updated : published;
}
