import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations, MIGRATIONS_DIR, openSqlite, wrapSqlite, type SqliteHandle } from '../../src/runtime/sqlite.ts';
import { createStore } from '../../src/store/store.ts';
import { searchMatch } from '../../src/store/search.ts';
import { itemWrite, newsItem, text } from '../support/items.ts';
import { searchCases } from '../support/search-cases.ts';

describe('search over SQLite (migration 0010)', () => {
  const handles: SqliteHandle[] = [];
  afterEach(() => {
    for (const h of handles.splice(0)) h.close();
  });
  searchCases(async () => {
    const handle = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-search-')), 'w.db'));
    handles.push(handle);
    return { store: createStore(handle.db), db: handle.db };
  });

  it('indexes the items of a database that existed before the migration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wirefeed-search-migrate-'));
    const before = join(dir, 'migrations');
    cpSync(MIGRATIONS_DIR, before, { recursive: true });
    rmSync(join(before, '0010_search.sql'));
    const raw = new Database(join(dir, 'w.db'));
    try {
      applyMigrations(raw, before);
      const old = createStore(wrapSqlite(raw));
      await old.syncSources([{ id: 's', url: 'https://s.example/feed', title: 'S', interval: 15, categories: [], allowPrivateNetwork: false }]);
      const item = newsItem('old', { headlines: [text('Harbour ferry resumes')], bodies: [text('<p>Crews finished the repairs.</p>', 'main', 'text/html')] });
      await old.savePoll('s', [itemWrite(item, { published: 1000 })], { etag: null, lastModified: null, fetchedAt: 2000, nextFetchAt: 3000 });
      expect(applyMigrations(raw, MIGRATIONS_DIR)).toEqual(['0010_search.sql']);
      const store = createStore(wrapSqlite(raw));
      const q = { categoryGroups: [], excludeCategories: [], sources: [], limit: 10 };
      expect((await store.listItems({ ...q, words: ['repairs'] })).map((s) => s.item.uri)).toEqual([item.uri]);
      expect(await store.listItems({ ...q, words: ['zeppelin'] })).toEqual([]);
      raw.exec(`INSERT INTO items_search (items_search) VALUES ('integrity-check')`);
    } finally {
      raw.close();
    }
  });
});

describe('searchMatch', () => {
  it.each([
    [['fire'], '"fir" "ire"'],
    [['council', 'cil'], '"cou" "oun" "unc" "nci" "cil"'],
    [['on', 'a'], null],
    [['a&b', 'say"so'], null],
    [['(x*y)'], '"(x*" "x*y" "*y)"'],
    [['éclair'], '"écl" "cla" "lai" "air"'],
    [[], null],
  ])('%j → %j', (words, match) => {
    expect(searchMatch(words)).toBe(match);
  });
});
