import { ParseError } from '../../errors.ts';
import { Canonicalizer, type Family, implicitNamespace, NS } from './canonicalize.ts';
import { applyQuirks, cdfToRss } from './quirks.ts';
import { readTree } from './reader.ts';
import { elementChildren, localName, newNode, splitName, type XNode } from './tree.ts';

/** The repaired, canonical document, ready to be mapped. */
export interface Repaired {
  /** The root: `<rss>` (with one `<channel>` holding the items), `<rdf:RDF>` or Atom `<feed>`. */
  tree: XNode;
  /** The vocabulary of the tree (a CDF document has become RSS). */
  family: Exclude<Family, 'cdf'>;
}

const ENTRY_NAMES = ['item', 'entry', 'ITEM'];

/** Drops items and entries that the end of a truncated document cut off. */
function dropCutOffEntries(node: XNode): void {
  node.children = node.children.filter(
    (k) => typeof k === 'string' || k.closed || !ENTRY_NAMES.includes(localName(k.name)),
  );
  for (const kid of elementChildren(node)) dropCutOffEntries(kid);
}

function countEntries(node: XNode): number {
  let n = 0;
  for (const kid of elementChildren(node)) {
    n += ENTRY_NAMES.includes(localName(kid.name)) ? 1 : countEntries(kid);
  }
  return n;
}

/** Reads and repairs an XML feed into its canonical tree; throws `ParseError` when it is not a feed. */
export function repairXml(text: string, url: string | null): Repaired {
  const root = readTree(text);
  if (!root) throw new ParseError('not a feed: the document contains no XML element');
  // The family comes from the root element, read with the namespaces it declares itself.
  const [prefix, local] = splitName(root.name);
  // (Resolved as the Canonicalizer resolves names, so that the root's namespace is the primary one.)
  const declared =
    root.attrs.get(prefix === '' ? 'xmlns' : `xmlns:${prefix}`)?.trim() ?? implicitNamespace(prefix);
  let family: Family;
  if (local === 'feed') family = 'atom';
  else if (local === 'rss' || (local === 'channel' && root.name === 'channel')) family = 'rss';
  else if (local === 'RDF' && declared === NS.rdf) family = 'rdf';
  else if (root.name === 'CHANNEL') family = 'cdf';
  else if (local.toLowerCase() === 'html') throw new ParseError('not a feed: this is an HTML page');
  else throw new ParseError(`not a feed: the root element <${root.name}> is not RSS, RDF, Atom or CDF`);

  if (!root.closed) {
    dropCutOffEntries(root);
    if (countEntries(root) === 0) {
      throw new ParseError(`truncated document: it ends inside <${root.name}> before any complete entry`);
    }
  }
  let tree = new Canonicalizer(family, url, family === 'rdf' ? '' : declared).visit(root, new Map(), '', null)[0];
  if (!tree || typeof tree === 'string') throw new ParseError('not a feed: the root element has an unusable name');
  if (family === 'cdf') tree = cdfToRss(tree);
  // A bare <channel> root (no <rss> around it) is RSS all the same.
  if (family === 'rss' && local === 'channel') tree = newNode('rss', [tree]);
  tree.name = family === 'atom' ? 'feed' : family === 'rdf' ? 'rdf:RDF' : 'rss';
  const treeFamily = family === 'cdf' ? 'rss' : family;
  applyQuirks(tree, treeFamily);
  // Nothing at all inside (<feed/>, <rss><channel/></rss>, only items or entries without attributes or
  // child elements): not a feed.
  const nothing = (n: XNode): boolean => n.attrs.size === 0 && elementChildren(n).length === 0;
  const onlyNothing = (n: XNode, entry: string): boolean => elementChildren(n).every((k) => k.name === entry && nothing(k));
  const empty =
    treeFamily === 'atom'
      ? onlyNothing(tree, 'entry')
      : elementChildren(tree).every((k) => (k.name === 'channel' && onlyNothing(k, 'item')) || (treeFamily === 'rdf' && k.name === 'item' && nothing(k)));
  if (empty) throw new ParseError(`not a feed: the <${root.name}> element is empty`);
  return { tree, family: treeFamily };
}
