/**
 * Items prepared for rendering, kept per item object: an item listed by the store is deeply frozen and the
 * same object for the same stored row state (see `ParsedItems` in `store/store.ts`), so its preparation
 * (headline and lede to text, HTML sanitized, links and dates checked) is done once per item version instead
 * of once per render, and shared by every feed, filter and format that carries it.
 */
import type { NewsItem } from '../model.ts';
import { parseDate, prepareItem, publishedTime, type PreparedItem } from './feed-item.ts';

/** A function that prepares an item as `prepareItem` does. */
export type PrepareItem = (item: NewsItem, feedUpdated: Date) => PreparedItem;

/**
 * An item's rendered part of a document in one format (e.g. its RSS `<item>`), by prepared item: `render`
 * runs once per prepared item and format when the cache may keep it.
 */
export type ItemFragments = (item: PreparedItem, format: string, render: () => string) => string;

/**
 * Prepared items by item object. Bounded by what holds the items: entries are weak, so they last as long as
 * the store's memo (or a listing) keeps the item. Only frozen items are kept (an item that can change is
 * prepared afresh every time). Nothing in a prepared item depends on the request: the feed's date, which
 * stands in for an item's missing dates, is part of the entry when the item needs it.
 */
export class PreparedItems {
  readonly #byItem = new WeakMap<NewsItem, { feedTime: number | undefined; prepared: PreparedItem }>();
  readonly #fragments = new WeakMap<PreparedItem, Map<string, string>>();
  #hits = 0;
  #misses = 0;

  /** The item prepared for a feed dated `feedUpdated`, from the cache or prepared once. */
  readonly prepare: PrepareItem = (item, feedUpdated) => {
    if (!Object.isFrozen(item)) return prepareItem(item, feedUpdated);
    const feedTime = usesFeedDate(item) ? feedUpdated.getTime() : undefined;
    const hit = this.#byItem.get(item);
    if (hit !== undefined && hit.feedTime === feedTime) {
      this.#hits++;
      return hit.prepared;
    }
    this.#misses++;
    const prepared = freeze(prepareItem(item, feedUpdated));
    this.#byItem.set(item, { feedTime, prepared });
    return prepared;
  };

  /**
   * A prepared item's fragment in `format`, rendered once per prepared item this cache made (whatever the
   * feed: a fragment must depend on the prepared item alone); others are rendered every time.
   */
  readonly fragment: ItemFragments = (item, format, render) => {
    if (!Object.isFrozen(item)) return render();
    let byFormat = this.#fragments.get(item);
    if (byFormat === undefined) this.#fragments.set(item, (byFormat = new Map()));
    let text = byFormat.get(format);
    if (text === undefined) byFormat.set(format, (text = render()));
    return text;
  };

  /** Preparations answered from the cache, and done. */
  get stats(): { hits: number; misses: number } {
    return { hits: this.#hits, misses: this.#misses };
  }
}

/** Whether `prepareItem` dates the item by the feed's date: it has no date of its own for that. */
function usesFeedDate(item: NewsItem): boolean {
  return item.pubStatus === 'canceled' ? parseDate(item.versionCreated) === undefined || publishedTime(item) === undefined : publishedTime(item) === undefined;
}

function freeze(p: PreparedItem): PreparedItem {
  Object.freeze(p.categories);
  if (p.picture) Object.freeze(p.picture);
  return Object.freeze(p);
}
