import { HIDDEN } from './quirks.ts';
import { clean } from '../map/field-values.ts';

/** Elements handed to us raw by rss-parser (as `raw:<name>`), because it drops or flattens them. */
const RAW_FIELDS = [
  'title', 'link', 'description', 'summary', 'content', 'subtitle', 'tagline', 'id', 'guid', 'author',
  'managingEditor', 'category', 'tags', 'pubDate', 'lastBuildDate', 'published', 'updated', 'issued',
  'modified', 'created', 'enclosure', 'fullitem', 'content:encoded', 'xhtml:body', 'dc:title', 'dc:creator',
  'dc:author', 'dc:subject', 'dc:date', 'dc:description', 'dcterms:issued', 'dcterms:modified',
  'media:content', 'media:thumbnail', 'media:group', 'media:title', 'media:description', 'media:credit',
  'ttl', 'sy:updatePeriod', 'sy:updateFrequency',
  ...Object.values(HIDDEN),
];

/** The prefix of the raw fields on rss-parser's feed and items. */
export const RAW = 'raw:';

/** An element as xml2js gives it: a string, or an object with text (`_`), attributes (`$`) and children. */
export type RawNode = string | { _?: unknown; $?: Record<string, string>; [child: string]: unknown };
/** A feed or item as rss-parser returns it. */
export type RawHolder = Record<string, unknown>;

/** The nodes `holder` has under `name` (none when it is not an object). */
export function rawList(holder: unknown, name: string): RawNode[] {
  if (typeof holder !== 'object' || holder === null) return [];
  const value = (holder as RawHolder)[name];
  return Array.isArray(value) ? (value as RawNode[]) : [];
}

/** The raw nodes of a field. */
export function raws(holder: RawHolder, name: string): RawNode[] {
  return rawList(holder, RAW + name);
}

/** A node's text ('' when it has none). */
export function nodeText(node: RawNode | undefined): string {
  if (typeof node === 'string') return node;
  return typeof node?._ === 'string' ? node._ : '';
}

/** A node's attribute. */
export function nodeAttr(node: RawNode | undefined, name: string): string | undefined {
  if (typeof node !== 'object' || node === null || typeof node.$ !== 'object' || node.$ === null) return undefined;
  const value = node.$[name];
  return typeof value === 'string' ? value : undefined;
}

/** The first non-empty node among the nodes of the given fields, in order. */
export function firstNode(holder: RawHolder, ...names: string[]): RawNode | undefined {
  for (const name of names) {
    for (const node of raws(holder, name)) if (clean(nodeText(node)) !== null) return node;
  }
  return undefined;
}

/** The first non-empty text among the nodes of the given fields, in order. */
export function firstText(holder: RawHolder, ...names: string[]): string | null {
  return clean(nodeText(firstNode(holder, ...names)));
}

/** The base URL for a node: its `xml:base`, else the fallback. */
export function baseOf(node: RawNode | undefined, fallback: string | null): string | null {
  return nodeAttr(node, 'xml:base') ?? fallback;
}

/** The entries rss-parser found (`items`, for Atom entries too). */
export function rawItems(out: RawHolder): RawHolder[] {
  return Array.isArray(out.items) ? (out.items as RawHolder[]) : [];
}

/** rss-parser `customFields` that hand every element of `RAW_FIELDS` over raw, as an array. */
export function rawFields(): Array<[string, string, { keepArray: boolean }]> {
  return RAW_FIELDS.map((name) => [name, RAW + name, { keepArray: true }]);
}
