import type { Family } from '../xml/canonicalize.ts';
import type { XNode } from '../xml/tree.ts';
import { parseDate } from '../../util/dates.ts';
import { clean } from './field-values.ts';

// Loops over what `kids` returns count through it: `for…of` over this frozen array allocates an iterator result per step.
const NONE: readonly XNode[] = Object.freeze([]);

/** The element children of `node` named `name`, in document order (children are indexed once per node). */
export function kids(node: XNode | undefined, name: string): readonly XNode[] {
  if (node === undefined) return NONE;
  let index = node.byName;
  if (index === undefined) {
    index = new Map();
    for (const kid of node.children) {
      if (typeof kid === 'string') continue;
      const list = index.get(kid.name);
      if (list === undefined) index.set(kid.name, [kid]);
      else list.push(kid);
    }
    node.byName = index;
  }
  return index.get(name) ?? NONE;
}

/** The text directly inside a node, child elements left out ('' when it has none). */
export function nodeText(node: XNode | undefined): string {
  if (node === undefined) return '';
  const children = node.children;
  if (children.length === 1) return typeof children[0] === 'string' ? children[0] : '';
  let text = '';
  for (const kid of children) if (typeof kid === 'string') text += kid;
  return text;
}

/** A node's attribute. */
export function nodeAttr(node: XNode | undefined, name: string): string | undefined {
  return node?.attrs.get(name);
}

/** The first child with non-empty text among the children of the given names, in order. */
export function firstNode(node: XNode, ...names: string[]): XNode | undefined {
  for (let n = 0; n < names.length; n++) {
    const list = kids(node, names[n]!);
    for (let k = 0; k < list.length; k++) if (clean(nodeText(list[k])) !== null) return list[k];
  }
  return undefined;
}

/** The first non-empty text among the children of the given names, in order. */
export function firstText(node: XNode, ...names: string[]): string | null {
  return clean(nodeText(firstNode(node, ...names)));
}

/** The first readable date among the children of the given names, in order (ISO-8601 UTC). */
export function firstDate(node: XNode, ...names: string[]): string | null {
  for (let n = 0; n < names.length; n++) {
    const list = kids(node, names[n]!);
    for (let k = 0; k < list.length; k++) {
      const date = parseDate(clean(nodeText(list[k])));
      if (date !== null) return date;
    }
  }
  return null;
}

/** The base URL for a node: its `xml:base` (every element under one carries it, see `canonicalize.ts`), else the fallback. */
export function baseOf(node: XNode | undefined, fallback: string | null): string | null {
  return node?.attrs.get('xml:base') ?? fallback;
}

/** The element holding a canonical tree's feed-level fields: RSS and RDF `<channel>`, the Atom `<feed>`. */
export function feedNode(tree: XNode, family: Family): XNode {
  if (family === 'atom') return tree;
  return kids(tree, 'channel')[0] ?? tree;
}

/** A canonical tree's items or entries, in document order. */
export function entryNodes(tree: XNode, family: Family): readonly XNode[] {
  if (family === 'atom') return kids(tree, 'entry');
  if (family === 'rdf') return kids(tree, 'item');
  return kids(feedNode(tree, family), 'item');
}
