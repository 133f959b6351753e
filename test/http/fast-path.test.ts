import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp, type CachedRequest } from '../../src/http/app.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore, type Store } from '../../src/store/store.ts';
import { memoizeDataVersion } from '../../src/store/version-memo.ts';
import { itemWrite, newsItem } from '../support/items.ts';

const base = 'http://wirefeed.test';

describe('the fast path for cached feeds', () => {
  let store: Store;
  let memo: ReturnType<typeof memoizeDataVersion>;
  let app: ReturnType<typeof createApp>;
  const request = (path: string, headers: Record<string, string> = {}, method = 'GET'): CachedRequest => ({
    method,
    origin: base,
    path,
    header: (name) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1],
    client: 'c1',
  });

  beforeAll(async () => {
    const raw = createStore(openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-fast-')), 'w.db')).db);
    await raw.syncSources([{ id: 's', url: 'https://s.example/f', title: 'S', interval: 15, categories: [], allowPrivateNetwork: false }]);
    await raw.savePoll('s', [itemWrite(newsItem(1), { published: 1000, categories: ['x'] })], { etag: null, lastModified: null, fetchedAt: 5000, nextFetchAt: 0 });
    memo = memoizeDataVersion(raw, 60_000);
    store = memo.store;
    app = createApp({ store, feeds: [], peekVersion: memo.peek, rateLimit: { burst: 100, perSecond: 1, maxClients: 10 } });
  });

  it('answers what the full route answered, byte for byte, once the representation is cached', async () => {
    expect(app.serveCached(request('/feeds/all.rss?category=x'))).toBeNull();
    const full = await app.request(`${base}/feeds/all.rss?category=x`);
    const fullBody = new Uint8Array(await full.arrayBuffer());
    const fast = app.serveCached(request('/feeds/all.rss?category=x'))!;
    expect(fast.status).toBe(200);
    expect(fast.body).toEqual(fullBody);
    const fastHeaders = new Headers();
    for (let i = 0; i < fast.headers.length; i += 2) fastHeaders.set(fast.headers[i]!, fast.headers[i + 1]!);
    expect([...fastHeaders]).toEqual([...full.headers]);
    expect(app.serveCached(request('/feeds/all.rss?category=x', { 'If-None-Match': full.headers.get('etag')! }))).toMatchObject({ status: 304, body: null });
    expect(app.serveCached(request('/feeds/all.rss?category=x', {}, 'HEAD'))).toMatchObject({ status: 200, body: null });
  });

  it('steps aside when the data changed, when the version is not known, and for other routes', async () => {
    await app.request(`${base}/feeds/all.json`);
    expect(app.serveCached(request('/feeds/all.json'))).not.toBeNull();
    expect(app.serveCached(request('/status'))).toBeNull();
    expect(app.serveCached(request('/feeds/all.json', {}, 'POST'))).toBeNull();
    memo.invalidate();
    expect(app.serveCached(request('/feeds/all.json'))).toBeNull();
    await store.dataVersion();
    expect(app.serveCached(request('/feeds/all.json'))).not.toBeNull();
  });

  it('counts against the same rate limit, and leaves the 429 to the full route', async () => {
    const limited = createApp({ store, feeds: [], peekVersion: memo.peek, rateLimit: { burst: 2, perSecond: 0.001, maxClients: 10 }, clientKey: () => 'c1' });
    expect((await limited.request(`${base}/feeds/all.atom`)).status).toBe(200);
    expect(limited.serveCached(request('/feeds/all.atom'))?.status).toBe(200);
    expect(limited.serveCached(request('/feeds/all.atom'))).toBeNull();
    expect((await limited.request(`${base}/feeds/all.atom`)).status).toBe(429);
  });
});
