import { describe, expect, it } from 'vitest';
import {
  adaptiveIntervalMs,
  hostOf,
  MAX_ADAPTIVE_INTERVAL_MS,
  MAX_BACKOFF_MS,
  mapBounded,
  mapBoundedPerKey,
  nextPollAfterFailure,
  nextPollAfterSuccess,
  POSTING_WINDOW_MS,
  postingIntervalMs,
  upstreamLifetimeMs,
  type PollHints,
} from '../../src/ingest/schedule.ts';

const now = Date.UTC(2026, 0, 1);
const mid = () => 0.5; // no jitter

describe('schedule', () => {
  it('polls again one interval after a success', () => {
    expect(nextPollAfterSuccess(15, now)).toBe(now + 15 * 60_000);
  });

  it.each([
    [1, 15],
    [2, 30],
    [3, 60],
    [5, 240],
    [6, 360],
    [20, 360],
  ])('after %i consecutive failures a 15-minute source waits %i minutes', (failures, minutes) => {
    expect(nextPollAfterFailure(15, failures, now, { random: mid })).toBe(now + minutes * 60_000);
  });

  it('never caps below the source interval', () => {
    expect(nextPollAfterFailure(24 * 60, 3, now, { random: mid })).toBe(now + 24 * 60 * 60_000);
    expect(MAX_BACKOFF_MS).toBe(6 * 3600_000);
  });

  it('jitters within ±10%', () => {
    expect(nextPollAfterFailure(60, 1, now, { random: () => 0 })).toBe(now + 54 * 60_000);
    expect(nextPollAfterFailure(60, 1, now, { random: () => 1 })).toBe(now + 66 * 60_000);
  });

  it('honours Retry-After, capped at a day', () => {
    expect(nextPollAfterFailure(15, 1, now, { random: mid, retryAfterSeconds: 7200 })).toBe(now + 7200_000);
    expect(nextPollAfterFailure(15, 1, now, { random: mid, retryAfterSeconds: 10 })).toBe(now + 15 * 60_000);
    expect(nextPollAfterFailure(15, 1, now, { random: mid, retryAfterSeconds: 9e9 })).toBe(now + 86_400_000);
  });

  it('mapBounded keeps order and never exceeds the bound', async () => {
    let active = 0;
    let peak = 0;
    const out = await mapBounded([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5 * (8 - n)));
      active--;
      return n * 10;
    });
    expect(out).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(peak).toBe(3);
  });
});

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** `count` arrivals evenly spread over the `span` ms before now (the newest at now). */
const spread = (count: number, span: number): number[] => Array.from({ length: count }, (_, i) => now - (count > 1 ? (span * i) / (count - 1) : 0));

describe('upstreamLifetimeMs', () => {
  it.each<[string | null, string | null, number | null]>([
    [null, null, null],
    ['max-age=300', null, 300_000],
    ['public, max-age=3600, must-revalidate', null, 3_600_000],
    ['MAX-AGE="120"', null, 120_000],
    ['max-age=600', 'Thu, 01 Jan 2026 05:00:00 GMT', 600_000], // max-age wins over Expires
    ['public', 'Thu, 01 Jan 2026 02:00:00 GMT', 2 * HOUR], // no max-age: Expires counts
    ['no-cache, max-age=600', null, 0],
    ['no-store', 'Thu, 01 Jan 2026 05:00:00 GMT', 0],
    ['max-age=abc', null, null],
    [null, 'Thu, 01 Jan 2026 02:00:00 GMT', 2 * HOUR],
    [null, 'Wed, 31 Dec 2025 23:00:00 GMT', 0], // already expired
    [null, '0', 0], // RFC 9111: an invalid Expires means already expired
    [null, '-1', 0],
  ])('Cache-Control %j, Expires %j → %j ms', (cacheControl, expires, ms) => {
    expect(upstreamLifetimeMs(cacheControl, expires, now)).toBe(ms);
  });
});

describe('postingIntervalMs', () => {
  it.each<[string, number[], number | null]>([
    ['no history (a new source)', [], null],
    ['nothing within 7 days', [now - 8 * DAY, now - 30 * DAY], Infinity],
    ['24 arrivals a day over 7 days: every 30 minutes', spread(50, 50 * HOUR), (50 * HOUR) / 50 / 2],
    ['one a day over more than a week: every 12 hours', [...spread(7, 6 * DAY), now - 9 * DAY], (7 * DAY) / 7 / 2],
    ['a backlog that all arrived just now: no stretch', spread(20, 0), 0],
    ['a backlog that arrived an hour ago: 20 in an hour', spread(20, 0).map((t) => t - HOUR), HOUR / 20 / 2],
  ])('%s', (_, arrivals, ms) => {
    expect(postingIntervalMs(arrivals, now)).toBe(ms);
  });
});

describe('adaptive interval after a successful poll', () => {
  it.each<[string, number, PollHints, number]>([
    ['no hints: the configured interval', 15, {}, 15 * MIN],
    ['a short max-age never shortens it', 15, { cacheControl: 'max-age=60' }, 15 * MIN],
    ['max-age of an hour stretches it', 15, { cacheControl: 'max-age=3600' }, HOUR],
    ['Expires in 2 hours stretches it', 15, { expires: 'Thu, 01 Jan 2026 02:00:00 GMT' }, 2 * HOUR],
    ['max-age of a day is capped at 6 hours', 15, { cacheControl: 'max-age=86400' }, MAX_ADAPTIVE_INTERVAL_MS],
    ['no-store gives no stretch', 15, { cacheControl: 'no-store', expires: 'Thu, 01 Jan 2026 02:00:00 GMT' }, 15 * MIN],
    ['posting every 10 minutes: the configured interval', 15, { arrivals: spread(50, 500 * MIN) }, 15 * MIN],
    ['posting every 2 hours: polled every hour', 15, { arrivals: spread(50, 100 * HOUR) }, HOUR],
    ['posting once a day: capped at 6 hours', 15, { arrivals: spread(8, 7 * DAY) }, MAX_ADAPTIVE_INTERVAL_MS],
    ['silent for a week: the cap', 15, { arrivals: [now - 8 * DAY] }, MAX_ADAPTIVE_INTERVAL_MS],
    ['the longer of the two signals', 15, { cacheControl: 'max-age=1800', arrivals: spread(50, 100 * HOUR) }, HOUR],
    ['a backlog read on the first poll does not count as silence', 15, { arrivals: spread(30, 0) }, 15 * MIN],
    ['a configured interval longer than the cap stays', 12 * 60, { cacheControl: 'max-age=86400', arrivals: [now - 30 * DAY] }, 12 * HOUR],
    ['a configured interval of seconds stays a floor', 0.02, { cacheControl: 'max-age=0' }, 1200],
  ])('%s', (_, interval, hints, ms) => {
    expect(adaptiveIntervalMs(interval, now, hints)).toBe(ms);
    expect(nextPollAfterSuccess(interval, now, hints)).toBe(now + ms);
  });

  it('is never shorter than the configured interval nor longer than the cap', () => {
    const hints: PollHints[] = [
      {},
      { cacheControl: 'max-age=0' },
      { cacheControl: 'max-age=999999999' },
      { expires: 'Fri, 31 Dec 9999 23:59:59 GMT' },
      { arrivals: [now + DAY] },
      { arrivals: [now - POSTING_WINDOW_MS * 10] },
      { arrivals: spread(50, 1) },
    ];
    for (const interval of [0.5, 15, 60, 6 * 60, 24 * 60]) {
      for (const h of hints) {
        const ms = adaptiveIntervalMs(interval, now, h);
        expect(ms).toBeGreaterThanOrEqual(interval * MIN);
        expect(ms).toBeLessThanOrEqual(Math.max(interval * MIN, MAX_ADAPTIVE_INTERVAL_MS));
      }
    }
  });
});

describe('mapBoundedPerKey', () => {
  it('never runs more than perKey of one key or concurrency in all; keeps order; lets other keys pass a full one', async () => {
    const items = ['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'b2', 'b3', 'c1'];
    const active = new Map<string, number>();
    const peak = new Map<string, number>();
    let total = 0;
    let peakTotal = 0;
    const started: string[] = [];
    const out = await mapBoundedPerKey(items, { concurrency: 5, perKey: 2, key: (s) => s[0]! }, async (s) => {
      const k = s[0]!;
      started.push(s);
      active.set(k, (active.get(k) ?? 0) + 1);
      peak.set(k, Math.max(peak.get(k) ?? 0, active.get(k)!));
      peakTotal = Math.max(peakTotal, ++total);
      await new Promise((r) => setTimeout(r, 5));
      active.set(k, active.get(k)! - 1);
      total--;
      return s.toUpperCase();
    });
    expect(out).toEqual(items.map((s) => s.toUpperCase()));
    expect(Object.fromEntries(peak)).toEqual({ a: 2, b: 2, c: 1 });
    expect(peakTotal).toBe(5);
    // a3 waits for a free "a" slot while b1, b2 and c1 start.
    expect(started.slice(0, 5)).toEqual(['a1', 'a2', 'b1', 'b2', 'c1']);
  });

  it('resolves an empty list, and rejects with the first failure after the running tasks settle', async () => {
    await expect(mapBoundedPerKey([], { concurrency: 2, perKey: 1, key: String }, async () => 1)).resolves.toEqual([]);
    let settled = 0;
    const run = mapBoundedPerKey([1, 2, 3], { concurrency: 3, perKey: 3, key: () => 'k' }, async (n) => {
      await new Promise((r) => setTimeout(r, n));
      settled++;
      if (n === 1) throw new Error('boom');
      return n;
    });
    await expect(run).rejects.toThrow('boom');
    expect(settled).toBe(3);
  });

  it('hostOf keys sources by host name, not port or case', () => {
    expect(hostOf('http://LocalHost:8080/a.xml')).toBe('localhost');
    expect(hostOf('https://wire.example./feed')).toBe('wire.example');
    expect(hostOf('http://127.0.0.1:1/x')).toBe(hostOf('http://127.0.0.1:2/y'));
    expect(hostOf('file:///srv/feed.xml')).toBe('file:');
  });
});

describe("the feed's own refresh hint", () => {
  it('stretches the interval to an RSS <ttl>, within the cap, never below the configured interval', async () => {
    const { adaptiveIntervalMs } = await import('../../src/ingest/schedule.ts');
    expect(adaptiveIntervalMs(15, 0, { refreshMinutes: 60 })).toBe(60 * 60_000);
    expect(adaptiveIntervalMs(15, 0, { refreshMinutes: 5 })).toBe(15 * 60_000);
    expect(adaptiveIntervalMs(15, 0, { refreshMinutes: 100_000 })).toBe(6 * 3600_000);
  });
});
