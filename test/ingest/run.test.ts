import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { createFetcher, type FetchResult } from '../../src/ingest/fetch.ts';
import { logServiceEvent } from '../../src/ingest/log-event.ts';
import { ingestDue, ingestNow, pollSource, type IngestDeps } from '../../src/ingest/run.ts';
import { MAX_ADAPTIVE_INTERVAL_MS } from '../../src/ingest/schedule.ts';
import type { SourceConfig } from '../../src/model.ts';
import { openSqlite, type SqliteHandle } from '../../src/runtime/sqlite.ts';
import { createStore, MAX_ROW_BYTES, type Store } from '../../src/store/store.ts';
import { createJsonLogger } from '../../src/util/log.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 5, 1, 12);

const feed = (n: number, prefix = 's'): string =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://up.example/</link><description>d</description>${Array.from(
    { length: n },
    (_, i) => `<item><title>${prefix} story ${i}</title><guid>${prefix}-${i}</guid><link>https://up.example/${prefix}/${i}</link><description>Body ${prefix} ${i}.</description></item>`,
  ).join('')}</channel></rss>`;

const source = (id: string, url: string, interval = 15): SourceConfig => ({ id, url, title: id, interval, categories: [], allowPrivateNetwork: true });

const dirs: string[] = [];
const handles: SqliteHandle[] = [];
function openStore(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-run-'));
  dirs.push(dir);
  const handle = openSqlite(join(dir, 'run.db'));
  handles.push(handle);
  return createStore(handle.db);
}
afterEach(() => {
  for (const h of handles.splice(0)) h.close();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('pollSource schedules a successful poll by the adaptive rule', () => {
  /** A fake upstream: each call answers with the next of `answers` (the last one repeats). */
  function deps(store: Store, src: SourceConfig, answers: Array<{ items?: number; prefix?: string; cacheControl?: string | null; expires?: string | null; notModified?: boolean }>, clock: { now: number }): IngestDeps {
    let call = 0;
    return {
      store,
      sources: [src],
      now: () => clock.now,
      random: () => 0.5,
      fetchFeed: async (): Promise<FetchResult> => {
        const a = answers[Math.min(call++, answers.length - 1)]!;
        const headers = { cacheControl: a.cacheControl ?? null, expires: a.expires ?? null, retryAfter: null };
        if (a.notModified) return { status: 'not-modified', url: src.url, etag: '"e"', lastModified: null, headers };
        return { status: 'ok', url: src.url, bytes: new TextEncoder().encode(feed(a.items ?? 3, a.prefix)), contentType: 'application/rss+xml', etag: '"e"', lastModified: null, headers };
      },
    };
  }

  it('follows Cache-Control, then the posting history, between the configured interval and the cap', async () => {
    const store = openStore();
    const src = source('wire', 'https://up.example/feed.xml', 15);
    await store.syncSources([src]);
    const clock = { now: T0 };
    const d = deps(
      store,
      src,
      [{ items: 3, cacheControl: 'max-age=7200' }, { notModified: true }, { notModified: true }, { items: 3, prefix: 'new', expires: new Date(T0 + 8 * DAY + 3 * HOUR).toUTCString() }],
      clock,
    );
    const next = async (): Promise<number> => (await store.getSource('wire'))!.nextFetchAt - clock.now;

    // First poll: no history yet, max-age of 2 hours.
    expect(await pollSource(d, src, await store.getSource('wire'))).toMatchObject({ status: 'ok', items: 3 });
    expect(await next()).toBe(2 * HOUR);
    expect(await store.recentArrivals('wire', 50)).toEqual([T0, T0, T0]);

    // A day later, 304 without hints: 3 arrivals in the last day → a post every 8 hours → polled every 4 hours.
    clock.now = T0 + DAY;
    expect(await pollSource(d, src, await store.getSource('wire'))).toMatchObject({ status: 'not-modified' });
    expect(await next()).toBe(4 * HOUR);

    // Eight days later nothing has arrived for a week: the cap.
    clock.now = T0 + 8 * DAY;
    await pollSource(d, src, await store.getSource('wire'));
    expect(await next()).toBe(MAX_ADAPTIVE_INTERVAL_MS);

    // New stories, Expires in 3 hours, history still silent before this poll: the cap (the longer signal).
    clock.now = T0 + 8 * DAY + MIN;
    expect(await pollSource(d, src, await store.getSource('wire'))).toMatchObject({ status: 'ok', items: 3 });
    expect(await next()).toBe(MAX_ADAPTIVE_INTERVAL_MS);
    expect((await store.recentArrivals('wire', 2)).length).toBe(2);
  });

  it('a busy source keeps its configured interval', async () => {
    const store = openStore();
    const src = source('busy', 'https://up.example/busy.xml', 15);
    await store.syncSources([src]);
    const clock = { now: T0 };
    let n = 0;
    const d: IngestDeps = {
      ...deps(store, src, [], clock),
      fetchFeed: async () => ({ status: 'ok', url: src.url, bytes: new TextEncoder().encode(feed(5, `p${n++}`)), contentType: null, etag: null, lastModified: null, headers: { cacheControl: null, expires: null, retryAfter: null } }),
    };
    // Five new stories every 15 minutes for a few hours: a story every 3 minutes.
    for (let i = 0; i < 12; i++) {
      clock.now = T0 + i * 15 * MIN;
      await pollSource(d, src, await store.getSource('busy'));
      expect((await store.getSource('busy'))!.nextFetchAt - clock.now).toBe(15 * MIN);
    }
  });
});

describe('a story too large to store', () => {
  it('is left out of its poll with a warning naming it; the poll and its other stories are saved', async () => {
    const store = openStore();
    const src = source('big', 'https://up.example/big.xml');
    await store.syncSources([src]);
    // Three-byte characters: a body whose stored row is over the row limit (D1's on a stored row).
    const huge = '漢'.repeat(Math.ceil(MAX_ROW_BYTES / 3) + 1000);
    const xml = `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://up.example/</link><description>d</description>
      <item><title>Small story</title><guid>small</guid><link>https://up.example/small</link><description>A short body.</description></item>
      <item><title>Huge story</title><guid>huge</guid><link>https://up.example/huge</link><description>${huge}</description></item>
      </channel></rss>`;
    const lines: Array<{ level: number; msg: string; tooLarge?: string[] }> = [];
    const logger = createJsonLogger((line) => lines.push(JSON.parse(line)));
    const deps: IngestDeps = {
      store,
      sources: [src],
      now: () => T0,
      fetchFeed: async (): Promise<FetchResult> => ({
        status: 'ok', url: src.url, bytes: new TextEncoder().encode(xml), contentType: 'application/rss+xml', etag: null, lastModified: null,
        headers: { cacheControl: null, expires: null, retryAfter: null },
      }),
      log: (event, durationMs) => logServiceEvent(logger, event, durationMs),
    };
    const outcome = await pollSource(deps, src, null);
    expect(outcome.status).toBe('ok');
    const stored = await store.listItems({ categoryGroups: [], excludeCategories: [], sources: [], limit: 10 });
    expect(stored.map((s) => s.item.headlines?.[0]?.value)).toEqual(['Small story']);
    const left = outcome.status === 'ok' ? outcome.tooLarge ?? [] : [];
    expect(left).toHaveLength(1);
    const warning = lines.find((l) => l.level === 40);
    expect(warning?.msg).toContain('too large to store');
    expect(warning?.msg).toContain(left[0]);
    expect((await store.getSource('big'))?.errorCount ?? 0).toBe(0);
  });
});

describe('at most schedule.perHostConcurrency fetches per upstream host', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
  });

  /** A server on 127.0.0.1 that holds each request a while and records how many overlap, per Host name. */
  async function countingServer(): Promise<{ port: number; peak: Map<string, number>; peakTotal: () => number; requests: () => number }> {
    const active = new Map<string, number>();
    const peak = new Map<string, number>();
    let total = 0;
    let peakTotal = 0;
    let requests = 0;
    server = createServer((req, res) => {
      const host = new URL(`http://${req.headers.host ?? 'unknown'}`).hostname;
      requests++;
      active.set(host, (active.get(host) ?? 0) + 1);
      peak.set(host, Math.max(peak.get(host) ?? 0, active.get(host)!));
      peakTotal = Math.max(peakTotal, ++total);
      setTimeout(() => {
        active.set(host, active.get(host)! - 1);
        total--;
        res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(feed(1, req.url!.replace(/\W/g, '')));
      }, 150);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return { port: (server.address() as AddressInfo).port, peak, peakTotal: () => peakTotal, requests: () => requests };
  }

  it('defaults to 2 in the configuration', () => {
    expect(validateConfig({ sources: [] }).schedule.perHostConcurrency).toBe(2);
    expect(() => validateConfig({ sources: [], schedule: { perHostConcurrency: 0 } })).toThrow(/schedule\.perHostConcurrency/);
  });

  it.each([
    ['ingestDue (a tick)', 'due'],
    ['ingestNow (ingest --once, admin refresh)', 'now'],
  ])('%s: 127.0.0.1 and localhost are two hosts, each held to the bound', async (_, mode) => {
    const up = await countingServer();
    const sources = [
      ...Array.from({ length: 6 }, (_, i) => source(`ip${i}`, `http://127.0.0.1:${up.port}/ip${i}.xml`)),
      ...Array.from({ length: 6 }, (_, i) => source(`name${i}`, `http://localhost:${up.port}/name${i}.xml`)),
    ];
    const store = openStore();
    await store.syncSources(sources);
    const deps: IngestDeps = { store, sources, fetchFeed: createFetcher({ timeoutMs: 10_000 }) };
    const outcomes =
      mode === 'due'
        ? await ingestDue(deps, { batchSize: 50, concurrency: 8, perHostConcurrency: 2 })
        : await ingestNow(deps, sources.map((s) => s.id), 8, 2);
    expect(outcomes.map((o) => o.status)).toEqual(sources.map(() => 'ok'));
    expect(up.requests()).toBe(12);
    expect(Object.fromEntries(up.peak)).toEqual({ '127.0.0.1': 2, localhost: 2 });
    // The two hosts are fetched side by side: the per-host bound does not serialize the tick.
    expect(up.peakTotal()).toBe(4);
  });

  it('without a per-host bound, only the overall concurrency applies (what Workers use)', async () => {
    const up = await countingServer();
    const sources = Array.from({ length: 6 }, (_, i) => source(`ip${i}`, `http://127.0.0.1:${up.port}/ip${i}.xml`));
    const store = openStore();
    await store.syncSources(sources);
    await ingestDue({ store, sources, fetchFeed: createFetcher({ timeoutMs: 10_000 }) }, { batchSize: 50, concurrency: 3 });
    expect(up.peak.get('127.0.0.1')).toBe(3);
  });
});
