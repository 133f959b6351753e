import type { Family } from './canonicalize.ts';
import { parseDate } from '../../util/dates.ts';
import { table } from '../../util/lookup-table.ts';
import { childText, elementChildren, newNode, type XNode } from './tree.ts';

/** Private names for the elements rss-parser would turn into a `contentSnippet`. */
export const HIDDEN = table<string>({ description: 'wf:description', 'content:encoded': 'wf:encoded', content: 'wf:content' });

/** Rewrites a Microsoft CDF channel (1997) as the RSS it is equivalent to. */
export function cdfToRss(channel: XNode): XNode {
  const convert = (node: XNode, isItem: boolean): XNode => {
    const out: Array<XNode | string> = [];
    const href = node.attrs.get('HREF') ?? node.attrs.get('href');
    const lastmod = node.attrs.get('LASTMOD') ?? node.attrs.get('lastmod');
    if (href) out.push(newNode('link', [href]));
    if (lastmod) out.push(newNode('dc:date', [lastmod]));
    for (const kid of elementChildren(node)) {
      const upper = kid.name.toUpperCase();
      if (upper === 'TITLE') out.push(newNode('title', kid.children));
      else if (upper === 'ABSTRACT') out.push(newNode('description', kid.children));
      else if (upper === 'ITEM') out.push(convert(kid, true));
    }
    return newNode(isItem ? 'item' : 'channel', out);
  };
  return newNode('rss', [convert(channel, false)], new Map([['version', '2.0']]));
}

/**
 * An item or entry without attributes or child elements carries nothing, and xml2js hands it over as a
 * string, on which rss-parser reads `entry.link` — `String.prototype.link`, a function — and throws.
 */
function dropHollowEntries(parent: XNode, name: string): void {
  parent.children = parent.children.filter(
    (k) => typeof k === 'string' || k.name !== name || k.attrs.size > 0 || elementChildren(k).length > 0,
  );
}

/** Feed-format quirks that are easier to fix in the tree than after rss-parser. */
export function applyQuirks(root: XNode, family: Family): XNode {
  if (family === 'rss') {
    let channel = elementChildren(root).find((k) => k.name === 'channel');
    const strays = elementChildren(root).filter((k) => k !== channel);
    if (!channel) {
      // Some RSS 0.9x documents put everything straight under <rss>, without a <channel>.
      channel = newNode('channel', strays);
      root.children = [channel];
    } else {
      // Items written after </channel> still belong to the channel.
      const items = strays.filter((k) => k.name === 'item');
      channel.children.push(...items);
      root.children = root.children.filter((k) => !items.includes(k as XNode));
    }
    dropHollowEntries(channel, 'item');
    for (const item of elementChildren(channel).filter((k) => k.name === 'item')) {
      summaryOrder(item);
      hideFromSnippets(item);
    }
  } else if (family === 'rdf') {
    let channel = elementChildren(root).find((k) => k.name === 'channel');
    if (!channel) {
      channel = newNode('channel');
      root.children.unshift(channel);
    }
    // RSS 1.0 items are siblings of the channel; some documents nest them inside it.
    const nested = elementChildren(channel).filter((k) => k.name === 'item');
    channel.children = channel.children.filter((k) => !nested.includes(k as XNode));
    root.children.push(...nested);
    dropHollowEntries(root, 'item');
    for (const item of elementChildren(root).filter((k) => k.name === 'item')) {
      summaryOrder(item);
      hideFromSnippets(item);
    }
  } else if (family === 'atom') {
    for (const node of [root, ...elementChildren(root).filter((k) => k.name === 'entry')]) {
      for (const link of elementChildren(node).filter((k) => k.name === 'link')) {
        // <link>URL</link> (RSS habit in an Atom feed) means href; rss-parser also needs an attribute on it.
        const text = childText(link).trim();
        if (!link.attrs.has('href') && text) link.attrs.set('href', text);
        if (!link.attrs.has('rel')) link.attrs.set('rel', 'alternate');
        link.children = [];
      }
      if (node === root) continue;
      hideFromSnippets(node);
      for (const date of elementChildren(node).filter((k) => k.name === 'published' || k.name === 'updated')) {
        // rss-parser runs new Date(x).toISOString() on these and throws RangeError on garbage: hand it
        // our reading of the date instead, and nothing when we cannot read it (the entry keeps the rest).
        const iso = parseDate(childText(date));
        if (iso === null) node.children = node.children.filter((k) => k !== date);
        else date.children = [iso];
      }
    }
    dropHollowEntries(root, 'entry'); // Last: dropping a date can leave an entry hollow.
  }
  return root;
}

/**
 * rss-parser builds `contentSnippet` from an item's description / content:encoded / content with lazy
 * `(?:.|\n)*?>` regexes that take minutes on text with many '<' and no '>'. We read those elements raw
 * anyway, so rss-parser gets them under private names it does not know.
 */
function hideFromSnippets(item: XNode): void {
  for (const kid of elementChildren(item)) kid.name = HIDDEN[kid.name] ?? kid.name;
}

/** In RSS, a second summary-like element (description after summary, or the reverse) is the full content. */
function summaryOrder(item: XNode): void {
  const kids = elementChildren(item);
  if (kids.some((k) => k.name === 'content:encoded' || k.name === 'xhtml:body' || k.name === 'fullitem')) return;
  const first = kids.findIndex((k) => k.name === 'description' || k.name === 'summary');
  if (first === -1) return;
  const other = kids[first]!.name === 'description' ? 'summary' : 'description';
  const second = kids.find((k, idx) => idx > first && k.name === other);
  if (second) second.name = 'content:encoded';
}
