/** JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), written directly. */
import type { PreparedItem } from './feed-item.ts';
import type { PreparedFeed } from './feed-meta.ts';
import type { ItemFragments } from './prepared-items.ts';

/**
 * Renders a prepared feed as a JSON Feed 1.1 document, indented by two spaces. With `fragments`, each item's
 * JSON is written once per prepared item and kept there, then put in the document's `items` as
 * `JSON.stringify` would have: the same bytes.
 */
export function renderJsonFeed(feed: PreparedFeed, fragments?: ItemFragments): string {
  const doc: Record<string, unknown> = {
    version: 'https://jsonfeed.org/version/1.1',
    title: feed.title,
    home_page_url: feed.homeUrl,
    feed_url: feed.selfUrl,
  };
  if (feed.description) doc.description = feed.description;
  if (feed.language !== undefined) doc.language = feed.language;
  if (feed.links.next) doc.next_url = feed.links.next;
  if (feed.links.hub) doc.hubs = [{ type: 'WebSub', url: feed.links.hub }];
  if (!fragments || feed.items.length === 0) {
    doc.items = feed.items.map(jsonItem);
    return JSON.stringify(doc, null, 2);
  }
  // `items` is the document's last member: a stand-in array of one number marks where the items go.
  doc.items = [0];
  const head = JSON.stringify(doc, null, 2);
  const at = head.lastIndexOf(STAND_IN);
  const items = feed.items.map((p) => fragments(p, 'json', () => jsonItemFragment(p)));
  return `${head.slice(0, at + ITEM_LINE.length)}${items.join(`,${ITEM_LINE}`)}${head.slice(at + STAND_IN.length - ARRAY_END.length)}`;
}

// An item in `items` is indented by four spaces (the document's members by two); JSON text has no raw line breaks.
const ITEM_LINE = '\n    ';
const ARRAY_END = '\n  ]';
const STAND_IN = `${ITEM_LINE}0${ARRAY_END}`;

/** One item as it stands in the document's `items`, indented as there. */
export function jsonItemFragment(p: PreparedItem): string {
  return JSON.stringify(jsonItem(p), null, 2).replace(/\n/g, ITEM_LINE);
}

function jsonItem(p: PreparedItem): Record<string, unknown> {
  const html = p.contentHtml ?? p.summaryHtml;
  const item: Record<string, unknown> = { id: p.id };
  if (html !== undefined) item.content_html = html;
  if (p.link) item.url = p.link;
  if (p.title) item.title = p.title;
  if (p.summaryText && html !== undefined) item.summary = p.summaryText;
  if (p.picture) item.image = p.picture.url;
  item.date_modified = p.updated.toISOString();
  item.date_published = p.published.toISOString();
  if (p.author) item.author = { name: p.author };
  if (p.categories.length) item.tags = p.categories;
  // JSON Feed 1.1 lists authors; `author` stays for 1.0 readers.
  if (p.author) item.authors = [{ name: p.author }];
  // Every item needs content_html or content_text.
  if (html === undefined) item.content_text = p.summaryText ?? '';
  return item;
}
