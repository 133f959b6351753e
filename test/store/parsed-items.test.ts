import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteHandle } from '../../src/runtime/sqlite.ts';
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
});
