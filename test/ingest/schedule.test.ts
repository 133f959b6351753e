import { describe, expect, it } from 'vitest';
import { MAX_BACKOFF_MS, mapBounded, nextPollAfterFailure, nextPollAfterSuccess } from '../../src/ingest/schedule.ts';

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
