/**
 * Ingest that gives way to readers (src/runtime/ingest-pace.ts, `schedule.ingestShare`): the gate the poll thread
 * awaits before each poll, on a clock the test moves, and the shared counter the serving thread bumps per request.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { createPace, readerSignal } from '../../src/runtime/ingest-pace.ts';

/** A thread on a clock the test drives: `work(ms)` is busy time, the pace's sleeps are idle time. */
function thread(share: number, readers: () => boolean) {
  let now = 0;
  let busy = 0;
  const sleeps: number[] = [];
  const pace = createPace({
    share,
    now: () => now,
    busy: () => busy,
    readersActive: readers,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  });
  return {
    pace,
    sleeps,
    work(ms: number) {
      now += ms;
      busy += ms;
    },
    get now() {
      return now;
    },
    get busy() {
      return busy;
    },
  };
}

describe('pace', () => {
  it('keeps the busy share under the cap while readers are served', async () => {
    const t = thread(0.25, () => true);
    let waited = 0;
    for (let i = 0; i < 200; i++) {
      waited += await t.pace();
      t.work(3);
    }
    // 600 ms of work at a quarter of a core takes 2,400 ms of wall time, less at most the last poll's share.
    expect(t.busy).toBe(600);
    expect(t.now).toBeGreaterThanOrEqual(600 / 0.25 - 3 / 0.25);
    expect(waited).toBe(t.now - t.busy);
    expect(Math.max(...t.sleeps)).toBeLessThanOrEqual(50);
  });

  it('never waits with no reader, or with a share of a whole core', async () => {
    for (const t of [thread(0.25, () => false), thread(1, () => true)]) {
      for (let i = 0; i < 50; i++) {
        expect(await t.pace()).toBe(0);
        t.work(5);
      }
      expect(t.sleeps).toEqual([]);
      expect(t.now).toBe(t.busy);
    }
  });

  it('does not carry the busy time of a stretch without readers into the next', async () => {
    let reading = false;
    const t = thread(0.25, () => reading);
    for (let i = 0; i < 20; i++) {
      await t.pace();
      t.work(10);
    }
    reading = true;
    // The window opened at the last pace without readers: only the 10 ms since count (10 / 0.25 - 10 = 30 ms), not 200.
    expect(await t.pace()).toBe(30);
  });

  it('serves callers one at a time, in order', async () => {
    const t = thread(0.5, () => true);
    t.work(100);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => t.pace().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
    expect(t.now).toBeGreaterThanOrEqual(200);
  });
});

describe('reader signal', () => {
  it('is active within the window after a request, on a copy over the same shared buffer', () => {
    const serving = readerSignal();
    const polling = readerSignal(serving.buffer, 1000);
    expect(polling.active(0)).toBe(false);
    serving.arrived();
    expect(polling.active(10)).toBe(true);
    expect(polling.active(1009)).toBe(true);
    expect(polling.active(1010)).toBe(false);
    serving.arrived();
    expect(polling.active(5000)).toBe(true);
  });
});

describe('schedule.ingestShare', () => {
  it('defaults to a quarter of a core and is bounded', () => {
    expect(validateConfig({ sources: [] }).schedule.ingestShare).toBe(0.25);
    expect(validateConfig({ sources: [], schedule: { ingestShare: 1 } }).schedule.ingestShare).toBe(1);
    expect(() => validateConfig({ sources: [], schedule: { ingestShare: 0 } })).toThrow(/ingestShare/);
    expect(() => validateConfig({ sources: [], schedule: { ingestShare: 1.5 } })).toThrow(/ingestShare/);
  });
});
