import { escapeHtml } from '../../util/html-text.ts';

/** An element of the repaired document. */
export interface XNode {
  name: string;
  attrs: Map<string, string>;
  children: Array<XNode | string>;
  /** False when the document ended before the element's end tag. */
  closed: boolean;
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

/** Serialises a tree as well-formed XML, appending to `out`. */
export function toXml(node: XNode, out: string[]): void {
  out.push('<', node.name);
  for (const [name, value] of node.attrs) {
    out.push(' ', name, '="', escapeHtml(value).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;'), '"');
  }
  out.push('>');
  for (const kid of node.children) {
    if (typeof kid === 'string') out.push(escapeHtml(kid));
    else toXml(kid, out);
  }
  out.push('</', node.name, '>');
}
