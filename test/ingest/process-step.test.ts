import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerError } from '../../src/errors.ts';
import type { FetchResult } from '../../src/ingest/fetch.ts';
import { processFeed, type ProcessJob } from '../../src/ingest/process.ts';
import { pollSource, type IngestDeps } from '../../src/ingest/run.ts';
import type { SourceConfig } from '../../src/model.ts';
import { resolveRules } from '../../src/normalize/index.ts';
import { openSqlite, type SqliteHandle } from '../../src/runtime/sqlite.ts';
import { createStore } from '../../src/store/store.ts';

const T0 = Date.UTC(2026, 5, 1, 12);
const XML = (prefix: string): string =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://up.example/</link><description>d</description><ttl>90</ttl>${[0, 1, 2]
    .map((i) => `<item><title>${prefix} story ${i}</title><guid>${prefix}-${i}</guid><link>https://up.example/${i}</link><description>Body ${i}.</description></item>`)
    .join('')}</channel></rss>`;
const src: SourceConfig = { id: 'up', url: 'https://up.example/feed.xml', title: 'Up', interval: 15, categories: [], allowPrivateNetwork: false };

const dir = mkdtempSync(join(tmpdir(), 'wirefeed-step-'));
const handles: SqliteHandle[] = [];
afterAll(() => {
  for (const h of handles) h.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup(step: IngestDeps['process'], prefix = 'a'): IngestDeps {
  const handle = openSqlite(join(dir, `${handles.length}.db`));
  handles.push(handle);
  return {
    store: createStore(handle.db),
    sources: [src],
    rules: resolveRules({ keywords: [{ match: ['story'], subjects: ['Step subject'] }] }),
    now: () => T0,
    random: () => 0.5,
    fetchFeed: async (): Promise<FetchResult> => ({
      status: 'ok',
      url: 'https://up.example/final.xml',
      bytes: new TextEncoder().encode(XML(prefix)),
      contentType: 'application/rss+xml',
      etag: null,
      lastModified: null,
      headers: { cacheControl: null, expires: null, retryAfter: null },
    }),
    process: step,
  };
}

describe('IngestDeps.process: the decode, parse and normalize step', () => {
  it('is called with the fetched document and the poll context, and its items are what the poll saves', async () => {
    const jobs: ProcessJob[] = [];
    const deps = setup(async (job) => {
      jobs.push(job);
      return processFeed(job);
    });
    await deps.store.syncSources([src]);
    expect(await pollSource(deps, src, null)).toEqual({ source: 'up', status: 'ok', items: 3 });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ contentType: 'application/rss+xml', url: 'https://up.example/final.xml', source: src, now: T0, rules: deps.rules });
    expect(new TextDecoder().decode(jobs[0]!.bytes)).toBe(XML('a'));
    const state = await deps.store.getSource('up');
    // <ttl>90</ttl> came back from the step as refreshMinutes: the next poll is not before 90 minutes.
    expect(state!.nextFetchAt! - T0).toBeGreaterThanOrEqual(90 * 60_000);
  });

  it('defaults to processFeed in this thread: the same outcome and state as with it injected', async () => {
    const injected = setup(processFeed);
    const inThread = setup(undefined);
    for (const d of [injected, inThread]) await d.store.syncSources([src]);
    expect(await pollSource(inThread, src, null)).toEqual(await pollSource(injected, src, null));
    expect(await inThread.store.getSource('up')).toEqual(await injected.store.getSource('up'));
  });

  it('a step that fails (a dead worker) fails that poll only: a worker error on the source, with a backoff, items kept', async () => {
    let fail = false;
    const deps = setup(async (job) => {
      if (fail) throw new WorkerError('exited', 'the ingest worker exited (code 7)');
      return processFeed(job);
    });
    await deps.store.syncSources([src]);
    await pollSource(deps, src, null);
    fail = true;
    const outcome = await pollSource(deps, src, await deps.store.getSource('up'));
    expect(outcome).toMatchObject({ source: 'up', status: 'error', kind: 'worker', message: 'the ingest worker exited (code 7)' });
    const [status] = await deps.store.listSources();
    expect(status).toMatchObject({ id: 'up', itemCount: 3, errorCount: 1, lastError: { kind: 'worker', message: 'the ingest worker exited (code 7)' } });
    expect(status!.nextFetchAt!).toBeGreaterThan(T0);
  });
});
