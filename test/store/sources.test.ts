import { sameEpoch } from '../../src/publish/representation.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { pollSource, type IngestDeps } from '../../src/ingest/run.ts';
import type { SourceConfig } from '../../src/model.ts';
import { openSqlite, type SqliteHandle } from '../../src/runtime/sqlite.ts';
import { createService } from '../../src/service.ts';
import { CursorError } from '../../src/store/sources.ts';
import { createStore, type Store } from '../../src/store/store.ts';
import { createSubscriberStore } from '../../src/store/subscribers.ts';
import { itemWrite, newsItem } from '../support/items.ts';

const source = (id: string, over: Partial<SourceConfig> = {}): SourceConfig => ({
  id,
  url: `https://${id}.example/feed.xml`,
  title: `Source ${id}`,
  interval: 15,
  categories: [],
  allowPrivateNetwork: false,
  ...over,
});

describe('the source catalogue (real SQLite on disk)', () => {
  let sqlite: SqliteHandle;
  let store: Store;

  beforeEach(() => {
    sqlite = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-sources-')), 's.db'));
    store = createStore(sqlite.db);
  });
  afterEach(() => sqlite.close());

  it('seeds config sources; an API edit survives a re-seed of the same file, a change in the file replaces it', async () => {
    await store.syncSources([source('a'), source('b')]);
    expect((await store.sources.catalogue()).map((e) => [e.config.id, e.origin, e.paused])).toEqual([['a', 'config', false], ['b', 'config', false]]);
    await store.sources.update('a', source('a', { title: 'Edited', interval: 45 }), true);
    const before = await store.sources.version();
    await store.syncSources([source('a'), source('b')]);
    expect(await store.sources.version()).toBe(before);
    expect(await store.sources.get('a')).toMatchObject({ title: 'Edited', paused: true, origin: 'config', config: { interval: 45 } });
    await store.syncSources([source('a', { title: 'From the file' }), source('b')]);
    // The file's new version wins; the paused flag is the store's own and stays.
    expect(await store.sources.get('a')).toMatchObject({ title: 'From the file', paused: true, config: { interval: 15 } });
  });

  it('a source that leaves the file keeps its state but is no longer polled; POST-style add adopts it as an API source', async () => {
    await store.syncSources([source('a'), source('b')]);
    await store.savePoll('b', [itemWrite(newsItem('b1'))], { etag: null, lastModified: null, fetchedAt: 10, nextFetchAt: 20 });
    await store.syncSources([source('a')]);
    expect((await store.sources.catalogue()).map((e) => e.config.id)).toEqual(['a']);
    expect(await store.sources.get('b')).toMatchObject({ config: null, origin: 'config', itemCount: 1 });
    expect(await store.sources.add(source('a'))).toBe(false);
    expect(await store.sources.add(source('b', { title: 'Back' }))).toBe(true);
    expect(await store.sources.get('b')).toMatchObject({ config: { title: 'Back' }, origin: 'api', itemCount: 1, nextFetchAt: 0 });
  });

  it('two simultaneous adds of one new id: exactly one succeeds, and the stored source is its', async () => {
    const results = await Promise.all([store.sources.add(source('twin', { title: 'First' })), store.sources.add(source('twin', { title: 'Second' }))]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.sources.get('twin'))?.title).toBe(results[0] ? 'First' : 'Second');
    expect(await store.sources.add(source('twin'))).toBe(false);
  });

  it('writes the licence with the source, so access control sees an API source restricted', async () => {
    await store.sources.add(source('wire', { provider: 'The Associated Press' }));
    await store.sources.add(source('local'));
    const licenses = await createSubscriberStore(sqlite.db).licenses();
    expect(Object.fromEntries(licenses)).toEqual({ wire: 'restricted', local: 'public' });
    const before = await store.dataVersion();
    await store.sources.update('wire', source('wire', { provider: 'The Associated Press', license: 'public' }), false);
    expect((await createSubscriberStore(sqlite.db).licenses()).get('wire')).toBe('public');
    // What a feed may show changed: a new policy epoch, so no cached representation of before is served stale.
    expect(sameEpoch(await store.dataVersion(), before)).toBe(false);
  });

  it('removes a source with its items, entry hashes and poll history', async () => {
    await store.sources.add(source('gone'));
    await store.savePoll('gone', [itemWrite(newsItem('gone1'), { categories: ['x'] })], { etag: null, lastModified: null, fetchedAt: Date.now(), nextFetchAt: 0 }, undefined, [{ hash: 'h', gave: { uris: [newsItem('gone1').uri], supersedes: [] } }]);
    const version = await store.dataVersion();
    expect(await store.sources.remove('gone')).toBe(true);
    expect(await store.sources.get('gone')).toBeNull();
    expect(await store.listItems({ categoryGroups: [], excludeCategories: [], sources: [], limit: 10 })).toEqual([]);
    expect((await store.knownEntries('gone')).size).toBe(0);
    expect(await store.pollHistory(0)).toEqual([]);
    expect(await store.dataVersion()).toBeGreaterThan(version);
    expect(await store.sources.remove('gone')).toBe(false);
  });

  it('a source removed while it is polled: the poll stores nothing (no items, entry hashes or history) and ends "removed"', async () => {
    await store.sources.add(source('fleeting'));
    const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>F</title><link>https://fleeting.example/</link>
      <item><title>Fleeting story</title><link>https://fleeting.example/1</link><guid>https://fleeting.example/1</guid><pubDate>Tue, 21 Apr 2026 06:00:00 GMT</pubDate></item>
      </channel></rss>`;
    const deps: IngestDeps = {
      store,
      sources: [source('fleeting')],
      // The DELETE /admin/sources/fleeting of another request lands while the feed is being fetched.
      fetchFeed: async (request) => {
        await store.sources.remove('fleeting');
        return { status: 'ok', url: request.url, bytes: new TextEncoder().encode(rss), contentType: 'application/rss+xml', etag: null, lastModified: null, headers: { cacheControl: null, expires: null, retryAfter: null } };
      },
    };
    const outcome = await pollSource(deps, source('fleeting'), await store.getSource('fleeting'));
    expect(outcome).toMatchObject({ source: 'fleeting', status: 'error', kind: 'removed', message: expect.stringContaining('removed while it was polled') });
    const left = (table: string) => (sqlite.raw.prepare(`SELECT count(*) AS n FROM ${table} WHERE source_id = 'fleeting'`).get() as { n: number }).n;
    expect([left('items'), left('entry_hashes'), left('poll_history')]).toEqual([0, 0, 0]);
    expect(await store.sources.get('fleeting')).toBeNull();
  });

  it('counts the stored items of every source, by id, those without items too (as listSources does)', async () => {
    await store.syncSources([source('c'), source('a'), source('b')]);
    const poll = { etag: null, lastModified: null, fetchedAt: 10, nextFetchAt: 20 };
    await store.savePoll('a', [itemWrite(newsItem('a1')), itemWrite(newsItem('a2'))], poll);
    await store.savePoll('c', [itemWrite(newsItem('c1'))], poll);
    expect(await store.sources.itemCounts()).toEqual([{ id: 'a', items: 2 }, { id: 'b', items: 0 }, { id: 'c', items: 1 }]);
    expect((await store.listSources()).map((s) => ({ id: s.id, items: s.itemCount }))).toEqual(await store.sources.itemCounts());
  });

  it('pages through 3,000 sources by id and failing-first, every source once, with counts over all', async () => {
    const all = Array.from({ length: 3000 }, (_, i) => source(`s${String(i).padStart(4, '0')}`));
    await store.syncSources(all);
    const failing = ['s0007', 's1500', 's2999'];
    for (const id of failing) await store.saveFailure(id, { kind: 'fetch', message: 'HTTP 503 from x', at: 5 }, 10);
    await store.sources.update('s0100', all[100]!, true);
    expect(await store.sources.counts()).toEqual({ total: 3000, failing: 3, paused: 1 });

    const collect = async (failingFirst: boolean, limit: number): Promise<{ ids: string[]; pages: number }> => {
      const ids: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await store.sources.page({ limit, cursor, failingFirst });
        expect(page.sources.length).toBeLessThanOrEqual(limit);
        ids.push(...page.sources.map((s) => s.id));
        cursor = page.next;
        pages++;
      } while (cursor);
      return { ids, pages };
    };
    const byId = await collect(false, 500);
    expect(byId.pages).toBe(6);
    expect(byId.ids).toEqual(all.map((s) => s.id));
    const failingFirst = await collect(true, 2);
    expect(failingFirst.ids.slice(0, 3)).toEqual(failing);
    expect(failingFirst.ids.slice(3)).toEqual(all.map((s) => s.id).filter((id) => !failing.includes(id)));
    await expect(store.sources.page({ limit: 10, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(CursorError);
  });

  it("refreshes the service's snapshot from the store: added and resumed sources join deps.sources, paused ones leave it", async () => {
    const config = validateConfig({ sources: [source('a')] });
    await store.syncSources(config.sources);
    const service = createService(config, { store, fetchFeed: async () => { throw new Error('not polled here'); }, fetch, log: () => {} });
    await store.sources.add(source('b'));
    await service.refreshSources();
    expect(service.deps.sources.map((s) => s.id)).toEqual(['a', 'b']);
    const snapshot = service.deps.sources;
    await service.refreshSources();
    expect(service.deps.sources).toBe(snapshot);
    await store.sources.update('a', source('a'), true);
    await service.refreshSources();
    expect(service.deps.sources.map((s) => s.id)).toEqual(['b']);
    expect(service.sources().map((s) => s.id)).toEqual(['a', 'b']);
    await store.sources.remove('b');
    await store.sources.update('a', source('a'), false);
    await service.refreshSources();
    expect(service.deps.sources.map((s) => s.id)).toEqual(['a']);
  });
});
