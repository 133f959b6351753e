import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/model.ts';
import { MIGRATIONS_DIR, openSqlite, type SqliteHandle } from '../../src/runtime/sqlite.ts';
import type { SqlDatabase, SqlValue } from '../../src/store/sql.ts';
import { sameEpoch } from '../../src/publish/representation.ts';
import { createStore, itemQuerySql, MAX_ROW_BYTES, RECENT_ARRIVALS_SQL, ROW_BYTES_PER_STATEMENT, utf8Length, type ItemQuery, type ItemWrite, type Store } from '../../src/store/store.ts';
import { itemWrite, newsItem, text } from '../support/items.ts';

const sources: SourceConfig[] = [
  { id: 'a', url: 'https://a.example/feed', title: 'A', interval: 15, categories: [], allowPrivateNetwork: false },
  { id: 'b', url: 'https://b.example/feed', title: 'B', interval: 15, categories: [], allowPrivateNetwork: false },
];

function write(id: string, headline: string, published: number | null, categories: string[] = []): ItemWrite {
  const item = newsItem(id, { headlines: [text(headline)], subjects: categories.map((name) => ({ name })) });
  return itemWrite(item, { published, categories });
}

const state = (at: number) => ({ etag: '"e1"', lastModified: null, fetchedAt: at, nextFetchAt: at + 900_000 });
const all: ItemQuery = { categoryGroups: [], excludeCategories: [], sources: [], limit: 50 };

describe('store over SQLite', () => {
  const handles: SqliteHandle[] = [];
  const open = (path = join(mkdtempSync(join(tmpdir(), 'wirefeed-store-')), 'w.db')): { store: Store; handle: SqliteHandle; path: string } => {
    const handle = openSqlite(path);
    handles.push(handle);
    return { store: createStore(handle.db), handle, path };
  };
  afterEach(() => {
    for (const h of handles.splice(0)) {
      try {
        h.close();
      } catch {}
    }
  });

  it('uses WAL mode and records its migrations', () => {
    const { handle } = open();
    expect(handle.raw.pragma('journal_mode', { simple: true })).toBe('wal');
    // Every migration file of the directory, in order (the list grows with the schema).
    const files = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort();
    expect(files.slice(0, 2)).toEqual(['0001_init.sql', '0002_status_paging.sql']);
    expect(handle.raw.prepare('SELECT name FROM d1_migrations ORDER BY id').all()).toEqual(files.map((name) => ({ name })));
  });

  it('re-ingesting the same items changes nothing', async () => {
    const { store, handle } = open();
    await store.syncSources(sources);
    const items = [write('1', 'One', 1000, ['Politics']), write('2', 'Two', 2000)];
    await store.savePoll('a', items, state(10_000));
    const v1 = await store.dataVersion();
    const before = handle.raw.prepare('SELECT * FROM items ORDER BY id').all();
    const cats = handle.raw.prepare('SELECT * FROM item_categories').all();
    await store.savePoll('a', items, state(20_000));
    expect(await store.dataVersion()).toBe(v1);
    expect(handle.raw.prepare('SELECT * FROM items ORDER BY id').all()).toEqual(before);
    expect(handle.raw.prepare('SELECT * FROM item_categories').all()).toEqual(cats);
    expect((await store.listItems(all)).map((s) => s.item.version)).toEqual(['1', '1']);
  });

  it('a changed item keeps its uri and first-seen time and gets a new version', async () => {
    const { store } = open();
    await store.syncSources(sources);
    await store.savePoll('a', [write('1', 'One', 1000, ['Politics'])], state(10_000));
    await store.savePoll('a', [write('1', 'One, corrected', 1000, ['Business'])], state(20_000));
    const [item] = (await store.listItems(all)).map((s) => s.item);
    expect(item).toMatchObject({ uri: 'urn:wirefeed:test:1', version: '2' });
    expect(item!.headlines[0]!.value).toBe('One, corrected');
    expect(item!.firstCreated).toBe(new Date(10_000).toISOString());
    expect(item!.versionCreated).toBe(new Date(20_000).toISOString());
    expect(await store.listItems({ ...all, categoryGroups: [['politics']] })).toEqual([]);
    expect(await store.listItems({ ...all, categoryGroups: [['BUSINESS']] })).toHaveLength(1);
  });

  it('an item without a date keeps its first-seen time on every poll', async () => {
    const { store, handle } = open();
    await store.syncSources(sources);
    await store.savePoll('a', [write('n', 'Undated', null)], state(10_000));
    await store.savePoll('a', [write('n', 'Undated', null)], state(99_000));
    await store.savePoll('a', [write('n', 'Undated, edited', null)], state(120_000));
    expect(handle.raw.prepare('SELECT published FROM items').get()).toEqual({ published: 10_000 });
  });

  it('a poll of dated and undated changes stores each by its own rule (one upsert of many rows each)', async () => {
    const { store, handle } = open();
    await store.syncSources(sources);
    await store.savePoll('a', [write('d', 'Dated', 1000, ['Politics']), write('u', 'Undated', null, ['Politics'])], state(10_000));
    await store.savePoll('a', [write('u', 'Undated, edited', null, ['Sports']), write('d', 'Dated, edited', 2000, ['Sports'])], state(20_000));
    expect(handle.raw.prepare('SELECT id, published, version FROM items ORDER BY id').all()).toEqual([
      { id: 'urn:wirefeed:test:d', published: 2000, version: 2 },
      { id: 'urn:wirefeed:test:u', published: 10_000, version: 2 },
    ]);
    expect(await store.listItems({ ...all, categoryGroups: [['politics']] })).toEqual([]);
    expect(await store.listItems({ ...all, categoryGroups: [['sports']] })).toHaveLength(2);
  });

  it('one poll is one transaction: a failing statement leaves nothing behind', async () => {
    const { store, handle } = open();
    await store.syncSources(sources);
    const bad = write('2', 'Two', 2000);
    (bad.item as unknown as { uri: null }).uri = null; // violates NOT NULL on items.id
    await expect(store.savePoll('a', [write('1', 'One', 1000), bad], state(10_000))).rejects.toThrow();
    expect(handle.raw.prepare('SELECT count(*) AS n FROM items').get()).toEqual({ n: 0 });
    expect((await store.getSource('a'))!.lastFetchAt).toBeNull();
  });

  it('saves source state with the poll and survives a reopen', async () => {
    const { store, handle, path } = open();
    await store.syncSources(sources);
    await store.savePoll('a', [write('1', 'One', 1000)], state(10_000));
    handle.close();
    const again = open(path).store;
    expect(await again.getSource('a')).toMatchObject({ etag: '"e1"', lastFetchAt: 10_000, lastSuccessAt: 10_000, nextFetchAt: 910_000, errorCount: 0 });
    expect(await again.listItems(all)).toHaveLength(1);
  });

  it('records failures without touching items, and a success clears them', async () => {
    const { store } = open();
    await store.syncSources(sources);
    await store.savePoll('a', [write('1', 'One', 1000)], state(10_000));
    await store.saveFailure('a', { kind: 'fetch', message: 'HTTP 503', at: 20_000 }, 80_000);
    await store.saveFailure('a', { kind: 'parse', message: 'not a feed', at: 30_000 }, 90_000);
    expect(await store.getSource('a')).toMatchObject({ errorCount: 2, lastError: { kind: 'parse', message: 'not a feed', at: 30_000 }, nextFetchAt: 90_000, lastSuccessAt: 10_000 });
    expect(await store.listItems(all)).toHaveLength(1);
    await store.saveNotModified('a', state(40_000));
    expect(await store.getSource('a')).toMatchObject({ errorCount: 0, lastError: null, lastSuccessAt: 40_000 });
  });

  it('picks due sources among the configured ones, most overdue first', async () => {
    const { store } = open();
    await store.syncSources(sources);
    await store.saveFailure('a', { kind: 'fetch', message: 'x', at: 1 }, 500);
    await store.saveFailure('b', { kind: 'fetch', message: 'x', at: 1 }, 100);
    expect((await store.dueSources(['a', 'b'], 1000, 10)).map((s) => s.id)).toEqual(['b', 'a']);
    expect((await store.dueSources(['a', 'b'], 300, 10)).map((s) => s.id)).toEqual(['b']);
    expect((await store.dueSources(['a'], 1000, 10)).map((s) => s.id)).toEqual(['a']);
    expect(await store.dueSources(['a', 'b'], 1000, 1)).toHaveLength(1);
  });

  it('a changed source URL drops the stored validators', async () => {
    const { store } = open();
    await store.syncSources(sources);
    await store.savePoll('a', [], state(10_000));
    await store.syncSources([{ ...sources[0]!, url: 'https://a.example/new' }]);
    expect(await store.getSource('a')).toMatchObject({ url: 'https://a.example/new', etag: null });
  });

  it('filters by category groups, exclusions and sources, newest first', async () => {
    const { store } = open();
    await store.syncSources(sources);
    await store.savePoll('a', [write('1', 'One', 1000, ['Alberta', 'Sports']), write('2', 'Two', 3000, ['Alberta']), write('3', 'Three', 2000, ['Politics'])], state(10_000));
    await store.savePoll('b', [write('4', 'Four', 4000, ['Alberta', 'Politics'])], state(10_000));
    const heads = async (q: Partial<ItemQuery>) => (await store.listItems({ ...all, ...q })).map((s) => s.item.headlines[0]!.value);
    expect(await heads({})).toEqual(['Four', 'Two', 'Three', 'One']);
    expect(await heads({ categoryGroups: [['alberta']] })).toEqual(['Four', 'Two', 'One']);
    expect(await heads({ categoryGroups: [['Alberta'], ['Politics']] })).toEqual(['Four']);
    expect(await heads({ categoryGroups: [['Sports', 'Politics']] })).toEqual(['Four', 'Three', 'One']);
    expect(await heads({ categoryGroups: [['Alberta']], excludeCategories: ['sports'] })).toEqual(['Four', 'Two']);
    expect(await heads({ sources: ['a'], limit: 2 })).toEqual(['Two', 'Three']);
    expect((await store.listSources()).map((s) => [s.id, s.itemCount])).toEqual([['a', 3], ['b', 1]]);
  });

  it('answers "newest N in any of several categories" with one ordered index walk per category', () => {
    const { handle } = open();
    const { sql, params } = itemQuerySql({ ...all, categoryGroups: [['alberta', 'politics']], excludeCategories: ['sports'] });
    const plan = (handle.raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(Object.fromEntries(params.map((v, i) => [i + 1, v]))) as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan.match(/SEARCH c USING PRIMARY KEY \(category=\?\)/g)).toHaveLength(2);
    expect(plan).not.toMatch(/SCAN i\b/);
  });

  it('answers "newest N in one category" from the ordered index', () => {
    const { handle } = open();
    const { sql, params } = itemQuerySql({ ...all, categoryGroups: [['alberta']] });
    const plan = (handle.raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(Object.fromEntries(params.map((v, i) => [i + 1, v]))) as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan).toMatch(/SEARCH c USING PRIMARY KEY \(category=\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it('reads a source\'s posting history from the covering index alone', () => {
    const { handle } = open();
    const plan = (handle.raw.prepare(`EXPLAIN QUERY PLAN ${RECENT_ARRIVALS_SQL}`).all({ 1: 'a', 2: 10 }) as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan).toMatch(/USING COVERING INDEX items_source_arrivals \(source_id=\? AND partial=\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it('a teaser never overwrites the full story, and the full story replaces its teaser', async () => {
    const { store } = open();
    await store.syncSources(sources);
    const teaser = { ...write('t', 'Teaser', 1000, ['Alberta']), partial: true };
    await store.savePoll('a', [teaser], state(10_000));
    const full = write('t', 'The full story', 1000, ['Alberta', 'Politics']);
    await store.savePoll('a', [full], state(20_000));
    await store.savePoll('a', [{ ...write('t', 'Teaser again', 1000, ['Sports']), partial: true }], state(30_000));
    const [stored] = await store.listItems(all);
    expect(stored!.item.headlines[0]!.value).toBe('The full story');
    expect(stored!.item.version).toBe('2');
    expect(await store.listItems({ ...all, categoryGroups: [['sports']] })).toEqual([]);
    expect(await store.listItems({ ...all, categoryGroups: [['politics']] })).toHaveLength(1);
  });

  it('a full story deletes the teasers it supersedes', async () => {
    const { store } = open();
    await store.syncSources(sources);
    await store.savePoll('a', [{ ...write('teaser-by-headline', 'Rink reopens', 1000), partial: true }, write('other', 'Other', 900)], state(10_000));
    await store.savePoll('a', [{ ...write('full', 'Rink reopens', 2000), supersedes: ['urn:wirefeed:test:teaser-by-headline', 'urn:wirefeed:test:other'] }], state(20_000));
    expect((await store.listItems(all)).map((s) => s.item.uri)).toEqual(['urn:wirefeed:test:full', 'urn:wirefeed:test:other']);
  });

  it('one wire story from two sources is one item, with both links in altIds', async () => {
    const { store } = open();
    await store.syncSources(sources);
    await store.savePoll('a', [{ ...write('a1', 'Same story', 1000), link: 'https://a.example/s', fingerprint: 'fp1:x' }], state(10_000));
    const fromB = { ...write('b1', 'Same story', 1000), link: 'https://b.example/s', fingerprint: 'fp1:x' };
    await store.savePoll('b', [fromB], state(20_000));
    await store.savePoll('b', [fromB], state(30_000));
    const items = await store.listItems(all);
    expect(items.map((s) => s.item.uri)).toEqual(['urn:wirefeed:test:a1']);
    expect(items[0]!.item.altIds).toEqual([{ role: 'link', value: 'https://a.example/s' }, { role: 'link', value: 'https://b.example/s' }]);
    expect(items[0]!.item.version).toBe('2');
    // Source A polling its own copy again changes nothing.
    await store.savePoll('a', [{ ...write('a1', 'Same story', 1000), link: 'https://a.example/s', fingerprint: 'fp1:x' }], state(40_000));
    expect((await store.listItems(all))[0]!.item.version).toBe('2');
  });

  it('a killed story leaves the listings but stays in the store', async () => {
    const { store } = open();
    await store.syncSources(sources);
    await store.savePoll('a', [write('k', 'Story', 1000)], state(10_000));
    const killed = write('k', 'KILLED: Story', 1000);
    killed.item.pubStatus = 'canceled';
    await store.savePoll('a', [killed], state(20_000));
    expect(await store.listItems(all)).toEqual([]);
    expect((await store.listItems({ ...all, status: ['canceled'] })).map((s) => s.item.uri)).toEqual(['urn:wirefeed:test:k']);
    expect((await store.listSources())[0]!.itemCount).toBe(1);
  });

  it('a kill moves the data version to a new policy epoch; a new story or version only adds one', async () => {
    const { store } = open();
    await store.syncSources(sources);
    await store.savePoll('a', [write('k', 'Story', 1000)], state(10_000));
    const before = await store.dataVersion();
    await store.savePoll('a', [write('k', 'Story, updated', 1000)], state(15_000));
    const updated = await store.dataVersion();
    expect(sameEpoch(updated, before)).toBe(true);
    expect(updated).toBeGreaterThan(before);
    const killed = write('k', 'KILLED: Story', 1000);
    killed.item.pubStatus = 'canceled';
    await store.savePoll('a', [killed], state(20_000));
    const after = await store.dataVersion();
    expect(sameEpoch(after, updated)).toBe(false);
    expect(after).toBeGreaterThan(updated);
  });

  it('pages with a cursor on (published, uri), and lists in ingest order on request', async () => {
    const { store } = open();
    await store.syncSources(sources);
    await store.savePoll('a', [write('1', 'One', 3000, ['x']), write('2', 'Two', 3000, ['x']), write('3', 'Three', 1000, ['x'])], state(10_000));
    await store.savePoll('a', [write('4', 'Four', 500, ['x'])], state(20_000));
    for (const groups of [[], [['x']], [['x', 'nothing']]]) {
      const first = await store.listItems({ ...all, categoryGroups: groups, limit: 2 });
      expect(first.map((s) => s.item.uri)).toEqual(['urn:wirefeed:test:2', 'urn:wirefeed:test:1']);
      const last = first.at(-1)!;
      const rest = await store.listItems({ ...all, categoryGroups: groups, before: { key: last.published, id: last.item.uri } });
      expect(rest.map((s) => s.item.uri)).toEqual(['urn:wirefeed:test:3', 'urn:wirefeed:test:4']);
    }
    expect((await store.listItems({ ...all, order: 'ingested', limit: 1 })).map((s) => s.item.uri)).toEqual(['urn:wirefeed:test:4']);
    expect((await store.listItems({ ...all, since: 1000, until: 3000 })).map((s) => s.item.uri)).toEqual(['urn:wirefeed:test:2', 'urn:wirefeed:test:1', 'urn:wirefeed:test:3']);
  });

  it('retention removes items by age and count, never one the current poll still carries', async () => {
    const { store } = open();
    await store.syncSources(sources);
    const day = 86_400_000;
    await store.savePoll('a', [write('old', 'Old', 1000), write('kept', 'Kept', 2000)], state(0));
    await store.savePoll('b', [write('b-old', 'Other source', 1000)], state(0));
    const retention = { maxAgeMs: 30 * day, maxItems: 3 };
    // 31 days later: "old" is gone from the upstream and expires; "kept" is still carried.
    await store.savePoll('a', [write('kept', 'Kept', 2000), write('n1', 'N1', 3000)], state(31 * day), retention);
    expect((await store.listItems({ ...all, sources: ['a'] })).map((s) => s.item.uri)).toEqual(['urn:wirefeed:test:n1', 'urn:wirefeed:test:kept']);
    // Count: the newest 3 of the source stay, plus whatever the poll carries.
    await store.savePoll('a', [write('n2', 'N2', 4000), write('n3', 'N3', 5000), write('n4', 'N4', 6000)], state(32 * day), retention);
    expect((await store.listItems({ ...all, sources: ['a'] })).map((s) => s.item.uri)).toEqual(['urn:wirefeed:test:n4', 'urn:wirefeed:test:n3', 'urn:wirefeed:test:n2']);
    await store.savePoll('a', [write('kept', 'Kept', 2000), write('n2', 'N2', 4000), write('n3', 'N3', 5000), write('n4', 'N4', 6000)], state(33 * day), { maxAgeMs: 30 * day, maxItems: 1 });
    expect((await store.listItems({ ...all, sources: ['a'] }))).toHaveLength(4);
    // Other sources are untouched.
    expect((await store.listItems({ ...all, sources: ['b'] })).map((s) => s.item.uri)).toEqual(['urn:wirefeed:test:b-old']);
  });
  describe('multi-row upserts stay under the bound-value limit in bytes', () => {
    /** The store over `handle`, every bound value of every statement recorded. */
    const spied = (handle: SqliteHandle): { store: Store; bound: SqlValue[] } => {
      const bound: SqlValue[] = [];
      const db: SqlDatabase = {
        ...handle.db,
        prepare: (sql) => {
          const statement = handle.db.prepare(sql);
          return { ...statement, bind: (...values: SqlValue[]) => (bound.push(...values), statement.bind(...values)) };
        },
      };
      return { store: createStore(db), bound };
    };
    const bytes = (value: SqlValue): number => (typeof value === 'string' ? new TextEncoder().encode(value).length : 0);
    const bodied = (id: string, body: string): ItemWrite =>
      itemWrite(newsItem(id, { bodies: [text(body)] }), { published: 1000 });

    // Lone surrogates never reach it: JSON.stringify writes them as escapes.
    it('counts UTF-8 bytes as an encoder does', () => {
      for (const sample of ['', 'plain', 'é', '漢字', '😀 emoji', 'mixed é 漢 😀 \u0001 "quoted"']) {
        expect(utf8Length(sample)).toBe(new TextEncoder().encode(sample).length);
      }
    });

    it('splits rows whose characters fit but whose bytes do not', async () => {
      const { handle } = open();
      const { store, bound } = spied(handle);
      await store.syncSources(sources);
      // 200,000 three-byte characters each: 400,000 UTF-16 characters together, 1.2 MB of UTF-8.
      const body = '漢'.repeat(200_000);
      await store.savePoll('a', [bodied('cjk-1', body), bodied('cjk-2', body)], state(10_000));
      expect(Math.max(...bound.map(bytes))).toBeLessThanOrEqual(ROW_BYTES_PER_STATEMENT);
      const stored = await store.listItems(all);
      expect(stored.map((s) => s.item.uri).sort()).toEqual(['urn:wirefeed:test:cjk-1', 'urn:wirefeed:test:cjk-2']);
      expect(stored.every((s) => s.item.bodies?.[0]?.value === body)).toBe(true);
    });

    it('binds a row larger than a chunk alone, and leaves out one larger than a stored row may be', async () => {
      const { handle } = open();
      const { store, bound } = spied(handle);
      await store.syncSources(sources);
      const large = bodied('large', '漢'.repeat(400_000)); // 1.2 MB: its own statement
      const huge = bodied('huge', '漢'.repeat(700_000)); // 2.1 MB: over D1's limit on a row
      const saved = await store.savePoll('a', [bodied('small', 'short'), large, huge], state(10_000));
      expect(saved.tooLarge).toEqual(['urn:wirefeed:test:huge']);
      expect(Math.max(...bound.map(bytes))).toBeLessThanOrEqual(MAX_ROW_BYTES);
      expect((await store.listItems(all)).map((s) => s.item.uri).sort()).toEqual(['urn:wirefeed:test:large', 'urn:wirefeed:test:small']);
      // The poll was saved: the next one of the same items changes nothing and fails nothing.
      const version = await store.dataVersion();
      expect((await store.savePoll('a', [bodied('small', 'short'), large, huge], state(20_000))).tooLarge).toEqual(['urn:wirefeed:test:huge']);
      expect(await store.dataVersion()).toBe(version);
      expect((await store.savePoll('a', [bodied('small', 'short')], state(30_000))).tooLarge).toEqual([]);
    });

    it('keeps the teaser a story too large to store would have replaced', async () => {
      const { handle } = open();
      const { store } = spied(handle);
      await store.syncSources(sources);
      await store.savePoll('a', [itemWrite(newsItem('teaser', { bodies: [] }), { partial: true })], state(10_000));
      const huge = { ...bodied('story', '漢'.repeat(700_000)), supersedes: ['urn:wirefeed:test:teaser'] };
      await store.savePoll('a', [huge], state(20_000));
      expect((await store.listItems(all)).map((s) => s.item.uri)).toEqual(['urn:wirefeed:test:teaser']);
    });
  });
});
