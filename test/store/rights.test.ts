import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/app.ts';
import { openAccess } from '../../src/licensing.ts';
import type { NewsItem } from '../../src/model.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore, type Store } from '../../src/store/store.ts';
import { itemWrite, newsItem } from '../support/items.ts';

// The rights rules of the wire, through the app over real SQLite: whatever the feed, format or key.

const base = 'https://feeds.example.org';
const NOW = Date.UTC(2026, 10, 20, 12, 0);
const DAY = 86_400_000;
const config = validateConfig({
  sources: [
    { id: 'local', url: 'https://local.example/feed', title: 'Local' },
    { id: 'wire', url: 'https://wire.example/feed', title: 'Wire', provider: 'Reuters' },
    { id: 'short', url: 'https://short.example/feed', title: 'Short', maxAgeDays: 2 },
  ],
});

describe('rights rules of the wire', () => {
  let store: Store;
  let app: ReturnType<typeof createApp>;
  let key: string;
  const save = async (source: string, entries: Array<[string, Partial<NewsItem>, string[], number]>) =>
    store.savePoll(
      source,
      entries.map(([title, over, categories, published]) =>
        itemWrite(newsItem(`${source}-${title}`, { headlines: [{ role: 'main', contentType: 'text/plain', value: title }], ...over }), { categories, published }),
      ),
      { etag: null, lastModified: null, fetchedAt: NOW, nextFetchAt: 0 },
    );
  const titles = async (path: string, auth = false): Promise<string[]> => {
    const res = await app.request(`${base}${path}`, auth ? { headers: { Authorization: `Bearer ${key}` } } : {});
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: Array<{ title: string }> }).items.map((i) => i.title).sort();
  };

  beforeEach(async () => {
    const sqlite = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-rights-')), 'w.db'));
    store = createStore(sqlite.db);
    await store.syncSources(config.sources);
    const access = await openAccess(config, sqlite.db);
    app = createApp({ store, feeds: [], baseUrl: base, access, now: () => NOW, admin: { token: 't'.repeat(20), refresh: async () => null } });
    const res = await app.request(`${base}/admin/subscribers`, { method: 'POST', headers: { Authorization: `Bearer ${'t'.repeat(20)}` }, body: JSON.stringify({ id: 'all-in', name: 'All in' }) });
    key = ((await res.json()) as { key: string }).key;
  });

  it('never publishes advisories and "not for publication" items: by category or headline prefix', async () => {
    await save('local', [
      ['Council meets', {}, ['News'], NOW - 1000],
      ['ADVISORY: Coverage plans for Friday', {}, ['News'], NOW - 2000],
      ['Not for publication: background on the talks', {}, ['News'], NOW - 3000],
      ['Schedule for editors', {}, ['Advisory'], NOW - 4000],
      ['Budget notes', {}, ['Not For Online Use'], NOW - 5000],
    ]);
    for (const path of ['/feeds/all.json', '/feeds/all.json?status=any', '/feeds/all.json?category=News', '/feeds/all.json?category=advisory']) {
      expect(await titles(path), path).toEqual(path.endsWith('advisory') ? [] : ['Council meets']);
      expect(await titles(path, true), `${path} keyed`).toEqual(path.endsWith('advisory') ? [] : ['Council meets']);
    }
  });

  it('holds an embargoed item until its time, and drops an expired one', async () => {
    await save('local', [
      ['Held', { embargoed: new Date(NOW + 3_600_000).toISOString() }, [], NOW - 1000],
      ['Released', { embargoed: new Date(NOW - 3_600_000).toISOString() }, [], NOW - 2000],
      ['Expired', { expires: new Date(NOW - 1000).toISOString() }, [], NOW - 3000],
      ['Current', { expires: new Date(NOW + DAY).toISOString() }, [], NOW - 4000],
    ]);
    expect(await titles('/feeds/all.json')).toEqual(['Current', 'Released']);
    expect(await titles('/feeds/all.json', true)).toEqual(['Current', 'Released']);
  });

  it('drops items past their source maximum age: 30 days for a restricted (agency) source unless configured', async () => {
    await save('wire', [
      ['Wire fresh', {}, [], NOW - 29 * DAY],
      ['Wire stale', {}, [], NOW - 31 * DAY],
    ]);
    await save('short', [
      ['Short fresh', {}, [], NOW - DAY],
      ['Short stale', {}, [], NOW - 3 * DAY],
    ]);
    await save('local', [['Local old', {}, [], NOW - 400 * DAY]]);
    expect(await titles('/feeds/all.json')).toEqual(['Local old', 'Short fresh']);
    expect(await titles('/feeds/all.json', true)).toEqual(['Local old', 'Short fresh', 'Wire fresh']);
  });
});

describe('kills', () => {
  it('delivers a kill as a titled notice for a day (RSS, Atom, JSON Feed) and as pubStatus canceled in ninjs, without the story', async () => {
    const sqlite = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-kill-')), 'w.db'));
    const store = createStore(sqlite.db);
    await store.syncSources(config.sources);
    const access = await openAccess(config, sqlite.db);
    let clock = NOW;
    const app = createApp({ store, feeds: [], baseUrl: base, access, now: () => clock });
    const story = (over: Partial<NewsItem>) =>
      itemWrite(newsItem('k1', { headlines: [{ role: 'main', contentType: 'text/plain', value: 'Mayor resigns' }], bodies: [{ role: 'main', contentType: 'text/plain', value: 'Secret body text' }], ...over }), { published: NOW - 3_600_000 });
    await store.savePoll('local', [story({})], { etag: null, lastModified: null, fetchedAt: NOW - 1000, nextFetchAt: 0 });
    expect(await (await app.request(`${base}/feeds/all.rss`)).text()).toContain('Secret body text');
    await store.savePoll('local', [story({ pubStatus: 'canceled', headlines: [{ role: 'main', contentType: 'text/plain', value: 'KILLED: Mayor resigns' }] })], { etag: null, lastModified: null, fetchedAt: NOW, nextFetchAt: 0 });
    for (const format of ['rss', 'atom', 'json']) {
      const body = await (await app.request(`${base}/feeds/all.${format}`)).text();
      expect(body, format).toContain('KILL NOTICE: Mayor resigns');
      expect(body, format).not.toContain('Secret body text');
    }
    const ninjs = (await (await app.request(`${base}/feeds/all.ninjs`)).json()) as NewsItem[];
    expect(ninjs).toHaveLength(1);
    expect(ninjs[0]).toMatchObject({ uri: 'urn:wirefeed:test:k1', pubStatus: 'canceled' });
    expect(JSON.stringify(ninjs)).not.toContain('Secret body text');
    // A day later the notice has gone from the default listing (the data changes, so the cache does too).
    clock = NOW + 86_400_000 + 1000;
    await store.savePoll('local', [itemWrite(newsItem('other'), { published: clock })], { etag: null, lastModified: null, fetchedAt: clock, nextFetchAt: 0 });
    expect(await (await app.request(`${base}/feeds/all.rss`)).text()).not.toContain('Mayor resigns');
  });
});

describe('kills of syndicated copies', () => {
  it('a kill from another source reaches the story stored first', async () => {
    const sqlite = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-synkill-')), 'w.db'));
    const store = createStore(sqlite.db);
    await store.syncSources(config.sources);
    const access = await openAccess(config, sqlite.db);
    const app = createApp({ store, feeds: [], baseUrl: base, access, now: () => NOW });
    const state = (at: number) => ({ etag: null, lastModified: null, fetchedAt: at, nextFetchAt: 0 });
    const copy = (source: string, over: Partial<NewsItem>) =>
      itemWrite(newsItem(`${source}-dam`, { headlines: [{ role: 'main', contentType: 'text/plain', value: 'Dam breaks' }], bodies: [{ role: 'main', contentType: 'text/plain', value: 'Original copy' }], ...over }), {
        published: NOW - 3_600_000,
        fingerprint: 'fp:dam-breaks',
      });
    await store.savePoll('local', [copy('local', {})], state(NOW - 2000));
    await store.savePoll('short', [copy('short', {})], state(NOW - 1000));
    expect((await store.listItems({ categoryGroups: [], excludeCategories: [], sources: [], limit: 10 })).map((s) => s.item.uri)).toEqual(['urn:wirefeed:test:local-dam']);
    await store.savePoll('short', [copy('short', { pubStatus: 'canceled' })], state(NOW));
    const rss = await (await app.request(`${base}/feeds/all.rss`)).text();
    expect(rss).toContain('KILL NOTICE: Dam breaks');
    expect(rss).not.toContain('Original copy');
    const ninjs = (await (await app.request(`${base}/feeds/all.ninjs`)).json()) as NewsItem[];
    expect(ninjs.map((i) => [i.uri, i.pubStatus])).toEqual([['urn:wirefeed:test:local-dam', 'canceled']]);
  });
});
