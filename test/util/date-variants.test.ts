/**
 * The 32 date variants of ../shared/corpus/hostile/j2_date_variants.txt, each parsed or flagged and never shifted
 * by the host's time zone: the checks run in child processes whose TZ is far east (UTC+14) and far west
 * (UTC−11) of UTC, through the real pipeline (decode → parse → normalize) and through the two date readers.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DateFlag } from '../../src/normalize/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CORPUS = resolve(ROOT, '../shared/corpus/hostile');
const VARIANTS_TXT = join(CORPUS, 'j2_date_variants.txt');
const VARIANTS_XML = join(CORPUS, 'j2_date_variants.xml');
const run = promisify(execFile);

/** What a variant becomes: an instant, or null with the flag normalization gives the entry. */
type Expected = { iso: string; flag?: DateFlag } | { iso: null; flag: DateFlag; why: string };

const at = (iso: string, flag?: DateFlag): Expected => (flag ? { iso, flag } : { iso });
const rejected = (why: string): Expected => ({ iso: null, flag: 'invalid', why });
const empty: Expected = { iso: null, flag: 'missing', why: 'empty' };

/** Every variant, by label, with its value as the corpus writes it. */
const EXPECTED: Record<string, [string, Expected]> = {
  D0: ['Tue, 16 Mar 2021 14:00:00 GMT', at('2021-03-16T14:00:00Z')],
  D1: ['Tue, 16 Mar 2021 14:00:00 EST', at('2021-03-16T19:00:00Z')],
  D2: ['Tue, 16 Mar 2021 14:00:00 EDT', at('2021-03-16T18:00:00Z')],
  D3: ['Tue, 16 Mar 2021 14:00:00 +0100', at('2021-03-16T13:00:00Z')],
  D4: ['Tue, 16 Mar 2021 14:00 GMT', at('2021-03-16T14:00:00Z')],
  D5: ['16 Mar 2021 14:00:00 GMT', at('2021-03-16T14:00:00Z')],
  D6: ['Tue, 16 Mar 21 14:00:00 GMT', at('2021-03-16T14:00:00Z')],
  D7: ['Tuesday, 16 March 2021 14:00:00 GMT', at('2021-03-16T14:00:00Z')],
  D8: ['Wed, 16 Mar 2021 14:00:00 GMT', at('2021-03-16T14:00:00Z')], // a wrong weekday is ignored
  D9: ['Tue, 16 Mar 2021 14:00:00 Z', at('2021-03-16T14:00:00Z')],
  D10: ['Tue, 16 Mar 2021 14:00:00 UT', at('2021-03-16T14:00:00Z')],
  D11: ['Tue, 16 Mar 2021 14:00:00 PST', at('2021-03-16T22:00:00Z')],
  D12: ['Tue, 16 Mar 2021 14:00:00 CEST', at('2021-03-16T12:00:00Z')],
  D13: ['Tue, 16 Mar 2021 14:00:00 IST', at('2021-03-16T08:30:00Z')], // IST is India's, the common case in feeds
  D14: ['Tue, 16 Mar 2021 14:00:00', at('2021-03-16T14:00:00Z')], // zoneless: UTC, never the host's zone
  D15: ['2021-03-16T14:00:00', at('2021-03-16T14:00:00Z')], // zoneless: UTC
  D16: ['2021-03-16T14:00:00Z', at('2021-03-16T14:00:00Z')],
  D17: ['2021-03-16T14:00:00+01:00', at('2021-03-16T13:00:00Z')],
  D18: ['2021-03-16 14:00:00', at('2021-03-16T14:00:00Z')], // zoneless: UTC
  D19: ['2021-03-16', at('2021-03-16T00:00:00Z')],
  D20: ['16/03/2021', rejected('all-numeric with slashes: day/month or month/day cannot be told')],
  D21: ['03/16/2021 2:00 PM', rejected('all-numeric with slashes: ambiguous in general, so refused')],
  D22: ['1615903200', rejected('a bare number: Unix seconds or garbage cannot be told')],
  D23: ['Tue, 31 Feb 2021 14:00:00 GMT', rejected('31 February does not exist')],
  D24: ['Tue, 16 Mar 2021 25:61:00 GMT', rejected('25:61 is not a time')],
  D25: ['garbage', rejected('not a date')],
  D26: ['', empty],
  D27: ['   ', empty],
  D28: ['Di, 16 Mär 2021 14:00:00 +0100', at('2021-03-16T13:00:00Z')], // German day and month names
  D29: ['Tue, 16 Mar 2021 14:00:00 GMT+2', at('2021-03-16T12:00:00Z')],
  D30: ['0001-01-01T00:00:00Z', at('0001-01-01T00:00:00Z', 'too-old')], // parsed, but no plausible publication time
  D31: ['9999-12-31T23:59:59Z', at('9999-12-31T23:59:59Z', 'future')],
};

/** Runs in the child: every variant through parseDate then checkDate, and the j2 feed through the pipeline. */
const CHILD = `
import { readFileSync } from 'node:fs';
const src = (p) => new URL(p, ${JSON.stringify(pathToFileURL(`${ROOT}/src/`).href)}).href;
const { parseDate } = await import(src('util/dates.ts'));
const { checkDate } = await import(src('normalize/dates.ts'));
const { decodeFeedBytes } = await import(src('ingest/decode.ts'));
const { parseFeed } = await import(src('ingest/parse.ts'));
const { normalizeEntry } = await import(src('normalize/index.ts'));
const now = new Date(Date.UTC(2026, 0, 1));
const variants = readFileSync(process.env.VARIANTS_TXT, 'utf8').split('\\n').filter((l) => l.includes('\\t')).map((line) => {
  const [label, value] = [line.slice(0, line.indexOf('\\t')), line.slice(line.indexOf('\\t') + 1)];
  const parsed = parseDate(value);
  // checkDate reads what the parser hands on (ISO-8601 UTC); a string the parser refused reaches it as written.
  return { label, value, parsed, checked: checkDate(parsed ?? value, now) };
});
const feed = await parseFeed(decodeFeedBytes(new Uint8Array(readFileSync(process.env.VARIANTS_XML))).text);
const source = { id: 'j2', url: 'https://example.com/feed', title: 'j2', interval: 15, categories: [], allowPrivateNetwork: false };
const entries = feed.entries.map((entry) => {
  const [item] = normalizeEntry(entry, { source, now, feed });
  return { label: entry.title, published: entry.published, ms: item.published, flag: item.dateFlag };
});
const probe = new Date(Date.UTC(2021, 2, 16, 14));
console.log(JSON.stringify({ zone: Intl.DateTimeFormat().resolvedOptions().timeZone, offset: probe.getTimezoneOffset(), localHour: probe.getHours(), variants, entries }));
`;

interface ChildResult {
  zone: string;
  offset: number;
  localHour: number;
  variants: Array<{ label: string; value: string; parsed: string | null; checked: { iso: string | null; ms: number | null; flag: DateFlag | null } }>;
  entries: Array<{ label: string; published: string | null; ms: number | null; flag: DateFlag | null }>;
}

/** Far from UTC on both sides, and UTC itself: the results must be the same. */
const ZONES: Array<[string, number]> = [
  ['Pacific/Kiritimati', -14 * 60],
  ['Pacific/Pago_Pago', 11 * 60],
  ['UTC', 0],
];

describe('the 32 date variants of j2, with the host in another time zone', () => {
  const results = new Map<string, ChildResult>();

  beforeAll(async () => {
    if (!existsSync(VARIANTS_TXT) || !existsSync(VARIANTS_XML)) {
      throw new Error(`../shared is missing (looked for ${VARIANTS_TXT}): this test reads the hostile corpus from there (CI always has it)`);
    }
    await Promise.all(
      ZONES.map(async ([zone]) => {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
          cwd: ROOT,
          env: { ...process.env, TZ: zone, VARIANTS_TXT, VARIANTS_XML },
          maxBuffer: 16 * 1024 * 1024,
        });
        results.set(zone, JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildResult);
      }),
    );
  }, 60_000);

  it('the corpus lists exactly these 32 variants', () => {
    const lines = readFileSync(VARIANTS_TXT, 'utf8').split('\n').filter((l) => l.includes('\t'));
    expect(lines.map((l) => l.split('\t')[0])).toEqual(Object.keys(EXPECTED));
    expect(lines.map((l) => l.slice(l.indexOf('\t') + 1))).toEqual(Object.values(EXPECTED).map(([value]) => value));
  });

  it.each(ZONES)('the child really runs in %s (UTC offset %i minutes)', (zone, offset) => {
    const r = results.get(zone)!;
    expect(r.zone).toBe(zone);
    expect(r.offset).toBe(offset);
    expect(r.localHour).toBe((14 - offset / 60 + 24) % 24);
  });

  describe.each(ZONES)('TZ=%s', (zone) => {
    it.each(Object.entries(EXPECTED))('%s %j', (label, [value, expected]) => {
      const r = results.get(zone)!;
      const variant = r.variants.find((v) => v.label === label)!;
      expect(variant.value).toBe(value);
      // The feed date reader: the instant, or null.
      expect(variant.parsed).toBe(expected.iso);
      // The publication date of the normalized item: the instant, or null with a flag (the store then keeps the
      // time it first saw the item). Through the pipeline the parser has already turned an unreadable date into
      // null, so normalization flags it "missing"; given the refused string as written, checkDate says "invalid".
      const entry = r.entries.find((e) => e.label === label)!;
      expect(entry.published).toBe(expected.iso);
      if (expected.flag === undefined) {
        expect(entry).toMatchObject({ ms: Date.parse(expected.iso!), flag: null });
        expect(variant.checked).toEqual({ iso: new Date(expected.iso!).toISOString(), ms: Date.parse(expected.iso!), flag: null });
      } else {
        expect(entry).toMatchObject({ ms: null, flag: expected.iso === null ? 'missing' : expected.flag });
        expect(variant.checked).toEqual({ iso: null, ms: null, flag: expected.flag });
      }
    });
  });
});
