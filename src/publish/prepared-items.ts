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

interface Entry {
  item: NewsItem;
  feedTime: number | undefined;
  prepared: PreparedItem;
  fragments: Map<string, string>;
  chars: number;
}

/**
 * Prepared items by item object, with their rendered fragments, least recently used out first, bounded by
 * entries and by the characters they hold (the item's own, which the entry keeps alive, included). Only frozen
 * items are kept (an item that can change is prepared afresh every time). Nothing in a prepared item depends on
 * the request: the feed's date, which stands in for an item's missing dates, is part of the entry when the item
 * needs it.
 */
export class PreparedItems {
  readonly #entries = new Map<NewsItem, Entry>();
  readonly #byPrepared = new WeakMap<PreparedItem, Entry>();
  #chars = 0;
  #hits = 0;
  #misses = 0;
  constructor(readonly maxEntries = 5000, readonly maxChars = 16_000_000) {}

  /** The item prepared for a feed dated `feedUpdated`, from the cache or prepared once. */
  readonly prepare: PrepareItem = (item, feedUpdated) => {
    if (!Object.isFrozen(item)) return prepareItem(item, feedUpdated);
    const feedTime = usesFeedDate(item) ? feedUpdated.getTime() : undefined;
    const hit = this.#entries.get(item);
    if (hit !== undefined && hit.feedTime === feedTime) {
      this.#hits++;
      this.#entries.delete(item);
      this.#entries.set(item, hit);
      return hit.prepared;
    }
    this.#misses++;
    if (hit !== undefined) this.#drop(hit);
    const prepared = freeze(prepareItem(item, feedUpdated));
    const entry: Entry = { item, feedTime, prepared, fragments: new Map(), chars: charsOf(prepared) + textIn(item) };
    this.#entries.set(item, entry);
    this.#byPrepared.set(prepared, entry);
    this.#chars += entry.chars;
    this.#evict();
    return prepared;
  };

  /**
   * A prepared item's fragment in `format`, rendered once while this cache keeps the item it prepared (whatever
   * the feed: a fragment must depend on the prepared item alone); others are rendered every time.
   */
  readonly fragment: ItemFragments = (item, format, render) => {
    const entry = this.#byPrepared.get(item);
    if (entry === undefined || this.#entries.get(entry.item) !== entry) return render();
    let text = entry.fragments.get(format);
    if (text === undefined) {
      entry.fragments.set(format, (text = render()));
      entry.chars += text.length;
      this.#chars += text.length;
      this.#evict();
    }
    return text;
  };

  /**
   * True when the item is kept prepared for a feed dated `feedUpdated`, and with `format`, when kept with its
   * fragment in that format too: a render that carries it prepares (and writes) nothing for it.
   */
  has(item: NewsItem, feedUpdated: Date, format?: string): boolean {
    const hit = this.#entries.get(item);
    if (hit === undefined || hit.feedTime !== (usesFeedDate(item) ? feedUpdated.getTime() : undefined)) return false;
    return format === undefined || hit.fragments.has(format);
  }

  /** Preparations answered from the cache, and done. */
  get stats(): { hits: number; misses: number } {
    return { hits: this.#hits, misses: this.#misses };
  }

  /** Items kept, and the characters they hold (prepared texts and fragments). */
  get size(): { entries: number; chars: number } {
    return { entries: this.#entries.size, chars: this.#chars };
  }

  #drop(entry: Entry): void {
    this.#entries.delete(entry.item);
    this.#chars -= entry.chars;
  }

  #evict(): void {
    for (const entry of this.#entries.values()) {
      if (this.#entries.size <= this.maxEntries && this.#chars <= this.maxChars) break;
      this.#drop(entry);
    }
  }
}

/** The characters of every string in an item (the entry keeps the item alive, whatever of it a format renders). */
function textIn(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (typeof value !== 'object' || value === null) return 0;
  let n = 0;
  for (const v of Array.isArray(value) ? value : Object.values(value)) n += textIn(v);
  return n;
}

function charsOf(p: PreparedItem): number {
  let n = p.id.length + p.title.length + (p.link?.length ?? 0);
  for (const s of [p.summaryHtml, p.summaryText, p.contentHtml, p.descriptionHtml]) n += s?.length ?? 0;
  return n;
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
