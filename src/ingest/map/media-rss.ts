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

/** The first of `nodes` with text, as plain text (HTML when it says `type="html"`). */
function textOf(nodes: readonly XNode[]): string | null {
  for (const node of nodes) {
    if (clean(nodeText(node)) === null) continue;
    const type = (nodeAttr(node, 'type') ?? '').toLowerCase();
    return clean(type === 'html' ? htmlToText(nodeText(node)) : collapse(nodeText(node)));
  }
  return null;
}

function creditOf(node: XNode): string | null {
  return clean(collapse(nodeText(node)));
}

function mediaText(holder: XNode): MediaText {
  const credits = kids(holder, 'media:credit');
  return {
    title: textOf(kids(holder, 'media:title')),
    description: textOf(kids(holder, 'media:description')),
    credit: credits.length === 0 ? null : joinNames(credits.map(creditOf)),
  };
}

/** What {@link readMedia} collects into: the files so far, their URLs, and the base for relative ones. */
interface MediaList {
  out: RawMedia[];
  seen: Set<string>;
  base: string | null;
}

function addMedia(list: MediaList, node: XNode, medium: string | null, inherited: MediaText): void {
  const url = cleanUrl(nodeAttr(node, 'url'), baseOf(node, list.base));
  if (url === null || list.seen.has(url)) return;
  list.seen.add(url);
  const own = mediaText(node);
  list.out.push({
    url,
    type: clean(nodeAttr(node, 'type')),
    medium: clean(nodeAttr(node, 'medium')) ?? medium,
    width: parseDimension(nodeAttr(node, 'width')),
    height: parseDimension(nodeAttr(node, 'height')),
    title: own.title ?? inherited.title,
    description: own.description ?? inherited.description,
    credit: own.credit ?? inherited.credit,
  });
}

/** `media:content`, `media:group` and `media:thumbnail` of an entry, with captions and credits. */
export function readMedia(item: XNode, base: string | null): RawMedia[] {
  const contents = kids(item, 'media:content');
  const groups = kids(item, 'media:group');
  const thumbnails = kids(item, 'media:thumbnail');
  if (contents.length === 0 && groups.length === 0 && thumbnails.length === 0) return [];
  const itemText = mediaText(item);
  const list: MediaList = { out: [], seen: new Set(), base };
  for (const node of contents) addMedia(list, node, null, itemText);
  for (const group of groups) {
    const groupText = mediaText(group);
    const inherited = {
      title: groupText.title ?? itemText.title,
      description: groupText.description ?? itemText.description,
      credit: groupText.credit ?? itemText.credit,
    };
    for (const node of kids(group, 'media:content')) addMedia(list, node, null, inherited);
    for (const node of kids(group, 'media:thumbnail')) addMedia(list, node, 'image', inherited);
  }
  for (const node of thumbnails) addMedia(list, node, 'image', itemText);
  return list.out;
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
  if (enclosures.length === 0 && media.length === 0) return out;
  const seen = new Set<string>();
  for (const e of enclosures) {
    if (seen.has(e.url)) continue;
    seen.add(e.url);
    out.push(e);
  }
  if (media.length === 0) return out;
  const sizes = new Map<string, number | null>();
  const contents = [...kids(item, 'media:content'), ...kids(item, 'media:group').flatMap((g) => kids(g, 'media:content'))];
  for (const node of contents) {
    const url = cleanUrl(nodeAttr(node, 'url'), baseOf(node, base));
    if (url !== null) sizes.set(url, parseLength(nodeAttr(node, 'fileSize')));
  }
  for (const m of media) {
    if (!sizes.has(m.url) || seen.has(m.url)) continue;
    seen.add(m.url);
    out.push({ url: m.url, type: m.type, length: sizes.get(m.url) ?? null });
  }
  return out;
}
