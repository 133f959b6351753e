import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { FetchResult } from '../../src/ingest/fetch.ts';
import { processFeed, type ProcessStep } from '../../src/ingest/process.ts';
import { pollSource, type IngestDeps } from '../../src/ingest/run.ts';
import type { SourceConfig } from '../../src/model.ts';
import { openSqlite, type SqliteHandle } from '../../src/runtime/sqlite.ts';
import { createStore, type Retention, type Store } from '../../src/store/store.ts';

const T0 = Date.UTC(2026, 5, 1, 12);
const MIN = 60_000;

interface Entry {
  n: number;
  body?: string;
}

const rss = (buildDate: string, entries: Entry[]): string =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://up.example/</link><description>d</description>` +
  `<lastBuildDate>${buildDate}</lastBuildDate>` +
  entries
    .map(
      ({ n, body }) =>
        `<item><title>Story ${n}</title><guid>s-${n}</guid><link>https://up.example/s/${n}</link>` +
        `<pubDate>${new Date(T0 - n * MIN).toUTCString()}</pubDate><description>${body ?? `Body of story ${n}.`}</description></item>`,
    )
    .join('') +
  `</channel></rss>`;

const src: SourceConfig = { id: 'wire', url: 'https://up.example/feed.xml', title: 'Wire', interval: 15, categories: [], allowPrivateNetwork: true };

const dirs: string[] = [];
const handles: SqliteHandle[] = [];
afterEach(() => {
  for (const h of handles.splice(0)) h.close();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A real store on disk, and a poller whose upstream answers `doc.xml` (changed between polls by the test). */
async function setup(retention?: Retention): Promise<{ store: Store; handle: SqliteHandle; doc: { xml: string }; clock: { now: number }; poll: () => ReturnType<typeof pollSource>; normalized: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-hashes-'));
  dirs.push(dir);
  const handle = openSqlite(join(dir, 'h.db'));
  handles.push(handle);
  const store = createStore(handle.db);
  await store.syncSources([src]);
  const doc = { xml: '' };
  const clock = { now: T0 };
  const normalized: number[] = [];
  const process: ProcessStep = async (job) => {
    const result = await processFeed(job);
    normalized.push(result.items.length);
    return result;
  };
  const deps: IngestDeps = {
    store,
    sources: [src],
    now: () => clock.now,
    retention,
    process,
    fetchFeed: async (): Promise<FetchResult> => ({
      status: 'ok',
      url: src.url,
      bytes: new TextEncoder().encode(doc.xml),
      contentType: 'application/rss+xml',
      etag: null,
      lastModified: null,
      headers: { cacheControl: null, expires: null, retryAfter: null },
    }),
  };
  return { store, handle, doc, clock, normalized, poll: async () => pollSource(deps, src, await store.getSource(src.id)) };
}

const versions = async (store: Store): Promise<Record<string, string>> =>
  Object.fromEntries(
    (await store.listItems({ categoryGroups: [], excludeCategories: [], sources: [], limit: 50 })).map((s) => [s.item.headlines?.[0]?.value ?? s.item.uri, s.item.version]),
  );

describe('a poll skips the entries the last poll carried as they are', () => {
  it('a new lastBuildDate alone normalizes and writes nothing, and leaves the data version alone', async () => {
    const { store, handle, doc, clock, poll, normalized } = await setup();
    doc.xml = rss('Mon, 01 Jun 2026 11:00:00 GMT', [{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await poll()).toMatchObject({ status: 'ok', items: 3 });
    const version = await store.dataVersion();
    const rows = handle.raw.prepare('SELECT * FROM items ORDER BY id').all();

    clock.now += 15 * MIN;
    doc.xml = rss('Mon, 01 Jun 2026 12:15:00 GMT', [{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await poll()).toMatchObject({ status: 'ok', items: 3 });
    expect(normalized).toEqual([3, 0]);
    expect(await store.dataVersion()).toBe(version);
    expect(handle.raw.prepare('SELECT * FROM items ORDER BY id').all()).toEqual(rows);
    expect((await store.getSource(src.id))!.lastFetchAt).toBe(clock.now);
  });

  it('a changed entry is normalized and rewritten; the others are not', async () => {
    const { store, doc, clock, poll, normalized } = await setup();
    doc.xml = rss('a', [{ n: 1 }, { n: 2 }, { n: 3 }]);
    await poll();
    const version = await store.dataVersion();

    clock.now += 15 * MIN;
    doc.xml = rss('b', [{ n: 1 }, { n: 2, body: 'Body of story 2, corrected.' }, { n: 3 }]);
    expect(await poll()).toMatchObject({ status: 'ok', items: 3 });
    expect(normalized).toEqual([3, 1]);
    expect(await store.dataVersion()).toBeGreaterThan(version);
    expect(await versions(store)).toEqual({ 'Story 1': '1', 'Story 2': '2', 'Story 3': '1' });
    const [story2] = (await store.listItems({ categoryGroups: [], excludeCategories: [], sources: [], limit: 50 })).filter((s) => s.item.headlines?.[0]?.value === 'Story 2');
    expect(JSON.stringify(story2!.item)).toContain('corrected');

    // Back to the first text: a hash the store no longer knows, so it is written again.
    clock.now += 15 * MIN;
    doc.xml = rss('c', [{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await poll()).toMatchObject({ status: 'ok', items: 3 });
    expect(normalized).toEqual([3, 1, 1]);
    expect(await versions(store)).toEqual({ 'Story 1': '1', 'Story 2': '3', 'Story 3': '1' });
  });

  it('a removed entry leaves its item to retention; skipped entries still count as carried', async () => {
    const { store, doc, clock, poll, normalized } = await setup({ maxAgeMs: 60 * MIN, maxItems: 1 });
    doc.xml = rss('a', [{ n: 1 }, { n: 2 }, { n: 3 }]);
    await poll();

    // All three carried (and skipped): none removed although maxItems is 1.
    clock.now += 15 * MIN;
    doc.xml = rss('b', [{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await poll()).toMatchObject({ status: 'ok', items: 3 });
    expect(normalized).toEqual([3, 0]);
    expect(Object.keys(await versions(store)).sort()).toEqual(['Story 1', 'Story 2', 'Story 3']);

    // Story 3 leaves the feed: it is the oldest beyond maxItems, and goes.
    clock.now += 15 * MIN;
    doc.xml = rss('c', [{ n: 1 }, { n: 2 }]);
    expect(await poll()).toMatchObject({ status: 'ok', items: 2 });
    expect(normalized).toEqual([3, 0, 0]);
    expect(Object.keys(await versions(store)).sort()).toEqual(['Story 1', 'Story 2']);
  });

  it('without retention a removed entry is kept, and comes back unchanged without a new version', async () => {
    const { store, doc, clock, poll, normalized } = await setup();
    doc.xml = rss('a', [{ n: 1 }, { n: 2 }]);
    await poll();
    clock.now += 15 * MIN;
    doc.xml = rss('b', [{ n: 1 }]);
    expect(await poll()).toMatchObject({ status: 'ok', items: 1 });
    expect(await versions(store)).toEqual({ 'Story 1': '1', 'Story 2': '1' });
    const version = await store.dataVersion();

    // The entry returns: normalized again (its hash was forgotten), but the stored item is the same.
    clock.now += 15 * MIN;
    doc.xml = rss('c', [{ n: 1 }, { n: 2 }]);
    expect(await poll()).toMatchObject({ status: 'ok', items: 2 });
    expect(normalized).toEqual([2, 0, 1]);
    expect(await store.dataVersion()).toBe(version);
    expect(await versions(store)).toEqual({ 'Story 1': '1', 'Story 2': '1' });
  });
});
