import { SELF, createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { WorkerEnv } from '../../src/runtime/worker-handlers.ts';
import worker from '../../src/runtime/worker.ts';
import { INGEST_AT, PARITY_CASES, SITE, caseKey, caseRequest, parityAnswer } from './parity-cases.ts';
import { UPSTREAM_ORIGIN, type UpstreamLogEntry } from './upstream.ts';

// Without the INGEST_QUEUE binding of wrangler.toml: the Cron Trigger polls (at most schedule.batchSize) itself.
// The queue fan-out is tested in test/worker/fan-out.test.ts.
const inlineEnv = { DB: env.DB };

const MINUTE = 60_000;
const reference = inject('nodeReference');

/** Runs the worker's Cron Trigger handler at `at` and waits for its work to finish. */
async function tick(at: number): Promise<void> {
  vi.setSystemTime(at);
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: '*/5 * * * *' }), inlineEnv, ctx);
  await waitOnExecutionContext(ctx);
}

async function upstreamLog(): Promise<UpstreamLogEntry[]> {
  return (await fetch(`${UPSTREAM_ORIGIN}/__control/log`)).json();
}

interface StatusSource {
  id: string;
  items: number;
  lastFetchAt: string | null;
  lastSuccessAt: string | null;
  errorCount: number;
  lastError: { kind: string; message: string; at: string } | null;
  etag: string | null;
}

async function status(): Promise<Record<string, StatusSource>> {
  const res = await SELF.fetch(`${SITE}/status`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { sources: StatusSource[] };
  return Object.fromEntries(body.sources.map((s) => [s.id, s]));
}

async function dataVersion(): Promise<number> {
  return (await env.DB.prepare(`SELECT value FROM meta WHERE key = 'data_version'`).first<{ value: number }>())!.value;
}

function edgeCache(): { delete(key: string): Promise<boolean> } {
  return (caches as unknown as { default: { delete(key: string): Promise<boolean> } }).default;
}

/** A `DB` that counts the statements prepared and batches run through it. */
function countingEnv(): { env: WorkerEnv; queries: () => number } {
  let queries = 0;
  return {
    env: {
      DB: {
        prepare(sql) {
          queries++;
          return env.DB.prepare(sql);
        },
        batch(statements) {
          queries++;
          return env.DB.batch(statements);
        },
      },
    },
    queries: () => queries,
  };
}

describe('wirefeed on Workers (workerd, D1, Cron Trigger)', () => {
  const logged = vi.spyOn(console, 'log').mockImplementation(() => {});
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    await fetch(`${UPSTREAM_ORIGIN}/__control/reset`, { method: 'POST' });
  });
  afterAll(async () => {
    logged.mockRestore();
    vi.useRealTimers();
    await fetch(`${UPSTREAM_ORIGIN}/__control/reset`, { method: 'POST' });
  });

  it('D1 has the schema of src/store/migrations, recorded as wrangler records it', async () => {
    const { results } = await env.DB.prepare('SELECT name FROM d1_migrations ORDER BY id').all<{ name: string }>();
    expect(results.map((r) => r.name)).toEqual(env.TEST_MIGRATIONS.map((m) => m.name));
    expect(results.map((r) => r.name)).toContain('0001_init.sql');
    const { results: tables } = await env.DB.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all<{ name: string }>();
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['item_categories', 'items', 'meta', 'sources']));
  });

  it('scheduled() polls both sources and stores their stories in D1', async () => {
    await tick(INGEST_AT);
    expect(await upstreamLog()).toEqual(
      expect.arrayContaining([
        { path: '/wire.xml', ifNoneMatch: null, ifModifiedSince: null, status: 200 },
        { path: '/desk.atom', ifNoneMatch: null, ifModifiedSince: null, status: 200 },
      ]),
    );
    const sources = await status();
    expect(sources.wire).toMatchObject({ items: 4, errorCount: 0, lastError: null, etag: '"wire-1"', lastSuccessAt: new Date(INGEST_AT).toISOString() });
    expect(sources.desk).toMatchObject({ items: 2, errorCount: 0, lastError: null, etag: '"desk-1"' });
    const lines = logged.mock.calls.map(([line]) => JSON.parse(String(line)) as unknown);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 30, event: 'poll', source: 'wire', status: 'ok', items: 4, msg: 'wirefeed: wire: 4 items' }),
        expect.objectContaining({ level: 30, event: 'poll', source: 'desk', status: 'ok', items: 2 }),
      ]),
    );
  });

  it('serves the stories as JSON Feed, newest first, with their titles and links', async () => {
    const res = await SELF.fetch(`${SITE}/feeds/all.json`);
    const feed = (await res.json()) as { items: { id: string; title: string; url: string }[] };
    expect(feed.items.map((i) => [i.title, i.url])).toEqual([
      ['Province sets date for rural broadband spectrum auction', 'https://prairie-wire.test/politics/rural-broadband-auction-4101'],
      ['Council approves downtown bike lane pilot', 'https://city-desk.test/news/bike-lane-pilot-880'],
      ['Junior hockey prospect signs first professional contract', 'https://prairie-wire.test/sports/prospect-signs-4102'],
      ['Committee hears testimony on water licence transfers', 'https://prairie-wire.test/politics/water-licence-hearing-4103'],
      ['Ferry operator trims summer sailings', 'https://city-desk.test/news/ferry-sailings-879'],
      ['Clinic wait times ease after spring hiring push', 'https://prairie-wire.test/health/clinic-wait-times-4104'],
    ]);
    expect(new Set(feed.items.map((i) => i.id)).size).toBe(6);
  });

  it('recorded a Node reference for every case', () => {
    expect(Object.keys(reference).sort()).toEqual(PARITY_CASES.map(caseKey).sort());
  });

  // Twice each: first with the edge cache emptied (the Hono app answers over D1), then from the edge cache.
  describe.each([['from D1', true], ['from the edge cache', false]])('answers as the Node build does (%s)', (_label, evict) => {
    it.each(PARITY_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      if (evict) await edgeCache().delete(`${SITE}${c.path}`);
      const ctx = createExecutionContext();
      const res = await worker.fetch(caseRequest(c, reference), env, ctx);
      const answer = await parityAnswer(res);
      await waitOnExecutionContext(ctx);
      expect(answer).toEqual(reference[caseKey(c)]);
    });
  });

  it('SELF.fetch (the deployed entry point) gives the same bytes', async () => {
    for (const path of ['/feeds/all.rss', '/feeds/alberta.rss', '/feeds/all.atom', '/feeds/all.json?category=Politics']) {
      const res = await SELF.fetch(`${SITE}${path}`);
      expect(await parityAnswer(res)).toEqual(reference[caseKey({ name: '', path })]);
    }
  });

  it('a feed already in the edge cache is served with no D1 query, 304 included', async () => {
    const counting = countingEnv();
    const ctx = createExecutionContext();
    const rss = reference[caseKey({ name: '', path: '/feeds/all.rss' })]!;
    const hit = await worker.fetch(new Request(`${SITE}/feeds/all.rss`), counting.env, ctx);
    expect(await hit.text()).toBe(rss.body);
    const conditional = await worker.fetch(new Request(`${SITE}/feeds/all.rss`, { headers: { 'If-None-Match': rss.headers.etag! } }), counting.env, ctx);
    expect(conditional.status).toBe(304);
    await waitOnExecutionContext(ctx);
    expect(counting.queries()).toBe(0);
  });

  it('a feed not cached yet is read from D1 once, then from the edge cache', async () => {
    const counting = countingEnv();
    const url = `${SITE}/feeds/all.json?category=Alberta&limit=3`;
    const first = createExecutionContext();
    const a = await (await worker.fetch(new Request(url), counting.env, first)).text();
    await waitOnExecutionContext(first);
    const afterMiss = counting.queries();
    expect(afterMiss).toBeGreaterThan(0);
    const second = createExecutionContext();
    const b = await (await worker.fetch(new Request(url), counting.env, second)).text();
    await waitOnExecutionContext(second);
    expect(b).toBe(a);
    expect(counting.queries()).toBe(afterMiss);
  });

  it('/status is never cached: it reads D1 every time', async () => {
    const counting = countingEnv();
    const ctx = createExecutionContext();
    await worker.fetch(new Request(`${SITE}/status`), counting.env, ctx);
    const once = counting.queries();
    await worker.fetch(new Request(`${SITE}/status`), counting.env, ctx);
    await waitOnExecutionContext(ctx);
    expect(once).toBeGreaterThan(0);
    expect(counting.queries()).toBe(2 * once);
  });

  it('a tick with nothing due polls nothing', async () => {
    const before = (await upstreamLog()).length;
    await tick(INGEST_AT + 5 * MINUTE);
    expect((await upstreamLog()).length).toBe(before);
  });

  it('a second poll of an unchanged upstream (304) changes nothing', async () => {
    const version = await dataVersion();
    const { results: items } = await env.DB.prepare('SELECT * FROM items ORDER BY id').all();
    const before = (await upstreamLog()).length;
    await tick(INGEST_AT + 16 * MINUTE);
    const polls = (await upstreamLog()).slice(before);
    expect(polls).toEqual(
      expect.arrayContaining([
        { path: '/wire.xml', ifNoneMatch: '"wire-1"', ifModifiedSince: 'Mon, 20 Apr 2026 23:30:00 GMT', status: 304 },
        { path: '/desk.atom', ifNoneMatch: '"desk-1"', ifModifiedSince: 'Mon, 20 Apr 2026 22:10:00 GMT', status: 304 },
      ]),
    );
    expect(await dataVersion()).toBe(version);
    expect((await env.DB.prepare('SELECT * FROM items ORDER BY id').all()).results).toEqual(items);
    const sources = await status();
    expect(sources.wire).toMatchObject({ items: 4, errorCount: 0, lastFetchAt: new Date(INGEST_AT + 16 * MINUTE).toISOString() });
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(`${SITE}/feeds/all.rss`), { DB: env.DB }, ctx);
    await waitOnExecutionContext(ctx);
    expect(await parityAnswer(res)).toEqual(reference[caseKey({ name: '', path: '/feeds/all.rss' })]);
  });

  it('a failing upstream keeps its stories and records the error in /status', async () => {
    await fetch(`${UPSTREAM_ORIGIN}/__control/fail?path=/wire.xml&status=503`, { method: 'POST' });
    const version = await dataVersion();
    await tick(INGEST_AT + 32 * MINUTE);
    expect(await upstreamLog()).toContainEqual(expect.objectContaining({ path: '/wire.xml', status: 503 }));
    const sources = await status();
    expect(sources.wire).toMatchObject({
      items: 4,
      errorCount: 1,
      lastFetchAt: new Date(INGEST_AT + 32 * MINUTE).toISOString(),
      lastSuccessAt: new Date(INGEST_AT + 16 * MINUTE).toISOString(),
      lastError: { kind: 'fetch', at: new Date(INGEST_AT + 32 * MINUTE).toISOString() },
    });
    expect(sources.wire!.lastError!.message).toMatch(/^HTTP 503\b/);
    expect(sources.desk).toMatchObject({ items: 2, errorCount: 0 });
    expect(await dataVersion()).toBe(version);
    // A fresh isolate's view (new env object, nothing memoized) still serves every story.
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(`${SITE}/feeds/all.json?limit=500`), { DB: env.DB }, ctx);
    await waitOnExecutionContext(ctx);
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(6);
  });
  it("keeps the poll history in D1, in each poll's batch, and serves the pages from it", async () => {
    const { results } = await env.DB.prepare(
      `SELECT sum(polls) AS polls, sum(not_modified) AS not_modified, sum(failures) AS failures, sum(new_items) AS new_items, sum(timed_polls) AS timed FROM poll_history WHERE source_id = 'wire'`,
    ).all<{ polls: number; not_modified: number; failures: number; new_items: number; timed: number }>();
    expect(results[0]).toEqual({ polls: 3, not_modified: 1, failures: 1, new_items: 4, timed: 3 });
    const page = await SELF.fetch(`${SITE}/status`, { headers: { Accept: 'text/html' } });
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toMatch(/the upstream answered 503[^;]*; we retry at \d\d:\d\d UTC/);
    expect(html.match(/<svg role="img"/g)).toHaveLength(4);
    const feed = await (await SELF.fetch(`${SITE}/feeds/all`)).text();
    expect(feed.match(/<article class="story">/g)).toHaveLength(6);
    const item = /href="(https:\/\/[^"]+\/items\/[^"]+)">As normalized/.exec(feed)![1]!;
    const itemPage = await SELF.fetch(item);
    expect(itemPage.status).toBe(200);
    expect(await itemPage.text()).toContain('<h2>ninjs</h2>');
  });
});
