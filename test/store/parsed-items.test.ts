import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteHandle } from '../../src/runtime/sqlite.ts';
import type { SqlDatabase, SqlStatement, SqlValue } from '../../src/store/sql.ts';
import { createStore, type ItemQuery } from '../../src/store/store.ts';
import { itemWrite, newsItem, text } from '../support/items.ts';

const all: ItemQuery = { categoryGroups: [], excludeCategories: [], sources: [], limit: 50 };
const state = (at: number) => ({ etag: null, lastModified: null, fetchedAt: at, nextFetchAt: 0 });
const write = (headline: string) => itemWrite(newsItem('1', { headlines: [text(headline)] }), { published: 1000, categories: [] });

describe('listings decode each stored version once', () => {
  const handles: SqliteHandle[] = [];
  afterEach(() => {
    for (const h of handles.splice(0)) h.close();
  });
  const open = () => {
    const handle = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-parsed-')), 'p.db'));
    handles.push(handle);
    return { handle, store: createStore(handle.db) };
  };

  it('answers repeats with the same frozen content, and every change with the new one', async () => {
    const { handle, store } = open();
    await store.syncSources([{ id: 'a', url: 'https://a.example/feed', title: 'A', interval: 15, categories: [], allowPrivateNetwork: false }]);
    await store.savePoll('a', [write('One')], state(10_000));
    const [first] = await store.listItems(all);
    const [again] = await store.listItems(all);
    expect(again!.item.headlines).toBe(first!.item.headlines);
    expect(Object.isFrozen(first!.item.headlines)).toBe(true);
    expect(() => (first!.item.headlines as unknown[]).push(text('x'))).toThrow(TypeError);

    await store.savePoll('a', [write('One, corrected')], state(20_000));
    const [changed] = await store.listItems(all);
    expect(changed!.item.headlines?.[0]?.value).toBe('One, corrected');
    expect(changed!.item.version).toBe('2');

    // Removed and stored again with version 1 and other content (another process may do this): not the old one.
    handle.raw.prepare('DELETE FROM items').run();
    await store.savePoll('a', [write('One')], state(30_000));
    handle.raw.prepare(`UPDATE items SET data = replace(data, '"One"', '"Uno"')`).run();
    const [back] = await store.listItems(all);
    expect(back!.item.version).toBe('1');
    expect(back!.item.headlines?.[0]?.value).toBe('Uno');
  });

  it('reads the JSON only of rows it has not parsed: a listing after a change reads the changed rows alone', async () => {
    const handle = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-parsed-')), 'p.db'));
    handles.push(handle);
    // The real database, watched: every query that selects the items' JSON, with what it was bound to.
    const reads: SqlValue[][] = [];
    let beforeRead: (() => void) | null = null;
    const inner = new WeakMap<SqlStatement, SqlStatement>();
    const watch = (statement: SqlStatement, sql: string, values: SqlValue[] = []): SqlStatement => {
      const watched: SqlStatement = {
        bind: (...more) => watch(statement.bind(...more), sql, [...values, ...more]),
        all: async <T>() => {
          if (/^\s*SELECT\b[^]*?\bi\.data\b/i.test(sql.slice(0, sql.indexOf(' FROM ')))) {
            reads.push(values);
            beforeRead?.();
            beforeRead = null;
          }
          return statement.all<T>();
        },
        first: <T>() => statement.first<T>(),
        run: () => statement.run(),
      };
      inner.set(watched, statement);
      return watched;
    };
    const db: SqlDatabase = {
      prepare: (sql) => watch(handle.db.prepare(sql), sql),
      batch: (statements) => handle.db.batch(statements.map((s) => inner.get(s) ?? s)),
    };
    const store = createStore(db);
    await store.syncSources([{ id: 'a', url: 'https://a.example/feed', title: 'A', interval: 15, categories: [], allowPrivateNetwork: false }]);
    const story = (key: number, headline: string) => itemWrite(newsItem(key, { headlines: [text(headline)] }), { published: 1000 + key, categories: [] });
    await store.savePoll('a', [1, 2, 3, 4, 5].map((k) => story(k, `Story ${k}`)), state(10_000));

    const first = await store.listItems(all);
    expect(first.map((s) => s.item.headlines?.[0]?.value)).toEqual(['Story 5', 'Story 4', 'Story 3', 'Story 2', 'Story 1']);
    expect(reads).toHaveLength(1);
    expect(JSON.parse(String(reads[0]![0])) as string[]).toHaveLength(5);

    reads.length = 0;
    const again = await store.listItems(all);
    expect(reads).toEqual([]);
    expect(again.map((s) => s.item)).toEqual(first.map((s) => s.item));
    expect(again[0]!.item).toBe(first[0]!.item);

    await store.savePoll('a', [story(3, 'Story 3, corrected'), story(6, 'Story 6')], state(20_000));
    const changed = await store.listItems(all);
    expect(changed.map((s) => s.item.headlines?.[0]?.value)).toEqual(['Story 6', 'Story 5', 'Story 4', 'Story 3, corrected', 'Story 2', 'Story 1']);
    expect(reads).toHaveLength(1);
    expect((JSON.parse(String(reads[0]![0])) as string[]).sort()).toEqual([changed[0]!.item.uri, changed[3]!.item.uri].sort());
    expect(changed[1]!.item).toBe(first[0]!.item);

    // Another store on the same file has parsed nothing. Between its two reads a row goes and another changes:
    // the listing leaves the first out and shows the other as it is now.
    const cold = createStore(db);
    beforeRead = () => {
      handle.raw.prepare('DELETE FROM items WHERE id = ?').run(changed[5]!.item.uri);
      handle.raw.prepare(`UPDATE items SET data = replace(data, 'Story 2', 'Story 2, now'), version = version + 1 WHERE id = ?`).run(changed[4]!.item.uri);
    };
    const racing = await cold.listItems(all);
    expect(racing.map((s) => s.item.headlines?.[0]?.value)).toEqual(['Story 6', 'Story 5', 'Story 4', 'Story 3, corrected', 'Story 2, now']);
    expect(racing[4]!.item.version).toBe('2');
  });
});
