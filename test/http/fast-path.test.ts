import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { createFastPath, type FastRequest } from '../../src/http/fast-path.ts';
import { RateLimiter, type RateLimitOptions } from '../../src/http/rate-limit.ts';
import { createRepresentations, type Compressor } from '../../src/publish/representation.ts';
import { compressNode } from '../../src/runtime/node.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore, type Store } from '../../src/store/store.ts';
import { memoizeDataVersion } from '../../src/store/version-memo.ts';
import { itemWrite, newsItem } from '../support/items.ts';

const base = 'http://wirefeed.test';

describe('the fast path for cached feeds', () => {
  let store: Store;
  let memo: ReturnType<typeof memoizeDataVersion>;
  let app: ReturnType<typeof createApp>;
  let serveCached: ReturnType<typeof createFastPath<FastRequest, Uint8Array>>;
  // As Node parses a request: header names in lower case, the Host header among them.
  const request = (path: string, headers: Record<string, string> = {}, method = 'GET'): FastRequest => ({
    method,
    url: path,
    headers: Object.fromEntries([['host', new URL(base).host], ...Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])]),
  });
  /** The Hono app and its fast path over one pipeline and one set of token buckets, as `startNodeServer` wires them. */
  const pair = (rateLimit: RateLimitOptions, compress?: Compressor) => {
    const representations = createRepresentations({ compress });
    const limiter = new RateLimiter(rateLimit);
    return {
      app: createApp({ store, feeds: [], representations, limiter, clientKey: () => 'c1' }),
      serveCached: createFastPath<FastRequest, Uint8Array>({ representations, limiter, peekVersion: memo.peek, clientKey: () => 'c1' }),
    };
  };

  beforeAll(async () => {
    const raw = createStore(openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-fast-')), 'w.db')).db);
    await raw.syncSources([{ id: 's', url: 'https://s.example/f', title: 'S', interval: 15, categories: [], allowPrivateNetwork: false }]);
    await raw.savePoll('s', [itemWrite(newsItem(1), { published: 1000, categories: ['x'] })], { etag: null, lastModified: null, fetchedAt: 5000, nextFetchAt: 0 });
    memo = memoizeDataVersion(raw, 60_000);
    store = memo.store;
    ({ app, serveCached } = pair({ burst: 100, perSecond: 1, maxClients: 10 }));
  });

  it('answers what the full route answered, byte for byte, once the representation is cached', async () => {
    expect(serveCached(request('/feeds/all.rss?category=x'))).toBeNull();
    const full = await app.request(`${base}/feeds/all.rss?category=x`);
    const fullBody = new Uint8Array(await full.arrayBuffer());
    const fast = serveCached(request('/feeds/all.rss?category=x'))!;
    expect(fast.status).toBe(200);
    expect(fast.body).toEqual(fullBody);
    const fastHeaders = new Headers();
    for (let i = 0; i < fast.headers.length; i += 2) fastHeaders.set(fast.headers[i]!, fast.headers[i + 1]!);
    expect([...fastHeaders]).toEqual([...full.headers]);
    expect(serveCached(request('/feeds/all.rss?category=x', { 'If-None-Match': full.headers.get('etag')! }))).toMatchObject({ status: 304, body: null });
    expect(serveCached(request('/feeds/all.rss?category=x', {}, 'HEAD'))).toMatchObject({ status: 200, body: null });
  });

  it.each([
    ['br', { 'Accept-Encoding': 'gzip, br' }, 'GET'],
    ['gzip', { 'Accept-Encoding': 'br;q=0, gzip' }, 'GET'],
    ['identity', { 'Accept-Encoding': 'identity' }, 'GET'],
    ['304 by If-Modified-Since', { 'If-Modified-Since': 'Fri, 01 Jan 2100 00:00:00 GMT' }, 'GET'],
    ['200 when If-None-Match misses, whatever If-Modified-Since says', { 'If-None-Match': '"nope"', 'If-Modified-Since': 'Fri, 01 Jan 2100 00:00:00 GMT' }, 'GET'],
    ['HEAD of the gzip copy', { 'Accept-Encoding': 'gzip' }, 'HEAD'],
  ])('answers as the full route does: %s', async (_label, headers: Record<string, string>, method) => {
    const compressed = pair({ burst: 100, perSecond: 1, maxClients: 10 }, compressNode);
    const url = `${base}/feeds/all.atom?category=x`;
    const full = await compressed.app.request(url, { method, headers });
    const fast = compressed.serveCached(request('/feeds/all.atom?category=x', headers, method))!;
    expect(fast.status).toBe(full.status);
    const fastHeaders = new Headers();
    for (let i = 0; i < fast.headers.length; i += 2) fastHeaders.set(fast.headers[i]!, fast.headers[i + 1]!);
    expect([...fastHeaders]).toEqual([...full.headers]);
    expect(fast.body === null ? new Uint8Array(0) : fast.body).toEqual(new Uint8Array(await full.arrayBuffer()));
  });

  it('names the Host in its self link when no base URL is configured, and the configured base when one is', async () => {
    await app.request(`${base}/feeds/all.rss?category=x`);
    const other = { ...request('/feeds/all.rss?category=x'), headers: { host: 'elsewhere.test' } };
    expect(serveCached(other)).toBeNull();
    const link = (answer: ReturnType<typeof serveCached>): string | undefined => answer?.headers[answer.headers.indexOf('Link') + 1];
    expect(link(serveCached(request('/feeds/all.rss?category=x')))).toBe(`<${base}/feeds/all.rss?category=x>; rel="self"`);
    const representations = createRepresentations();
    const configured = createApp({ store, feeds: [], representations, baseUrl: 'https://news.example/' });
    const fixed = createFastPath<FastRequest, Uint8Array>({ representations, peekVersion: memo.peek, baseUrl: 'https://news.example/' });
    await configured.request(`${base}/feeds/all.rss?category=x`);
    expect(link(fixed(other))).toBe('<https://news.example/feeds/all.rss?category=x>; rel="self"');
  });

  it('steps aside when the data changed, when the version is not known, and for other routes', async () => {
    await app.request(`${base}/feeds/all.json`);
    expect(serveCached(request('/feeds/all.json'))).not.toBeNull();
    expect(serveCached(request('/status'))).toBeNull();
    expect(serveCached(request('/feeds/all.json', {}, 'POST'))).toBeNull();
    memo.invalidate();
    expect(serveCached(request('/feeds/all.json'))).toBeNull();
    await store.dataVersion();
    expect(serveCached(request('/feeds/all.json'))).not.toBeNull();
  });

  it('counts against the same rate limit, and leaves the 429 to the full route', async () => {
    const limited = pair({ burst: 2, perSecond: 0.001, maxClients: 10 });
    expect((await limited.app.request(`${base}/feeds/all.atom`)).status).toBe(200);
    expect(limited.serveCached(request('/feeds/all.atom'))?.status).toBe(200);
    expect(limited.serveCached(request('/feeds/all.atom'))).toBeNull();
    expect((await limited.app.request(`${base}/feeds/all.atom`)).status).toBe(429);
  });
});

describe('the fast path while a feed re-renders after a change of the data', () => {
  it('answers the previous bytes, with their own validators, at once; the request that started the render gets the new ones', async () => {
    const raw = createStore(openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-fast-swr-')), 'w.db')).db);
    await raw.syncSources([{ id: 's', url: 'https://s.example/f', title: 'S', interval: 15, categories: [], allowPrivateNetwork: false }]);
    await raw.savePoll('s', [itemWrite(newsItem(1), { published: 1000 })], { etag: null, lastModified: null, fetchedAt: 5000, nextFetchAt: 0 });
    const memo = memoizeDataVersion(raw, 60_000);
    // Compression is the render's last step: holding it holds the render in flight.
    let hold: Promise<void> | null = null;
    const compress: Compressor = async (bytes) => {
      await hold;
      return compressNode(bytes);
    };
    const representations = createRepresentations({ compress });
    const app = createApp({ store: memo.store, feeds: [], representations });
    const serveCached = createFastPath<FastRequest, Uint8Array>({ representations, peekVersion: memo.peek });
    const get = { method: 'GET', url: '/feeds/all.rss', headers: { host: new URL(base).host } };
    const before = await app.request(`${base}/feeds/all.rss`);
    const oldBody = await before.text();
    const oldAnswer = serveCached(get)!;
    expect(oldAnswer.status).toBe(200);

    await raw.savePoll('s', [itemWrite(newsItem(2), { published: 2000 })], { etag: null, lastModified: null, fetchedAt: 6000, nextFetchAt: 0 });
    memo.invalidate();
    let release: () => void = () => {};
    hold = new Promise((resolve) => (release = resolve));
    let done = false;
    const first = Promise.resolve(app.request(`${base}/feeds/all.rss`)).then((res) => {
      done = true;
      return res;
    });
    // Until the new version is known the fast path steps aside; once it is, the render is in flight.
    await new Promise((r) => setImmediate(r));
    expect(memo.peek()).not.toBeNull();
    expect(done).toBe(false);
    expect(serveCached(get)).toBe(oldAnswer);
    const during = await app.request(`${base}/feeds/all.rss`);
    expect(await during.text()).toBe(oldBody);
    expect(during.headers.get('etag')).toBe(before.headers.get('etag'));
    expect(done).toBe(false);

    release();
    const fresh = await first;
    const freshBody = await fresh.text();
    expect(freshBody).not.toBe(oldBody);
    expect(freshBody).toContain("Story 2");
    const after = serveCached(get)!;
    expect(new TextDecoder().decode(after.body!)).toBe(freshBody);
  });
});
