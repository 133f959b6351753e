/**
 * Renders news items as a feed: RSS 2.0 (`rss.ts`), Atom 1.0 (`atom.ts`) or JSON Feed 1.1 (`json-feed.ts`),
 * from the same prepared feed (`feed-meta.ts`, `feed-item.ts`).
 */
import type { NewsItem } from '../model.ts';
import { renderAtom } from './atom.ts';
import { CONTENT_TYPES, prepareFeed, type FeedMeta, type OutputFormat } from './feed-meta.ts';
import { renderJsonFeed } from './json-feed.ts';
import type { ItemFragments, PrepareItem } from './prepared-items.ts';
import { renderRss } from './rss.ts';

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
