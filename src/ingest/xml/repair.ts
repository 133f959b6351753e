import { ParseError } from '../../errors.ts';
import { Canonicalizer, type Family, implicitNamespace, NS } from './canonicalize.ts';
import { applyQuirks, cdfToRss } from './quirks.ts';
import { readTree } from './reader.ts';
import { elementChildren, localName, newNode, splitName, toXml, type XNode } from './tree.ts';

/** The repaired, canonical document, ready for rss-parser. */
export interface Repaired {
  xml: string;
  family: Family;
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

/** Reads, repairs and re-serialises an XML feed; throws `ParseError` when it is not a feed. */
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
  applyQuirks(tree, family === 'cdf' ? 'rss' : family);
  // Nothing at all inside (<feed/>, <rss><channel/></rss>): not a feed. (An empty Atom root would also reach
  // rss-parser as a string, where `feed.link` is String.prototype.link.)
  const hollow = (n: XNode): boolean => elementChildren(n).length === 0;
  const empty = tree.name === 'feed' ? hollow(tree) : elementChildren(tree).every((k) => k.name === 'channel' && hollow(k));
  if (empty) throw new ParseError(`not a feed: the <${root.name}> element is empty`);
  const out: string[] = [];
  toXml(tree, out);
  return { xml: out.join(''), family };
}
