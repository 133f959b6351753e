import { escapeHtml } from '../../util/html-text.ts';
import { table } from '../../util/lookup-table.ts';
import { resolveAgainst } from '../map/urls.ts';
import { repairMojibake } from '../mojibake.ts';
import { childText, elementChildren, localName, ownAttrs, splitName, type XNode } from './tree.ts';

/** The namespaces feeds are written in. */
export const NS = {
  atom10: 'http://www.w3.org/2005/Atom',
  atom03: 'http://purl.org/atom/ns#',
  rss10: 'http://purl.org/rss/1.0/',
  rss090: 'http://my.netscape.com/rdf/simple/0.9/',
  userland: 'http://backend.userland.com/rss2',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  dc: 'http://purl.org/dc/elements/1.1/',
  dcterms: 'http://purl.org/dc/terms/',
  content: 'http://purl.org/rss/1.0/modules/content/',
  media: 'http://search.yahoo.com/mrss/',
  xhtml: 'http://www.w3.org/1999/xhtml',
  itunes: 'http://www.itunes.com/dtds/podcast-1.0.dtd',
  sy: 'http://purl.org/rss/1.0/modules/syndication/',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

/** Our prefix for each namespace we read, whatever prefix the document chose. */
const PREFIX_BY_NS = table<string>({
  [NS.atom10]: 'atom',
  [NS.atom03]: 'atom',
  [NS.rss10]: 'rss',
  [NS.rss090]: 'rss',
  [NS.userland]: 'rss',
  'http://backend.userland.com/rss': 'rss',
  [NS.rdf]: 'rdf',
  [NS.dc]: 'dc',
  'http://purl.org/dc/elements/1.0/': 'dc',
  [NS.dcterms]: 'dcterms',
  [NS.content]: 'content',
  [NS.media]: 'media',
  'http://search.yahoo.com/mrss': 'media',
  [NS.xhtml]: 'xhtml',
  [NS.itunes]: 'itunes',
  [NS.sy]: 'sy',
  [NS.xml]: 'xml',
});

/** Prefixes feeds use without declaring them, and what they always mean. */
const CONVENTIONAL_PREFIXES = table<string>({
  dc: NS.dc,
  dcterms: NS.dcterms,
  content: NS.content,
  media: NS.media,
  atom: NS.atom10,
  rdf: NS.rdf,
  itunes: NS.itunes,
  sy: NS.sy,
  xhtml: NS.xhtml,
  xml: NS.xml,
});

/** The namespace of an undeclared prefix: the one it conventionally means, else a made-up one. */
export function implicitNamespace(prefix: string): string {
  return prefix === '' ? '' : (CONVENTIONAL_PREFIXES[prefix] ?? `urn:undeclared:${prefix}`);
}

/** The feed vocabulary, read from the root element. */
export type Family = 'rss' | 'rdf' | 'atom' | 'cdf';

const RSS_NAMESPACES = new Set([NS.rss10, NS.rss090, NS.userland, 'http://backend.userland.com/rss']);

/** Namespaces whose elements lose their prefix, per family (no namespace always does). */
const PRIMARY: Record<Family, Set<string>> = {
  atom: new Set([NS.atom10, NS.atom03]),
  rss: RSS_NAMESPACES,
  rdf: RSS_NAMESPACES,
  cdf: new Set(),
};

const RSS_TEXT_ELEMENTS = new Set([
  'title', 'description', 'summary', 'fullitem', 'content:encoded', 'xhtml:body', 'dc:title',
  'dc:description', 'media:title', 'media:description', 'itunes:summary', 'atom:summary', 'atom:content', 'content',
]);

/** Elements holding text (possibly with inline markup), per family, keyed by canonical name. */
const TEXT_ELEMENTS: Record<Family, Set<string>> = {
  atom: new Set(['title', 'subtitle', 'tagline', 'summary', 'content', 'rights', 'copyright', 'info']),
  rss: RSS_TEXT_ELEMENTS,
  rdf: RSS_TEXT_ELEMENTS,
  cdf: new Set(['TITLE', 'ABSTRACT']),
};

/** Prefixes whose element names are matched whatever their case (ours; not XHTML markup, not unknown ones). */
const FOLDED_PREFIXES = new Set(['', 'atom', 'rss', 'dc', 'dcterms', 'content', 'media', 'itunes', 'sy']);

/**
 * The feed vocabularies' element names by their lower-case spelling. Element names are case-sensitive, but
 * feeds write `<pubdate>`, `<PubDate>` or `<Title>` and mean the same; feedparser reads every name
 * lower-cased, so a name of ours in another case is spelled ours.
 */
const FOLDED_NAMES = new Map(
  [
    'rss', 'channel', 'item', 'title', 'link', 'description', 'pubDate', 'lastBuildDate', 'guid', 'author',
    'category', 'enclosure', 'comments', 'source', 'managingEditor', 'webMaster', 'ttl', 'image', 'url',
    'language', 'copyright', 'summary', 'fullitem', 'feed', 'entry', 'id', 'updated', 'published', 'modified',
    'issued', 'created', 'content', 'subtitle', 'tagline', 'name', 'email', 'uri', 'tags', 'encoded', 'creator',
    'date', 'subject', 'group', 'thumbnail', 'credit', 'updatePeriod', 'updateFrequency',
  ].map((n) => [n.toLowerCase(), n]),
);

/** The attributes we read, by their lower-case spelling (`ispermalink="false"`, `HREF=`), likewise. */
const FOLDED_ATTRIBUTES = new Map(
  ['isPermaLink', 'href', 'rel', 'type', 'url', 'length', 'term', 'label', 'medium', 'width', 'height', 'fileSize', 'src', 'mode', 'version']
    .map((n) => [n.toLowerCase(), n]),
);

/** XML 1.0 NameStartChar ranges, less ':' and the astral ones (as a character-class body). */
const NAME_START_CHARS = String.raw`_A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD`;

/** An XML 1.0 name without ':' (the NameStartChar / NameChar ranges sax accepts; no astral characters). */
const XML_NAME = new RegExp(`^[${NAME_START_CHARS}][${NAME_START_CHARS}${String.raw`\u00B7\u0300-\u036F\u203F-\u2040.0-9-`}]*$`);

const VOID_ELEMENTS = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);

/**
 * Serialises child nodes as an HTML fragment (element prefixes dropped, namespace attributes removed).
 * Text is escaped unless `rawText` (when it already is HTML source).
 */
function toHtml(children: Array<XNode | string>, rawText: boolean): string {
  const out: string[] = [];
  const walk = (kids: Array<XNode | string>): void => {
    for (const kid of kids) {
      if (typeof kid === 'string') {
        out.push(rawText ? kid : escapeHtml(kid));
        continue;
      }
      const name = localName(kid.name);
      out.push('<', name);
      const seen = new Set<string>();
      for (const [attrName, value] of kid.attrs) {
        if (attrName === 'xmlns' || attrName.startsWith('xmlns:') || attrName.startsWith('xml:')) continue;
        const local = localName(attrName);
        if (seen.has(local)) continue;
        seen.add(local);
        out.push(' ', local, '="', escapeHtml(value), '"');
      }
      if (kid.children.length === 0 && VOID_ELEMENTS.has(name.toLowerCase())) {
        out.push(' />');
        continue;
      }
      out.push('>');
      walk(kid.children);
      out.push('</', name, '>');
    }
  };
  walk(children);
  return out.join('');
}

/** Double-encoded UTF-8 in one field ("Ã©" for "é"), undone on the field's whole text (`mojibake.ts`). */
function repairText(node: XNode): void {
  const kids = node.children;
  if (kids.length === 1) {
    if (typeof kids[0] === 'string') kids[0] = repairMojibake(kids[0]);
    return;
  }
  if (kids.length === 0 || !kids.every((k) => typeof k === 'string')) return;
  const text = kids.join('');
  const repaired = repairMojibake(text);
  if (repaired !== text) node.children = [repaired];
}

/** Element-by-element repair: namespace prefixes, `xml:base`, text elements, double-encoded text. */
export class Canonicalizer {
  private readonly unknown = new Map<string, string>();

  /** Namespaces whose elements lose their prefix: the family's own, and whatever the root element uses. */
  private readonly primary: Set<string>;

  constructor(
    private readonly family: Family,
    private readonly url: string | null,
    rootNamespace: string,
  ) {
    // Pre-standard namespaces (Atom's "echo"/"pie", RSS 2.0's userland/harvard ones) are still the feed's own.
    this.primary = new Set([...PRIMARY[family], rootNamespace]);
  }

  private prefixFor(ns: string): string {
    const known = PREFIX_BY_NS[ns];
    if (known) return known;
    let p = this.unknown.get(ns);
    if (!p) {
      p = `ns${this.unknown.size + 1}`;
      this.unknown.set(ns, p);
    }
    return p;
  }

  private nsOf(prefix: string, scope: Map<string, string>): string {
    return scope.get(prefix) ?? implicitNamespace(prefix);
  }

  /** Per scope: an element's qualified name → its canonical name, and whether that name is usable. */
  private readonly elementNames = new Map<Map<string, string>, Map<string, [string, boolean]>>();
  /** Per scope: an attribute's qualified name → its canonical name (`null`: dropped). */
  private readonly attributeNames = new Map<Map<string, string>, Map<string, string | null>>();

  private elementName(qname: string, scope: Map<string, string>): [string, boolean] {
    let cache = this.elementNames.get(scope);
    if (cache === undefined) this.elementNames.set(scope, (cache = new Map()));
    let entry = cache.get(qname);
    if (entry === undefined) {
      const [prefix, local] = splitName(qname);
      const ns = this.nsOf(prefix, scope);
      const canonicalPrefix = ns === '' || this.primary.has(ns) ? '' : this.prefixFor(ns);
      // A feed element written in another case (`<pubdate>`, `<Title>`) is that element; CDF is upper-case by design.
      const name = this.family !== 'cdf' && FOLDED_PREFIXES.has(canonicalPrefix) ? (FOLDED_NAMES.get(local.toLowerCase()) ?? local) : local;
      // `_` is an XML name but no HTML tag name: as `<_>` inline markup would turn into text once serialised.
      entry = [canonicalPrefix ? `${canonicalPrefix}:${name}` : name === '_' ? 'x_' : name, XML_NAME.test(local)];
      cache.set(qname, entry);
    }
    return entry;
  }

  private attributeName(qname: string, scope: Map<string, string>): string | null {
    let cache = this.attributeNames.get(scope);
    if (cache === undefined) this.attributeNames.set(scope, (cache = new Map()));
    let name = cache.get(qname);
    if (name === undefined) {
      const [ap, al] = splitName(qname);
      const folded = ap === '' && this.family !== 'cdf' ? (FOLDED_ATTRIBUTES.get(al.toLowerCase()) ?? al) : al;
      const canonical = ap === '' ? folded : ap === 'xml' ? `xml:${al}` : `${this.prefixFor(this.nsOf(ap, scope))}:${al}`;
      name = XML_NAME.test(al) ? canonical : null;
      cache.set(qname, name);
    }
    return name;
  }

  /**
   * Rewrites `node` in place (returns the nodes that replace it: itself, or its children when its name is
   * unusable). `base` is the `xml:base` in effect, `null` when no ancestor declared one.
   */
  visit(node: XNode, parentScope: Map<string, string>, parentName: string, base: string | null): Array<XNode | string> {
    const out: Array<XNode | string> = [];
    this.visitInto(node, parentScope, parentName, base, out);
    return out;
  }

  private visitInto(node: XNode, parentScope: Map<string, string>, parentName: string, base: string | null, out: Array<XNode | string>): void {
    let scope = parentScope;
    const hasAttrs = node.attrs.size > 0;
    if (hasAttrs) {
      for (const [name, value] of node.attrs) {
        if (name === 'xmlns' || name.startsWith('xmlns:')) {
          if (scope === parentScope) scope = new Map(parentScope);
          scope.set(name === 'xmlns' ? '' : name.slice(6), value.trim());
        }
      }
    }
    const [name, usable] = this.elementName(node.name, scope);
    const ownBase = hasAttrs ? node.attrs.get('xml:base') : undefined;
    const effectiveBase = ownBase !== undefined ? resolveAgainst(ownBase.trim(), base ?? this.url) : base;

    let attrs = node.attrs;
    if (hasAttrs || effectiveBase !== null) {
      attrs = new Map<string, string>();
      for (const [qname, value] of node.attrs) {
        if (qname === 'xmlns' || qname.startsWith('xmlns:') || qname === 'xml:base') continue;
        const canonical = this.attributeName(qname, scope);
        if (canonical === null || attrs.has(canonical)) continue;
        attrs.set(canonical, value);
      }
      // Every element under an xml:base carries the absolute base in effect, for the mapping to read.
      if (effectiveBase !== null) attrs.set('xml:base', effectiveBase);
    }

    const kids: Array<XNode | string> = usable ? [] : out;
    const isText = usable && this.isTextElement(name, parentName);
    if (isText) this.textDepth++;
    for (const kid of node.children) {
      if (typeof kid === 'string') kids.push(kid);
      else this.visitInto(kid, scope, name, effectiveBase, kids);
    }
    if (isText) this.textDepth--;
    if (!usable) return; // An unusable name: keep what is inside.
    node.name = name;
    node.attrs = attrs;
    node.children = kids;
    if (isText) this.flatten(node);
    if (this.textDepth === 0) repairText(node);
    out.push(node);
  }

  /** How many text elements the visit is inside (their markup is repaired with them, as one field). */
  private textDepth = 0;

  private isTextElement(name: string, parentName: string): boolean {
    if (!TEXT_ELEMENTS[this.family].has(name)) return false;
    if (this.family === 'atom') return parentName === 'feed' || parentName === 'entry' || parentName === 'source';
    return true;
  }

  /** Turns a text element's content into one string: HTML when it holds markup. */
  private flatten(node: XNode): void {
    const type = (node.attrs.get('type') ?? '').trim().toLowerCase();
    const mode = (node.attrs.get('mode') ?? '').trim().toLowerCase();
    const xmlTyped =
      this.family === 'atom' &&
      (type === 'xhtml' || type === 'application/xhtml+xml' || ((type.endsWith('+xml') || type.endsWith('/xml')) && mode !== 'base64' && mode !== 'escaped'));
    const elements = elementChildren(node);
    if (elements.length === 0 && !xmlTyped) {
      node.children = [node.children.join('')];
      return;
    }
    let kids = node.children;
    // Atom 1.0 xhtml content sits in a wrapper <div> that is not part of the content (RFC 4287 §3.1.1.3).
    const onlyText = childText(node).trim() === '';
    if (type === 'xhtml' && elements.length === 1 && onlyText && localName(elements[0]!.name) === 'div') {
      kids = elements[0]!.children;
    }
    // Inside type="html", text is HTML source even around stray elements; elsewhere it is XML text.
    const htmlTyped = this.family === 'atom' && (type === 'html' || type === 'text/html');
    node.children = [toHtml(kids, htmlTyped)];
    const attrs = ownAttrs(node);
    attrs.set('type', 'html');
    attrs.delete('mode');
  }
}
