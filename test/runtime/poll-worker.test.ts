/**
 * The poll thread (src/runtime/poll-worker.ts): whole polls run in a worker thread over its own connection to
 * the database file, with what the serving thread would store; a thread that dies fails only its polls, which
 * are recorded on their sources, and the next poll runs on a new thread.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFeedUpstream } from '../support/feed-upstream.ts';
import { createFetcher } from '../../src/ingest/fetch.ts';
import { ingestDue, ingestNow, pollFeed, pollOne, type IngestDeps, type PollOutcome } from '../../src/ingest/run.ts';
import type { SourceConfig } from '../../src/model.ts';
import { readerSignal } from '../../src/runtime/ingest-pace.ts';
import { createPollWorker, type PollWorker } from '../../src/runtime/poll-worker.ts';
import { openSqlite, type SqliteHandle } from '../../src/runtime/sqlite.ts';
import { createStore, type Store } from '../../src/store/store.ts';

const FEED = readFileSync(join(import.meta.dirname, '../fixtures/parse/rss20-full.xml'));
const FAULTY = new URL('./support/faulty-poll-worker.ts', import.meta.url);
const LIMITS = { fetchTimeoutMs: 10_000, maxFeedBytes: 5_000_000, maxRedirects: 3 };
const RETENTION = { maxAgeMs: 30 * 86_400_000, maxItems: 2000 };

let upstream: Awaited<ReturnType<typeof startFeedUpstream>>;
let base = '';
const handles: SqliteHandle[] = [];
const workers: PollWorker[] = [];

beforeAll(async () => {
  upstream = await startFeedUpstream(FEED);
  base = upstream.base;
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  for (const h of handles) h.close();
  await upstream.close();
});

const sourceOf = (id: string): SourceConfig => ({ id, url: `${base}/${id}.xml`, title: id, interval: 15, categories: ['Local'], allowPrivateNetwork: true });

async function database(sources: SourceConfig[]): Promise<{ dbPath: string; store: Store }> {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'wirefeed-poll-worker-')), 'w.db');
  const handle = openSqlite(dbPath);
  handles.push(handle);
  const store = createStore(handle.db);
  await store.syncSources(sources);
  return { dbPath, store };
}

const stored = async (store: Store) =>
  (await store.listItems({ categoryGroups: [], excludeCategories: [], sources: [], limit: 100, status: null })).map((s) => ({ ...s.item, firstCreated: '', versionCreated: '' }));

describe('poll thread', () => {
  it('polls in its own thread and connection what a poll here would store', async () => {
    const source = sourceOf('wire');
    const there = await database([source]);
    const worker = createPollWorker({ dbPath: there.dbPath, limits: LIMITS, retention: RETENTION, pool: { size: 1, jobTimeoutMs: 20_000 } });
    workers.push(worker);
    const logged: [PollOutcome, number][] = [];
    const deps: IngestDeps = { store: there.store, fetchFeed: () => Promise.reject(new Error('not here')), sources: [source], retention: RETENTION, pollElsewhere: worker.poll, log: (o, ms) => logged.push([o, ms]) };
    const outcome = await pollOne(deps, source, await there.store.getSource('wire'));
    expect(outcome).toMatchObject({ source: 'wire', status: 'ok' });
    expect(logged).toHaveLength(1);
    expect(logged[0]![0]).toEqual(outcome);
    expect(worker.threads()).toBe(1);

    const here = await database([source]);
    const inThread = await pollFeed({ store: here.store, fetchFeed: createFetcher({ timeoutMs: 10_000 }), sources: [source], retention: RETENTION }, source, await here.store.getSource('wire'));
    expect(outcome).toEqual(inThread);
    const items = await stored(there.store);
    expect(items.length).toBeGreaterThan(0);
    expect(items).toEqual(await stored(here.store));
    expect((await there.store.getSource('wire'))!.lastSuccessAt).not.toBeNull();
    // The next poll of the same document is told from the entries the thread saved: nothing new.
    expect(await pollOne(deps, source, await there.store.getSource('wire'))).toEqual(outcome);
    expect(await stored(there.store)).toEqual(items);
  });

  it('fails only the polls of a thread that died, records them on their sources, and goes on on a new thread', async () => {
    const good = sourceOf('good');
    const crash = sourceOf('crash');
    const { dbPath, store } = await database([good, crash]);
    const worker = createPollWorker({ dbPath, limits: LIMITS, retention: RETENTION, pool: { size: 1, jobTimeoutMs: 20_000 }, script: FAULTY });
    workers.push(worker);
    const deps: IngestDeps = { store, fetchFeed: () => Promise.reject(new Error('not here')), sources: [good, crash], retention: RETENTION, pollElsewhere: worker.poll };
    const failed = await pollOne(deps, crash, await store.getSource('crash'));
    expect(failed).toMatchObject({ source: 'crash', status: 'error', kind: 'worker' });
    const state = (await store.getSource('crash'))!;
    expect(state.errorCount).toBe(1);
    expect(state.lastError?.kind).toBe('worker');
    expect(state.nextFetchAt).toBeGreaterThan(Date.now());
    expect(await pollOne(deps, good, await store.getSource('good'))).toMatchObject({ source: 'good', status: 'ok' });
    expect((await stored(store)).length).toBeGreaterThan(0);
  });

  it('records no failure on a source whose poll the thread saved before it died, and still one for a poll it never saved', async () => {
    const due = sourceOf('saved-crash-due');
    const now = sourceOf('saved-crash-now');
    const crash = sourceOf('crash');
    const { dbPath, store } = await database([due, now, crash]);
    const worker = createPollWorker({ dbPath, limits: LIMITS, retention: RETENTION, pool: { size: 1, jobTimeoutMs: 20_000 }, script: FAULTY });
    workers.push(worker);
    const deps: IngestDeps = { store, fetchFeed: () => Promise.reject(new Error('not here')), sources: [due, now, crash], retention: RETENTION, pollElsewhere: worker.poll };
    const since = Date.now() - 3_600_000;
    // Through both ways a poll is claimed: a tick's due sources, and a poll now (admin refresh, `ingest --once`).
    const outcomes = [...(await ingestDue({ ...deps, sources: [due] }, { batchSize: 1, concurrency: 1 })), ...(await ingestNow(deps, [now.id], 1))];
    expect(outcomes.map((o) => [o.source, o.status, o.status === 'error' && o.kind])).toEqual([
      [due.id, 'error', 'worker'],
      [now.id, 'error', 'worker'],
    ]);
    for (const [i, source] of [due, now].entries()) {
      const state = (await store.getSource(source.id))!;
      // As the thread saved it: a success, no error counted, the next poll at the success's time.
      expect(state.errorCount).toBe(0);
      expect(state.lastError).toBeNull();
      expect(state.lastSuccessAt).not.toBeNull();
      expect(outcomes[i]!.status === 'error' && outcomes[i]!.nextFetchAt).toBe(state.nextFetchAt);
      const items = await store.listItems({ categoryGroups: [], excludeCategories: [], sources: [source.id], limit: 100, status: null });
      expect(items.length).toBeGreaterThan(0);
    }
    const history = await store.pollHistory(since, [due.id, now.id, crash.id]);
    expect(history.map((h) => [h.sourceId, h.polls, h.failures]).sort()).toEqual([
      [due.id, 1, 0],
      [now.id, 1, 0],
    ]);
    // A thread that dies before the save: the failure is recorded on the claim, once.
    expect(await ingestDue({ ...deps, sources: [crash] }, { batchSize: 1, concurrency: 1 })).toMatchObject([{ source: 'crash', status: 'error', kind: 'worker' }]);
    const failed = (await store.getSource('crash'))!;
    expect(failed.errorCount).toBe(1);
    expect(failed.lastError?.kind).toBe('worker');
    expect((await store.pollHistory(since, [crash.id])).map((h) => [h.polls, h.failures])).toEqual([[1, 1]]);
  });
  it('gives way to readers: polls wait while the serving thread answers requests, and never while it does not', async () => {
    const sources = Array.from({ length: 8 }, (_, i) => sourceOf(`paced-${i}`));
    const run = async (reading: boolean) => {
      const { dbPath, store } = await database(sources);
      const readers = readerSignal();
      const paced: number[] = [];
      // Parsing in the poll thread itself (no parse workers) so each poll keeps it busy for a while.
      const worker = createPollWorker({ dbPath, limits: LIMITS, retention: RETENTION, pool: { size: 0, jobTimeoutMs: 20_000 }, pace: { share: 0.05, readers: readers.buffer }, onPaced: (ms) => paced.push(ms) });
      workers.push(worker);
      const deps: IngestDeps = { store, fetchFeed: () => Promise.reject(new Error('not here')), sources, retention: RETENTION, pollElsewhere: worker.poll };
      const requests = reading ? setInterval(() => readers.arrived(), 10) : null;
      try {
        for (const source of sources) expect(await pollOne(deps, source, await store.getSource(source.id))).toMatchObject({ source: source.id, status: 'ok' });
      } finally {
        if (requests) clearInterval(requests);
      }
      return paced;
    };
    const silent = await run(false);
    expect(silent).toEqual([]);
    const read = await run(true);
    // At a twentieth of a core, every poll after the first waits about nineteen times its own busy time.
    expect(read.length).toBeGreaterThanOrEqual(4);
    expect(read.every((ms) => ms > 0)).toBe(true);
  });
});
