import type { StoredItem, Store } from '../store/store.ts';
import { encodeCursor, type FeedRequest } from './filter.ts';

/** The most stored items one request may look at when filters run outside the store. */
export const MAX_SCAN = 5000;

/** A page of a feed, and the cursor of the next page when there is more. */
export interface FeedPage {
  items: StoredItem[];
  next: string | null;
}

/**
 * Reads one page of a feed: the store query, then the request's text and pattern tests in pages of the
 * store's order, until the page is full, the store is exhausted, or `maxScan` items were looked at (then
 * the cursor continues from the last one looked at, so a client can go on).
 */
export async function collectPage(store: Store, request: FeedRequest, maxScan = MAX_SCAN): Promise<FeedPage> {
  const { query, predicate } = request;
  const keyOf = (s: StoredItem): number => (query.order === 'ingested' ? s.firstSeen : s.published);
  const cursorOf = (s: StoredItem): string => encodeCursor(keyOf(s), s.item.uri);
  if (!predicate) {
    const rows = await store.listItems({ ...query, limit: query.limit + 1 });
    const items = rows.slice(0, query.limit);
    return { items, next: rows.length > query.limit && items.length ? cursorOf(items.at(-1)!) : null };
  }
  const pageSize = Math.min(Math.max(query.limit * 2, 100), 500);
  const items: StoredItem[] = [];
  let before = query.before ?? null;
  let scanned = 0;
  for (;;) {
    const rows = await store.listItems({ ...query, limit: pageSize, before });
    for (const row of rows) {
      scanned++;
      if (predicate(row.item)) {
        if (items.length === query.limit) return { items, next: cursorOf(items.at(-1)!) };
        items.push(row);
      }
      before = { key: keyOf(row), id: row.item.uri };
      if (scanned >= maxScan) {
        return { items, next: rows.length === pageSize || row !== rows.at(-1) ? encodeCursor(before.key, before.id) : null };
      }
    }
    if (rows.length < pageSize) return { items, next: null };
  }
}
