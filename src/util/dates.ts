/**
 * Feed date parsing: every date an upstream writes, in whatever dialect, becomes an ISO-8601 UTC string
 * with second precision (`2004-01-01T19:48:21Z`) or `null`.
 *
 * Accepted:
 * - W3CDTF / ISO-8601 / RFC 3339: `2003-12-31T10:14:55Z`, `2003-12-31T10:14:55.12+01:00`, `2003-12-31`,
 *   `2003-12`, `2003`, a space instead of `T`, a space before the offset, the basic forms (`20031231`,
 *   `031231`), ordinal dates (`2003-335`) and the reduced forms `03-12-31`, `-03-12`, `-0312`.
 * - RFC 822 / 1123 / 2822 and their relatives: `Thu, 01 Jan 2004 19:48:21 GMT`, two-digit years, missing
 *   seconds or time, full day and month names, `Thu Aug 30 2012 17:26:16 +0200`, asctime
 *   (`Sun Jan  4 16:29:06 2004`, `Sun Jul 15 01:16:00 +0000 2012`), `Fri, 2006/09/15 08:19:53 EDT`.
 * - Zones: numeric offsets (`+0100`, `-01:01`, `+01`), `GMT+2`, `Etc/GMT`, the RFC 822 names
 *   (UT, GMT, Z, EST/EDT, CST/CDT, MST/MDT, PST/PDT) and other common abbreviations (see `ZONES`).
 * - Month names in English, German, French, Spanish, Greek and Hungarian; Korean date forms.
 *
 * Rules:
 * - A date without a zone is taken as UTC (never the host's zone: nothing here reads the local clock).
 * - Two-digit years: 00–49 → 20xx, 50–99 → 19xx (RFC 2822 §4.3). A four-digit year is taken literally.
 * - RFC 822 single-letter military zones other than Z count as UTC (RFC 5322 §4.3: their signs were
 *   published backwards, so they carry no reliable offset).
 * - The weekday is ignored, even when it is wrong.
 * - Impossible dates (31 February, 25:61, month 13, offsets past ±23:59) and anything with an unknown
 *   word or leftover characters are rejected: `null`, never a guess. Ambiguous all-numeric forms such as
 *   `16/03/2021`, `03/16/2021` or a bare Unix timestamp are rejected too, as is a five-digit `YYDDD`
 *   ordinal (it cannot be told from garbage such as `22013`).
 */

import { table } from './lookup-table.ts';

const MONTHS = table<number>({});
function addMonths(names: string, offset = 0): void {
  names.split(' ').forEach((group, i) => {
    for (const name of group.split('|')) if (name) MONTHS[name] = i + 1 + offset;
  });
}
// English (full names and abbreviations, plus "Sept").
addMonths(
  'jan|january feb|february mar|march apr|april may jun|june jul|july aug|august sep|sept|september oct|october nov|november dec|december',
);
// German.
addMonths('jän|januar|jänner februar mär|märz|maerz|mrz - mai juni juli - - okt|oktober - dez|dezember');
// French.
addMonths(
  'janv|janvier févr|fevr|février|fevrier mars avr|avril - juin juil|juillet août|aout - - - déc|décembre|decembre',
);
// Spanish.
addMonths('ene|enero - marzo abr|abril mayo junio julio ago|agosto set|septiembre - - dic|diciembre');
// Greek (with and without tonos).
addMonths(
  'ιαν φεβ μάρ|μαρ|μάώ|μαώ απρ μάι|μαι|μαϊ|μαΐ ιούν|ιουν|ιον ιούλ|ιουλ|ιολ αύγ|αυγ σεπ οκτ νοέ|νοε δεκ',
);
// Hungarian.
addMonths(
  'január|januar február|februar március|marcius április|aprilis május|majus június|junius július|julius augusztus szeptember október|oktober november december',
);

const WEEKDAYS = new Set(
  (
    'mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday saturday sunday ' +
    // Greek, German, French, Spanish abbreviations.
    'κυρ δευ τρι τετ πεμ παρ σαβ mo di mi do fr sa so lun mer jeu ven sam dim mié mie jue vie sáb dom'
  ).split(' '),
);

/** Named zones, in minutes east of UTC. Ambiguous `IST` is India (the common case in feeds). */
const ZONES = table<number>({
  ut: 0, utc: 0, gmt: 0, z: 0, 'etc/gmt': 0, 'etc/utc': 0, wet: 0, bst: 60, west: 60,
  edt: -240, est: -300, et: -300, cdt: -300, cst: -360, ct: -360, mdt: -360, mst: -420, mt: -420,
  pdt: -420, pst: -480, pt: -480, adt: -180, ast: -240, at: -240, akdt: -480, akst: -540, hst: -600,
  ndt: -150, nst: -210,
  cet: 60, met: 60, cest: 120, mest: 120, eet: 120, eest: 180, msk: 180, ist: 330,
  sgt: 480, hkt: 480, awst: 480, jst: 540, kst: 540, acst: 570, acdt: 630, aest: 600, aedt: 660,
  nzst: 720, nzdt: 780,
});

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Minutes east of UTC. */
  offset: number;
}

function twoDigitYear(y: number): number {
  return y < 50 ? 2000 + y : 1900 + y;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Validates the parts and formats them as ISO-8601 UTC, second precision. */
function finish(p: Parts): string | null {
  const { year, month, day, hour, minute, second, offset } = p;
  const integers =
    Number.isInteger(year) && Number.isInteger(month) && Number.isInteger(day) && Number.isInteger(hour) &&
    Number.isInteger(minute) && Number.isInteger(second) && Number.isInteger(offset);
  if (!integers) return null;
  if (year < 1 || year > 9999 || month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  // Second 60 is a leap second: allowed, it rolls over into the next minute.
  if (hour > 23 || minute > 59 || second > 60 || Math.abs(offset) > 23 * 60 + 59) return null;
  // Seconds since 0001-01-01 (proleptic Gregorian, as Date counts), the offset and a leap second rolled over.
  let t = (daysBefore(year, month) + day - 1) * 86_400 + hour * 3600 + (minute - offset) * 60 + second;
  if (t < 0) return null;
  const secs = t % 86_400;
  t = (t - secs) / 86_400;
  // The day number back to a date: 400-year cycles of 146,097 days, then centuries, 4-year cycles, years.
  const q400 = Math.floor(t / 146_097);
  t -= q400 * 146_097;
  const q100 = Math.min(3, Math.floor(t / 36_524));
  t -= q100 * 36_524;
  const q4 = Math.floor(t / 1461);
  t -= q4 * 1461;
  const q1 = Math.min(3, Math.floor(t / 365));
  t -= q1 * 365;
  const y = q400 * 400 + q100 * 100 + q4 * 4 + q1 + 1;
  if (y > 9999) return null;
  let m = 1;
  while (t >= daysInMonth(y, m)) t -= daysInMonth(y, m++);
  const hh = Math.floor(secs / 3600);
  const mi = Math.floor((secs % 3600) / 60);
  return `${y >= 1000 ? String(y) : String(y).padStart(4, '0')}-${TWO_DIGITS[m]}-${TWO_DIGITS[t + 1]}T${TWO_DIGITS[hh]}:${TWO_DIGITS[mi]}:${TWO_DIGITS[secs % 60]}Z`;
}

/** Days from 0001-01-01 to the first of `month` in `year`. */
function daysBefore(year: number, month: number): number {
  const y = year - 1;
  let days = y * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400);
  for (let m = 1; m < month; m++) days += daysInMonth(year, m);
  return days;
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/** Parses `+hh:mm`, `-hhmm`, `+hh` into minutes east of UTC. */
function parseOffset(sign: string, hh: string, mm: string | undefined): number | null {
  const h = Number(hh);
  const m = mm ? Number(mm) : 0;
  if (h > 23 || m > 59) return null;
  return (sign === '-' ? -1 : 1) * (h * 60 + m);
}

function parseZoneToken(tok: string): number | null {
  const t = tok.toLowerCase();
  if (t in ZONES) return ZONES[t] ?? null;
  let m = /^([+-])(\d{2}):?(\d{2})$/.exec(t) ?? /^([+-])(\d{2})()$/.exec(t);
  if (m) return parseOffset(m[1]!, m[2]!, m[3]);
  m = /^(?:gmt|utc|ut)([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(t);
  if (m) return parseOffset(m[1]!, m[2]!, m[3]);
  // RFC 822 military zones (J is unused): their meaning is unreliable, so they count as UTC.
  if (/^[a-ik-y]$/.test(t)) return 0;
  return null;
}

/** What may follow an ISO date: a time, and after the time a zone. */
const ISO_REST = new RegExp(
  String.raw`^(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?)?$`,
  'i',
);

/** ISO-8601 date forms: [regex, function turning the match into year/month/day]. */
const ISO_DATES: Array<[RegExp, (m: RegExpExecArray) => [number, number, number] | null]> = [
  // YYYY-MM-DD, and YYYY-0MM-DD (a three-digit month some old feeds write).
  [/^(\d{4})-(0?\d{2})-(\d{1,2})/, (m) => [Number(m[1]), Number(m[2]), Number(m[3])]],
  [/^(\d{4})(\d{2})(\d{2})(?=T|$)/, (m) => [Number(m[1]), Number(m[2]), Number(m[3])]],
  // Ordinal dates: YYYY-DDD, YYYYDDD.
  [/^(\d{4})-?(\d{3})(?=T|$)/, (m) => ordinal(Number(m[1]), Number(m[2]))],
  [/^(\d{4})-(\d{2})(?=T|$)/, (m) => [Number(m[1]), Number(m[2]), 1]],
  [/^(\d{4})(?=$)/, (m) => [Number(m[1]), 1, 1]],
  // Reduced two-digit-year forms of ISO 8601:1988: YYMMDD, YY-MM-DD, -YYMM, -YY-MM.
  [/^(\d{2})(\d{2})(\d{2})(?=T|$)/, (m) => [twoDigitYear(Number(m[1])), Number(m[2]), Number(m[3])]],
  [/^(\d{2})-(\d{2})-(\d{2})(?=T|$)/, (m) => [twoDigitYear(Number(m[1])), Number(m[2]), Number(m[3])]],
  [/^-(\d{2})-?(\d{2})(?=$)/, (m) => [twoDigitYear(Number(m[1])), Number(m[2]), 1]],
];

function ordinal(year: number, dayOfYear: number): [number, number, number] | null {
  let rest = dayOfYear;
  for (let month = 1; month <= 12; month++) {
    const n = daysInMonth(year, month);
    if (rest >= 1 && rest <= n) return [year, month, rest];
    rest -= n;
  }
  return null;
}

function parseIso(s: string): string | null {
  for (const [re, toDate] of ISO_DATES) {
    const m = re.exec(s);
    if (!m) continue;
    const rest = ISO_REST.exec(s.slice(m[0].length));
    if (!rest) return null;
    const ymd = toDate(m);
    if (!ymd) return null;
    let offset = 0;
    const zone = rest[4];
    if (zone) {
      const z = parseZoneToken(zone);
      if (z === null) return null;
      offset = z;
    }
    return finish({
      year: ymd[0],
      month: ymd[1],
      day: ymd[2],
      hour: rest[1] ? Number(rest[1]) : 0,
      minute: rest[2] ? Number(rest[2]) : 0,
      second: rest[3] ? Number(rest[3]) : 0,
      offset,
    });
  }
  return null;
}

/** RFC 822 and relatives, read as a bag of typed tokens so the order of day, month, year and zone is free. */
function parseTokens(s: string): string | null {
  const tokens = s
    .replace(/,/g, ' ')
    .split(/\s+/)
    .filter((t) => t !== '');
  let month: number | null = null;
  let ymd: [number, number, number] | null = null;
  let time: [number, number, number] | null = null;
  let meridiem: 'am' | 'pm' | null = null;
  let offset: number | null = null;
  const numbers: string[] = [];
  for (const [i, tok] of tokens.entries()) {
    const lower = tok.toLowerCase().replace(/\.$/, '');
    if (i === 0 && WEEKDAYS.has(lower)) continue;
    if (month === null && lower in MONTHS && ymd === null) {
      month = MONTHS[lower] ?? null;
      continue;
    }
    let m = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?$/.exec(tok);
    if (m && time === null) {
      time = [Number(m[1]), Number(m[2]), m[3] ? Number(m[3]) : 0];
      continue;
    }
    m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(tok);
    if (m && ymd === null && month === null) {
      ymd = [Number(m[1]), Number(m[2]), Number(m[3])];
      continue;
    }
    if (/^\d{1,4}$/.test(tok)) {
      numbers.push(tok);
      continue;
    }
    if ((lower === 'am' || lower === 'pm') && time !== null && meridiem === null) {
      meridiem = lower;
      continue;
    }
    if (offset === null) {
      const z = parseZoneToken(tok);
      if (z !== null) {
        offset = z;
        continue;
      }
    }
    return null; // An unknown word: reject rather than guess.
  }
  if (time && meridiem) {
    if (time[0] < 1 || time[0] > 12) return null;
    time[0] = (time[0] % 12) + (meridiem === 'pm' ? 12 : 0);
  }
  if (ymd === null) {
    // Day before year in every dialect we accept: "01 Jan 2004", "Jan 01 2004", "Jan 4 16:29:06 2004".
    if (month === null || numbers.length !== 2) return null;
    const [dayTok, yearTok] = numbers as [string, string];
    if (dayTok.length > 2) return null;
    const year = yearTok.length === 2 ? twoDigitYear(Number(yearTok)) : yearTok.length === 3 ? 1900 + Number(yearTok) : Number(yearTok);
    if (yearTok.length === 1) return null;
    ymd = [year, month, Number(dayTok)];
  } else if (numbers.length > 0) {
    return null;
  }
  return finish({
    year: ymd[0],
    month: ymd[1],
    day: ymd[2],
    hour: time ? time[0] : 0,
    minute: time ? time[1] : 0,
    second: time ? time[2] : 0,
    offset: offset ?? 0,
  });
}

/**
 * The RFC 1123 form most feeds write (`Thu, 01 Jan 2004 19:48:21 GMT`, English names as written, a zone name
 * or a numeric offset), read directly, character by character: what {@link parseTokens} makes of it, without
 * its token bag. The form, exactly: an optional `Www, `, a day of one or two digits, ` Mmm `, a four-digit
 * year, ` hh:mm:ss `, and `GMT`, `UT`, `UTC`, `Z` or `±hhmm`.
 */
function parseRfc1123(s: string): string | null | undefined {
  const n = s.length;
  let i = 0;
  if (n > 5 && s.charCodeAt(3) === 0x2c && s.charCodeAt(4) === 0x20) {
    if (!RFC1123_WEEKDAYS.has(s.slice(0, 3))) return undefined;
    i = 5;
  }
  const d1 = digitAt(s, i);
  if (d1 < 0) return undefined;
  let day = d1;
  const d2 = digitAt(s, i + 1);
  if (d2 >= 0) {
    day = d1 * 10 + d2;
    i++;
  }
  i++;
  // " Mmm yyyy hh:mm:ss " is 19 characters, and a zone of at least one follows.
  if (i + 20 > n || s.charCodeAt(i) !== 0x20 || s.charCodeAt(i + 4) !== 0x20 || s.charCodeAt(i + 9) !== 0x20) return undefined;
  if (s.charCodeAt(i + 12) !== 0x3a || s.charCodeAt(i + 15) !== 0x3a || s.charCodeAt(i + 18) !== 0x20) return undefined;
  const month = RFC1123_MONTHS[s.slice(i + 1, i + 4)];
  if (month === undefined) return undefined;
  const year = digits(s, i + 5, 4);
  const hour = digits(s, i + 10, 2);
  const minute = digits(s, i + 13, 2);
  const second = digits(s, i + 16, 2);
  if (year < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  const zone = s.slice(i + 19);
  let offset: number;
  if (zone === 'GMT' || zone === 'UT' || zone === 'UTC' || zone === 'Z') offset = 0;
  else {
    const sign = zone.charCodeAt(0);
    const hh = digits(zone, 1, 2);
    const mm = digits(zone, 3, 2);
    if (zone.length !== 5 || (sign !== 0x2b && sign !== 0x2d) || hh < 0 || mm < 0) return undefined;
    if (hh > 23 || mm > 59) return null;
    offset = (sign === 0x2d ? -1 : 1) * (hh * 60 + mm);
  }
  return finish({ year, month, day, hour, minute, second, offset });
}

const RFC1123_WEEKDAYS = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
const RFC1123_MONTHS = table<number>({ Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 });

/** The ASCII digit at `i` as a number, -1 when there is none. */
function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i) - 0x30;
  return c >= 0 && c <= 9 ? c : -1;
}

/** The `count` ASCII digits from `i` as a number, -1 when any is not one. */
function digits(s: string, i: number, count: number): number {
  let v = 0;
  for (let k = 0; k < count; k++) {
    const d = digitAt(s, i + k);
    if (d < 0) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Korean forms: `2004-05-25 오후 11:23:17` and `2004년 05월 28일  01:31:15`, both in KST (+09:00). */
function parseKorean(s: string): string | null {
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})\s+(오전|오후)\s+(\d{1,2}):(\d{2}):(\d{2})$/.exec(s);
  if (m) {
    let hour = Number(m[5]);
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (m[4] === '오후' ? 12 : 0);
    return finish({
      year: Number(m[1]), month: Number(m[2]), day: Number(m[3]),
      hour, minute: Number(m[6]), second: Number(m[7]), offset: 540,
    });
  }
  m = /^(\d{4})년\s*(\d{1,2})월\s*(\d{1,2})일(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (m) {
    return finish({
      year: Number(m[1]), month: Number(m[2]), day: Number(m[3]),
      hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0), second: Number(m[6] ?? 0), offset: 540,
    });
  }
  return null;
}

/**
 * Parses a feed date into ISO-8601 UTC (`YYYY-MM-DDTHH:MM:SSZ`), or returns `null` when the string is
 * empty, unknown or impossible. Zoneless dates are UTC; the host's time zone is never consulted.
 */
export function parseDate(input: string | null | undefined): string | null {
  if (typeof input !== 'string') return null;
  let s = input.trim();
  // (Most dates have single spaces only: no new string then.)
  if (/\s\s|[^\S ]/.test(s)) s = s.replace(/\s+/g, ' ');
  if (s === '' || s.length > 100) return null;
  const common = parseRfc1123(s);
  if (common !== undefined) return common;
  if (/[년오]/.test(s)) return parseKorean(s);
  // Hungarian writes the month name inside an ISO date: 2004-július-13T9:15-05:00.
  s = s.replace(/^(\d{4})-(\p{L}+)-/u, (whole, y: string, name: string) => {
    const month = MONTHS[name.toLowerCase()];
    return month ? `${y}-${String(month).padStart(2, '0')}-` : whole;
  });
  if (/^[-\d]/.test(s)) {
    const iso = parseIso(s);
    if (iso !== null) return iso;
  }
  return parseTokens(s);
}
