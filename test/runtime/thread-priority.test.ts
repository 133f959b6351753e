/**
 * The ingest threads' CPU priority (src/runtime/thread-priority.ts, `schedule.ingestNice`): on Linux the poll
 * thread and the parse workers lower their own nice value, the serving thread keeps the process's. Each thread's
 * nice value is read back from /proc/self/task/<tid>/stat.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFeedUpstream } from '../support/feed-upstream.ts';
import { validateConfig } from '../../src/config.ts';
import { pollOne, type IngestDeps } from '../../src/ingest/run.ts';
import type { SourceConfig } from '../../src/model.ts';
import { createIngestPool, type IngestPool } from '../../src/runtime/ingest-pool.ts';
import { createPollWorker, type PollWorker } from '../../src/runtime/poll-worker.ts';
import { openSqlite, type SqliteHandle } from '../../src/runtime/sqlite.ts';
import { ingestThreadNice } from '../../src/runtime/thread-priority.ts';
import { createStore } from '../../src/store/store.ts';

const FEED = readFileSync(join(import.meta.dirname, '../fixtures/parse/rss20-full.xml'));
const linux = process.platform === 'linux';
// An increment no other test's threads use (the default is 10), so the threads counted are this file's.
const INCREMENT = 3;

/** The nice value of each thread of this process, by thread id. */
function threadNices(): Map<string, number> {
  const nices = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name (in parentheses, which may hold spaces): state is field 3, nice field 19.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      nices.set(tid, Number(fields[16]));
    } catch {
      // The thread ended while the list was read.
    }
  }
  return nices;
}
const threadsAt = (nice: number): number => [...threadNices().values()].filter((n) => n === nice).length;

let upstream: Awaited<ReturnType<typeof startFeedUpstream>>;
let base = '';
const handles: SqliteHandle[] = [];
const pools: IngestPool[] = [];
const workers: PollWorker[] = [];
beforeAll(async () => {
  upstream = await startFeedUpstream(FEED);
  base = upstream.base;
});
afterAll(async () => {
  await Promise.all([...workers.map((w) => w.close()), ...pools.map((p) => p.close())]);
  for (const h of handles) h.close();
  await upstream.close();
});

describe('ingest thread priority', () => {
  it('is the serving thread’s nice value plus the increment, at most 19, on Linux only; 0 turns it off', () => {
    const own = getPriority();
    expect(ingestThreadNice(10, 'linux')).toBe(Math.min(19, own + 10));
    expect(ingestThreadNice(19, 'linux')).toBe(19);
    expect(ingestThreadNice(0, 'linux')).toBeNull();
    // Elsewhere setpriority(0) would lower the whole process, the serving thread with it.
    expect(ingestThreadNice(10, 'darwin')).toBeNull();
    expect(ingestThreadNice(10, 'win32')).toBeNull();
  });

  it('is a setting, on by default', () => {
    expect(validateConfig({ sources: [] }).schedule.ingestNice).toBe(10);
    expect(validateConfig({ sources: [], schedule: { ingestNice: 0 } }).schedule.ingestNice).toBe(0);
    expect(() => validateConfig({ sources: [], schedule: { ingestNice: 20 } })).toThrow(/ingestNice/);
  });

  it.skipIf(!linux)('a parse worker lowers its own nice value; the thread that started it keeps its own', async () => {
    const nice = ingestThreadNice(INCREMENT)!;
    const own = getPriority();
    expect(threadsAt(nice)).toBe(0);
    const pool = createIngestPool({ size: 1, jobTimeoutMs: 20_000, maxHeapMb: 96, nice });
    pools.push(pool);
    const source: SourceConfig = { id: 'p', url: 'https://news.example/feed', title: 'P', interval: 15, categories: [], allowPrivateNetwork: false };
    await pool.process({ bytes: new Uint8Array(FEED), contentType: null, url: source.url, source, now: Date.UTC(2026, 8, 1) });
    expect(threadsAt(nice)).toBe(1);
    expect(getPriority()).toBe(own);
  });

  it.skipIf(!linux)('the poll thread lowers its own, and its parse workers inherit it', async () => {
    const nice = ingestThreadNice(INCREMENT + 1)!;
    const own = getPriority();
    expect(threadsAt(nice)).toBe(0);
    const dbPath = join(mkdtempSync(join(tmpdir(), 'wirefeed-priority-')), 'w.db');
    const handle = openSqlite(dbPath);
    handles.push(handle);
    const store = createStore(handle.db);
    const source: SourceConfig = { id: 'wire', url: `${base}/wire.xml`, title: 'Wire', interval: 15, categories: [], allowPrivateNetwork: true };
    await store.syncSources([source]);
    const worker = createPollWorker({ dbPath, limits: { fetchTimeoutMs: 10_000, maxFeedBytes: 5_000_000, maxRedirects: 3 }, pool: { size: 1, jobTimeoutMs: 20_000 }, nice });
    workers.push(worker);
    const deps: IngestDeps = { store, fetchFeed: () => Promise.reject(new Error('not here')), sources: [source], pollElsewhere: worker.poll };
    expect(await pollOne(deps, source, await store.getSource('wire'))).toMatchObject({ status: 'ok' });
    // The poll thread and the parse worker it started (a thread's nice value is inherited by the threads it starts).
    expect(threadsAt(nice)).toBeGreaterThanOrEqual(2);
    expect(getPriority()).toBe(own);
  });
});
