/**
 * The store's `q=` search (the trigram index of migration 0010) as one table of cases, run on SQLite
 * (test/store/search.test.ts) and on D1 in workerd (test/worker/search.test.ts). Pure: types only from src/.
 */
import { expect, it } from 'vitest';
import type { SourceConfig } from '../../src/model.ts';
import type { SqlDatabase } from '../../src/store/sql.ts';
import type { ItemQuery, ItemWrite, Store } from '../../src/store/store.ts';
import { itemWrite, newsItem, text } from './items.ts';

/** A store over a migrated database, and the database (to read the index itself). */
export interface SearchHarness {
  store: Store;
  db: SqlDatabase;
}

const source: SourceConfig = { id: 'search', url: 'https://search.example/feed', title: 'Search', interval: 15, categories: [], allowPrivateNetwork: false };
const state = (at: number) => ({ etag: null, lastModified: null, fetchedAt: at, nextFetchAt: at + 900_000 });
const query = (words: string[], over: Partial<ItemQuery> = {}): ItemQuery => ({ categoryGroups: [], excludeCategories: [], sources: ['search'], limit: 50, words, ...over });

function story(key: string, headline: string, body: string | null, summary: string | null = null, categories: string[] = []): ItemWrite {
  const item = newsItem(`search-${key}`, {
    headlines: [text(headline)],
    ...(body ? { bodies: [text(body, 'main', 'text/html')] } : {}),
    ...(summary ? { descriptions: [text(summary, 'summary')] } : {}),
    subjects: categories.map((name) => ({ name })),
  });
  return itemWrite(item, { published: Date.UTC(2026, 4, 1) + Number(key.replace(/\D/g, '') || 0) * 60_000 });
}

const STORIES = [
  story('1', 'Council votes on the wildfire plan', '<p>The mayor said the plan would pass.</p>', null, ['Politics']),
  story('2', 'Flood waters rise in the valley', null, 'The Bow River crested overnight.', ['Weather']),
  story('3', 'Café reopens', '<p>The éclair is back on the menu, the owner said.</p>', null, ['Food']),
  story('4', 'Ferry fares rise', '<p>Fares rose by a tenth &amp; the council objected.</p>', null, ['Politics']),
];

const uris = async (store: Store, q: ItemQuery): Promise<string[]> => (await store.listItems(q)).map((s) => s.item.uri.replace('urn:wirefeed:test:', '')).sort();
const indexed = async (db: SqlDatabase, words: string): Promise<number> =>
  (await db.prepare('SELECT count(*) AS n FROM items_search WHERE items_search MATCH ?1').bind(words).first<{ n: number }>())!.n;

/** Declares the search cases; `open` gives a fresh harness (its database migrated, no items). */
export function searchCases(open: () => Promise<SearchHarness>): void {
  const seeded = async (): Promise<SearchHarness> => {
    const h = await open();
    await h.store.syncSources([source]);
    await h.store.savePoll('search', STORIES, state(Date.UTC(2026, 4, 2)));
    return h;
  };

  it.each([
    ['a word of the headline', ['council'], ['search-1', 'search-4']],
    ['a word of the body', ['mayor'], ['search-1']],
    ['a word of the summary', ['crested'], ['search-2']],
    ['part of a word, as the filter matches', ['fire'], ['search-1']],
    ['every word, in any field', ['council', 'fares'], ['search-4']],
    ['any case, non-ASCII too', ['ÉCLAIR'], ['search-3']],
    ['accents as written (the filter keeps them)', ['eclair'], []],
    ['no match', ['zeppelin'], []],
    ['no match for one of the words', ['council', 'zeppelin'], []],
  ])('lists only candidates: %s', async (_name, words, expected) => {
    const { store } = await seeded();
    expect(await uris(store, query(words))).toEqual(expected);
  });

  it('leaves words the index cannot answer to the caller (two letters, an escaped character)', async () => {
    const { store } = await seeded();
    expect(await uris(store, query(['on']))).toHaveLength(STORIES.length);
    expect(await uris(store, query(['tenth', '&']))).toEqual(['search-4']);
  });

  it('applies the other filters and the paging cursor to the candidates', async () => {
    const { store } = await seeded();
    expect(await uris(store, query(['council'], { categoryGroups: [['politics']] }))).toEqual(['search-1', 'search-4']);
    expect(await uris(store, query(['council'], { categoryGroups: [['weather']] }))).toEqual([]);
    const [newest] = await store.listItems(query(['council'], { limit: 1 }));
    expect(newest!.item.uri).toMatch(/search-4$/);
    const next = await store.listItems(query(['council'], { limit: 1, before: { key: newest!.published, id: newest!.item.uri } }));
    expect(next.map((s) => s.item.uri)).toEqual([newest!.item.uri.replace('search-4', 'search-1')]);
  });

  it('keeps the index in step with changed and removed items', async () => {
    const { store, db } = await seeded();
    expect(await indexed(db, '"wil" "ldf" "ire"')).toBe(1);
    // The story changes its headline: the new words are found, the old ones no longer.
    const changed = story('1', 'Council delays the zeppelin plan', '<p>The mayor said the plan would wait.</p>', null, ['Politics']);
    await store.savePoll('search', [changed, ...STORIES.slice(1)], state(Date.UTC(2026, 4, 3)));
    expect(await uris(store, query(['zeppelin']))).toEqual(['search-1']);
    expect(await uris(store, query(['wildfire']))).toEqual([]);
    expect(await indexed(db, '"wil" "ldf" "ire"')).toBe(0);
    // Retention removes what the poll no longer carries: its index rows go with it.
    await store.savePoll('search', [STORIES[1]!], state(Date.UTC(2026, 4, 4)), { maxAgeMs: 0, maxItems: 1 });
    expect(await uris(store, query(['council']))).toEqual([]);
    expect(await indexed(db, '"cou" "unc" "nci" "cil"')).toBe(0);
    expect(await indexed(db, '"cre" "res" "est" "ted"')).toBe(1);
  });
}
