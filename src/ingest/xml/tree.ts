/** An element of the repaired document. */
export interface XNode {
  name: string;
  attrs: Map<string, string>;
  children: Array<XNode | string>;
  /** False when the document ended before the element's end tag. */
  closed: boolean;
  /** The element children by name, built by the first lookup of the mappers (`map/nodes.ts`), after repair. */
  byName?: Map<string, XNode[]>;
}

/** The attributes of every element read without any: one map for all, which throws when changed (see {@link ownAttrs}). */
export const NO_ATTRS: Map<string, string> = new (class NoAttributes extends Map<string, string> {
  override set(): this {
    throw new Error('NO_ATTRS is shared: give the node its own map first (ownAttrs)');
  }
  override delete(): boolean {
    throw new Error('NO_ATTRS is shared: give the node its own map first (ownAttrs)');
  }
  override clear(): void {
    throw new Error('NO_ATTRS is shared: give the node its own map first (ownAttrs)');
  }
})();

/** The node's attributes as a map of its own, to change. */
export function ownAttrs(node: XNode): Map<string, string> {
  if (node.attrs === NO_ATTRS) node.attrs = new Map();
  return node.attrs;
}

/** A qualified name's prefix ('' when none) and local part. */
export function splitName(qname: string): [string, string] {
  const c = qname.indexOf(':');
  return c === -1 ? ['', qname] : [qname.slice(0, c), qname.slice(c + 1)];
}

/** A qualified name's local part. */
export function localName(name: string): string {
  return splitName(name)[1];
}

/** The element children of a node, text left out. */
export function elementChildren(node: XNode): XNode[] {
  return node.children.filter((k): k is XNode => typeof k !== 'string');
}

/** The text directly inside a node, child elements left out. */
export function childText(node: XNode): string {
  return node.children.filter((k): k is string => typeof k === 'string').join('');
}

/** A closed element. */
export function newNode(name: string, children: Array<XNode | string> = [], attrs = new Map<string, string>()): XNode {
  return { name, attrs, children, closed: true };
}
