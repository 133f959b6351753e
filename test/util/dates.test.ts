import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDate } from '../../src/util/dates.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const DATES_FILE = path.resolve(here, '../../../shared/corpus/feedparser/dates.json');

interface DateCase {
  id: string;
  parser: string;
  input: string;
  expected: string | null;
}

/** feedparser date cases where we deliberately differ, with the reason. */
const ACCEPTED_DEVIATIONS: Record<string, string> = {
  'date-009':
    "'03335' (two-digit year + day of year) cannot be told apart from garbage such as '22013', which the " +
    'same corpus (date-062) expects to be rejected; we reject both five-digit forms',
};

describe('parseDate against the feedparser date corpus', () => {
  it('finds ../shared/corpus/feedparser/dates.json', () => {
    expect(fs.existsSync(DATES_FILE), `missing ${DATES_FILE} (CI always has ../shared)`).toBe(true);
  });

  const cases: DateCase[] = fs.existsSync(DATES_FILE) ? (JSON.parse(fs.readFileSync(DATES_FILE, 'utf8')) as DateCase[]) : [];

  it('has the 72 cases', () => {
    expect(cases).toHaveLength(72);
  });

  it.each(cases.filter((c) => !(c.id in ACCEPTED_DEVIATIONS)))('$id ($parser) $input → $expected', (c) => {
    expect(parseDate(c.input)).toBe(c.expected);
  });

  it.each(cases.filter((c) => c.id in ACCEPTED_DEVIATIONS))('$id deviates on purpose', (c) => {
    expect(parseDate(c.input)).not.toBe(c.expected);
  });
});

describe('parseDate', () => {
  it.each([
    // RFC 822 / 1123 named zones.
    ['Tue, 16 Mar 2021 14:00:00 GMT', '2021-03-16T14:00:00Z'],
    ['Tue, 16 Mar 2021 14:00:00 UT', '2021-03-16T14:00:00Z'],
    ['Tue, 16 Mar 2021 14:00:00 Z', '2021-03-16T14:00:00Z'],
    ['Tue, 16 Mar 2021 14:00:00 EST', '2021-03-16T19:00:00Z'],
    ['Tue, 16 Mar 2021 14:00:00 EDT', '2021-03-16T18:00:00Z'],
    ['Tue, 16 Mar 2021 14:00:00 CST', '2021-03-16T20:00:00Z'],
    ['Tue, 16 Mar 2021 14:00:00 CDT', '2021-03-16T19:00:00Z'],
    ['Tue, 16 Mar 2021 14:00:00 MST', '2021-03-16T21:00:00Z'],
    ['Tue, 16 Mar 2021 14:00:00 PST', '2021-03-16T22:00:00Z'],
    ['Tue, 16 Mar 2021 14:00:00 PDT', '2021-03-16T21:00:00Z'],
    ['Tue, 16 Mar 2021 14:00:00 CEST', '2021-03-16T12:00:00Z'],
    // Military zones: RFC 5322 says their signs cannot be trusted, so they count as UTC.
    ['Tue, 16 Mar 2021 14:00:00 A', '2021-03-16T14:00:00Z'],
    ['Tue, 16 Mar 2021 14:00:00 Y', '2021-03-16T14:00:00Z'],
    // Numeric offsets.
    ['Tue, 16 Mar 2021 14:00:00 +0100', '2021-03-16T13:00:00Z'],
    ['Tue, 16 Mar 2021 14:00:00 -0530', '2021-03-16T19:30:00Z'],
    ['Tue, 16 Mar 2021 14:00:00 GMT+2', '2021-03-16T12:00:00Z'],
    // Shapes.
    ['16 Mar 2021 14:00:00 GMT', '2021-03-16T14:00:00Z'],
    ['Tuesday, 16 March 2021 14:00 GMT', '2021-03-16T14:00:00Z'],
    ['Tue, 16 Mar 21 14:00:00 GMT', '2021-03-16T14:00:00Z'],
    ['Tue, 16 Mar 99 14:00:00 GMT', '1999-03-16T14:00:00Z'],
    ['Wed, 16 Mar 2021 14:00:00 GMT', '2021-03-16T14:00:00Z'], // A wrong weekday is ignored.
    ['Di, 16 Mär 2021 14:00:00 +0100', '2021-03-16T13:00:00Z'],
    // ISO-8601 / W3CDTF; zoneless means UTC.
    ['2021-03-16T14:00:00Z', '2021-03-16T14:00:00Z'],
    ['2021-03-16T14:00:00', '2021-03-16T14:00:00Z'],
    ['2021-03-16 14:00:00', '2021-03-16T14:00:00Z'],
    ['2021-03-16t14:00:00.999+01:00', '2021-03-16T13:00:00Z'],
    ['2021-03-16', '2021-03-16T00:00:00Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00Z'],
    ['2003-335', '2003-12-01T00:00:00Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59Z'],
  ])('%s → %s', (input, expected) => {
    expect(parseDate(input)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['   ', 'blank'],
    ['garbage', 'a word'],
    ['Tue, 31 Feb 2021 14:00:00 GMT', 'an impossible day'],
    ['2023-02-29', 'not a leap year'],
    ['Tue, 16 Mar 2021 25:61:00 GMT', 'an impossible time'],
    ['2021-13-01', 'month 13'],
    ['2021-03-16T14:00:00+24:00', 'an impossible offset'],
    ['16/03/2021', 'an ambiguous numeric date'],
    ['03/16/2021 2:00 PM', 'an ambiguous numeric date'],
    ['1615903200', 'a bare Unix timestamp'],
    ['Tue, 16 Mar 2021 14:00:00 XYZ', 'an unknown zone'],
    ['2021-03-16T14:00:00Z trailing', 'leftovers'],
    ['16 constructor 2021 10:00 GMT', 'an Object.prototype member as a month'],
    ['Tue, 16 Mar 2021 14:00:00 toString', 'an Object.prototype member as a zone'],
    ['2021-constructor-16', 'an Object.prototype member as a Hungarian month'],
  ])('rejects %j (%s)', (input) => {
    expect(parseDate(input)).toBeNull();
  });

  it('returns null for what is not a string', () => {
    expect(parseDate(null)).toBeNull();
    expect(parseDate(undefined)).toBeNull();
    expect(parseDate(42 as unknown as string)).toBeNull();
  });

  describe('never depends on the host time zone', () => {
    const original = process.env.TZ;
    afterEach(() => {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    });

    it.each(['UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham'])('TZ=%s', (tz) => {
      process.env.TZ = tz;
      expect(parseDate('2021-03-16T14:00:00')).toBe('2021-03-16T14:00:00Z');
      expect(parseDate('Tue, 16 Mar 2021 14:00:00')).toBe('2021-03-16T14:00:00Z');
      expect(parseDate('Thu, 01 Jan 0100 00:00:01 +0100')).toBe('0099-12-31T23:00:01Z');
      expect(parseDate('2021-03-28')).toBe('2021-03-28T00:00:00Z');
    });
  });
});

describe('the RFC 1123 form most feeds write', () => {
  // The canonical spelling is read by a direct pattern; its lower-case spelling goes through the token reader.
  it('reads as the general token reader reads it, valid or not', () => {
    let seed = 7;
    const next = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const pad = (n: number): string => String(n).padStart(2, '0');
    const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const zones = ['GMT', 'UT', 'UTC', 'Z', '+0000', '-0500', '+0530', '+2359', '+2400', '-0060', '+1299'];
    let valid = 0;
    for (let i = 0; i < 3000; i++) {
      const day = next(3) === 0 ? String(next(33)) : pad(next(33));
      const s =
        `${next(4) === 0 ? '' : `${days[next(7)]}, `}${day} ${months[next(12)]} ${String(next(3) === 0 ? next(10_000) : 1990 + next(60)).padStart(4, '0')} ` +
        `${pad(next(26))}:${pad(next(62))}:${pad(next(62))} ${zones[next(zones.length)]}`;
      const direct = parseDate(s);
      expect(parseDate(s.toLowerCase()), s).toBe(direct);
      if (direct !== null) valid++;
    }
    expect(valid).toBeGreaterThan(1000);
    expect(parseDate('Thu, 01 Jan 2004 19:48:21 GMT')).toBe('2004-01-01T19:48:21Z');
    expect(parseDate('Thu, 29 Feb 2001 19:48:21 GMT')).toBeNull();
  });
});
