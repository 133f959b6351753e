/**
 * Upstream document → `RawFeed`. Pure: no I/O, no `node:` imports (runs on Workers too).
 *
 * Formats: JSON Feed 1.0/1.1 (parsed natively) and, through rss-parser, RSS 0.9x/2.0, RSS 1.0 and 0.90
 * (RDF), Atom 1.0 and 0.3; the odd Microsoft CDF channel is read as RSS.
 *
 * XML never reaches rss-parser as written. A tolerant pass first reads it into a tree and writes it
 * back out well-formed, doing what feedparser's lenient mode does and refusing what is dangerous:
 * - the DOCTYPE is dropped: external entities (XXE) are never resolved, parameter entities are ignored,
 *   and internal entities are expanded only when their value is plain text of at most 1 KiB (so
 *   billion-laughs and quadratic blow-ups do not expand); past 1 MiB of expansion the document is refused;
 * - characters XML 1.0 forbids are removed, C1 controls and `&#128;`–`&#159;` are read as windows-1252
 *   (the "demoronize" rule), HTML named entities (`&nbsp;`, `&rsquo;` …) become characters and a bare or
 *   unknown `&` stays a literal `&`;
 * - unclosed or mismatched tags are closed, stray end tags dropped, and elements nested deeper than 128
 *   levels are unwrapped (their text kept); an item or entry cut off by the end of a truncated document is
 *   dropped;
 * - namespace prefixes are rewritten to the usual ones (`dc:`, `content:`, `media:` …), whatever the
 *   document called them, so that extension elements are found and same-named elements of foreign
 *   namespaces never shadow the feed's own;
 * - inline markup in text elements (Atom `type="xhtml"`, RSS descriptions with naked HTML) is serialised
 *   to an HTML string.
 *
 * What comes out:
 * - `title` (feed and entry), `author` and `categories` are plain text;
 * - `description`, `summary` and `content` are HTML (text-typed values, such as an Atom `type="text"`
 *   summary or a JSON Feed `content_text`, are HTML-escaped);
 * - dates are ISO-8601 UTC (see `dates.ts`), `null` when missing or unreadable — a bad date never loses the
 *   entry;
 * - links and enclosure URLs are resolved against `xml:base`, then the feed's own link, then `options.url`;
 *   `javascript:`, `vbscript:`, `data:` and `file:` URLs are dropped; a relative URL with nothing to resolve
 *   it against is kept as written; ids are never rewritten;
 * - empty strings are `null`; entries with nothing at all in them are dropped.
 */
import Parser from 'rss-parser';
import { ParseError } from '../errors.ts';
import type { FeedFormat, RawEnclosure, RawEntry, RawFeed, RawMedia } from '../model.ts';
import { parseDate } from './dates.ts';

/** Documents longer than this (in UTF-16 code units) are refused. */
const MAX_DOCUMENT_CHARS = 64 * 1024 * 1024;
/** Elements nested deeper than this are unwrapped. */
const MAX_DEPTH = 128;
/** Internal DTD entities longer than this are not expanded. */
const MAX_ENTITY_VALUE = 1024;
/** Total characters internal entities may add to a document. */
const MAX_ENTITY_EXPANSION = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------
// Characters and entities
// ---------------------------------------------------------------------------------------------------------

/** HTML 4 named character references (what feeds actually use), name → code point. */
const HTML_ENTITIES = new Map<string, number>(
  (
    'AElig:c6 Aacute:c1 Acirc:c2 Agrave:c0 Alpha:391 Aring:c5 Atilde:c3 Auml:c4 Beta:392 Ccedil:c7 Chi:3a7 ' +
    'Dagger:2021 Delta:394 ETH:d0 Eacute:c9 Ecirc:ca Egrave:c8 Epsilon:395 Eta:397 Euml:cb Gamma:393 Iacute:cd ' +
    'Icirc:ce Igrave:cc Iota:399 Iuml:cf Kappa:39a Lambda:39b Mu:39c Ntilde:d1 Nu:39d OElig:152 Oacute:d3 Ocirc:d4 ' +
    'Ograve:d2 Omega:3a9 Omicron:39f Oslash:d8 Otilde:d5 Ouml:d6 Phi:3a6 Pi:3a0 Prime:2033 Psi:3a8 Rho:3a1 ' +
    'Scaron:160 Sigma:3a3 THORN:de Tau:3a4 Theta:398 Uacute:da Ucirc:db Ugrave:d9 Upsilon:3a5 Uuml:dc Xi:39e ' +
    'Yacute:dd Yuml:178 Zeta:396 aacute:e1 acirc:e2 acute:b4 aelig:e6 agrave:e0 alefsym:2135 alpha:3b1 amp:26 ' +
    'and:2227 ang:2220 aring:e5 asymp:2248 atilde:e3 auml:e4 bdquo:201e beta:3b2 brvbar:a6 bull:2022 cap:2229 ' +
    'ccedil:e7 cedil:b8 cent:a2 chi:3c7 circ:2c6 clubs:2663 cong:2245 copy:a9 crarr:21b5 cup:222a curren:a4 ' +
    'dArr:21d3 dagger:2020 darr:2193 deg:b0 delta:3b4 diams:2666 divide:f7 eacute:e9 ecirc:ea egrave:e8 empty:2205 ' +
    'emsp:2003 ensp:2002 epsilon:3b5 equiv:2261 eta:3b7 eth:f0 euml:eb euro:20ac exist:2203 fnof:192 forall:2200 ' +
    'frac12:bd frac14:bc frac34:be frasl:2044 gamma:3b3 ge:2265 gt:3e hArr:21d4 harr:2194 hearts:2665 hellip:2026 ' +
    'iacute:ed icirc:ee iexcl:a1 igrave:ec image:2111 infin:221e int:222b iota:3b9 iquest:bf isin:2208 iuml:ef ' +
    'kappa:3ba lArr:21d0 lambda:3bb lang:2329 laquo:ab larr:2190 lceil:2308 ldquo:201c le:2264 lfloor:230a ' +
    'lowast:2217 loz:25ca lrm:200e lsaquo:2039 lsquo:2018 lt:3c macr:af mdash:2014 micro:b5 middot:b7 minus:2212 ' +
    'mu:3bc nabla:2207 nbsp:a0 ndash:2013 ne:2260 ni:220b not:ac notin:2209 nsub:2284 ntilde:f1 nu:3bd oacute:f3 ' +
    'ocirc:f4 oelig:153 ograve:f2 oline:203e omega:3c9 omicron:3bf oplus:2295 or:2228 ordf:aa ordm:ba oslash:f8 ' +
    'otilde:f5 otimes:2297 ouml:f6 para:b6 part:2202 permil:2030 perp:22a5 phi:3c6 pi:3c0 piv:3d6 plusmn:b1 ' +
    'pound:a3 prime:2032 prod:220f prop:221d psi:3c8 quot:22 rArr:21d2 radic:221a rang:232a raquo:bb rarr:2192 ' +
    'rceil:2309 rdquo:201d real:211c reg:ae rfloor:230b rho:3c1 rlm:200f rsaquo:203a rsquo:2019 sbquo:201a ' +
    'scaron:161 sdot:22c5 sect:a7 shy:ad sigma:3c3 sigmaf:3c2 sim:223c spades:2660 sub:2282 sube:2286 sum:2211 ' +
    'sup:2283 sup1:b9 sup2:b2 sup3:b3 supe:2287 szlig:df tau:3c4 there4:2234 theta:3b8 thetasym:3d1 thinsp:2009 ' +
    'thorn:fe tilde:2dc times:d7 trade:2122 uArr:21d1 uacute:fa uarr:2191 ucirc:fb ugrave:f9 uml:a8 upsih:3d2 ' +
    'upsilon:3c5 uuml:fc weierp:2118 xi:3be yacute:fd yen:a5 yuml:ff zeta:3b6 zwj:200d zwnj:200c ' +
    'apos:27'
  )
    .split(' ')
    .map((pair) => {
      const [name, hex] = pair.split(':') as [string, string];
      return [name, parseInt(hex, 16)] as [string, number];
    }),
);

/** A lookup table without a prototype: document-controlled keys such as `__proto__` or `constructor` find nothing. */
function table<T>(entries: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

const XML_ENTITIES = table<string>({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" });

/** windows-1252 meaning of 0x80–0x9F, for C1 controls and `&#128;`–`&#159;` ("demoronize"). */
const CP1252_C1: Record<number, number> = {
  0x80: 0x20ac, 0x82: 0x201a, 0x83: 0x0192, 0x84: 0x201e, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021,
  0x88: 0x02c6, 0x89: 0x2030, 0x8a: 0x0160, 0x8b: 0x2039, 0x8c: 0x0152, 0x8e: 0x017d, 0x91: 0x2018,
  0x92: 0x2019, 0x93: 0x201c, 0x94: 0x201d, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02dc,
  0x99: 0x2122, 0x9a: 0x0161, 0x9b: 0x203a, 0x9c: 0x0153, 0x9e: 0x017e, 0x9f: 0x0178,
};

/** The character for a code point, or '' when XML 1.0 forbids it. C1 code points are read as windows-1252. */
function charFor(cp: number): string {
  if (cp >= 0x80 && cp <= 0x9f) {
    const mapped = CP1252_C1[cp];
    return mapped === undefined ? '' : String.fromCodePoint(mapped);
  }
  const legal =
    cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff);
  return legal ? String.fromCodePoint(cp) : '';
}

/** Removes what XML 1.0 forbids (C0 controls but tab/LF/CR, U+FFFE/FFFF, lone surrogates); maps C1 as cp1252. */
function cleanChars(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Surrogate}/gu, '')
    .replace(/[\u0080-\u009F]/g, (c) => charFor(c.charCodeAt(0)));
}

/** Expansion budget shared by one document's internal entities. */
interface EntityContext {
  declared: Map<string, string>;
  budget: number;
}

/**
 * Decodes character and entity references in text or an attribute value. Numeric references to
 * forbidden characters vanish; unknown names (and a bare `&`) are kept literally.
 */
function decodeRefs(s: string, ctx: EntityContext | null): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(?:#(\d{1,8});?|#[xX]([0-9a-fA-F]{1,7});?|([A-Za-z][A-Za-z0-9._-]{0,63});)/g, (whole, dec?: string, hex?: string, name?: string) => {
    if (dec !== undefined) return charFor(parseInt(dec, 10));
    if (hex !== undefined) return charFor(parseInt(hex, 16));
    const n = name!;
    const xml = XML_ENTITIES[n];
    if (xml !== undefined) return xml;
    const declared = ctx?.declared.get(n);
    if (declared !== undefined && ctx) {
      ctx.budget -= declared.length;
      if (ctx.budget < 0) {
        throw new ParseError('refusing the document: its DTD entities expand past 1 MiB (an entity-expansion attack?)');
      }
      return declared;
    }
    const cp = HTML_ENTITIES.get(n);
    return cp === undefined ? whole : String.fromCodePoint(cp);
  });
}

/** Decodes HTML character references (named and numeric) for text extraction. */
function decodeHtmlEntities(s: string): string {
  return decodeRefs(s, null);
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(s: string): string {
  return escapeHtml(s).replace(/"/g, '&quot;');
}

/**
 * Walks the tags, comments and declarations of an HTML fragment the way an HTML tokenizer delimits them:
 * quoted attribute values may hold '>', an unquoted one may hold quotes, a '<' that starts no tag is
 * text, and a tag still open at the end swallows the rest (so the walk is linear, never re-scanning).
 * `onTag` gets each markup token and returns its replacement.
 */
function mapMarkup(html: string, onTag: (token: string, isTag: boolean) => string): string {
  const out: string[] = [];
  const n = html.length;
  let i = 0;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      out.push(html.slice(i));
      break;
    }
    out.push(html.slice(i, lt));
    const next = html[lt + 1] ?? '';
    let end = -1;
    let isTag = false;
    if (html.startsWith('<!--', lt)) {
      end = html.indexOf('-->', lt + 4);
      end = end === -1 ? n : end + 3;
    } else if (next === '!' || next === '?') {
      end = html.indexOf('>', lt + 2);
      end = end === -1 ? n : end + 1;
    } else if (/[A-Za-z]/.test(next) || (next === '/' && /[A-Za-z]/.test(html[lt + 2] ?? ''))) {
      end = tagEnd(html, lt + 1);
      isTag = true;
    }
    if (end === -1) {
      out.push('<');
      i = lt + 1;
    } else {
      out.push(onTag(html.slice(lt, end), isTag));
      i = end;
    }
  }
  return out.join('');
}

/** Removes tags, comments and declarations from HTML (each leaves a space). */
function stripTags(html: string): string {
  return mapMarkup(html, () => ' ');
}

const URL_ATTRIBUTE = /(\s)(href|src)(\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;

/** Resolves relative `href` and `src` values of an HTML fragment against `base`. */
function absolutizeHtml(html: string | null, base: string | null): string | null {
  if (html === null || base === null || !/(?:href|src)\s*=/i.test(html)) return html;
  return mapMarkup(html, (token, isTag) => {
    if (!isTag || !/href|src/i.test(token)) return token;
    return token.replace(URL_ATTRIBUTE, (whole, space: string, name: string, eq: string, dq?: string, sq?: string, uq?: string) => {
      const raw = decodeHtmlEntities(dq ?? sq ?? uq ?? '').trim();
      if (raw === '' || raw.startsWith('#') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(raw)) return whole;
      const resolved = resolveAgainst(raw, base);
      return resolved === raw ? whole : `${space}${name}${eq}"${escapeAttr(resolved)}"`;
    });
  });
}

function isHtmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

/** Index after the '>' closing the tag whose name starts at `start`; the end of input when it never closes. */
function tagEnd(html: string, start: number): number {
  const n = html.length;
  let i = start;
  const SLASH = 0x2f;
  const GT = 0x3e;
  const EQ = 0x3d;
  while (i < n) {
    const c = html.charCodeAt(i); // The tag name.
    if (isHtmlSpace(c) || c === SLASH || c === GT) break;
    i++;
  }
  while (i < n) {
    const c = html.charCodeAt(i);
    if (c === GT) return i + 1;
    if (isHtmlSpace(c) || c === SLASH) {
      i++;
      continue;
    }
    while (i < n) {
      const d = html.charCodeAt(i); // An attribute name.
      if (isHtmlSpace(d) || d === SLASH || d === GT || d === EQ) break;
      i++;
    }
    while (i < n && isHtmlSpace(html.charCodeAt(i))) i++;
    if (html.charCodeAt(i) !== EQ) continue;
    i++;
    while (i < n && isHtmlSpace(html.charCodeAt(i))) i++;
    const q = html[i];
    if (q === '"' || q === "'") {
      const close = html.indexOf(q, i + 1);
      if (close === -1) return n;
      i = close + 1;
    } else {
      while (i < n) {
        const d = html.charCodeAt(i); // An unquoted value (quotes allowed in it).
        if (isHtmlSpace(d) || d === GT) break;
        i++;
      }
    }
  }
  return n;
}

/** Plain text of an HTML fragment: tags dropped, references decoded, whitespace collapsed. */
function htmlToText(html: string): string {
  return collapse(decodeHtmlEntities(stripTags(html)));
}

/** Collapses runs of ASCII whitespace (not U+00A0 and friends, which HTML does not collapse either). */
function collapse(s: string): string {
  return s.replace(/[ \t\n\r\f]+/g, ' ').trim();
}

// ---------------------------------------------------------------------------------------------------------
// Tolerant XML reading
// ---------------------------------------------------------------------------------------------------------

/** An element of the repaired document. */
interface XNode {
  name: string;
  attrs: Map<string, string>;
  children: Array<XNode | string>;
  /** False when the document ended before the element's end tag. */
  closed: boolean;
}

interface Frame {
  name: string;
  /** `null` for an element that is not kept (too deep, or after the root). */
  node: XNode | null;
  /** Where text inside this element goes. */
  target: XNode;
}

const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
const TAG_NAME = /[^\s/>"'=<]+/y;
const ATTR_NAME = /[^\s=/>"'<]+/y;
const UNQUOTED = /[^\s>]*/y;

/** Reads the internal subset of a DOCTYPE for plain-text entities; returns the index after the DOCTYPE. */
function readDoctype(src: string, start: number, entities: Map<string, string>): number {
  let i = start + 9;
  let quote = '';
  let subsetStart = -1;
  let subsetEnd = -1;
  for (; i < src.length; i++) {
    const c = src[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '[' && subsetStart === -1) {
      subsetStart = i + 1;
    } else if (c === ']' && subsetStart !== -1 && subsetEnd === -1) {
      subsetEnd = i;
    } else if (c === '<' && subsetStart !== -1 && subsetEnd === -1 && src.startsWith('<!--', i)) {
      const e = src.indexOf('-->', i + 4);
      i = e === -1 ? src.length : e + 2;
    } else if (c === '>' && (subsetStart === -1 || subsetEnd !== -1)) {
      break;
    }
  }
  if (subsetStart !== -1) {
    const subset = src.slice(subsetStart, subsetEnd === -1 ? i : subsetEnd);
    const decl = /<!ENTITY\s+(%\s+)?([A-Za-z_][\w.-]*)\s+(?:"([^"]*)"|'([^']*)'|(SYSTEM|PUBLIC)\b)/g;
    for (const m of subset.matchAll(decl)) {
      // Parameter and external entities (XXE) are never defined: references to them stay literal text.
      if (m[1] || m[5] || XML_ENTITIES[m[2]!] !== undefined || entities.has(m[2]!)) continue;
      const value = cleanChars(decodeRefs(m[3] ?? m[4] ?? '', null));
      // Only plain text is expanded, so entities can never nest (no billion laughs, no markup injection).
      if (value.length > MAX_ENTITY_VALUE || /[&%<]/.test(value)) continue;
      entities.set(m[2]!, value);
    }
  }
  return Math.min(i + 1, src.length);
}

/** Reads a document into a tree, repairing what a lenient reader can. */
function readTree(src: string): XNode | null {
  const ctx: EntityContext = { declared: new Map(), budget: MAX_ENTITY_EXPANSION };
  const doc: XNode = { name: '#document', attrs: new Map(), children: [], closed: true };
  const sink: XNode = { name: '#sink', attrs: new Map(), children: [], closed: true };
  const stack: Frame[] = [{ name: '#document', node: doc, target: doc }];
  let root: XNode | null = null;
  const n = src.length;
  let i = 0;
  // How many open frames have each name (exact, and lower-cased): a stray end tag is found in O(1).
  const openNames = new Map<string, number>();
  const bump = (name: string, by: number): void => {
    for (const key of [name, `\0${name.toLowerCase()}`]) openNames.set(key, (openNames.get(key) ?? 0) + by);
  };
  // Set once ']]>' is known not to occur from this index on (repeated unterminated CDATA stays linear).
  let noCdataEndFrom = n + 1;

  const addText = (text: string): void => {
    if (text === '') return;
    const target = stack[stack.length - 1]!.target;
    if (target === doc || target === sink) return;
    const kids = target.children;
    const last = kids[kids.length - 1];
    if (typeof last === 'string') kids[kids.length - 1] = last + text;
    else kids.push(text);
  };

  const open = (name: string, attrs: Map<string, string>, selfClosing: boolean): void => {
    const top = stack[stack.length - 1]!;
    let frame: Frame;
    if (top.target === sink || (top.target === doc && root !== null)) {
      // Anything after the root element is ignored.
      frame = { name, node: null, target: sink };
    } else if (stack.length > MAX_DEPTH) {
      // Too deep: the element is unwrapped, its text goes to the nearest kept ancestor.
      frame = { name, node: null, target: top.target };
    } else {
      const node: XNode = { name, attrs, children: [], closed: selfClosing };
      top.target.children.push(node);
      if (root === null) root = node;
      frame = { name, node, target: node };
    }
    if (!selfClosing) {
      stack.push(frame);
      bump(name, 1);
    }
  };

  const close = (name: string): void => {
    const exact = (openNames.get(name) ?? 0) > 0;
    if (!exact && (openNames.get(`\0${name.toLowerCase()}`) ?? 0) === 0) return; // A stray end tag.
    // The scan below is paid for by the frames it pops.
    let k = stack.length - 1;
    if (exact) while (k > 0 && stack[k]!.name !== name) k--;
    else while (k > 0 && stack[k]!.name.toLowerCase() !== name.toLowerCase()) k--;
    while (stack.length > k) {
      const frame = stack.pop()!;
      bump(frame.name, -1);
      if (frame.node) frame.node.closed = true;
    }
  };

  while (i < n) {
    const lt = src.indexOf('<', i);
    const stop = lt === -1 ? n : lt;
    if (stop > i) addText(decodeRefs(src.slice(i, stop), ctx));
    i = stop;
    if (lt === -1) break;
    if (src.startsWith('<!--', i)) {
      const e = src.indexOf('-->', i + 4);
      i = e === -1 ? n : e + 3;
    } else if (src.startsWith('<![CDATA[', i)) {
      let e = i + 9 >= noCdataEndFrom ? -1 : src.indexOf(']]>', i + 9);
      let next = e + 3;
      if (e === -1) {
        noCdataEndFrom = Math.min(noCdataEndFrom, i + 9);
        // Unterminated CDATA: it ends where its element does, if that element's end tag follows.
        const top = stack[stack.length - 1]!;
        e = top.node ? src.indexOf(`</${top.name}`, i + 9) : -1;
        if (e === -1) e = n;
        next = e;
      }
      addText(src.slice(i + 9, e));
      i = next;
    } else if (src.startsWith('<!', i)) {
      if (/^<!doctype/i.test(src.slice(i, i + 9))) {
        i = readDoctype(src, i, root === null ? ctx.declared : new Map());
      } else {
        const e = src.indexOf('>', i + 2);
        i = e === -1 ? n : e + 1;
      }
    } else if (src[i + 1] === '?') {
      const e = src.indexOf('?>', i + 2);
      i = e === -1 ? n : e + 2;
    } else if (src[i + 1] === '/') {
      const e = src.indexOf('>', i + 2);
      const name = src.slice(i + 2, e === -1 ? n : e).trim().split(/[\s/]/)[0] ?? '';
      if (name !== '') close(name);
      i = e === -1 ? n : e + 1;
    } else if (NAME_START.test(src[i + 1] ?? '')) {
      TAG_NAME.lastIndex = i + 1;
      const name = TAG_NAME.exec(src)![0];
      let j = TAG_NAME.lastIndex;
      const attrs = new Map<string, string>();
      let selfClosing = false;
      let complete = false;
      while (j < n) {
        const c = src[j]!;
        if (c === '>') {
          j++;
          complete = true;
          break;
        }
        if (c === '/' && src[j + 1] === '>') {
          j += 2;
          selfClosing = complete = true;
          break;
        }
        if (c === '<') {
          complete = true; // A tag missing its '>': end it here.
          break;
        }
        if (/\s|\//.test(c)) {
          j++;
          continue;
        }
        ATTR_NAME.lastIndex = j;
        const m = ATTR_NAME.exec(src);
        if (!m) {
          j++; // A stray quote or '='.
          continue;
        }
        const attrName = m[0];
        j = ATTR_NAME.lastIndex;
        while (j < n && /\s/.test(src[j]!)) j++;
        let value = '';
        if (src[j] === '=') {
          j++;
          while (j < n && /\s/.test(src[j]!)) j++;
          const q = src[j];
          if (q === '"' || q === "'") {
            let e = src.indexOf(q, j + 1);
            if (e === -1) e = src.indexOf('>', j + 1);
            if (e === -1) e = n;
            value = src.slice(j + 1, e);
            j = src[e] === q ? e + 1 : e;
          } else {
            UNQUOTED.lastIndex = j;
            value = UNQUOTED.exec(src)![0];
            j = UNQUOTED.lastIndex;
          }
        }
        if (!attrs.has(attrName)) attrs.set(attrName, decodeRefs(value, ctx));
      }
      i = j;
      if (complete) open(name, attrs, selfClosing); // A tag cut off by the end of the document is dropped.
    } else {
      addText('<'); // A '<' that starts no markup is text.
      i++;
    }
  }
  return root;
}

// ---------------------------------------------------------------------------------------------------------
// Namespaces, feed family, quirks
// ---------------------------------------------------------------------------------------------------------

const NS = {
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
  xhtml: NS.xhtml,
  xml: NS.xml,
});

type Family = 'rss' | 'rdf' | 'atom' | 'cdf';

/** Namespaces whose elements lose their prefix, per family (no namespace always does). */
const PRIMARY: Record<Family, Set<string>> = {
  atom: new Set([NS.atom10, NS.atom03]),
  rss: new Set([NS.rss10, NS.rss090, NS.userland, 'http://backend.userland.com/rss']),
  rdf: new Set([NS.rss10, NS.rss090, NS.userland, 'http://backend.userland.com/rss']),
  cdf: new Set(),
};

/** Elements holding text (possibly with inline markup), per family, keyed by canonical name. */
const TEXT_ELEMENTS: Record<Family, Set<string>> = {
  atom: new Set(['title', 'subtitle', 'tagline', 'summary', 'content', 'rights', 'copyright', 'info']),
  rss: new Set([
    'title', 'description', 'summary', 'fullitem', 'content:encoded', 'xhtml:body', 'dc:title',
    'dc:description', 'media:title', 'media:description', 'itunes:summary',
  ]),
  rdf: new Set(),
  cdf: new Set(['TITLE', 'ABSTRACT']),
};
TEXT_ELEMENTS.rdf = TEXT_ELEMENTS.rss;

/** An XML 1.0 name without ':' (the NameStartChar / NameChar ranges sax accepts; no astral characters). */
const XML_NAME = new RegExp(
  `^[${String.raw`_A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD`}]` +
    `[${String.raw`_A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u00B7\u0300-\u036F\u203F-\u2040.0-9-`}]*$`,
);

const VOID_ELEMENTS = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);

function splitName(qname: string): [string, string] {
  const c = qname.indexOf(':');
  return c === -1 ? ['', qname] : [qname.slice(0, c), qname.slice(c + 1)];
}

function localName(name: string): string {
  return splitName(name)[1];
}

/** Resolves `ref` against `base`; keeps `ref` when there is no usable base. */
function resolveAgainst(ref: string, base: string | null): string {
  if (!base) return ref;
  try {
    return new URL(ref, base).href;
  } catch {
    return ref;
  }
}

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
        out.push(' ', local, '="', escapeAttr(value), '"');
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

/** The repaired, canonical document, ready for rss-parser. */
interface Repaired {
  xml: string;
  family: Family;
}

/** Element-by-element repair: namespace prefixes, `xml:base`, text elements. */
class Canonicalizer {
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
    return scope.get(prefix) ?? (prefix === '' ? '' : (CONVENTIONAL_PREFIXES[prefix] ?? `urn:undeclared:${prefix}`));
  }

  /**
   * Rewrites `node` in place (returns the nodes that replace it: itself, or its children when its name is
   * unusable). `base` is the `xml:base` in effect, `null` when no ancestor declared one.
   */
  visit(node: XNode, parentScope: Map<string, string>, parentName: string, base: string | null): Array<XNode | string> {
    let scope = parentScope;
    for (const [name, value] of node.attrs) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        if (scope === parentScope) scope = new Map(parentScope);
        scope.set(name === 'xmlns' ? '' : name.slice(6), value.trim());
      }
    }
    const [prefix, local] = splitName(node.name);
    const ns = this.nsOf(prefix, scope);
    const canonicalPrefix = ns === '' || this.primary.has(ns) ? '' : this.prefixFor(ns);
    const ownBase = node.attrs.get('xml:base');
    const effectiveBase = ownBase !== undefined ? resolveAgainst(ownBase.trim(), base ?? this.url) : base;

    const attrs = new Map<string, string>();
    for (const [name, value] of node.attrs) {
      if (name === 'xmlns' || name.startsWith('xmlns:') || name === 'xml:base') continue;
      const [ap, al] = splitName(name);
      const canonical = ap === '' ? al : ap === 'xml' ? `xml:${al}` : `${this.prefixFor(this.nsOf(ap, scope))}:${al}`;
      if (!XML_NAME.test(al) || attrs.has(canonical)) continue;
      attrs.set(canonical, value);
    }
    // Every element under an xml:base carries the absolute base in effect, for the mapping to read.
    if (effectiveBase !== null) attrs.set('xml:base', effectiveBase);

    const kids: Array<XNode | string> = [];
    const name = canonicalPrefix ? `${canonicalPrefix}:${local}` : local === '_' ? 'x_' : local;
    for (const kid of node.children) {
      if (typeof kid === 'string') kids.push(kid);
      else kids.push(...this.visit(kid, scope, name, effectiveBase));
    }
    if (!XML_NAME.test(local)) return kids; // An unusable name: keep what is inside.
    node.name = name;
    node.attrs = attrs;
    node.children = kids;
    if (this.isTextElement(name, parentName)) this.flatten(node);
    return [node];
  }

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
    const hasElements = node.children.some((k) => typeof k !== 'string');
    if (!hasElements && !xmlTyped) {
      node.children = [node.children.join('')];
      return;
    }
    let kids = node.children;
    // Atom 1.0 xhtml content sits in a wrapper <div> that is not part of the content (RFC 4287 §3.1.1.3).
    const elements = kids.filter((k): k is XNode => typeof k !== 'string');
    const onlyText = kids.filter((k): k is string => typeof k === 'string').every((t) => t.trim() === '');
    if (type === 'xhtml' && elements.length === 1 && onlyText && localName(elements[0]!.name) === 'div') {
      kids = elements[0]!.children;
    }
    // Inside type="html", text is HTML source even around stray elements; elsewhere it is XML text.
    const htmlTyped = this.family === 'atom' && (type === 'html' || type === 'text/html');
    node.children = [toHtml(kids, htmlTyped)];
    node.attrs.set('type', 'html');
    node.attrs.delete('mode');
  }
}

function elementChildren(node: XNode): XNode[] {
  return node.children.filter((k): k is XNode => typeof k !== 'string');
}

function childText(node: XNode): string {
  return node.children.filter((k): k is string => typeof k === 'string').join('');
}

function newNode(name: string, children: Array<XNode | string> = [], attrs = new Map<string, string>()): XNode {
  return { name, attrs, children, closed: true };
}

/** Drops items and entries that the end of a truncated document cut off. */
function dropCutOffEntries(node: XNode): void {
  node.children = node.children.filter(
    (k) => typeof k === 'string' || k.closed || !['item', 'entry', 'ITEM'].includes(localName(k.name)),
  );
  for (const kid of elementChildren(node)) dropCutOffEntries(kid);
}

function countEntries(node: XNode): number {
  let n = 0;
  for (const kid of elementChildren(node)) {
    n += ['item', 'entry', 'ITEM'].includes(localName(kid.name)) ? 1 : countEntries(kid);
  }
  return n;
}

/** Rewrites a Microsoft CDF channel (1997) as the RSS it is equivalent to. */
function cdfToRss(channel: XNode): XNode {
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

/**
 * An item or entry without attributes or child elements carries nothing, and xml2js hands it over as a
 * string, on which rss-parser reads `entry.link` — `String.prototype.link`, a function — and throws.
 */
function dropHollowEntries(parent: XNode, name: string): void {
  parent.children = parent.children.filter(
    (k) => typeof k === 'string' || k.name !== name || k.attrs.size > 0 || elementChildren(k).length > 0,
  );
}

/** Feed-format quirks that are easier to fix in the tree than after rss-parser. */
function applyQuirks(root: XNode, family: Family): XNode {
  if (family === 'rss') {
    let channel = elementChildren(root).find((k) => k.name === 'channel');
    const strays = elementChildren(root).filter((k) => k !== channel);
    if (!channel) {
      // Some RSS 0.9x documents put everything straight under <rss>, without a <channel>.
      channel = newNode('channel', strays);
      root.children = [channel];
    } else {
      // Items written after </channel> still belong to the channel.
      const items = strays.filter((k) => k.name === 'item');
      channel.children.push(...items);
      root.children = root.children.filter((k) => !items.includes(k as XNode));
    }
    dropHollowEntries(channel, 'item');
    for (const item of elementChildren(channel).filter((k) => k.name === 'item')) {
      summaryOrder(item);
      hideFromSnippets(item);
    }
  } else if (family === 'rdf') {
    let channel = elementChildren(root).find((k) => k.name === 'channel');
    if (!channel) {
      channel = newNode('channel');
      root.children.unshift(channel);
    }
    // RSS 1.0 items are siblings of the channel; some documents nest them inside it.
    const nested = elementChildren(channel).filter((k) => k.name === 'item');
    channel.children = channel.children.filter((k) => !nested.includes(k as XNode));
    root.children.push(...nested);
    dropHollowEntries(root, 'item');
    for (const item of elementChildren(root).filter((k) => k.name === 'item')) {
      summaryOrder(item);
      hideFromSnippets(item);
    }
  } else if (family === 'atom') {
    for (const node of [root, ...elementChildren(root).filter((k) => k.name === 'entry')]) {
      for (const link of elementChildren(node).filter((k) => k.name === 'link')) {
        // <link>URL</link> (RSS habit in an Atom feed) means href; rss-parser also needs an attribute on it.
        const text = childText(link).trim();
        if (!link.attrs.has('href') && text) link.attrs.set('href', text);
        if (!link.attrs.has('rel')) link.attrs.set('rel', 'alternate');
        link.children = [];
      }
      if (node === root) continue;
      hideFromSnippets(node);
      for (const date of elementChildren(node).filter((k) => k.name === 'published' || k.name === 'updated')) {
        // rss-parser runs new Date(x).toISOString() on these and throws RangeError on garbage: hand it
        // our reading of the date instead, and nothing when we cannot read it (the entry keeps the rest).
        const iso = parseDate(childText(date));
        if (iso === null) node.children = node.children.filter((k) => k !== date);
        else date.children = [iso];
      }
    }
    dropHollowEntries(root, 'entry'); // Last: dropping a date can leave an entry hollow.
  }
  return root;
}

/** Private names for the elements rss-parser would turn into a `contentSnippet`. */
const HIDDEN = table<string>({ description: 'wf:description', 'content:encoded': 'wf:encoded', content: 'wf:content' });

/**
 * rss-parser builds `contentSnippet` from an item's description / content:encoded / content with lazy
 * `(?:.|\n)*?>` regexes that take minutes on text with many '<' and no '>'. We read those elements raw
 * anyway, so rss-parser gets them under private names it does not know.
 */
function hideFromSnippets(item: XNode): void {
  for (const kid of elementChildren(item)) kid.name = HIDDEN[kid.name] ?? kid.name;
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

function toXml(node: XNode, out: string[]): void {
  out.push('<', node.name);
  for (const [name, value] of node.attrs) {
    out.push(' ', name, '="', escapeAttr(value).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;'), '"');
  }
  out.push('>');
  for (const kid of node.children) {
    if (typeof kid === 'string') out.push(escapeHtml(kid));
    else toXml(kid, out);
  }
  out.push('</', node.name, '>');
}

/** Reads, repairs and re-serialises an XML feed; throws `ParseError` when it is not a feed. */
function repairXml(text: string, url: string | null): Repaired {
  const root = readTree(text);
  if (!root) throw new ParseError('not a feed: the document contains no XML element');
  // The family comes from the root element, read with the namespaces it declares itself.
  const [prefix, local] = splitName(root.name);
  // (Resolved as the Canonicalizer resolves names, so that the root's namespace is the primary one.)
  const declared =
    root.attrs.get(prefix === '' ? 'xmlns' : `xmlns:${prefix}`)?.trim() ??
    (prefix === '' ? '' : (CONVENTIONAL_PREFIXES[prefix] ?? `urn:undeclared:${prefix}`));
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

// ---------------------------------------------------------------------------------------------------------
// rss-parser, and mapping its output (plus the raw elements it drops) onto RawFeed
// ---------------------------------------------------------------------------------------------------------

/** Elements handed to us raw by rss-parser (as `raw:<name>`), because it drops or flattens them. */
const RAW_FIELDS = [
  'title', 'link', 'description', 'summary', 'content', 'subtitle', 'tagline', 'id', 'guid', 'author',
  'managingEditor', 'category', 'tags', 'pubDate', 'lastBuildDate', 'published', 'updated', 'issued',
  'modified', 'created', 'enclosure', 'fullitem', 'content:encoded', 'xhtml:body', 'dc:title', 'dc:creator',
  'dc:author', 'dc:subject', 'dc:date', 'dc:description', 'dcterms:issued', 'dcterms:modified',
  'media:content', 'media:thumbnail', 'media:group', 'media:title', 'media:description', 'media:credit',
  ...Object.values(HIDDEN),
];
const RAW = 'raw:';

/** An element as xml2js gives it: a string, or an object with text (`_`), attributes (`$`) and children. */
type RawNode = string | { _?: unknown; $?: Record<string, string>; [child: string]: unknown };
type RawHolder = Record<string, unknown>;

function rawList(holder: unknown, name: string): RawNode[] {
  if (typeof holder !== 'object' || holder === null) return [];
  const value = (holder as RawHolder)[name];
  return Array.isArray(value) ? (value as RawNode[]) : [];
}

function raws(holder: RawHolder, name: string): RawNode[] {
  return rawList(holder, RAW + name);
}

function nodeText(node: RawNode | undefined): string {
  if (typeof node === 'string') return node;
  return typeof node?._ === 'string' ? node._ : '';
}

function nodeAttr(node: RawNode | undefined, name: string): string | undefined {
  if (typeof node !== 'object' || node === null || typeof node.$ !== 'object' || node.$ === null) return undefined;
  const value = node.$[name];
  return typeof value === 'string' ? value : undefined;
}

/** Trimmed text, `null` when empty. */
function clean(s: string | null | undefined): string | null {
  const t = s?.trim();
  return t ? t : null;
}

/** The first non-empty text among the nodes of the given fields, in order. */
function firstText(holder: RawHolder, ...names: string[]): string | null {
  for (const name of names) {
    for (const node of raws(holder, name)) {
      const t = clean(nodeText(node));
      if (t !== null) return t;
    }
  }
  return null;
}

function firstNode(holder: RawHolder, ...names: string[]): RawNode | undefined {
  for (const name of names) {
    for (const node of raws(holder, name)) if (clean(nodeText(node)) !== null) return node;
  }
  return undefined;
}

/** The base URL for a node: its `xml:base`, else the fallback. */
function baseOf(node: RawNode | undefined, fallback: string | null): string | null {
  return nodeAttr(node, 'xml:base') ?? fallback;
}

/** Resolves a link; `null` for empty and dangerous (`javascript:`, `vbscript:`, `data:`, `file:`) URLs. */
function cleanUrl(raw: string | null | undefined, base: string | null): string | null {
  const s = clean(raw);
  if (s === null) return null;
  const isDangerous = (u: string): boolean =>
    /^(?:javascript|vbscript|data|file):/i.test(u.replace(/[\u0000-\u0020\u007F]+/g, ''));
  if (isDangerous(s)) return null;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s)) return s;
  const resolved = resolveAgainst(s, base);
  return isDangerous(resolved) ? null : resolved;
}

/** A person's name out of `email (Name)`, `Name <email>`, `Name (email)`, or the string itself. */
function personName(s: string): string | null {
  const t = collapse(s);
  if (t === '') return null;
  if (t.length > 500) return t; // Not a name; not worth the regexes either.
  const m =
    /^\S+@\S+\s*\((.+)\)$/.exec(t) ?? /^(.+?)\s*<[^<>\s]+@[^<>\s]+>$/.exec(t) ?? /^(.+?)\s*\([^()\s]+@[^()\s]+\)$/.exec(t);
  return clean(m ? m[1]!.replace(/^"(.*)"$/, '$1') : t);
}

/** Joins names with ", ", dropping empties and repeats; `null` when none. */
function joinNames(names: Array<string | null>): string | null {
  const unique = [...new Set(names.filter((n): n is string => n !== null))];
  return unique.length ? unique.join(', ') : null;
}

function uniqueStrings(values: Array<string | null>): string[] {
  return [...new Set(values.map((v) => (v === null ? null : collapse(v))).filter((v): v is string => !!v))];
}

function parseLength(s: string | undefined): number | null {
  const t = s?.trim() ?? '';
  if (!/^\d{1,15}$/.test(t)) return null;
  const n = Number(t);
  return n > 0 ? n : null;
}

function parseDimension(s: string | undefined): number | null {
  const n = parseLength(s?.replace(/px$/i, ''));
  return n;
}

/** Decodes base64 to UTF-8 text; `null` when it is not base64 or not text. */
function decodeBase64Text(s: string): string | null {
  try {
    const binary = atob(s.replace(/\s+/g, ''));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.includes('\u0000') ? null : cleanChars(text);
  } catch {
    return null;
  }
}

type TextKind = 'text' | 'html';

/**
 * Reads an Atom (or RSS) text element: its value and whether that value is text or HTML. Only Atom says
 * that a non-text media type means base64 (RFC 4287 §4.1.3.3); elsewhere only `mode="base64"` does.
 */
function textConstruct(node: RawNode | undefined, defaultKind: TextKind, atom = false): { value: string; kind: TextKind } | null {
  if (node === undefined) return null;
  let value = nodeText(node);
  const type = (nodeAttr(node, 'type') ?? '').trim().toLowerCase();
  const mode = (nodeAttr(node, 'mode') ?? '').trim().toLowerCase();
  let kind: TextKind = defaultKind;
  if (type === 'html' || type === 'text/html' || type === 'xhtml' || type === 'application/xhtml+xml') kind = 'html';
  else if (type === 'text' || type === 'text/plain') kind = 'text';
  else if (type.endsWith('+xml') || type.endsWith('/xml')) kind = 'html';
  const base64 =
    mode === 'base64' ||
    (atom && type !== '' && !type.startsWith('text/') && !type.endsWith('xml') && !['text', 'html', 'xhtml'].includes(type));
  if (base64) {
    const decoded = decodeBase64Text(value);
    if (decoded === null) return null;
    value = decoded;
    // Base64 of a type that is neither text nor HTML is read as HTML, as feedparser does.
    if (!type.startsWith('text/') || type === 'text/html') kind = 'html';
  }
  return clean(value) === null ? null : { value, kind };
}

function asText(tc: { value: string; kind: TextKind } | null): string | null {
  if (!tc) return null;
  return clean(tc.kind === 'html' ? htmlToText(tc.value) : collapse(tc.value));
}

function asHtml(tc: { value: string; kind: TextKind } | null): string | null {
  if (!tc) return null;
  return clean(tc.kind === 'html' ? tc.value : escapeHtml(tc.value));
}

/** An Atom person element's name (`<name>`, else `<email>`, else its text). */
function atomPerson(node: RawNode): string | null {
  const name = rawList(node, 'name').map(nodeText).find((t) => clean(t));
  if (name) return personName(name);
  const email = rawList(node, 'email').map(nodeText).find((t) => clean(t));
  return email ? clean(email) : personName(nodeText(node));
}

/** The captions and credits `media:*` elements carry, at one level. */
interface MediaText {
  title: string | null;
  description: string | null;
  credit: string | null;
}

function mediaText(holder: unknown, prefix = ''): MediaText {
  const list = (name: string): RawNode[] => rawList(holder, prefix + name);
  const textOf = (nodes: RawNode[]): string | null => {
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
function readMedia(item: RawHolder, base: string | null): RawMedia[] {
  const itemText = mediaText(item, RAW);
  const out: RawMedia[] = [];
  const seen = new Set<string>();
  const add = (node: RawNode, medium: string | null, inherited: MediaText): void => {
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
  for (const node of raws(item, 'media:content')) add(node, null, itemText);
  for (const group of raws(item, 'media:group')) {
    const groupText = mediaText(group);
    const inherited = {
      title: groupText.title ?? itemText.title,
      description: groupText.description ?? itemText.description,
      credit: groupText.credit ?? itemText.credit,
    };
    for (const node of rawList(group, 'media:content')) add(node, null, inherited);
    for (const node of rawList(group, 'media:thumbnail')) add(node, 'image', inherited);
  }
  for (const node of raws(item, 'media:thumbnail')) add(node, 'image', itemText);
  return out;
}

/** Enclosures plus the `media:content` files not already listed, deduplicated by URL. */
function mergeEnclosures(enclosures: RawEnclosure[], media: RawMedia[], item: RawHolder, base: string | null): RawEnclosure[] {
  const out: RawEnclosure[] = [];
  const seen = new Set<string>();
  const push = (e: RawEnclosure): void => {
    if (seen.has(e.url)) return;
    seen.add(e.url);
    out.push(e);
  };
  enclosures.forEach(push);
  const sizes = new Map<string, number | null>();
  const contents = [...raws(item, 'media:content'), ...raws(item, 'media:group').flatMap((g) => rawList(g, 'media:content'))];
  for (const node of contents) {
    const url = cleanUrl(nodeAttr(node, 'url'), baseOf(node, base));
    if (url !== null) sizes.set(url, parseLength(nodeAttr(node, 'fileSize')));
  }
  for (const m of media) if (sizes.has(m.url)) push({ url: m.url, type: m.type, length: sizes.get(m.url) ?? null });
  return out;
}

function emptyEntry(e: RawEntry): boolean {
  return (
    e.id === null && e.title === null && e.link === null && e.published === null && e.updated === null &&
    e.author === null && e.categories.length === 0 && e.summary === null && e.content === null &&
    e.enclosures.length === 0 && e.media.length === 0
  );
}

function rssCategories(holder: RawHolder): string[] {
  // <tags>a, b</tags> is a made-up element some generators write; feedparser reads it, so do we.
  const tags = raws(holder, 'tags').flatMap((n) => nodeText(n).split(','));
  return uniqueStrings([...tags, ...raws(holder, 'category').map(nodeText), ...raws(holder, 'dc:subject').map(nodeText)]);
}

function rssAuthor(holder: RawHolder, ...names: string[]): string | null {
  return joinNames(names.flatMap((name) => raws(holder, name).map((n) => personName(nodeText(n)))));
}

/** RSS title: text, unless it was written with inline markup. */
function rssTitle(holder: RawHolder): string | null {
  const node = firstNode(holder, 'title', 'dc:title');
  return asText(textConstruct(node, 'text'));
}

function mapRss(out: RawHolder, format: FeedFormat, url: string | null): RawFeed {
  const linkNode = firstNode(out, 'link');
  const link = cleanUrl(nodeText(linkNode), baseOf(linkNode, url));
  const fallbackBase = link && /^https?:/i.test(link) ? link : url;
  const items = Array.isArray(out.items) ? (out.items as RawHolder[]) : [];
  const entries = items.map((item): RawEntry => {
    const itemLinkNode = firstNode(item, 'link');
    const guidNode = firstNode(item, 'guid');
    const guid = clean(nodeText(guidNode));
    let itemLink = cleanUrl(nodeText(itemLinkNode), baseOf(itemLinkNode, fallbackBase));
    // A guid is the permalink unless isPermaLink="false" (RSS 2.0), when it looks like a URL.
    if (itemLink === null && guid !== null && nodeAttr(guidNode, 'isPermaLink')?.trim().toLowerCase() !== 'false' && /^https?:\/\//i.test(guid)) {
      itemLink = cleanUrl(guid, null);
    }
    const enclosures: RawEnclosure[] = [];
    for (const node of raws(item, 'enclosure')) {
      const encUrl = cleanUrl(nodeAttr(node, 'url'), baseOf(node, fallbackBase));
      if (encUrl) enclosures.push({ url: encUrl, type: clean(nodeAttr(node, 'type')), length: parseLength(nodeAttr(node, 'length')) });
    }
    const media = readMedia(item, fallbackBase);
    const summaryNode = firstNode(item, HIDDEN.description!, 'dc:description', 'summary');
    const contentNode = firstNode(item, HIDDEN['content:encoded']!, 'xhtml:body', 'fullitem');
    const about = typeof item['rdf:about'] === 'string' ? clean(item['rdf:about']) : null;
    return {
      id: guid ?? about,
      title: rssTitle(item),
      link: itemLink,
      published: parseDate(firstText(item, 'pubDate', 'dcterms:issued')),
      updated: parseDate(firstText(item, 'dc:date', 'dcterms:modified')),
      author: rssAuthor(item, 'author', 'dc:creator', 'dc:author'),
      categories: rssCategories(item),
      summary: absolutizeHtml(asHtml(textConstruct(summaryNode, 'html')), baseOf(summaryNode, fallbackBase)),
      content: absolutizeHtml(asHtml(textConstruct(contentNode, 'html')), baseOf(contentNode, fallbackBase)),
      enclosures: mergeEnclosures(enclosures, media, item, fallbackBase),
      media,
    };
  });
  const descriptionNode = firstNode(out, 'description', 'dc:description');
  return {
    format,
    title: rssTitle(out),
    link,
    description: absolutizeHtml(asHtml(textConstruct(descriptionNode, 'html')), baseOf(descriptionNode, fallbackBase)),
    id: null,
    author: rssAuthor(out, 'managingEditor', 'dc:creator', 'dc:author', 'author'),
    categories: rssCategories(out),
    published: parseDate(firstText(out, 'pubDate', 'dcterms:issued')),
    updated: parseDate(firstText(out, 'lastBuildDate', 'dc:date', 'dcterms:modified')),
    entries: entries.filter((e) => !emptyEntry(e)),
  };
}

/** The `rel="alternate"` (or rel-less) link with an href, resolved. */
function atomLink(holder: RawHolder, base: string | null): string | null {
  for (const node of raws(holder, 'link')) {
    const rel = (nodeAttr(node, 'rel') ?? 'alternate').trim().toLowerCase();
    const href = nodeAttr(node, 'href');
    if ((rel === 'alternate' || rel === '') && clean(href) !== null) {
      const resolved = cleanUrl(href, baseOf(node, base));
      if (resolved) return resolved;
    }
  }
  return null;
}

function atomCategories(holder: RawHolder): string[] {
  return uniqueStrings(
    raws(holder, 'category').map((n) => clean(nodeAttr(n, 'term')) ?? clean(nodeAttr(n, 'label')) ?? nodeText(n)),
  );
}

function atomAuthor(holder: RawHolder): string | null {
  return joinNames(raws(holder, 'author').map(atomPerson));
}

function mapAtom(out: RawHolder, url: string | null): RawFeed {
  const link = atomLink(out, url);
  const fallbackBase = link && /^https?:/i.test(link) ? link : url;
  const items = Array.isArray(out.items) ? (out.items as RawHolder[]) : [];
  const entries = items.map((entry): RawEntry => {
    const enclosures: RawEnclosure[] = [];
    for (const node of raws(entry, 'link')) {
      if ((nodeAttr(node, 'rel') ?? '').trim().toLowerCase() !== 'enclosure') continue;
      const href = cleanUrl(nodeAttr(node, 'href'), baseOf(node, fallbackBase));
      if (href) enclosures.push({ url: href, type: clean(nodeAttr(node, 'type')), length: parseLength(nodeAttr(node, 'length')) });
    }
    const contentNode = raws(entry, HIDDEN.content!)[0];
    // Out-of-line content (<content src="…"/>) has nothing inline to show.
    const content = contentNode !== undefined && nodeAttr(contentNode, 'src') === undefined ? textConstruct(contentNode, 'text', true) : null;
    const media = readMedia(entry, fallbackBase);
    const summaryNode = raws(entry, 'summary')[0];
    return {
      id: firstText(entry, 'id'),
      title: asText(textConstruct(raws(entry, 'title')[0], 'text', true)),
      link: atomLink(entry, fallbackBase),
      // Atom 0.3 says issued/modified/created where Atom 1.0 says published/updated.
      published: parseDate(firstText(entry, 'published', 'issued', 'created')),
      updated: parseDate(firstText(entry, 'updated', 'modified')),
      author: atomAuthor(entry),
      categories: atomCategories(entry),
      summary: absolutizeHtml(asHtml(textConstruct(summaryNode, 'text', true)), baseOf(summaryNode, fallbackBase)),
      content: absolutizeHtml(asHtml(content), baseOf(contentNode, fallbackBase)),
      enclosures: mergeEnclosures(enclosures, media, entry, fallbackBase),
      media,
    };
  });
  const subtitleNode = firstNode(out, 'subtitle', 'tagline');
  return {
    format: 'atom',
    title: asText(textConstruct(raws(out, 'title')[0], 'text', true)),
    link,
    description: absolutizeHtml(asHtml(textConstruct(subtitleNode, 'text', true)), baseOf(subtitleNode, fallbackBase)),
    id: firstText(out, 'id'),
    author: atomAuthor(out),
    categories: atomCategories(out),
    published: parseDate(firstText(out, 'published', 'issued')),
    updated: parseDate(firstText(out, 'updated', 'modified')),
    entries: entries.filter((e) => !emptyEntry(e)),
  };
}

function rawFields(): Array<[string, string, { keepArray: boolean }]> {
  return RAW_FIELDS.map((name) => [name, RAW + name, { keepArray: true }]);
}

async function parseXmlFeed(text: string, url: string | null): Promise<RawFeed> {
  const { xml, family } = repairXml(text, url);
  const parser = new Parser<RawHolder, RawHolder>({
    customFields: { feed: rawFields() as unknown as string[], item: rawFields() },
    defaultRSS: 2,
  });
  let out: RawHolder;
  try {
    out = (await parser.parseString(xml)) as unknown as RawHolder;
  } catch (err) {
    throw new ParseError(`the feed's XML could not be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (family === 'atom') return mapAtom(out, url);
  return mapRss(out, family === 'rdf' ? 'rdf' : 'rss', url);
}

// ---------------------------------------------------------------------------------------------------------
// JSON Feed
// ---------------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonString(v: unknown): string | null {
  return typeof v === 'string' ? clean(cleanChars(v)) : null;
}

function jsonAuthors(holder: Json): string | null {
  // JSON Feed 1.1 has `authors`; 1.0 had a single `author`.
  const list = Array.isArray(holder.authors) ? holder.authors : isObject(holder.author) ? [holder.author] : [];
  return joinNames(list.map((a) => (isObject(a) ? jsonString(a.name) : null)));
}

function jsonMedia(item: Json, base: string | null): RawMedia[] {
  const out: RawMedia[] = [];
  for (const key of ['image', 'banner_image']) {
    const url = cleanUrl(jsonString(item[key]), base);
    if (url && !out.some((m) => m.url === url)) {
      out.push({ url, type: null, medium: 'image', width: null, height: null, title: null, description: null, credit: null });
    }
  }
  return out;
}

function parseJsonFeed(text: string, url: string | null): RawFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ParseError(`not a feed: invalid JSON (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  if (!isObject(doc)) throw new ParseError('not a JSON Feed: the document is not a JSON object');
  const version = typeof doc.version === 'string' ? doc.version.trim() : '';
  if (!/^https?:\/\/jsonfeed\.org\/version\/\d+(\.\d+)?\/?$/i.test(version)) {
    throw new ParseError('not a JSON Feed: "version" is not a https://jsonfeed.org/version/… URL');
  }
  if (!Array.isArray(doc.items)) throw new ParseError('not a JSON Feed: "items" is not an array');
  const link = cleanUrl(jsonString(doc.home_page_url), url);
  const base = link && /^https?:/i.test(link) ? link : url;
  const entries: RawEntry[] = [];
  for (const item of doc.items) {
    if (!isObject(item)) continue; // A null or scalar item is skipped, not fatal.
    const id = typeof item.id === 'number' && Number.isFinite(item.id) ? String(item.id) : jsonString(item.id);
    const html = jsonString(item.content_html);
    const plain = jsonString(item.content_text);
    const summary = jsonString(item.summary);
    const enclosures: RawEnclosure[] = [];
    if (Array.isArray(item.attachments)) {
      for (const a of item.attachments) {
        if (!isObject(a)) continue;
        const encUrl = cleanUrl(jsonString(a.url), base);
        const size = typeof a.size_in_bytes === 'number' && Number.isSafeInteger(a.size_in_bytes) && a.size_in_bytes > 0 ? a.size_in_bytes : null;
        if (encUrl && !enclosures.some((e) => e.url === encUrl)) enclosures.push({ url: encUrl, type: jsonString(a.mime_type), length: size });
      }
    }
    const entry: RawEntry = {
      id,
      title: jsonString(item.title) === null ? null : collapse(jsonString(item.title)!),
      link: cleanUrl(jsonString(item.url), base) ?? cleanUrl(jsonString(item.external_url), base),
      published: parseDate(jsonString(item.date_published)),
      updated: parseDate(jsonString(item.date_modified)),
      author: jsonAuthors(item),
      categories: uniqueStrings(Array.isArray(item.tags) ? item.tags.map(jsonString) : []),
      summary: summary === null ? null : escapeHtml(summary),
      content: html !== null ? absolutizeHtml(html, base) : plain === null ? null : escapeHtml(plain),
      enclosures,
      media: jsonMedia(item, base),
    };
    if (!emptyEntry(entry)) entries.push(entry);
  }
  const title = jsonString(doc.title);
  return {
    format: 'json',
    title: title === null ? null : collapse(title),
    link,
    description: jsonString(doc.description) === null ? null : escapeHtml(jsonString(doc.description)!),
    id: cleanUrl(jsonString(doc.feed_url), url),
    author: jsonAuthors(doc),
    categories: [],
    published: null,
    updated: null,
    entries,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------------------

/**
 * Parses a decoded upstream document (see `decodeFeedBytes`) into a `RawFeed`.
 *
 * `options.url` is the document's own URL: the last resort for resolving relative links.
 * Throws `ParseError` for anything that is not a feed (empty body, HTML page, JSON that is not a JSON
 * Feed, XML of another vocabulary, a document truncated before its first entry, an entity bomb) — never
 * an empty feed in their place.
 */
export async function parseFeed(text: string, options?: { url?: string }): Promise<RawFeed> {
  const url = options?.url && /^https?:\/\//i.test(options.url) ? options.url : null;
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (body === '') throw new ParseError('not a feed: the document is empty');
  if (body.length > MAX_DOCUMENT_CHARS) throw new ParseError('refusing the document: it is larger than 64 MiB');
  if (body.startsWith('{') || body.startsWith('[')) return parseJsonFeed(body, url);
  // Server-side warnings printed before the feed ("<br />\n<b>Warning</b>: … on line 3") are skipped; a
  // prefix holding a declaration, comment or <html> is not junk and stays.
  const start = body.slice(0, 65536).search(/<(?:\?xml\s|rss[\s>]|feed[\s>]|rdf:RDF[\s>])/);
  const junk = start > 0 && !/<[!?]|<html[\s>]/i.test(body.slice(0, start)) ? start : 0;
  if (junk === 0 && !body.startsWith('<')) throw new ParseError('not a feed: the document is neither XML nor JSON');
  return parseXmlFeed(cleanChars(body.slice(junk)), url);
}
