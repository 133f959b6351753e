/**
 * Renders news items as a feed: RSS 2.0 (`rss.ts`), Atom 1.0 (`atom.ts`) or JSON Feed 1.1 (`json-feed.ts`),
 * from the same prepared feed (`feed-meta.ts`, `feed-item.ts`).
 */
import type { NewsItem } from '../model.ts';
import { atomEntryFragment, keepsAtomEntries, keepsAtomEntry, renderAtom } from './atom.ts';
import { CONTENT_TYPES, feedUpdated, prepareFeed, type FeedMeta, type OutputFormat } from './feed-meta.ts';
import type { PreparedItem } from './feed-item.ts';
import { jsonItemFragment, renderJsonFeed } from './json-feed.ts';
import type { ItemFragments, PrepareItem } from './prepared-items.ts';
import { renderRss, rssItemFragment } from './rss.ts';

export { CONTENT_TYPES, type FeedMeta, type OutputFormat } from './feed-meta.ts';
export { webPage } from './feed-item.ts';

/**
 * Renders news items as an RSS 2.0, Atom 1.0 or JSON Feed 1.1 document. The output is well-formed
 * whatever the items hold: every text is stripped of characters XML forbids, HTML is sanitized, only
 * absolute http(s) links are kept, unusable dates fall back to a valid one, and the same input always
 * gives the same bytes. With a `cache` (the app's `PreparedItems`), each item version is prepared once, and its
 * RSS `<item>`, Atom `<entry>` and JSON Feed item written once, whatever the feeds that carry it. Throws a `TypeError` when `meta.siteUrl` or `meta.selfUrl` is not an absolute
 * http(s) URL.
 */
export function renderFeed(
  meta: FeedMeta,
  items: NewsItem[],
  format: OutputFormat,
  cache?: { prepare: PrepareItem; fragment: ItemFragments },
): { body: string; contentType: string } {
  const feed = prepareFeed(meta, items, cache?.prepare);
  const body = format === 'rss' ? renderRss(feed, cache?.fragment) : format === 'atom' ? renderAtom(feed, cache?.fragment) : renderJsonFeed(feed, cache?.fragment);
  return { body, contentType: CONTENT_TYPES[format] };
}

/** A cache of prepared items and their fragments that can say which it holds (the app's `PreparedItems`). */
export interface FragmentCache {
  prepare: PrepareItem;
  fragment: ItemFragments;
  has(item: NewsItem, feedUpdated: Date, format?: string): boolean;
}

/** How long the warm-up works between two pauses, and the clock it reads (default: 1 ms of `performance.now()`). */
export interface WarmSlice {
  ms: number;
  clock: () => number;
}

// A fresh item costs some tenths of a millisecond to prepare and as much to write: a slice of 1 ms is a few items.
const DEFAULT_SLICE: WarmSlice = { ms: 1, clock: () => performance.now() };

/**
 * Prepares and writes into `cache`, in slices of `slice.ms` with `pause()` between, the items of a feed that the
 * cache does not hold yet in `format`, so that `renderFeed` with the same arguments afterwards only assembles kept
 * fragments: a render of many new items then gives way to other work (requests served from the previous
 * representation) instead of holding the thread. The bytes `renderFeed` gives are the same with or without it.
 */
export async function warmFeed(
  meta: FeedMeta,
  items: NewsItem[],
  format: OutputFormat,
  cache: FragmentCache,
  pause: () => Promise<void>,
  slice: WarmSlice = DEFAULT_SLICE,
): Promise<void> {
  // Every item is prepared with the whole feed's date, as the feed's own render prepares it.
  const updated = feedUpdated(meta, items);
  let sliceStart = slice.clock();
  let first = true;
  // Before each item but the first: whether the slice has run its time (then the caller pauses, see `rest`).
  const due = (): boolean => {
    if (first) {
      first = false;
      return false;
    }
    return slice.clock() - sliceStart >= slice.ms;
  };
  const rest = async (): Promise<void> => {
    await pause();
    sliceStart = slice.clock();
  };
  for (const item of items) {
    if (cache.has(item, updated)) continue;
    if (due()) await rest();
    cache.prepare(item, updated);
  }
  // Every item is prepared now: the feed comes from the cache, and each missing fragment is written as its render writes it.
  const feed = prepareFeed({ ...meta, updated }, items, cache.prepare);
  const atom = format === 'atom';
  if (atom && !keepsAtomEntries(feed.items)) return;
  for (let k = 0; k < feed.items.length; k++) {
    const p = feed.items[k]!;
    if ((atom && !keepsAtomEntry(p)) || cache.has(items[k]!, updated, format)) continue;
    if (due()) await rest();
    cache.fragment(p, format, () => fragmentOf(p, format, feed.siteUrl));
  }
}

/** An item's fragment in a format, as that format's render writes it. */
function fragmentOf(p: PreparedItem, format: OutputFormat, siteUrl: string): string {
  return format === 'rss' ? rssItemFragment(p) : format === 'atom' ? atomEntryFragment(p, siteUrl) : jsonItemFragment(p);
}
