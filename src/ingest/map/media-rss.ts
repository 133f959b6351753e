import type { RawEnclosure, RawMedia } from '../../model.ts';
import { clean, joinNames, parseLength } from './field-values.ts';
import { collapse, htmlToText } from '../../util/html-text.ts';
import type { XNode } from '../xml/tree.ts';
import { baseOf, kids, nodeAttr, nodeText } from './nodes.ts';
import { cleanUrl } from './urls.ts';

function parseDimension(s: string | undefined): number | null {
  return parseLength(s?.replace(/px$/i, ''));
}

/** The captions and credits `media:*` elements carry, at one level. */
interface MediaText {
  title: string | null;
  description: string | null;
  credit: string | null;
}

function mediaText(holder: XNode): MediaText {
  const list = (name: string): readonly XNode[] => kids(holder, name);
  const textOf = (nodes: readonly XNode[]): string | null => {
    const node = nodes.find((n) => clean(nodeText(n)) !== null);
    if (!node) return null;
    const type = (nodeAttr(node, 'type') ?? '').toLowerCase();
    return clean(type === 'html' ? htmlToText(nodeText(node)) : collapse(nodeText(node)));
  };
  return {
    title: textOf(list('media:title')),
    description: textOf(list('media:description')),
    credit: joinNames(list('media:credit').map((n) => clean(collapse(nodeText(n))))),
  };
}

/** `media:content`, `media:group` and `media:thumbnail` of an entry, with captions and credits. */
export function readMedia(item: XNode, base: string | null): RawMedia[] {
  const itemText = mediaText(item);
  const out: RawMedia[] = [];
  const seen = new Set<string>();
  const add = (node: XNode, medium: string | null, inherited: MediaText): void => {
    const url = cleanUrl(nodeAttr(node, 'url'), baseOf(node, base));
    if (url === null || seen.has(url)) return;
    seen.add(url);
    const own = mediaText(node);
    out.push({
      url,
      type: clean(nodeAttr(node, 'type')),
      medium: clean(nodeAttr(node, 'medium')) ?? medium,
      width: parseDimension(nodeAttr(node, 'width')),
      height: parseDimension(nodeAttr(node, 'height')),
      title: own.title ?? inherited.title,
      description: own.description ?? inherited.description,
      credit: own.credit ?? inherited.credit,
    });
  };
  for (const node of kids(item, 'media:content')) add(node, null, itemText);
  for (const group of kids(item, 'media:group')) {
    const groupText = mediaText(group);
    const inherited = {
      title: groupText.title ?? itemText.title,
      description: groupText.description ?? itemText.description,
      credit: groupText.credit ?? itemText.credit,
    };
    for (const node of kids(group, 'media:content')) add(node, null, inherited);
    for (const node of kids(group, 'media:thumbnail')) add(node, 'image', inherited);
  }
  for (const node of kids(item, 'media:thumbnail')) add(node, 'image', itemText);
  return out;
}

/**
 * The entry's own Media RSS title or description (`name`): at the item level or in a `media:group` (where
 * YouTube puts a video's), never a `media:content`'s, which captions one file and is not the story.
 */
export function mediaTextNode(item: XNode, name: 'media:title' | 'media:description'): XNode | undefined {
  const holders = [item, ...kids(item, 'media:group')];
  for (const holder of holders) {
    const node = kids(holder, name).find((n) => clean(nodeText(n)) !== null);
    if (node !== undefined) return node;
  }
  return undefined;
}

/** Enclosures plus the `media:content` files not already listed, deduplicated by URL. */
export function mergeEnclosures(enclosures: RawEnclosure[], media: RawMedia[], item: XNode, base: string | null): RawEnclosure[] {
  const out: RawEnclosure[] = [];
  const seen = new Set<string>();
  const push = (e: RawEnclosure): void => {
    if (seen.has(e.url)) return;
    seen.add(e.url);
    out.push(e);
  };
  enclosures.forEach(push);
  const sizes = new Map<string, number | null>();
  const contents = [...kids(item, 'media:content'), ...kids(item, 'media:group').flatMap((g) => kids(g, 'media:content'))];
  for (const node of contents) {
    const url = cleanUrl(nodeAttr(node, 'url'), baseOf(node, base));
    if (url !== null) sizes.set(url, parseLength(nodeAttr(node, 'fileSize')));
  }
  for (const m of media) if (sizes.has(m.url)) push({ url: m.url, type: m.type, length: sizes.get(m.url) ?? null });
  return out;
}
