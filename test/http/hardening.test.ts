import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { RateLimiter, constantTimeEqual } from '../../src/http/rate-limit.ts';
import type { PollOutcome } from '../../src/ingest/run.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore, type Store } from '../../src/store/store.ts';

const base = 'http://wirefeed.test';

describe('RateLimiter', () => {
  it('allows a burst, then refills at its rate, and 304 refunds make polls cheaper', () => {
    let t = 0;
    const rl = new RateLimiter({ burst: 3, perSecond: 1, maxClients: 10 }, () => t);
    expect([rl.take('a'), rl.take('a'), rl.take('a')].every((r) => r.allowed)).toBe(true);
    expect(rl.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(rl.take('b').allowed).toBe(true);
    t = 1000;
    expect(rl.take('a').allowed).toBe(true);
    expect(rl.take('a').allowed).toBe(false);
    rl.refund('a', 0.75);
    rl.refund('a', 0.75);
    expect(rl.take('a').allowed).toBe(true);
  });

  it('remembers a bounded number of clients', () => {
    const rl = new RateLimiter({ burst: 1, perSecond: 1, maxClients: 100 }, () => 0);
    for (let i = 0; i < 1000; i++) rl.take(`client-${i}`);
    expect(rl.clients).toBe(100);
  });

  it.each([
    ['secret', 'secret', true],
    ['secret', 'secreT', false],
    ['secre', 'secret', false],
    ['', 'secret', false],
    ['secretsecret', 'secret', false],
  ])('constantTimeEqual(%j, %j) is %s', (a, b, expected) => {
    expect(constantTimeEqual(a, b)).toBe(expected);
  });
});

describe('public edge and admin API', () => {
  let store: Store;
  const refreshed: string[] = [];
  const make = (over: Parameters<typeof createApp>[0] extends infer D ? Partial<D> : never = {}) =>
    createApp({
      store,
      feeds: [],
      baseUrl: base,
      admin: {
        token: 's3cret-token',
        refresh: async (id): Promise<PollOutcome | null> => {
          if (id !== 'wire') return null;
          refreshed.push(id);
          return { source: id, status: 'not-modified' };
        },
      },
      ...over,
    });

  beforeAll(async () => {
    store = createStore(openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-hard-')), 'w.db')).db);
    await store.syncSources([{ id: 'wire', url: 'https://wire.example/feed', title: 'Wire', interval: 15, categories: [], allowPrivateNetwork: false }]);
  });

  it('admin routes need the bearer token: 401 without it or with a wrong one', async () => {
    const app = make();
    for (const headers of [{} as Record<string, string>, { Authorization: 'Bearer wrong' }, { Authorization: 's3cret-token' }, { Authorization: 'Basic czNjcmV0LXRva2Vu' }]) {
      const res = await app.request(`${base}/admin/sources`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await res.text()).not.toContain('s3cret-token');
    }
    const post = await app.request(`${base}/admin/sources/wire/refresh`, { method: 'POST' });
    expect(post.status).toBe(401);
    expect(refreshed).toEqual([]);
  });

  it('GET /admin/sources lists sources with health; POST refresh polls one now', async () => {
    const app = make();
    const auth = { Authorization: 'Bearer s3cret-token' };
    const list = (await (await app.request(`${base}/admin/sources`, { headers: auth })).json()) as { sources: { id: string; healthy: boolean }[] };
    expect(list.sources).toEqual([expect.objectContaining({ id: 'wire', healthy: false })]);
    const res = await app.request(`${base}/admin/sources/wire/refresh`, { method: 'POST', headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: { source: 'wire', status: 'not-modified' }, source: { id: 'wire' } });
    expect(refreshed).toEqual(['wire']);
    expect((await app.request(`${base}/admin/sources/nope/refresh`, { method: 'POST', headers: auth })).status).toBe(404);
  });

  it('the admin API is off without a token', async () => {
    const res = await make({ admin: undefined }).request(`${base}/admin/sources`, { headers: { Authorization: 'Bearer x' } });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('WIREFEED_ADMIN_TOKEN');
  });

  it('rate-limits each client with 429 and Retry-After; 304 polls cost less', async () => {
    let t = 0;
    const app = make({ rateLimit: { burst: 4, perSecond: 0.5, maxClients: 100 }, clientKey: (c) => c.req.header('X-Test-Client') ?? 'x', now: () => t });
    const get = (client: string, headers: Record<string, string> = {}) => app.request(`${base}/feeds/all.rss`, { headers: { 'X-Test-Client': client, ...headers } });
    const first = await get('a');
    const etag = first.headers.get('etag')!;
    for (let i = 0; i < 3; i++) expect((await get('a')).status).toBe(200);
    const limited = await get('a');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect((await get('b')).status).toBe(200);
    // Conditional polls: each 304 gives back 3/4 of its token, so 4 tokens pay for many more 304s than 200s.
    t += 8000;
    let polls = 0;
    while ((await get('a', { 'If-None-Match': etag })).status === 304) polls++;
    expect(polls).toBeGreaterThanOrEqual(12);
    expect(polls).toBeLessThan(20);
  });

  it('bounds the requests in flight with 503 and Retry-After', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slowStore: Store = { ...store, sources: { ...store.sources, page: async (options) => (await gate, store.sources.page(options)) } };
    const app = make({ store: slowStore, maxInFlight: 2 });
    const pending = [app.request(`${base}/status`), app.request(`${base}/status`)];
    await new Promise((r) => setTimeout(r, 10));
    const refused = await app.request(`${base}/status`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    release();
    expect((await Promise.all(pending)).map((r) => r.status)).toEqual([200, 200]);
    expect((await app.request(`${base}/status`)).status).toBe(200);
  });

  it.each([
    ['POST', '/feeds/all.rss', 405],
    ['DELETE', '/status', 405],
    ['GET', `/feeds/all.rss?q=${'x'.repeat(5000)}`, 414],
  ])('%s %s → %i', async (method, path, status) => {
    expect((await make().request(`${base}${path}`, { method })).status).toBe(status);
  });

  it('answers CORS preflights for conditional polls and exposes the validators', async () => {
    const app = make();
    const pre = await app.request(`${base}/feeds/all.rss`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://reader.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'if-none-match' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/If-None-Match/i);
    const res = await app.request(`${base}/feeds/all.rss`, { headers: { Origin: 'https://reader.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/ETag/);
  });
});
