import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/app.ts';
import { withoutKey, type AccessControl } from '../../src/http/auth.ts';
import { openAccess } from '../../src/licensing.ts';
import { createRepresentations, RepresentationCache, type Representation } from '../../src/publish/representation.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore, type Store } from '../../src/store/store.ts';
import { itemUri, itemWrite, newsItem } from '../support/items.ts';

// Subscribers, keys and licensed sources through the real app over real SQLite.

const base = 'https://feeds.example.org';
const TOKEN = 'admin-token-for-tests';
// Restricted items leave the feeds after 30 days: the stories are an hour old.
const FETCHED_AT = Date.now() - 3_600_000;
const config = validateConfig({
  sources: [
    { id: 'local', url: 'https://local.example/feed', title: 'Local' },
    { id: 'ap', url: 'https://ap.example/feed', title: 'AP wire', provider: 'The Associated Press' },
    { id: 'cp', url: 'https://cp.example/feed', title: 'CP wire', provider: 'The Canadian Press', license: 'restricted' },
  ],
  feeds: [{ name: 'sports', title: 'Sports', filter: { categories: ['Sports'] } }],
  subscribers: [{ id: 'gazette', name: 'The Gazette', entitlements: { providers: ['The Associated Press'] } }],
});

interface Fixture {
  store: Store;
  access: AccessControl;
  app: ReturnType<typeof createApp>;
  logs: string[];
  cacheKeys: () => string[];
}

async function fixture(): Promise<Fixture> {
  const sqlite = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-subs-')), 'w.db'));
  const store = createStore(sqlite.db);
  await store.syncSources(config.sources);
  const access = await openAccess(config, sqlite.db);
  let n = 0;
  for (const source of ['cp', 'ap', 'local']) {
    const writes = ['News', 'Sports'].map((category) =>
      itemWrite(newsItem(`${source}-${category}`, { subjects: [{ name: category }], headlines: [{ role: 'main', contentType: 'text/plain', value: `${source} ${category} story` }] }), {
        published: FETCHED_AT - ++n * 60_000,
        categories: [category],
      }),
    );
    await store.savePoll(source, writes, { etag: null, lastModified: null, fetchedAt: FETCHED_AT, nextFetchAt: 0 });
  }
  const cache = new KeySpyCache();
  const representations = createRepresentations({ cache });
  const logs: string[] = [];
  const app = createApp({ store, feeds: config.feeds, baseUrl: base, access, representations, admin: { token: TOKEN, refresh: async () => null } });
  return { store, access, app, logs, cacheKeys: () => cache.keys };
}

/** A representation cache that remembers the keys it was given. */
class KeySpyCache extends RepresentationCache {
  readonly keys: string[] = [];
  override set(key: string, value: Representation): void {
    this.keys.push(key);
    super.set(key, value);
  }
}

const admin = (app: Fixture['app'], method: string, path: string, body?: unknown) =>
  app.request(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const titles = async (res: Response): Promise<string[]> => {
  const doc = (await res.json()) as { items: Array<{ title: string }> };
  return doc.items.map((i) => i.title).sort();
};

describe('subscribers and keys', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await fixture();
  });

  it('keeps restricted sources out of anonymous feeds, OPML and every filter; agency providers default to restricted', async () => {
    for (const path of ['/feeds/all.json', '/feeds/sports.json', '/feeds/all.json?category=News', '/feeds/all.json?status=any', '/feeds/all.json?provider=The%20Associated%20Press']) {
      const res = await f.app.request(`${base}${path}`);
      expect(res.status, path).toBe(200);
      for (const title of await titles(res)) expect(title, path).toMatch(/^local /);
    }
    const rss = await (await f.app.request(`${base}/feeds/all.rss`)).text();
    expect(rss).not.toMatch(/ap (News|Sports) story|cp (News|Sports) story/);
  });

  it('keeps restricted items off every page: the index, feed pages, item pages and the status counts', async () => {
    for (const path of ['/', '/feeds/all', '/feeds/sports.html', '/feeds/all?category=News']) {
      const page = await (await f.app.request(`${base}${path}`, { headers: { Accept: 'text/html' } })).text();
      expect(page, path).toMatch(/local (News|Sports) story/);
      expect(page, path).not.toMatch(/\b(ap|cp) (News|Sports) story/);
    }
    for (const source of ['ap', 'cp']) {
      const res = await f.app.request(`${base}/items/${encodeURIComponent(itemUri(`${source}-News`))}`, { headers: { Accept: 'text/html' } });
      expect(res.status, source).toBe(404);
    }
    expect((await f.app.request(`${base}/items/${encodeURIComponent(itemUri('local-News'))}`)).status).toBe(200);
    const status = (await (await f.app.request(`${base}/status.json`)).json()) as { sources: { id: string; items: number | null }[] };
    expect(Object.fromEntries(status.sources.map((s) => [s.id, s.items]))).toEqual({ local: 2, ap: null, cp: null });
    const statusPage = await (await f.app.request(`${base}/status`, { headers: { Accept: 'text/html' } })).text();
    expect(statusPage).toContain('licensed (not shown)');
  });

  it('creates a subscriber with a key shown once; the key sees the restricted items it is entitled to, and only those', async () => {
    const res = await admin(f.app, 'POST', '/admin/subscribers', { id: 'herald', name: 'Herald', entitlements: { sources: ['cp'], categories: ['Sports'] }, webhook: { url: 'https://cms.herald.example/hook' } });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { key: string; keyId: string; secret: string; keys: Array<{ keyId: string }> };
    expect(created.key).toMatch(/^wf_[A-Za-z0-9_-]{43}$/);
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.keys.map((k) => k.keyId)).toEqual([created.keyId]);
    const shown = await (await admin(f.app, 'GET', '/admin/subscribers/herald')).text();
    expect(shown).not.toContain(created.key);
    expect(shown).not.toContain(created.secret);

    const keyed = await f.app.request(`${base}/feeds/all.json`, { headers: { Authorization: `Bearer ${created.key}` } });
    expect(keyed.status).toBe(200);
    expect(keyed.headers.get('Cache-Control')).toMatch(/^private/);
    expect(await titles(keyed)).toEqual(['cp Sports story', 'local News story', 'local Sports story']);
    // Entitlements narrow: a filter still applies.
    const news = await f.app.request(`${base}/feeds/all.json?category=News`, { headers: { Authorization: `Bearer ${created.key}` } });
    expect(await titles(news)).toEqual(['local News story']);
    // And the anonymous answer afterwards is still public only (the cache keys by entitlement).
    expect(await titles(await f.app.request(`${base}/feeds/all.json`))).toEqual(['local News story', 'local Sports story']);
  });

  it('carries a ?key= in the self and next links of that representation only, and never shares it', async () => {
    const a = (await (await admin(f.app, 'POST', '/admin/subscribers', { id: 'a', name: 'A', entitlements: {} })).json()) as { key: string };
    const b = (await (await admin(f.app, 'POST', '/admin/subscribers', { id: 'b', name: 'B', entitlements: {} })).json()) as { key: string };
    const fromA = await f.app.request(`${base}/feeds/all.rss?limit=2&key=${a.key}`);
    expect(fromA.status).toBe(200);
    const bodyA = await fromA.text();
    expect(bodyA).toContain(`key=${a.key}`);
    expect(bodyA).toMatch(/ap News story|cp News story|ap Sports story|cp Sports story/);
    expect(bodyA).toMatch(new RegExp(`rel="next"[^>]*key=${a.key}|key=${a.key}[^"]*"[^>]*rel="next"`));
    expect(fromA.headers.get('Link')).toContain(`key=${a.key}`);
    const fromB = await (await f.app.request(`${base}/feeds/all.rss?limit=2&key=${b.key}`)).text();
    expect(fromB).toContain(`key=${b.key}`);
    expect(fromB).not.toContain(a.key);
    const anon = await (await f.app.request(`${base}/feeds/all.rss?limit=2`)).text();
    expect(anon).not.toContain('key=');
    expect(f.cacheKeys().length).toBe(3);
    for (const key of f.cacheKeys()) {
      expect(key).not.toContain(a.key);
      expect(key).not.toContain(b.key);
    }
  });

  it('never puts a ?key= beside a bearer key into the representation it shares with the entitlement', async () => {
    const a = (await (await admin(f.app, 'POST', '/admin/subscribers', { id: 'a', name: 'A', entitlements: {} })).json()) as { key: string };
    const b = (await (await admin(f.app, 'POST', '/admin/subscribers', { id: 'b', name: 'B', entitlements: {} })).json()) as { key: string };
    // A client that sends its key both ways: the header decides, and the representation is the entitlement's.
    const fromA = await f.app.request(`${base}/feeds/all.rss?limit=2&key=${a.key}`, { headers: { Authorization: `Bearer ${a.key}` } });
    expect(fromA.status).toBe(200);
    expect(await fromA.text()).not.toContain(a.key);
    // B has the same entitlement and asks the same feed by header: the shared representation carries no key of A's.
    const fromB = await f.app.request(`${base}/feeds/all.rss?limit=2`, { headers: { Authorization: `Bearer ${b.key}` } });
    expect(fromB.status).toBe(200);
    const bodyB = await fromB.text();
    expect(bodyB).toMatch(/ap News story|cp News story|ap Sports story|cp Sports story/);
    expect(bodyB).not.toContain(a.key);
    expect(bodyB).not.toContain('key=');
    expect(fromB.headers.get('Link') ?? '').not.toContain(a.key);
  });

  it('keeps a key out of the links whatever way its parameter name is percent-encoded (%6Bey=, k%65y=, ke%79=)', async () => {
    const a = (await (await admin(f.app, 'POST', '/admin/subscribers', { id: 'a', name: 'A', entitlements: {} })).json()) as { key: string };
    for (const name of ['%6Bey', '%6bey', 'k%65y', 'ke%79', '%6B%65%79']) {
      // URLSearchParams reads every one of these as `key`: the key beside the header, or the key itself.
      const beside = await f.app.request(`${base}/feeds/all.rss?limit=2&${name}=${a.key}`, { headers: { Authorization: `Bearer ${a.key}` } });
      expect(beside.status, name).toBe(200);
      expect(await beside.text(), name).not.toContain(a.key);
      expect(beside.headers.get('Link') ?? '', name).not.toContain(a.key);
    }
    expect(withoutKey(`?${'%6Bey'}=s3cret&limit=2`)).toBe('?limit=2');
    expect(withoutKey('?k%65y=s3cret')).toBe('');
    expect(withoutKey('?monkey=1&key2=3')).toBe('?monkey=1&key2=3');
  });

  it('answers 401 without echoing an unknown, revoked or expired key, and counts failures per client', async () => {
    const created = (await (await admin(f.app, 'POST', '/admin/subscribers', { id: 'c', name: 'C' })).json()) as { key: string; keyId: string };
    const unknown = `wf_${'A'.repeat(43)}`;
    for (const [label, init, path] of [
      ['unknown bearer', { headers: { Authorization: `Bearer ${unknown}` } }, '/feeds/all.rss'],
      ['unknown in url', {}, `/feeds/all.rss?key=${unknown}`],
      ['malformed', {}, '/feeds/all.rss?key=not-a-key'],
    ] as const) {
      const res = await f.app.request(`${base}${path}`, init);
      expect(res.status, label).toBe(401);
      const text = await res.text();
      expect(text).not.toContain(unknown);
      expect(JSON.parse(text)).toEqual({ error: 'Unknown, revoked or expired key', status: 401 });
    }
    expect((await admin(f.app, 'DELETE', `/admin/subscribers/c/keys/${created.keyId}`)).status).toBe(204);
    const revoked = await f.app.request(`${base}/feeds/all.rss`, { headers: { Authorization: `Bearer ${created.key}` } });
    expect(revoked.status).toBe(401);
    expect(await revoked.text()).not.toContain(created.key);
  });

  it('refuses a key once it expires, and a suspended subscriber', async () => {
    let clock = FETCHED_AT;
    const sqlite = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-subs-')), 'w.db'));
    const store = createStore(sqlite.db);
    await store.syncSources(config.sources);
    const access = await openAccess(config, sqlite.db, { now: () => clock });
    const app = createApp({ store, feeds: [], baseUrl: base, access, now: () => clock, admin: { token: TOKEN, refresh: async () => null } });
    const created = (await (await admin(app, 'POST', '/admin/subscribers', { id: 'd', name: 'D' })).json()) as { key: string };
    const k2 = (await (await admin(app, 'POST', '/admin/subscribers/d/keys', { expiresAt: new Date(clock + 60_000).toISOString() })).json()) as { key: string; keyId: string };
    const poll = (key: string) => app.request(`${base}/feeds/all.rss`, { headers: { Authorization: `Bearer ${key}` } });
    expect((await poll(k2.key)).status).toBe(200);
    clock += 61_000;
    expect((await poll(k2.key)).status).toBe(401);
    expect((await poll(created.key)).status).toBe(200);
    expect((await admin(app, 'PATCH', '/admin/subscribers/d', { suspended: true })).status).toBe(200);
    expect((await poll(created.key)).status).toBe(403);
  });

  it('rate-limits failed key attempts per client', async () => {
    const bad = `wf_${'B'.repeat(43)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await f.app.request(`${base}/feeds/all.rss?key=${bad}`)).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it('lets the admin API make a source public or restricted; the change reaches cached feeds at once', async () => {
    expect(await titles(await f.app.request(`${base}/feeds/all.json`))).toEqual(['local News story', 'local Sports story']);
    const res = await admin(f.app, 'PATCH', '/admin/sources/ap', { license: 'public' });
    expect(await res.json()).toMatchObject({ id: 'ap', license: 'public', config: expect.objectContaining({ license: 'public' }) });
    expect(await titles(await f.app.request(`${base}/feeds/all.json`))).toEqual(['ap News story', 'ap Sports story', 'local News story', 'local Sports story']);
    await admin(f.app, 'PATCH', '/admin/sources/local', { license: 'restricted' });
    expect(await titles(await f.app.request(`${base}/feeds/all.json`))).toEqual(['ap News story', 'ap Sports story']);
  });

  it('syncs configured subscribers, restricts by provider and feed, and keeps usage by key id as JSON and CSV', async () => {
    const listed = (await (await admin(f.app, 'GET', '/admin/subscribers')).json()) as { subscribers: Array<{ id: string; fromConfig: boolean }> };
    expect(listed.subscribers).toContainEqual(expect.objectContaining({ id: 'gazette', fromConfig: true }));
    const k = (await (await admin(f.app, 'POST', '/admin/subscribers/gazette/keys', {})).json()) as { key: string; keyId: string };
    const auth = { headers: { Authorization: `Bearer ${k.key}` } };
    expect(await titles(await f.app.request(`${base}/feeds/all.json`, auth))).toEqual(['ap News story', 'ap Sports story', 'local News story', 'local Sports story']);
    const first = await f.app.request(`${base}/feeds/sports.rss`, auth);
    const etag = first.headers.get('ETag')!;
    const again = await f.app.request(`${base}/feeds/sports.rss`, { headers: { ...auth.headers, 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    const usage = (await (await admin(f.app, 'GET', '/admin/subscribers/gazette/usage')).json()) as { usage: Array<Record<string, unknown>> };
    expect(usage.usage).toEqual([
      expect.objectContaining({ day: new Date().toISOString().slice(0, 10), keyId: k.keyId, requests: 3, ok: 2, notModified: 1, items: 6 }),
    ]);
    const csv = await (await admin(f.app, 'GET', '/admin/subscribers/gazette/usage?format=csv')).text();
    expect(csv.split('\r\n')[0]).toBe('subscriber,day,key_id,requests,ok_200,not_modified_304,items,last_pull');
    expect(csv).toContain(`,${k.keyId},3,2,1,6,`);
    expect(csv).not.toContain(k.key);
    // Usage outlives nothing it should not: deleting the subscriber removes its keys.
    expect((await admin(f.app, 'DELETE', '/admin/subscribers/gazette')).status).toBe(204);
    expect((await f.app.request(`${base}/feeds/all.json`, auth)).status).toBe(401);
  });
});
