import type { XNode } from '../xml/tree.ts';
import type { FeedFormat, RawEnclosure, RawEntry, RawFeed } from '../../model.ts';
import { clean, emptyEntry, joinNames, parseLength, personName, uniqueStrings } from './field-values.ts';
import { mediaTextNode, mergeEnclosures, readMedia } from './media-rss.ts';
import { baseOf, firstDate, firstNode, firstText, kids, nodeAttr, nodeText } from './nodes.ts';
import { asHtml, asText, textConstruct, type TextConstruct } from './text-construct.ts';
import { absolutizeHtml, cleanUrl, feedBase } from './urls.ts';

function pushTexts(out: string[], nodes: readonly XNode[]): void {
  for (let k = 0; k < nodes.length; k++) out.push(nodeText(nodes[k]));
}

function rssCategories(holder: XNode): string[] {
  const values: string[] = [];
  // <tags>a, b</tags> is a made-up element some generators write; feedparser reads it, so do we.
  const tags = kids(holder, 'tags');
  for (let k = 0; k < tags.length; k++) for (const tag of nodeText(tags[k]).split(',')) values.push(tag);
  pushTexts(values, kids(holder, 'category'));
  pushTexts(values, kids(holder, 'dc:subject'));
  return uniqueStrings(values);
}

/** A person element's name: its text, else (`<author><name>…</name></author>`, Atom's shape in RSS) its name or email child. */
function rssPerson(node: XNode): string | null {
  const text = nodeText(node);
  if (clean(text) !== null) return personName(text);
  const name = firstText(node, 'name', 'atom:name');
  return name !== null ? personName(name) : firstText(node, 'email', 'atom:email');
}

function rssAuthor(holder: XNode, ...names: string[]): string | null {
  const people: Array<string | null> = [];
  for (let n = 0; n < names.length; n++) {
    const nodes = kids(holder, names[n]!);
    for (let k = 0; k < nodes.length; k++) people.push(rssPerson(nodes[k]!));
  }
  return joinNames(people);
}

/** The item's or channel's authors; podcasts name theirs only in `itunes:author`, feeds mixing vocabularies in `atom:author`. */
function rssAuthors(holder: XNode, ...names: string[]): string | null {
  return rssAuthor(holder, ...names) ?? rssAuthor(holder, 'atom:author') ?? rssAuthor(holder, 'itunes:author');
}

/** The item's summary: RSS's, else iTunes' or Atom's, else (video feeds such as YouTube's) the Media RSS description of the item. */
function rssSummary(item: XNode): { node: XNode | undefined; text: TextConstruct | null } {
  const node = firstNode(item, 'description', 'dc:description', 'summary', 'itunes:summary');
  if (node !== undefined) return { node, text: textConstruct(node, 'html') };
  const atom = firstNode(item, 'atom:summary');
  if (atom !== undefined) return { node: atom, text: textConstruct(atom, 'text') };
  const media = mediaTextNode(item, 'media:description');
  return { node: media, text: textConstruct(media, 'text') };
}

/** RSS title: text, unless it was written with inline markup. */
function rssTitle(holder: XNode): string | null {
  const node = firstNode(holder, 'title', 'dc:title');
  return asText(textConstruct(node, 'text'));
}

/** Maps a canonical RSS 0.9x/2.0 or RDF tree (its channel and its items) onto `RawFeed`. */
export function mapRss(out: XNode, items: readonly XNode[], format: FeedFormat, url: string | null): RawFeed {
  const linkNode = firstNode(out, 'link');
  const link = cleanUrl(nodeText(linkNode), baseOf(linkNode, url));
  const fallbackBase = feedBase(link, url);
  const entries = items.map((item): RawEntry => {
    const itemLinkNode = firstNode(item, 'link');
    const guidNode = firstNode(item, 'guid');
    const guid = clean(nodeText(guidNode));
    let itemLink = cleanUrl(nodeText(itemLinkNode), baseOf(itemLinkNode, fallbackBase));
    // A guid is the permalink unless isPermaLink="false" (RSS 2.0), when it looks like a URL.
    if (itemLink === null && guid !== null && nodeAttr(guidNode, 'isPermaLink')?.trim().toLowerCase() !== 'false' && /^https?:\/\//i.test(guid)) {
      itemLink = cleanUrl(guid, null);
    }
    const enclosures: RawEnclosure[] = [];
    for (const node of kids(item, 'enclosure')) {
      const encUrl = cleanUrl(nodeAttr(node, 'url'), baseOf(node, fallbackBase));
      if (encUrl) enclosures.push({ url: encUrl, type: clean(nodeAttr(node, 'type')), length: parseLength(nodeAttr(node, 'length')) });
    }
    const media = readMedia(item, fallbackBase);
    const summary = rssSummary(item);
    const rssContent = firstNode(item, 'content:encoded', 'xhtml:body', 'fullitem');
    // Items mixing in Atom's vocabulary carry their body in atom:content, or a bare <content> (text unless typed).
    const contentNode = rssContent ?? firstNode(item, 'atom:content', 'content');
    const contentDefault = rssContent ? 'html' : 'text';
    const about = clean(nodeAttr(item, 'rdf:about'));
    return {
      id: guid ?? about,
      // An item without a title of its own (a video or photo feed) is called by its Media RSS title.
      title: rssTitle(item) ?? asText(textConstruct(mediaTextNode(item, 'media:title'), 'text')),
      link: itemLink,
      // Items that mix in Atom's vocabulary date themselves with atom:published/updated, or bare <modified>.
      published: firstDate(item, 'pubDate', 'dcterms:issued', 'atom:published', 'atom:issued', 'published', 'issued'),
      updated: firstDate(item, 'dc:date', 'dcterms:modified', 'atom:updated', 'atom:modified', 'updated', 'modified', 'lastBuildDate'),
      author: rssAuthors(item, 'author', 'dc:creator', 'dc:author'),
      categories: rssCategories(item),
      summary: absolutizeHtml(asHtml(summary.text), baseOf(summary.node, fallbackBase)),
      content: absolutizeHtml(asHtml(textConstruct(contentNode, contentDefault)), baseOf(contentNode, fallbackBase)),
      enclosures: mergeEnclosures(enclosures, media, item, fallbackBase),
      media,
    };
  });
  const descriptionNode = firstNode(out, 'description', 'dc:description');
  return {
    format,
    title: rssTitle(out),
    link,
    description: absolutizeHtml(asHtml(textConstruct(descriptionNode, 'html')), baseOf(descriptionNode, fallbackBase)),
    id: null,
    author: rssAuthors(out, 'managingEditor', 'dc:creator', 'dc:author', 'author'),
    categories: rssCategories(out),
    published: firstDate(out, 'pubDate', 'dcterms:issued', 'atom:published'),
    updated: firstDate(out, 'lastBuildDate', 'dc:date', 'dcterms:modified', 'atom:updated', 'atom:modified', 'modified'),
    entries: entries.filter((e) => !emptyEntry(e)),
    refreshMinutes: refreshMinutes(out),
  };
}

const SY_PERIOD_MINUTES: Record<string, number> = { hourly: 60, daily: 1440, weekly: 10_080, monthly: 43_200, yearly: 525_600 };

/** RSS 2.0 `<ttl>` (minutes), else the Syndication module's period divided by its frequency (default 1). */
function refreshMinutes(out: XNode): number | null {
  const ttl = firstText(out, 'ttl')?.trim();
  if (ttl && /^\d{1,7}$/.test(ttl) && Number(ttl) > 0) return Number(ttl);
  const period = SY_PERIOD_MINUTES[firstText(out, 'sy:updatePeriod')?.trim().toLowerCase() ?? ''];
  if (period === undefined) return null;
  const frequency = Number(firstText(out, 'sy:updateFrequency')?.trim() || '1');
  return Number.isInteger(frequency) && frequency > 0 ? period / frequency : period;
}
