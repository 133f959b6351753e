import { SELF, createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fixtureConfig from './fixtures/worker.config.ts';
import { createWorker, workerConfig, type WorkerEnv } from '../../src/runtime/worker-handlers.ts';

// Sources at run time on Workers (D1 inside workerd): added, changed, paused and removed through the admin
// API of the worker's fetch handler, polled by its Cron Trigger from the next tick on.

const SITE = 'https://sources.wirefeed.test';
const TOKEN = 'worker-admin-token-0123456789';
const MINUTE = 60_000;
const START = Date.parse('2026-04-21T06:00:00Z');
const worker = createWorker(workerConfig(fixtureConfig), { cache: null, log: () => {} });
// One env object for the whole file: the worker keeps its store and service per env.
const adminEnv: WorkerEnv = { DB: (env as unknown as WorkerEnv).DB, WIREFEED_ADMIN_TOKEN: TOKEN };

interface SourceView {
  id: string;
  items: number | null;
  origin: string;
  paused: boolean;
  lastFetchAt: string | null;
  config: Record<string, unknown> | null;
}

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  const ctx = createExecutionContext();
  const init: RequestInit = { method, headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await worker.fetch(new Request(`${SITE}${path}`, init), adminEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function tick(at: number): Promise<void> {
  vi.setSystemTime(at);
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: '*/5 * * * *' }), adminEnv, ctx);
  await waitOnExecutionContext(ctx);
}

async function source(id: string): Promise<SourceView | null> {
  const res = await call('GET', `/admin/sources/${id}`);
  return res.status === 200 ? ((await res.json()) as SourceView) : null;
}

async function allStories(): Promise<string> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${SITE}/feeds/all.json`), adminEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res.text();
}

const generated = (name: string) => `https://upstream.wirefeed.test/generated/${name}.xml`;

describe('sources at run time on Workers (D1)', () => {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(START);
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  it('keeps the admin API off without WIREFEED_ADMIN_TOKEN (404)', async () => {
    expect((await SELF.fetch(`${SITE}/admin/sources`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it('lists the seeded config sources; adds one through the API (201), polled by the next Cron Trigger', async () => {
    const listed = (await (await call('GET', '/admin/sources')).json()) as { sources: SourceView[]; next: string | null };
    expect(listed.sources.map((s) => [s.id, s.origin])).toEqual([['desk', 'config'], ['wire', 'config']]);
    const res = await call('POST', '/admin/sources', { id: 'metro', url: generated('metro'), title: 'Metro', interval: 15, categories: ['Metro'] });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ id: 'metro', origin: 'api', paused: false, lastFetchAt: null });
    await tick(START + MINUTE);
    expect(await source('metro')).toMatchObject({ items: 2, lastFetchAt: new Date(START + MINUTE).toISOString() });
    expect(await allStories()).toContain('metro story 1');
  });

  it.each([
    [{ id: 'x', url: 'file:///data/feed.xml', title: 'T' }, 'url: file: URLs are for the configuration file only'],
    [{ id: 'x', url: generated('x'), title: '' }, 'title: must not be empty'],
    [{ id: 'x', url: generated('x'), title: 'T', allowPrivateNetwork: 'yes' }, 'allowPrivateNetwork: must be true or false'],
  ])('refuses an invalid source with 400 naming the field: %j', async (body, message) => {
    const res = await call('POST', '/admin/sources', body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain(message);
  });

  it('a paused source is not polled even when due; resumed, it is polled at the next tick', async () => {
    const paused = await call('PATCH', '/admin/sources/metro', { paused: true, url: generated('metro-moved') });
    expect(await paused.json()).toMatchObject({ paused: true, config: { url: generated('metro-moved') } });
    expect((await call('POST', '/admin/sources/metro/refresh')).status).toBe(409);
    await tick(START + 30 * MINUTE);
    expect((await source('metro'))!.lastFetchAt).toBe(new Date(START + MINUTE).toISOString());
    expect((await source('wire'))!.lastFetchAt).toBe(new Date(START + 30 * MINUTE).toISOString());
    expect(await allStories()).not.toContain('metro-moved story');
    await call('PATCH', '/admin/sources/metro', { paused: false });
    await tick(START + 35 * MINUTE);
    expect((await source('metro'))!.lastFetchAt).toBe(new Date(START + 35 * MINUTE).toISOString());
    expect(await allStories()).toContain('metro-moved story 1');
  });

  it('pages GET /admin/sources by cursor', async () => {
    const ids: string[] = [];
    let path: string | null = '/admin/sources?limit=1';
    while (path) {
      const page = (await (await call('GET', path)).json()) as { sources: SourceView[]; next: string | null };
      expect(page.sources).toHaveLength(1);
      ids.push(page.sources[0]!.id);
      path = page.next ? `/admin/sources?limit=1&cursor=${encodeURIComponent(page.next)}` : null;
    }
    expect(ids).toEqual(['desk', 'metro', 'wire']);
  });

  it('removes an API source with its items (204) and refuses to remove a config source (409)', async () => {
    expect((await call('DELETE', '/admin/sources/wire')).status).toBe(409);
    expect((await call('DELETE', '/admin/sources/metro')).status).toBe(204);
    expect(await source('metro')).toBeNull();
    expect(await allStories()).not.toContain('metro');
    await tick(START + 60 * MINUTE);
    expect(await source('metro')).toBeNull();
  });

  it('two simultaneous POSTs of one new id on D1: one 201, the other 409', async () => {
    const body = { id: 'twin', url: generated('twin'), title: 'Twin' };
    const statuses = (await Promise.all([call('POST', '/admin/sources', body), call('POST', '/admin/sources', body)])).map((r) => r.status);
    expect(statuses.sort()).toEqual([201, 409]);
    expect((await call('DELETE', '/admin/sources/twin')).status).toBe(204);
  });
});
