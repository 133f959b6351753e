import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { sqliteDriver } from '../../src/runtime/sqlite-driver.ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/model.ts';
import { groupPollSaves } from '../../src/runtime/group-commit.ts';
import { openSqlite, type SqliteHandle } from '../../src/runtime/sqlite.ts';
import { createStore, type ItemQuery, type ItemWrite, type Store } from '../../src/store/store.ts';
import { itemWrite, newsItem, text } from '../support/items.ts';

const sources: SourceConfig[] = ['a', 'b', 'c'].map((id) => ({ id, url: `https://${id}.example/feed`, title: id.toUpperCase(), interval: 15, categories: [], allowPrivateNetwork: false }));
const state = (at: number) => ({ etag: null, lastModified: null, fetchedAt: at, nextFetchAt: at + 900_000 });
const all: ItemQuery = { categoryGroups: [], excludeCategories: [], sources: [], limit: 50 };
const write = (id: string, headline: string, over: Partial<Omit<ItemWrite, 'item'>> = {}): ItemWrite =>
  itemWrite(newsItem(id, { headlines: [text(headline)] }), { published: 1000, ...over });

describe('group commit of the poll thread’s saves (real SQLite file)', () => {
  const closers: Array<() => void> = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });
  const open = async (): Promise<{ handle: SqliteHandle; store: Store; path: string }> => {
    const path = join(mkdtempSync(join(tmpdir(), 'wirefeed-group-')), 'g.db');
    const handle = openSqlite(path);
    closers.push(() => handle.close());
    const store = createStore(handle.db);
    await store.syncSources(sources);
    return { handle, store, path };
  };
  // Commits since now, counted in the WAL: a frame whose header carries the database size ends a transaction.
  const commitCounter = (handle: SqliteHandle, path: string): (() => number) => {
    handle.raw.pragma('wal_autocheckpoint = 0');
    handle.raw.pragma('wal_checkpoint(TRUNCATE)');
    return () => {
      const wal = readFileSync(`${path}-wal`);
      const frame = 24 + wal.readUInt32BE(8);
      let commits = 0;
      for (let at = 32; at + frame <= wal.length; at += frame) if (wal.readUInt32BE(at + 4) !== 0) commits++;
      return commits;
    };
  };

  it('saves asked for together are one commit, each stored', async () => {
    const { handle, store, path } = await open();
    const commits = commitCounter(handle, path);
    const grouped = groupPollSaves(store, handle.raw, { windowMs: 60_000, maxGroup: 3 });
    await Promise.all(sources.map((s, i) => grouped.savePoll(s.id, [write(`${s.id}1`, `Story ${i}`)], state(10_000))));
    expect(commits()).toBe(1);
    expect((await store.listItems(all)).map((s) => s.item.uri).sort()).toEqual(['urn:wirefeed:test:a1', 'urn:wirefeed:test:b1', 'urn:wirefeed:test:c1']);
    // Without grouping, the same three saves are three commits.
    await Promise.all(sources.map((s, i) => store.savePoll(s.id, [write(`${s.id}2`, `Other ${i}`)], state(20_000))));
    expect(commits()).toBe(4);
  });

  it('a group holds at most maxGroup saves: the rest go in the next', async () => {
    const { handle, store, path } = await open();
    const commits = commitCounter(handle, path);
    const grouped = groupPollSaves(store, handle.raw, { windowMs: 10, maxGroup: 2 });
    const ids = ['a1', 'a2', 'b1', 'b2', 'c1'];
    await Promise.all(ids.map((id, i) => grouped.savePoll(id[0]!, [write(id, `Story ${i}`)], state(10_000 + i))));
    expect(commits()).toBe(3);
    expect(await store.listItems(all)).toHaveLength(5);
  });

  it('a group whose rollback fails still settles every save, and the groups after it run', async () => {
    const { handle, store } = await open();
    let running: IterableIterator<unknown> | null = null;
    const failing: Store = {
      ...store,
      async savePoll(sourceId, ...rest) {
        if (sourceId !== 'b') return store.savePoll(sourceId, ...rest);
        // A statement left running: SQLite refuses to roll back while it is ("connection is busy").
        running = handle.raw.prepare('SELECT 1 UNION ALL SELECT 2').iterate();
        running.next();
        throw new Error('b failed');
      },
    };
    const grouped = groupPollSaves(failing, handle.raw, { windowMs: 60_000, maxGroup: 2 });
    const first = await Promise.allSettled([grouped.savePoll('a', [write('a1', 'One')], state(10_000)), grouped.savePoll('b', [write('b1', 'Two')], state(10_000))]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    (running as IterableIterator<unknown> | null)?.return?.();
    if (handle.raw.inTransaction) handle.raw.exec('ROLLBACK');
    await Promise.all([grouped.savePoll('a', [write('a2', 'Three')], state(20_000)), grouped.savePoll('c', [write('c1', 'Four')], state(20_000))]);
    expect((await store.listItems(all)).map((s) => s.item.uri).sort()).toEqual(['urn:wirefeed:test:a2', 'urn:wirefeed:test:c1']);
  });

  it('a group is written at once when every poll in flight waits in it', async () => {
    const { handle, store } = await open();
    // The window is a minute: the saves resolve only because both polls in flight are waiting.
    const grouped = groupPollSaves(store, handle.raw, { windowMs: 60_000, maxGroup: 64, inFlight: () => 2 });
    await Promise.all([grouped.savePoll('a', [write('a1', 'One')], state(10_000)), grouped.savePoll('b', [write('b1', 'Two')], state(10_000))]);
    expect(await store.listItems(all)).toHaveLength(2);
  });

  it('a save that fails fails alone: its writes are rolled back, the others of its group are stored', async () => {
    const { handle, store } = await open();
    const failing: Store = {
      ...store,
      async savePoll(sourceId, ...rest) {
        const saved = await store.savePoll(sourceId, ...rest);
        if (sourceId === 'b') throw new Error('b failed after writing');
        return saved;
      },
    };
    const grouped = groupPollSaves(failing, handle.raw, { windowMs: 60_000, maxGroup: 3 });
    const results = await Promise.allSettled(sources.map((s) => grouped.savePoll(s.id, [write(`${s.id}1`, `Story ${s.id}`)], state(10_000))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('b failed after writing'));
    expect((await store.listItems(all)).map((s) => s.item.uri).sort()).toEqual(['urn:wirefeed:test:a1', 'urn:wirefeed:test:c1']);
    // b's poll state went with its items: it is still due, to be polled again.
    expect((await store.getSource('b'))?.lastFetchAt ?? null).toBeNull();
    expect((await store.getSource('c'))?.lastFetchAt).toBe(10_000);
  });

  it('a save reads what the saves before it in its group wrote: one wire story from two sources is one item', async () => {
    const { handle, store } = await open();
    const grouped = groupPollSaves(store, handle.raw, { windowMs: 60_000, maxGroup: 2 });
    await Promise.all([
      grouped.savePoll('a', [write('a1', 'Same story', { link: 'https://a.example/s', fingerprint: 'fp1:x' })], state(10_000)),
      grouped.savePoll('b', [write('b1', 'Same story', { link: 'https://b.example/s', fingerprint: 'fp1:x' })], state(10_000)),
    ]);
    const items = await store.listItems(all);
    expect(items.map((s) => s.item.uri)).toEqual(['urn:wirefeed:test:a1']);
    expect(items[0]!.item.altIds).toEqual([{ role: 'link', value: 'https://a.example/s' }, { role: 'link', value: 'https://b.example/s' }]);
  });

  it('a group that cannot take the write lock rejects every save in it, and nothing of it is stored', async () => {
    const { handle, store, path } = await open();
    handle.raw.pragma('busy_timeout = 0');
    const other = new (sqliteDriver())(path);
    closers.push(() => other.close());
    other.exec('BEGIN IMMEDIATE');
    const grouped = groupPollSaves(store, handle.raw, { windowMs: 60_000, maxGroup: 2 });
    const results = await Promise.allSettled([grouped.savePoll('a', [write('a1', 'One')], state(10_000)), grouped.savePoll('b', [write('b1', 'Two')], state(10_000))]);
    other.exec('ROLLBACK');
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/locked|busy/i);
    expect(await store.listItems(all)).toEqual([]);
    expect(handle.raw.inTransaction).toBe(false);
  });
});
