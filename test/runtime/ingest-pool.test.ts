import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { ConfigError, describeError, WorkerError } from '../../src/errors.ts';
import { processFeed, type ProcessJob } from '../../src/ingest/process.ts';
import type { SourceConfig } from '../../src/model.ts';
import { resolveRules } from '../../src/normalize/index.ts';
import { createIngestPool, type IngestPool } from '../../src/runtime/ingest-pool.ts';

const ROOT = join(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/parse');
const FAULTY = new URL('./support/faulty-ingest-worker.ts', import.meta.url);
const BROKEN = new URL('./support/broken-ingest-worker.ts', import.meta.url);
const NOW = Date.UTC(2026, 8, 1, 12);

const source = (id = 'fixture'): SourceConfig => ({ id, url: 'https://news.example/feed', title: 'Fixture', interval: 15, categories: ['Local'], allowPrivateNetwork: false });
const jobFor = (file: string, id?: string): ProcessJob => ({
  bytes: new Uint8Array(readFileSync(join(FIXTURES, file))),
  contentType: file.endsWith('.json') ? 'application/feed+json' : null,
  url: 'https://news.example/feed',
  source: source(id),
  now: NOW,
});
/** What a step gave for a job: its result, or the kind and message of its error (as a source records it). */
const settle = (work: Promise<unknown>): Promise<unknown> => work.then((value) => ({ value }), (err: unknown) => ({ error: describeError(err) }));

const pools: IngestPool[] = [];
const pool = (options: Partial<Parameters<typeof createIngestPool>[0]> = {}): IngestPool => {
  const p = createIngestPool({ size: 1, jobTimeoutMs: 20_000, maxHeapMb: 96, ...options });
  pools.push(p);
  return p;
};
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe('ingest pool: the same results as in the serving thread', () => {
  const files = readdirSync(FIXTURES).sort();
  const shared = pool({ size: 2 });

  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files)('%s', async (file) => {
    const inThread = await settle(processFeed(jobFor(file)));
    const inWorker = await settle(shared.process(jobFor(file)));
    expect(inWorker).toEqual(inThread);
  });

  it('normalizes with the rules the pool was given at start, not the defaults', async () => {
    const rules = resolveRules({ keywords: [{ match: ['border'], subjects: ['Pool rule subject'] }] });
    const withRules = pool({ rules });
    const inWorker = await withRules.process(jobFor('rss20-full.xml'));
    expect(inWorker).toEqual(await processFeed({ ...jobFor('rss20-full.xml'), rules }));
    expect(JSON.stringify(inWorker)).toContain('Pool rule subject');
    expect(JSON.stringify(await processFeed(jobFor('rss20-full.xml')))).not.toContain('Pool rule subject');
  });

  it('transfers the bytes rather than copying them (the caller\'s view is emptied)', async () => {
    const job = jobFor('atom10.xml');
    const done = shared.process(job);
    expect(job.bytes.byteLength).toBe(0);
    expect((await done).items.length).toBeGreaterThan(0);
  });

  it('copies a view into a larger buffer instead of detaching the buffer under it', async () => {
    const whole = readFileSync(join(FIXTURES, 'rss20-full.xml'));
    const backing = new Uint8Array(whole.byteLength + 16);
    backing.set(whole, 8);
    const view = backing.subarray(8, 8 + whole.byteLength);
    const result = await shared.process({ ...jobFor('rss20-full.xml'), bytes: view });
    expect(backing.byteLength).toBe(whole.byteLength + 16);
    expect(result).toEqual(await processFeed(jobFor('rss20-full.xml')));
  });
});

describe('ingest pool: a worker that fails fails only its job', () => {
  it.each([
    ['throw', 'crashed', /crashed: thrown outside the job/],
    ['exit', 'exited', /exited \(code 7\)/],
    ['oom', 'out-of-memory', /ran out of memory/],
    ['hang', 'timeout', /did not finish within 5000 ms/],
  ] as const)('%s: that job fails with a WorkerError (%s); the queued jobs succeed on a replacement', async (fault, code, message) => {
    const p = pool({ script: FAULTY, jobTimeoutMs: fault === 'hang' ? 5000 : 20_000, maxHeapMb: 48 });
    const expected = await processFeed(jobFor('rss20-full.xml'));
    // One thread: the jobs after the fault wait in the queue while it happens.
    const results = await Promise.allSettled([
      p.process(jobFor('rss20-full.xml')),
      p.process(jobFor('rss20-full.xml', fault)),
      p.process(jobFor('rss20-full.xml')),
      p.process(jobFor('rss20-full.xml')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const err = (results[1] as PromiseRejectedResult).reason as WorkerError;
    expect(err).toBeInstanceOf(WorkerError);
    expect(err.kind).toBe('worker');
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    for (const r of [results[0], results[2], results[3]]) expect((r as PromiseFulfilledResult<unknown>).value).toEqual(expected);
    expect(p.threads()).toBe(1);
  });

  it('a result comes back exactly as the worker made it, whether JSON could carry it or not', async () => {
    const p = pool({ script: FAULTY });
    const odd = await p.process(jobFor('rss20-full.xml', 'odd'));
    // eslint-disable-next-line no-sparse-arrays
    expect(odd.items).toStrictEqual([{ odd: [NaN, -0, undefined, , new Date(0)], missing: undefined, big: 1e300 }]);
    expect(Object.is((odd.items[0] as unknown as { odd: number[] }).odd[1], -0)).toBe(true);
    expect(1 in (odd.items[0] as unknown as { odd: number[] }).odd).toBe(true);
    expect(3 in (odd.items[0] as unknown as { odd: number[] }).odd).toBe(false);
    const plain = await p.process(jobFor('rss20-full.xml', 'plain'));
    expect(plain).toStrictEqual({ items: [{ text: 'a\ud800b "quoted" \u2028', n: 1.5, list: [null, true, { deep: [] }] }], refreshMinutes: 30, entries: [{ hash: 'h', gave: null }], carried: 1, pages: undefined });
  });

  it('a worker that cannot even start fails each job it was given, and the pool still closes', async () => {
    const p = pool({ script: BROKEN, size: 2 });
    const results = await Promise.allSettled([p.process(jobFor('rss20-full.xml')), p.process(jobFor('atom10.xml')), p.process(jobFor('jsonfeed11.json'))]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ kind: 'worker', message: expect.stringMatching(/this worker cannot start/) });
    }
    await p.close();
    expect(p.threads()).toBe(0);
  });
});

describe('ingest pool: a document the last poll recorded', () => {
  it('is answered in this thread as processFeed answers it, without starting a worker', async () => {
    // The rss20 fixture's entries carry no future dates and no refresh hint: its key is recorded.
    const first = await processFeed(jobFor('rss20-full.xml'));
    const known = new Map(first.entries!.map((e) => [e.hash, e.gave!]));
    // A worker that cannot start: only an answer given without it can succeed.
    const p = pool({ script: BROKEN, size: 1 });
    const answer = await p.process({ ...jobFor('rss20-full.xml'), knownEntries: known });
    expect(answer).toEqual(await processFeed({ ...jobFor('rss20-full.xml'), knownEntries: known }));
    expect(answer.items).toEqual([]);
    expect(p.threads()).toBe(0);
    // Any other document still goes to a worker (here, one that fails).
    await expect(p.process({ ...jobFor('atom10.xml'), knownEntries: known })).rejects.toMatchObject({ kind: 'worker' });
  });
});

describe('ingest pool: closing', () => {
  it('fails queued jobs, stops its threads, and refuses jobs afterwards', async () => {
    const p = pool({ script: FAULTY, jobTimeoutMs: 60_000 });
    const hung = settle(p.process(jobFor('rss20-full.xml', 'hang')));
    const queued = settle(p.process(jobFor('rss20-full.xml')));
    expect(p.threads()).toBe(1);
    await p.close();
    expect(p.threads()).toBe(0);
    expect(await hung).toEqual({ error: { kind: 'worker', message: 'the ingest pool closed while this job ran' } });
    expect(await queued).toEqual({ error: { kind: 'worker', message: 'the ingest pool closed before this job ran' } });
    await expect(p.process(jobFor('rss20-full.xml'))).rejects.toMatchObject({ kind: 'worker', code: 'closed' });
  });

  it('leaves no thread behind: a process that used and closed a pool exits on its own', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/runtime/support/pool-exit.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    // A bound, not a measurement: a process kept alive by a leaked thread would never exit by itself.
    const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
    clearTimeout(killer);
    expect({ code, signal }, out).toEqual({ code: 0, signal: null });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ ok: expect.any(Number), failed: 'worker', threadsBefore: expect.any(Number), threadsAfter: 0 })
    expect(JSON.parse(out.trim().split('\n').at(-1)!).threadsBefore).toBeGreaterThan(0);
  });
});

describe('ingest pool: configuration (schedule.workers, workerTimeoutMs, workerMemoryMb)', () => {
  it('defaults to one worker thread, a 30 s job deadline and a 1 GiB heap cap', () => {
    expect(validateConfig({ sources: [] }).schedule).toMatchObject({ workers: 1, workerTimeoutMs: 30_000, workerMemoryMb: 1024 });
    expect(validateConfig({ sources: [], schedule: { cron: '* * * * *' } }).schedule).toMatchObject({ workers: 1, workerTimeoutMs: 30_000, workerMemoryMb: 1024 });
  });

  it('takes 0 workers (everything on the serving thread) and rejects what cannot work, naming the key', () => {
    expect(validateConfig({ sources: [], schedule: { workers: 0 } }).schedule.workers).toBe(0);
    const problems = (input: unknown): string[] => {
      try {
        validateConfig(input);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems({ sources: [], schedule: { workers: -1, workerTimeoutMs: 10, workerMemoryMb: 1.5 } }).map((p) => p.split(':')[0])).toEqual([
      'schedule.workers',
      'schedule.workerTimeoutMs',
      'schedule.workerMemoryMb',
    ]);
  });
});
