import { describe, expect, it } from 'vitest';
import type { NewsItem } from '../../src/model.ts';
import { applyMigrations, MIGRATIONS_DIR, wrapSqlite } from '../../src/runtime/sqlite.ts';
import { createStore, type ItemQuery } from '../../src/store/store.ts';
import { itemWrite, newsItem, text } from '../support/items.ts';
import { databaseBefore } from '../support/old-database.ts';

// Migration 0013 keeps what the rights rules read (headline start, embargoed, expires) in columns: rows stored
// before it are filled in, and every later write keeps them true.

const NOW = Date.UTC(2026, 10, 20, 12, 0);
const HOUR = 3_600_000;
const all: ItemQuery = { categoryGroups: [], excludeCategories: [], sources: [], limit: 20, now: NOW };
const headlineOf = (s: { item: NewsItem }) => s.item.headlines?.[0]?.value;

describe('rights columns (migration 0013)', () => {
  it('fills them for rows stored before it, and a new version of a story moves them', async () => {
    const { raw, later } = databaseBefore('0013_');
    try {
      raw.prepare(`INSERT INTO sources (id, url, title) VALUES ('s', 'https://s.example/feed', 'S')`).run();
      const stories: Array<[string, Partial<NewsItem>]> = [
        ['Council meets', {}],
        ['advisory: budget coverage plans', {}],
        ['Editors: Not for publication', {}],
        ['Held', { embargoed: new Date(NOW + HOUR).toISOString() }],
        ['Released', { embargoed: new Date(NOW - HOUR).toISOString() }],
        ['Expired', { expires: new Date(NOW - HOUR).toISOString() }],
        ['Current', { expires: new Date(NOW + HOUR).toISOString() }],
      ];
      // The rows as the release before wrote them.
      const insert = raw.prepare(
        `INSERT INTO items (id, source_id, link, published, first_seen, updated, content_hash, data) VALUES (?, 's', NULL, ?, ?, ?, ?, ?)`,
      );
      stories.forEach(([headline, over], i) => {
        const { version: _v, firstCreated: _f, versionCreated: _c, ...content } = newsItem(`old-${i}`, { headlines: [text(headline)], ...over });
        insert.run(content.uri, NOW - 1000 * (i + 1), NOW - 10_000, NOW - 10_000, `h${i}`, JSON.stringify(content));
      });

      expect(applyMigrations(raw, MIGRATIONS_DIR)).toEqual(later);
      const store = createStore(wrapSqlite(raw));
      expect((await store.listItems(all)).map(headlineOf)).toEqual(['Council meets', 'Released', 'Current']);
      // Without a time, only the time-free rules hold items back.
      expect((await store.listItems({ ...all, now: undefined })).map(headlineOf)).toEqual(['Council meets', 'Held', 'Released', 'Expired', 'Current']);

      // New versions: the advisory becomes a story, the held one is released, the current one expires.
      const state = { etag: null, lastModified: null, fetchedAt: NOW, nextFetchAt: 0 };
      const write = (i: number, headline: string, over: Partial<NewsItem> = {}) =>
        itemWrite(newsItem(`old-${i}`, { headlines: [text(headline)], ...over }), { published: NOW - 1000 * (i + 1), categories: [] });
      await store.syncSources([{ id: 's', url: 'https://s.example/feed', title: 'S', interval: 15, categories: [], allowPrivateNetwork: false }]);
      await store.savePoll('s', [
        write(1, 'Budget coverage: what to expect'),
        write(3, 'Held', { embargoed: new Date(NOW - 1).toISOString() }),
        write(6, 'Current', { expires: new Date(NOW - 1).toISOString() }),
      ], state);
      expect((await store.listItems(all)).map(headlineOf)).toEqual(['Council meets', 'Budget coverage: what to expect', 'Held', 'Released']);
      const columns = raw.prepare(`SELECT headline_start, embargoed, expires FROM items WHERE id = ?`);
      expect(columns.get(newsItem('old-2').uri)).toEqual({ headline_start: 'EDITORS: NOT FOR PUBLICATION', embargoed: null, expires: null });
    } finally {
      raw.close();
    }
  });
});
