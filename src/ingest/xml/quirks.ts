import type { Family } from './canonicalize.ts';
import { childText, elementChildren, newNode, ownAttrs, type XNode } from './tree.ts';

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

/** Feed-format quirks of the upstreams, fixed in the canonical tree before it is mapped. */
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
      const items = new Set(strays.filter((k) => k.name === 'item'));
      channel.children.push(...items);
      root.children = root.children.filter((k) => typeof k === 'string' || !items.has(k));
    }
    for (const item of elementChildren(channel)) if (item.name === 'item') summaryOrder(item);
  } else if (family === 'rdf') {
    let channel = elementChildren(root).find((k) => k.name === 'channel');
    if (!channel) {
      channel = newNode('channel');
      root.children.unshift(channel);
    }
    // RSS 1.0 items are siblings of the channel; some documents nest them inside it.
    const nested = elementChildren(channel).filter((k) => k.name === 'item');
    channel.children = channel.children.filter((k) => typeof k === 'string' || k.name !== 'item');
    root.children.push(...nested);
    for (const item of elementChildren(root)) if (item.name === 'item') summaryOrder(item);
  } else if (family === 'atom') {
    for (const node of [root, ...elementChildren(root).filter((k) => k.name === 'entry')]) {
      for (const link of elementChildren(node)) {
        if (link.name !== 'link') continue;
        // <link>URL</link> (an RSS habit in an Atom feed) means href.
        const text = childText(link).trim();
        if (!link.attrs.has('href') && text) ownAttrs(link).set('href', text);
        link.children = [];
      }
    }
  }
  return root;
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
