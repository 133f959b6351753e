/**
 * The poll history the status page charts: one row per source and UTC hour, written in the same batch as
 * each poll's save, pruned past 7 days; and `getItem`, one stored item by uri.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/model.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore } from '../../src/store/store.ts';
import { itemWrite, newsItem, text } from '../support/items.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const sources: SourceConfig[] = [
  { id: 'a', url: 'https://a.example/feed', title: 'A', interval: 15, categories: [], allowPrivateNetwork: false },
  { id: 'b', url: 'https://b.example/feed', title: 'B', interval: 15, categories: [], allowPrivateNetwork: false },
];

/** A store whose clock is `clock.t`: a poll's duration runs from its `fetchedAt` to `clock.t` at its save. */
async function openStore() {
  const handle = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-history-')), 'w.db'));
  const clock = { t: T0 };
  const store = createStore(handle.db, { now: () => clock.t });
  await store.syncSources(sources);
  return { store, clock, handle };
}

const state = (at: number) => ({ etag: null, lastModified: null, fetchedAt: at, nextFetchAt: at + 900_000 });
const story = (key: string) => itemWrite(newsItem(key, { headlines: [text(`Story ${key}`)] }), { published: T0 });

describe('poll history', () => {
  it('adds each poll to its source and hour: outcomes, new items, poll time', async () => {
    const { store, clock } = await openStore();
    clock.t = T0 + 250;
    await store.savePoll('a', [story('1'), story('2')], state(T0));
    clock.t = T0 + 20 * 60_000 + 750;
    // One new story: "2" is already stored.
    await store.savePoll('a', [story('2'), story('3')], state(T0 + 20 * 60_000));
    clock.t = T0 + 40 * 60_000 + 100;
    await store.saveNotModified('a', state(T0 + 40 * 60_000));
    clock.t = T0 + HOUR + 2000;
    await store.saveFailure('a', { kind: 'fetch', message: 'HTTP 503 Service Unavailable from https://a.example/feed', at: T0 + HOUR }, T0 + 2 * HOUR);
    clock.t = T0 + 30;
    await store.saveNotModified('b', state(T0));

    expect(await store.pollHistory(T0 - DAY)).toEqual([
      { sourceId: 'a', hour: T0, polls: 3, notModified: 1, failures: 0, newItems: 3, timedPolls: 3, totalMs: 250 + 750 + 100, maxMs: 750 },
      { sourceId: 'a', hour: T0 + HOUR, polls: 1, notModified: 0, failures: 1, newItems: 0, timedPolls: 1, totalMs: 2000, maxMs: 2000 },
      { sourceId: 'b', hour: T0, polls: 1, notModified: 1, failures: 0, newItems: 0, timedPolls: 1, totalMs: 30, maxMs: 30 },
    ]);
    expect(await store.pollHistory(T0 + HOUR)).toHaveLength(1);
  });

  it('a poll whose clock disagrees with the store (a save before its start, or hours after) is counted but not timed', async () => {
    const { store, clock } = await openStore();
    clock.t = T0 - 5000;
    await store.saveNotModified('a', state(T0));
    clock.t = T0 + 5 * HOUR;
    await store.saveNotModified('a', state(T0 + 1));
    expect(await store.pollHistory(0)).toEqual([expect.objectContaining({ hour: T0, polls: 2, timedPolls: 0, totalMs: 0, maxMs: 0 })]);
  });

  it("keeps 7 days: a source's older hours go with its next save; the data version does not move", async () => {
    const { store, clock } = await openStore();
    for (let day = 0; day <= 8; day++) {
      clock.t = T0 + day * DAY + 10;
      await store.saveNotModified('a', state(T0 + day * DAY));
    }
    clock.t = T0 + 10;
    await store.saveNotModified('b', state(T0));
    const hours = await store.pollHistory(0);
    expect(hours.filter((h) => h.sourceId === 'a').map((h) => (h.hour - T0) / DAY)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Another source's hours are pruned with its own saves only.
    expect(hours.filter((h) => h.sourceId === 'b')).toHaveLength(1);
    expect(await store.dataVersion()).toBe(0);
  });

  it("is written in the poll's own batch: a save that fails leaves no history", async () => {
    const { store, handle } = await openStore();
    handle.raw.exec(`CREATE TRIGGER refuse BEFORE UPDATE ON sources BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    await expect(store.saveNotModified('a', state(T0))).rejects.toThrow(/refused/);
    await expect(store.saveFailure('a', { kind: 'parse', message: 'x', at: T0 }, T0 + HOUR)).rejects.toThrow(/refused/);
    expect(await store.pollHistory(0)).toEqual([]);
  });
});

describe('getItem', () => {
  it('reads one stored item by uri with its source, upstream link and sort keys, whatever its status', async () => {
    const { store } = await openStore();
    const killed = newsItem('k', { pubStatus: 'canceled', renditions: [{ name: 'web', href: 'https://a.example/k', contentType: 'text/html' }] });
    await store.savePoll('a', [story('1'), itemWrite(killed, { published: T0 - HOUR, link: 'https://a.example/entry/k' })], state(T0));
    const record = await store.getItem(killed.uri);
    expect(record).toMatchObject({ sourceId: 'a', link: 'https://a.example/entry/k', partial: false, published: T0 - HOUR, firstSeen: T0 });
    expect(record!.item).toMatchObject({ uri: killed.uri, pubStatus: 'canceled', version: '1' });
    expect(await store.getItem('urn:wirefeed:test:missing')).toBeNull();
  });
});
