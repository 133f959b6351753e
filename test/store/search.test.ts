import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations, MIGRATIONS_DIR, openSqlite, wrapSqlite, type SqliteHandle } from '../../src/runtime/sqlite.ts';
import { createStore } from '../../src/store/store.ts';
import { searchMatch } from '../../src/store/search.ts';
import { itemWrite, newsItem, text } from '../support/items.ts';
import { databaseBefore } from '../support/old-database.ts';
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

  it('re-indexes an item only when its indexed text changed (migration 0011)', async () => {
    const handle = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-search-')), 'w.db'));
    handles.push(handle);
    const store = createStore(handle.db);
    await store.syncSources([{ id: 's', url: 'https://s.example/feed', title: 'S', interval: 15, categories: [], allowPrivateNetwork: false }]);
    const at = (t: number) => ({ etag: null, lastModified: null, fetchedAt: t, nextFetchAt: t + 1000 });
    const fields = { headlines: [text('Harbour ferry resumes')], bodies: [text('<p>Crews finished the repairs.</p>', 'main', 'text/html')] };
    await store.savePoll('s', [itemWrite(newsItem('a', fields), { published: 1000 })], at(2000));
    // Each write to a contentless FTS5 index adds segment data: none when the trigger leaves the row alone.
    const segments = () => (handle.raw.prepare('SELECT count(*) AS n, sum(length(block)) AS bytes FROM items_search_data').get() as { n: number; bytes: number });
    const before = segments();
    // A new version of the item with the same headline, body and summary (its subjects changed).
    await store.savePoll('s', [itemWrite(newsItem('a', { ...fields, subjects: [{ name: 'Transport' }] }), { published: 1000 })], at(3000));
    const row = handle.raw.prepare('SELECT version FROM items').get() as { version: number };
    expect(row.version).toBe(2);
    expect(segments()).toEqual(before);
    // Its headline changes: indexed again, the old words forgotten.
    await store.savePoll('s', [itemWrite(newsItem('a', { ...fields, headlines: [text('Harbour ferry halted')] }), { published: 1000 })], at(4000));
    expect(segments()).not.toEqual(before);
    const q = { categoryGroups: [], excludeCategories: [], sources: [], limit: 10 };
    expect(await store.listItems({ ...q, words: ['halted'] })).toHaveLength(1);
    expect(await store.listItems({ ...q, words: ['resumes'] })).toEqual([]);
    expect(await store.listItems({ ...q, words: ['repairs'] })).toHaveLength(1);
    handle.raw.exec(`INSERT INTO items_search (items_search) VALUES ('integrity-check')`);
  });

  it('indexes the items of a database that existed before the migration', async () => {
    // The search index and everything after it, as a database of the release before it has them.
    const { raw, later } = databaseBefore('0010_');
    try {
      // The row as that release wrote it (today's store writes columns its schema did not have yet).
      const item = newsItem('old', { headlines: [text('Harbour ferry resumes')], bodies: [text('<p>Crews finished the repairs.</p>', 'main', 'text/html')] });
      const { version: _v, firstCreated: _f, versionCreated: _c, ...content } = item;
      raw.prepare(`INSERT INTO sources (id, url, title) VALUES ('s', 'https://s.example/feed', 'S')`).run();
      raw
        .prepare(`INSERT INTO items (id, source_id, link, published, first_seen, updated, content_hash, data) VALUES (?, 's', NULL, 1000, 2000, 2000, 'h', ?)`)
        .run(item.uri, JSON.stringify(content));
      expect(applyMigrations(raw, MIGRATIONS_DIR)).toEqual(later);
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
