/** RSS 2.0, written with the `feed` package, with Dublin Core authors and Media RSS pictures. */
import { Feed, type Extension, type FeedOptions, type Item } from 'feed';
import type { PreparedItem } from './feed-item.ts';
import type { ItemFragments } from './prepared-items.ts';
import { GENERATOR, type PreparedFeed } from './feed-meta.ts';
import { addXmlLinks, markAttr, markCdata, markCdataAsText, markText, unmark } from './feed-xml.ts';

const NS = {
  dc: 'http://purl.org/dc/elements/1.1/',
  content: 'http://purl.org/rss/1.0/modules/content/',
  atom: 'http://www.w3.org/2005/Atom',
  media: 'http://search.yahoo.com/mrss/',
};

/**
 * Renders a prepared feed as an RSS 2.0 document. With `fragments`, each `<item>` is written by `feed` once per
 * prepared item and kept there, and the document is the channel (written by `feed` around one stand-in item)
 * with the items' kept fragments in its place: the same bytes as writing every item each time.
 */
export function renderRss(feed: PreparedFeed, fragments?: ItemFragments): string {
  if (fragments && feed.items.length > 0) return assembleRss(feed, fragments);
  const out = new Feed(channelOptions(feed));
  for (const p of feed.items) out.addItem(rssItem(p));
  return addXmlLinks(declareNamespaces(unmark(out.rss2())), '<channel>', 'atom:link', feed.links);
}

// The channel is written around one stand-in item, which says `content:encoded` when a real item does (that
// is what makes `feed` declare its namespaces, and where), and is then replaced by the items' fragments.
function assembleRss(feed: PreparedFeed, fragments: ItemFragments): string {
  const withContent = feed.items.some((p) => p.contentHtml !== undefined);
  const standIn: Item = { title: '', link: '', date: new Date(0), ...(withContent ? { content: '-' } : {}) };
  const channel = renderChannel(feed, standIn);
  const start = channel.lastIndexOf('<item>');
  const end = channel.lastIndexOf('</item>') + '</item>'.length;
  const indent = channel.slice(channel.lastIndexOf('\n', start), start);
  const items = feed.items.map((p) => fragments(p, 'rss', () => rssItemFragment(p)));
  return channel.slice(0, start) + items.join(indent) + channel.slice(end);
}

function renderChannel(feed: PreparedFeed, standIn: Item): string {
  const out = new Feed(channelOptions(feed));
  out.addItem(standIn);
  return addXmlLinks(declareNamespaces(unmark(out.rss2())), '<channel>', 'atom:link', feed.links);
}

/** One item as `feed` writes it in a channel (the channel here is empty, so the only `<item>` is this one). */
export function rssItemFragment(p: PreparedItem): string {
  const out = new Feed({ id: '', title: '', copyright: '' });
  out.addItem(rssItem(p));
  const xml = out.rss2();
  return unmark(xml.slice(xml.indexOf('<item>'), xml.lastIndexOf('</item>') + '</item>'.length));
}

function channelOptions(feed: PreparedFeed): FeedOptions {
  const options: FeedOptions = {
    id: markText(feed.id),
    title: markText(feed.title),
    link: feed.siteUrl,
    updated: feed.updated,
    generator: GENERATOR,
    feedLinks: { rss: feed.selfUrl },
    // RSS requires a channel description; the title stands in.
    description: markText(feed.description || feed.title),
  };
  if (feed.language !== undefined) options.language = feed.language;
  return options;
}

function rssItem(p: PreparedItem): Item {
  const item: Item = { title: '', link: p.link ?? '', date: p.published, published: p.published };
  if (p.title) item.title = markCdataAsText(p.title);
  item.guid = markText(p.id);
  // Every item has a description (readers such as rsstail show only that); `feed` writes it before content:encoded.
  if (p.descriptionHtml) item.description = markCdata(p.descriptionHtml);
  if (p.contentHtml) item.content = markCdata(p.contentHtml);
  if (p.categories.length) item.category = p.categories.map((name) => ({ name: markText(name) }));
  const extensions: Extension[] = [];
  if (p.author) extensions.push({ name: 'dc:creator', objects: { _text: markText(p.author) } });
  if (p.picture) {
    const pic = p.picture;
    if (pic.type) item.image = { url: pic.url, type: pic.type, length: 0 };
    const media: Record<string, unknown> = {
      _attributes: { url: markAttr(pic.url), medium: 'image', type: pic.type, width: pic.width, height: pic.height },
    };
    if (pic.caption) media['media:description'] = { _attributes: { type: 'plain' }, _text: markText(pic.caption) };
    if (pic.credit) media['media:credit'] = { _text: markText(pic.credit) };
    extensions.push({ name: 'media:content', objects: media });
  }
  if (extensions.length) item.extensions = extensions;
  return item;
}

// `feed` declares only the namespaces it uses itself; the item extensions (dc:, media:) need theirs too.
function declareNamespaces(xml: string): string {
  const start = xml.indexOf('<rss ');
  const end = xml.indexOf('>', start);
  if (start < 0 || end < 0) return xml;
  let root = xml.slice(start, end);
  for (const [prefix, uri] of Object.entries(NS)) {
    if (!root.includes(`xmlns:${prefix}=`)) root += ` xmlns:${prefix}="${uri}"`;
  }
  return xml.slice(0, start) + root + xml.slice(end);
}
