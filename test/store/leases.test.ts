import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/model.ts';
import { openSqlite, type SqliteHandle } from '../../src/runtime/sqlite.ts';
import type { SqlDatabase, SqlStatement } from '../../src/store/sql.ts';
import { createStore, type Store } from '../../src/store/store.ts';
import { itemWrite, newsItem, text } from '../support/items.ts';

const T0 = Date.UTC(2026, 5, 1, 12);
const LEASE = 60_000;
const source = (id: string): SourceConfig => ({ id, url: `https://up.example/${id}`, title: id, interval: 15, categories: [], allowPrivateNetwork: false });
const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `s${String(i).padStart(5, '0')}`);

const dirs: string[] = [];
const handles: SqliteHandle[] = [];
function openPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-leases-'));
  dirs.push(dir);
  return join(dir, 'leases.db');
}
function open(path: string, wrap: (db: SqlDatabase) => SqlDatabase = (db) => db): { store: Store; handle: SqliteHandle } {
  const handle = openSqlite(path);
  handles.push(handle);
  return { store: createStore(wrap(handle.db)), handle };
}
afterEach(() => {
  for (const h of handles.splice(0)) h.close();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('source leases', () => {
  it('claims due sources atomically: two connections to one file never claim the same source', async () => {
    const path = openPath();
    const a = open(path).store;
    const b = open(path).store;
    const all = ids(300);
    await a.syncSources(all.map(source));
    const claimed: string[] = [];
    // Interleaved claims from both connections, as two processes' ticks would run them.
    for (let round = 0; round < 20; round++) {
      const [fromA, fromB] = await Promise.all([a.claimDue(all, T0, 10, LEASE), b.claimDue(all, T0, 7, LEASE)]);
      claimed.push(...fromA.map((c) => c.state.id), ...fromB.map((c) => c.state.id));
    }
    expect(claimed).toHaveLength(300);
    expect(new Set(claimed).size).toBe(300);
    expect(await a.claimDue(all, T0, 10, LEASE)).toEqual([]);
  });

  it('claims the most overdue first, only among the given ids and only when due', async () => {
    const { store, handle } = open(openPath());
    await store.syncSources(['a', 'b', 'c'].map(source));
    handle.raw.exec(`UPDATE sources SET next_fetch_at = CASE id WHEN 'a' THEN 300 WHEN 'b' THEN 100 ELSE 5000 END`);
    expect((await store.claimDue(['a', 'b', 'c'], 1000, 10, LEASE)).map((c) => c.state.id)).toEqual(['b', 'a']);
    handle.raw.exec(`UPDATE sources SET claimed_until = 0`);
    expect((await store.claimDue(['a', 'c'], 1000, 10, LEASE)).map((c) => c.state.id)).toEqual(['a']);
  });

  it('a saved poll frees the lease; a lease whose holder died expires and another takes it', async () => {
    const { store } = open(openPath());
    await store.syncSources([source('x'), source('y'), source('z')]);
    const [x, y, z] = await store.claimDue(['x', 'y', 'z'], T0, 3, LEASE);
    expect(await store.claimSources(['x', 'y', 'z'], T0 + 1, LEASE)).toEqual([]);
    await store.saveNotModified('x', { etag: null, lastModified: null, fetchedAt: T0, nextFetchAt: T0 });
    await store.saveFailure('y', { kind: 'fetch', message: 'down', at: T0 }, T0);
    // x and y are free again (and due); z's holder never came back.
    expect((await store.claimDue(['x', 'y', 'z'], T0 + 2, 3, LEASE)).map((c) => c.state.id).sort()).toEqual(['x', 'y']);
    expect(await store.claimDue(['z'], T0 + LEASE - 1, 1, LEASE)).toEqual([]);
    const [again] = await store.claimDue(['z'], T0 + LEASE, 1, LEASE);
    expect(again!.state.id).toBe('z');
    expect(again!.claim).toBeGreaterThan(z!.claim);
    expect(x!.claim).toBeGreaterThan(0);
    expect(y!.claim).toBe(x!.claim);
  });

  it('a queued claim is taken once per delivery attempt, never after a newer claim or a saved poll', async () => {
    const { store } = open(openPath());
    await store.syncSources([source('q')]);
    const [claim] = await store.claimDue(['q'], T0, 1, LEASE);
    const token = claim!.claim;
    expect(await store.takeClaim('q', token, 1, T0 + 10, LEASE)).toMatchObject({ id: 'q' });
    // A duplicate delivery of the same attempt is turned away; a redelivery after a crash takes it.
    expect(await store.takeClaim('q', token, 1, T0 + 11, LEASE)).toBeNull();
    expect(await store.takeClaim('q', token, 2, T0 + 12, LEASE)).toMatchObject({ id: 'q' });
    await store.savePoll('q', [itemWrite(newsItem('urn:q:1', { headlines: [text('One')] }), { published: T0 })], { etag: null, lastModified: null, fetchedAt: T0, nextFetchAt: T0 + 900_000 });
    expect(await store.takeClaim('q', token, 3, T0 + 13, LEASE)).toBeNull();
    // A dead letter of an old claim records nothing; of the current one, a failure /status shows.
    const [next] = await store.claimSources(['q'], T0 + 20, LEASE);
    expect(await store.recordDeadLetter('q', token, { kind: 'dead-letter', message: 'dead', at: T0 + 30 }, T0 + 99)).toBe(false);
    expect(await store.recordDeadLetter('q', next!.claim, { kind: 'dead-letter', message: 'dead', at: T0 + 30 }, T0 + 99)).toBe(true);
    expect(await store.getSource('q')).toMatchObject({ errorCount: 1, nextFetchAt: T0 + 99, lastError: { kind: 'dead-letter' } });
    expect(await store.claimSources(['q'], T0 + 31, LEASE)).toHaveLength(1);
  });

  it('releasing gives back only the claims still current', async () => {
    const { store } = open(openPath());
    await store.syncSources([source('r'), source('t')]);
    const claims = await store.claimDue(['r', 't'], T0, 2, LEASE);
    await store.releaseClaims(claims.map((c) => ({ id: c.state.id, claim: c.claim === claims[0]!.claim && c.state.id === 'r' ? c.claim : c.claim + 5 })));
    expect((await store.claimDue(['r', 't'], T0 + 1, 2, LEASE)).map((c) => c.state.id)).toEqual(['r']);
  });

  it('records a failure on a claim only while that claim holds the lease: not after its poll saved, not over a later claim', async () => {
    const path = openPath();
    const { store } = open(path);
    await store.syncSources([source('f'), source('g')]);
    const failure = { kind: 'worker', message: 'the poll thread exited (code 1)', at: T0 + 5 };
    const history = async (id: string) => (await store.pollHistory(T0 - 3_600_000, [id])).map((h) => [h.polls, h.failures]);
    // Saved (the poll thread committed, then died): the failure of its claim is not recorded.
    const [f] = await store.claimDue(['f'], T0, 1, LEASE);
    await store.savePoll('f', [], { etag: null, lastModified: null, fetchedAt: T0 + 1, nextFetchAt: T0 + 900 });
    expect(await store.saveFailure('f', failure, T0 + 99, f!.claim)).toBe(false);
    expect(await store.getSource('f')).toMatchObject({ errorCount: 0, lastError: null, nextFetchAt: T0 + 900, lastSuccessAt: T0 + 1 });
    expect(await history('f')).toEqual([[1, 0]]);
    // A later claim holds it: the old claim's failure is not recorded over it.
    const [again] = await store.claimSources(['f'], T0 + 2, LEASE);
    expect(await store.saveFailure('f', failure, T0 + 99, f!.claim)).toBe(false);
    // Still held: recorded once, with its history, and the lease freed.
    expect(await store.saveFailure('f', failure, T0 + 99, again!.claim)).toBe(true);
    expect(await store.getSource('f')).toMatchObject({ errorCount: 1, lastError: { kind: 'worker' }, nextFetchAt: T0 + 99 });
    expect(await history('f')).toEqual([[2, 1]]);
    expect(await store.saveFailure('f', failure, T0 + 99, again!.claim)).toBe(false);
    expect(await store.claimSources(['f'], T0 + 6, LEASE)).toHaveLength(1);
    // The writes are conditioned themselves: a claim lost after the check (here: a check that always says held) writes nothing.
    const [g] = await store.claimDue(['g'], T0, 1, LEASE);
    await store.saveNotModified('g', { etag: null, lastModified: null, fetchedAt: T0 + 1, nextFetchAt: T0 + 900 });
    const racy = open(path, (db) => ({ ...db, prepare: (sql) => (sql.startsWith('SELECT 1 AS held') ? db.prepare('SELECT 1 AS held, ?1 AS id, ?2 AS claim') : db.prepare(sql)) })).store;
    expect(await racy.saveFailure('g', failure, T0 + 99, g!.claim)).toBe(true);
    expect(await store.getSource('g')).toMatchObject({ errorCount: 0, lastError: null, nextFetchAt: T0 + 900 });
    expect(await history('g')).toEqual([[1, 0]]);
  });

  it('selects due sources through the next-fetch index, whatever the number of sources', async () => {
    const { store, handle } = open(openPath());
    const all = ids(20_000);
    await store.syncSources(all.map(source));
    handle.raw.exec(`UPDATE sources SET next_fetch_at = ${T0} + CAST(substr(id, 2) AS INTEGER) * 1000`);
    handle.raw.exec('ANALYZE');
    let plan = '';
    const spy: SqlDatabase = {
      batch: (s) => handle.db.batch(s),
      prepare(sql) {
        if (sql.includes('ORDER BY next_fetch_at, id LIMIT ?4')) {
          plan = (handle.raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ 1: T0, 2: -1, 3: '', 4: 1 }) as { detail: string }[]).map((r) => r.detail).join(' | ');
        }
        return handle.db.prepare(sql);
      },
    };
    const claims = await createStore(spy).claimDue(all, T0 + 9_500, 100, LEASE);
    expect(claims.map((c) => c.state.id)).toEqual(all.slice(0, 10));
    // The walk is a range of sources_due; the configured ids are only a filter, never the outer loop.
    expect(plan).toMatch(/^SEARCH sources USING COVERING INDEX sources_due \(.*next_fetch_at<\?\)$/);
    expect(plan).not.toMatch(/SCAN s\b|SCAN sources\b|TEMP B-TREE/);
  });
});

describe('D1 limits of the store writes', () => {
  /** A database that records the bound values of every statement it runs, and the statements per batch. */
  function recording(db: SqlDatabase): { db: SqlDatabase; maxBound: () => number; maxBatch: () => number } {
    let maxBound = 0;
    let maxBatch = 0;
    const wrap = (statement: SqlStatement): SqlStatement => ({
      bind(...values) {
        maxBound = Math.max(maxBound, values.length);
        return wrap(statement.bind(...values));
      },
      all: () => statement.all(),
      first: () => statement.first(),
      run: () => statement.run(),
      // The SQLite adapter runs a batch's statements by this method.
      ...({ exec: () => (statement as unknown as { exec(): unknown }).exec() } as object),
    });
    return {
      db: {
        prepare: (sql) => wrap(db.prepare(sql)),
        batch(statements) {
          maxBatch = Math.max(maxBatch, statements.length);
          return db.batch(statements);
        },
      },
      maxBound: () => maxBound,
      maxBatch: () => maxBatch,
    };
  }

  it('binds under 100 parameters per statement and keeps a 5,000-source sync to a few statements', async () => {
    const handle = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-limits-')), 'l.db'));
    handles.push(handle);
    const rec = recording(handle.db);
    const store = createStore(rec.db);
    const all = ids(5_000);
    await store.syncSources(all.map(source));
    expect(rec.maxBatch()).toBeLessThanOrEqual(10);
    expect((handle.raw.prepare('SELECT count(*) AS n FROM sources').get() as { n: number }).n).toBe(5_000);
    const claims = await store.claimDue(all, T0, 1_200, LEASE);
    expect(claims).toHaveLength(1_200);
    await store.releaseClaims(claims.map((c) => ({ id: c.state.id, claim: c.claim })));
    const items = Array.from({ length: 200 }, (_, i) =>
      itemWrite(newsItem(`urn:l:${i}`, { headlines: [text(`Story ${i}`)], subjects: [{ name: 'Politics' }] }), { published: T0 + i, categories: ['Politics'] }),
    );
    await store.savePoll(all[0]!, items, { etag: null, lastModified: null, fetchedAt: T0, nextFetchAt: T0 + 1 }, { maxAgeMs: 86_400_000, maxItems: 100 }, []);
    expect(rec.maxBound()).toBeGreaterThan(0);
    expect(rec.maxBound()).toBeLessThan(100);
  });
});
