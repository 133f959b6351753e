/**
 * One linear pass over a page's HTML before it becomes a DOM: building the DOM is most of extraction's cost,
 * and every element and attribute is a node to build. Comments and the contents of elements that are never
 * text (script, style, svg, …) are cut, and so are the head's links but the canonical one; JSON-LD scripts are
 * handed back as text for the metadata; attributes no reader looks at (event handlers, inline styles that hide
 * nothing, tracking `data-*`) are dropped, except on images, whose lazy-loading attributes name the picture.
 * Markup this pass does not understand is passed on as written: the DOM parser makes of it what a browser would.
 */

/** Elements whose contents are never story text; cut with everything inside them. Navigation menus and form
 * controls are among them: the generic site rule strips them before any body is read, and they are a fifth of
 * a news page's elements. */
const NON_TEXT = new Set(['script', 'style', 'svg', 'noscript', 'template', 'iframe', 'object', 'math', 'nav', 'button', 'select', 'textarea']);
/** Void elements that are never text: their tag is dropped. */
const NON_TEXT_VOID = new Set(['input', 'embed']);
/** Elements whose contents are raw text (no markup inside): their end is the first matching end tag. */
const RAW_TEXT = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'textarea', 'title', 'xmp']);
/** Elements whose attributes are all kept (lazy-loading images put the picture in any `data-*`). */
const KEEP_ALL = new Set(['img', 'source', 'picture', 'video', 'meta', 'link', 'html']);
/** Attributes the readers use: Readability (class, id, role, aria, hidden, table and media hints), our
 * metadata, blocks and site rules (href, src, itemprop, datetime, content, …). */
const KEPT_ATTRIBUTES = new Set([
  'class', 'id', 'href', 'src', 'srcset', 'alt', 'hidden', 'aria-hidden', 'aria-modal', 'role', 'itemprop', 'itemtype',
  'itemscope', 'rel', 'lang', 'datetime', 'content', 'property', 'name', 'type', 'charset', 'http-equiv', 'colspan',
  'rowspan', 'dir', 'summary', 'datatable', 'poster', 'data-src', 'data-srcset', 'data-lazy-src', 'data-original',
]);
// An inline style is kept only when it hides the element (Readability skips what is not visible).
const HIDING_STYLE = /display\s*:\s*none|visibility\s*:\s*hidden/i;
/** The one `<link>` of the head a reader looks at (the metadata's `link[rel="canonical"]`); the others (style
 * sheets, icons, preloads, alternates) are a sixth of a page's nodes and are dropped. */
const isCanonical = (rel: string): boolean => rel.toLowerCase() === 'canonical';

/** The end tag of an element, for the element names this pass cuts or passes on as raw text (built once each). */
const END_TAGS = new Map<string, RegExp>();
function endTag(name: string, whole: boolean): RegExp {
  const key = whole ? `${name}>` : name;
  let re = END_TAGS.get(key);
  if (!re) END_TAGS.set(key, (re = new RegExp(`</${name}(?=[\\s/>])${whole ? '[^>]*>' : ''}`, 'gi')));
  return re;
}

// White space beside a block-level tag is no text (a browser shows none), but each run of it is a text node to
// build. Start tags written by this pass hold no '>' in their values, so `[^>]*` reads them exactly.
const BLOCK_TAGS = 'html|head|body|meta|link|title|div|p|ul|ol|li|dl|dt|dd|section|article|header|footer|nav|aside|main|figure|figcaption|table|thead|tbody|tfoot|tr|td|th|h[1-6]|br|hr|form|fieldset|blockquote|address';
const BLOCK_SPACE_AFTER = new RegExp(`(<\\/?(?:${BLOCK_TAGS})(?=[\\s/>])[^>]*>)[ \\t\\n\\r\\f]+`, 'gi');
const BLOCK_SPACE_BEFORE = new RegExp(`[ \\t\\n\\r\\f]+(<\\/?(?:${BLOCK_TAGS})(?=[\\s/>]))`, 'gi');

/** The page's HTML, pruned, and the texts of its JSON-LD scripts. */
export interface PrunedPage {
  html: string;
  jsonLd: string[];
}

/** An attribute value as written inside double quotes, with no '>' (start tags written by this pass hold none). */
const escapeValue = (v: string): string =>
  v.includes('"') || v.includes('>') ? v.replace(/"/g, '&quot;').replace(/>/g, '&gt;') : v;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
const isLetter = (c: number): boolean => ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);

/** Attribute names a site rule's selectors mention (`[data-component=…]`), so that pruning keeps them. */
export function selectorAttributes(selectors: readonly string[]): string[] {
  const out: string[] = [];
  for (const s of selectors) {
    let names = SELECTOR_ATTRIBUTES.get(s);
    if (!names) {
      if (SELECTOR_ATTRIBUTES.size >= 4096) SELECTOR_ATTRIBUTES.clear();
      SELECTOR_ATTRIBUTES.set(s, (names = Array.from(s.matchAll(/\[\s*([\w:-]+)/g), (m) => m[1]!.toLowerCase())));
    }
    out.push(...names);
  }
  return out;
}
// Rules are configuration: a bounded set of strings, each read once.
const SELECTOR_ATTRIBUTES = new Map<string, string[]>();

/** The kept attributes with `keep` added (the last list asked for is kept: callers pass the same one for every page). */
function keptAttributes(keep: readonly string[]): ReadonlySet<string> {
  if (keep.length === 0) return KEPT_ATTRIBUTES;
  const key = keep.join(' ');
  if (key !== lastKeep.key) lastKeep = { key, set: new Set([...KEPT_ATTRIBUTES, ...keep]) };
  return lastKeep.set;
}
let lastKeep: { key: string; set: ReadonlySet<string> } = { key: '', set: KEPT_ATTRIBUTES };

/**
 * Prunes a page (see the file's comment). `keep` names more attributes to keep (those the site rules select on).
 * Linear in the input: every index moves forward; an unterminated comment, quote or raw-text element ends the input.
 */
export function prunePage(html: string, keep: readonly string[] = []): PrunedPage {
  const kept = keptAttributes(keep);
  const out: string[] = [];
  const jsonLd: string[] = [];
  const n = html.length;
  let i = 0;
  let textStart = 0;
  // Between `<head>` and the first `</head>` or `<body>`: the head's links other than the canonical one are dropped.
  let inHead = false;
  const flush = (upTo: number): void => {
    if (upTo > textStart) out.push(html.slice(textStart, upTo));
  };
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt === -1) break;
    const next = html.charCodeAt(lt + 1);
    if (next === 0x21 && html.startsWith('<!--', lt)) {
      flush(lt);
      const close = html.indexOf('-->', lt + 4);
      i = textStart = close === -1 ? n : close + 3;
      continue;
    }
    if (!isLetter(next)) {
      if (inHead && next === 0x2f && html.slice(lt + 2, lt + 6).toLowerCase() === 'head') inHead = false;
      i = lt + 1; // an end tag, a declaration, or a '<' that starts no tag: passed on as written
      continue;
    }
    // A start tag: its name, then its attributes, read quote-aware.
    let j = lt + 1;
    while (j < n && !isSpace(html.charCodeAt(j)) && html.charCodeAt(j) !== 0x2f && html.charCodeAt(j) !== 0x3e) j++;
    const name = html.slice(lt + 1, j).toLowerCase();
    const all = KEEP_ALL.has(name);
    const attrs: string[] = [];
    let type = '';
    let rel = '';
    let selfClosing = false;
    let end = n;
    while (j < n) {
      const c = html.charCodeAt(j);
      if (c === 0x3e) {
        end = j + 1;
        break;
      }
      if (isSpace(c)) {
        j++;
        continue;
      }
      if (c === 0x2f) {
        j++;
        selfClosing = html.charCodeAt(j) === 0x3e;
        continue;
      }
      selfClosing = false;
      const nameStart = j;
      j++;
      while (j < n) {
        const d = html.charCodeAt(j);
        if (isSpace(d) || d === 0x2f || d === 0x3e || d === 0x3d) break;
        j++;
      }
      const attrName = html.slice(nameStart, j).toLowerCase();
      // Only a value that is kept or read here is taken out of the input.
      const wanted = all || kept.has(attrName) || attrName === 'style' || attrName === 'type' || attrName === 'rel';
      let k = j;
      while (k < n && isSpace(html.charCodeAt(k))) k++;
      let value: string | null = null;
      if (html.charCodeAt(k) === 0x3d) {
        k++;
        while (k < n && isSpace(html.charCodeAt(k))) k++;
        const q = html[k];
        if (q === '"' || q === "'") {
          const close = html.indexOf(q, k + 1);
          if (close === -1) {
            j = n;
            break;
          }
          value = wanted ? html.slice(k + 1, close) : '';
          k = close + 1;
        } else {
          const start = k;
          while (k < n && !isSpace(html.charCodeAt(k)) && html.charCodeAt(k) !== 0x3e) k++;
          value = wanted ? html.slice(start, k) : '';
        }
        j = k;
      }
      if (!wanted) continue;
      if (attrName === 'type') type = value ?? '';
      else if (attrName === 'rel') rel = value ?? '';
      if (all || kept.has(attrName) || (attrName === 'style' && value !== null && HIDING_STYLE.test(value))) {
        attrs.push(value === null ? attrName : `${attrName}="${escapeValue(value)}"`);
      }
    }
    flush(lt);
    if (NON_TEXT.has(name) && !selfClosing) {
      // Cut to the element's end tag (the first one: raw-text elements cannot nest, and svg/math rarely do).
      const close = endTag(name, true);
      close.lastIndex = end;
      const m = close.exec(html);
      const stop = m ? m.index : n;
      if (name === 'script' && /^\s*["']?application\/ld\+json/i.test(type)) jsonLd.push(html.slice(end, stop));
      i = textStart = m ? m.index + m[0].length : n;
      continue;
    }
    if (NON_TEXT.has(name) || NON_TEXT_VOID.has(name) || (inHead && name === 'link' && !isCanonical(rel))) {
      i = textStart = end;
      continue;
    }
    if (name === 'head') inHead = true;
    else if (name === 'body') inHead = false;
    out.push(`<${name}${attrs.length > 0 ? ` ${attrs.join(' ')}` : ''}${selfClosing ? ' />' : '>'}`);
    i = textStart = end;
    if (RAW_TEXT.has(name) && !selfClosing) {
      // Raw text is passed on as written, so a '<' inside it is not read as a tag.
      const close = endTag(name, false);
      close.lastIndex = end;
      const m = close.exec(html);
      i = m ? m.index : n;
    }
  }
  flush(n);
  return { html: out.join('').replace(BLOCK_SPACE_AFTER, '$1').replace(BLOCK_SPACE_BEFORE, '$1'), jsonLd };
}
