/** Atom 1.0 (RFC 4287), written with the `feed` package. */
import { Feed, type FeedOptions, type Item } from 'feed';
import type { PreparedItem } from './feed-item.ts';
import type { ItemFragments } from './prepared-items.ts';
import { GENERATOR, type PreparedFeed } from './feed-meta.ts';
import { addXmlLinks, markAttr, markCdata, markCdataAsText, markText, unmark } from './feed-xml.ts';

const ATOM_NS = 'http://www.w3.org/2005/Atom';
// `feed` types every entry title as HTML, which readers such as sfeed (and the XSL page) show with its entities
// undecoded. Titles go in behind this marker (NUL, which xmlSafe removed from all input) and come out as text,
// escaped rather than in CDATA (see markCdataAsText).
const TEXT_TITLE = '\u0000T\u0000';
const HTML_TITLE_OPEN = `<title type="html"><![CDATA[${TEXT_TITLE}`;

/**
 * Renders a prepared feed as an Atom 1.0 document. With `fragments`, each `<entry>` that depends on its prepared
 * item alone is written by `feed` once and kept there, and the document is the feed (written by `feed` around
 * one stand-in entry) with the entries in its place: the same bytes as writing every entry each time.
 */
export function renderAtom(feed: PreparedFeed, fragments?: ItemFragments): string {
  if (fragments && feed.items.length > 0 && keepsAtomEntries(feed.items)) return assembleAtom(feed, fragments);
  const out = new Feed(feedOptions(feed));
  for (const p of feed.items) out.addItem(atomEntry(p, feed.siteUrl));
  return finish(out.atom1(), feed, feed.items);
}

function feedOptions(feed: PreparedFeed): FeedOptions {
  const options: FeedOptions = {
    id: markText(feed.id),
    title: markText(feed.title),
    link: feed.siteUrl,
    updated: feed.updated,
    generator: GENERATOR,
    feedLinks: { atom: feed.selfUrl },
  };
  if (feed.description) options.description = markText(feed.description);
  // Atom wants an author on the feed when an entry has none.
  if (feed.items.some((p) => p.author === undefined)) options.author = { name: markText(feed.title) };
  return options;
}

function finish(written: string, feed: PreparedFeed, items: PreparedItem[]): string {
  const xml = unmark(written.split(HTML_TITLE_OPEN).join('<title type="text"><![CDATA['));
  const atom = fixEnclosureTypes(addLanguage(xml, feed.language), items);
  const open = atom.indexOf('<feed');
  return addXmlLinks(atom, atom.slice(open, atom.indexOf('>', open) + 1), 'link', feed.links);
}

function assembleAtom(feed: PreparedFeed, fragments: ItemFragments): string {
  const out = new Feed(feedOptions(feed));
  out.addItem({ title: '', id: 'urn:x', link: feed.siteUrl, date: new Date(0) });
  const doc = finish(out.atom1(), feed, []);
  const start = doc.lastIndexOf('<entry>');
  const end = doc.lastIndexOf('</entry>') + '</entry>'.length;
  const indent = doc.slice(doc.lastIndexOf('\n', start), start);
  // An entry without a link of its own links the site, which is the request's: such an entry is not kept.
  const entries = feed.items.map((p) => (keepsAtomEntry(p) ? fragments(p, 'atom', () => atomEntryFragment(p, feed.siteUrl)) : atomEntryFragment(p, feed.siteUrl)));
  return doc.slice(0, start) + entries.join(indent) + doc.slice(end);
}

/** One entry as `feed` writes it in a feed (the feed here has no other, so the only `<entry>` is this one). */
export function atomEntryFragment(p: PreparedItem, siteUrl: string): string {
  const out = new Feed({ id: '', title: '', copyright: '' });
  out.addItem(atomEntry(p, siteUrl));
  const xml = out.atom1();
  const entry = xml.slice(xml.indexOf('<entry>'), xml.lastIndexOf('</entry>') + '</entry>'.length);
  return fixEnclosureTypes(unmark(entry.split(HTML_TITLE_OPEN).join('<title type="text"><![CDATA[')), [p]);
}

/** True when a render of `items` with `fragments` keeps entries: not when two share a picture (their enclosure types are fixed together). */
export function keepsAtomEntries(items: PreparedItem[]): boolean {
  return !sharesPictures(items);
}

/** True when an entry is kept: it depends on its prepared item alone (one without a link links the request's site). */
export function keepsAtomEntry(p: PreparedItem): boolean {
  return p.link !== undefined;
}

// Enclosure types are fixed by picture URL, the first item's type for all: items sharing a picture URL are
// written together.
function sharesPictures(items: PreparedItem[]): boolean {
  const urls = new Set<string>();
  for (const p of items) {
    if (!p.picture?.type) continue;
    if (urls.has(p.picture.url)) return true;
    urls.add(p.picture.url);
  }
  return false;
}

function atomEntry(p: PreparedItem, siteUrl: string): Item {
  const item: Item = {
    // Atom needs an alternate link on an entry; the site stands in when the story has none of its own.
    link: p.link ?? siteUrl,
    title: TEXT_TITLE + markCdataAsText(p.title),
    id: p.id,
    date: p.updated,
    published: p.published,
  };
  if (p.summaryHtml) item.description = markCdata(p.summaryHtml);
  if (p.contentHtml) item.content = markCdata(p.contentHtml);
  if (p.categories.length) item.category = p.categories.map((term) => ({ term: markAttr(term) }));
  if (p.author) item.author = [{ name: markText(p.author) }];
  if (p.rights) item.copyright = markText(p.rights);
  // `feed` writes the enclosure type from the path's "extension", unescaped: a `&` in the path would make bad XML.
  if (p.picture?.type && !new URL(p.picture.url).pathname.includes('&')) item.image = p.picture.url;
  return item;
}

// `feed` has no option for the feed's language.
function addLanguage(xml: string, language: string | undefined): string {
  if (language === undefined) return xml;
  return xml.replace(`<feed xmlns="${ATOM_NS}"`, () => `<feed xmlns="${ATOM_NS}" xml:lang="${language}"`);
}

// `feed` types an Atom enclosure as "image/" + the URL's file extension; put the real type back (one pass).
function fixEnclosureTypes(xml: string, items: PreparedItem[]): string {
  const types = new Map<string, { ext: string; type: string }>();
  for (const p of items) {
    const pic = p.picture;
    if (!pic?.type) continue;
    const href = pic.url.replace(/&/g, '&amp;');
    if (!types.has(href)) types.set(href, { ext: new URL(pic.url).pathname.split('.').slice(-1)[0] ?? '', type: pic.type });
  }
  if (types.size === 0) return xml;
  return xml.replace(/<link rel="enclosure" href="([^"]*)" type="image\/([^"]*)"\/>/g, (link, href: string, ext: string) => {
    const known = types.get(href);
    return known && known.ext === ext ? `<link rel="enclosure" href="${href}" type="${known.type}"/>` : link;
  });
}
