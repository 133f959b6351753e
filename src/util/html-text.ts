/**
 * The one HTML reader for text: a linear tokenizer that delimits markup as an HTML tokenizer does, the one
 * entity decoder (over `html-entities.ts`), the one escaper, and HTML → plain text on top of them. Every floor
 * (ingest mappers, normalize, publish) uses these, so a title reads the same wherever it is turned into text.
 *
 * Decided once:
 * - a tag ends at the first `>` outside a quoted attribute value; a `<` that starts no tag is text; a tag or
 *   comment still open at the end of input swallows the rest (HTML drops it);
 * - comments, `<!…>` and `<?…>` declarations are not text; `<![CDATA[…]]>` is literal text;
 * - the contents of `NON_TEXT_ELEMENTS` (script, style, noscript, template…) are never text;
 * - references come from our HTML 4 table (`html-entities.ts`): names with their `;`, the legacy Latin-1 ones
 *   (and amp, lt, gt, quot) also without it, as HTML reads them; numeric ones with or without `;`; unknown
 *   names stay literal;
 * - inline tags join their text (`Wash<b>ing</b>ton` → `Washington`); `BLOCK_ELEMENTS` and `<br>` break
 *   the text (a space on one line, a new line with `{ lines: true }`);
 * - only ASCII white space collapses, as in HTML: U+00A0 (`&nbsp;`) is kept between words, never collapsed, and
 *   trimmed at either end of the text (or of each line).
 */
import { charForCodePoint, HTML_ENTITIES } from './html-entities.ts';

/** One token of an HTML fragment. `raw` is its source text; concatenating every `raw` gives the input back. */
export type HtmlToken =
  | { kind: 'text'; raw: string; text: string }
  | { readonly kind: 'start'; readonly raw: string; readonly name: string; readonly attrs: Map<string, string>; readonly selfClosing: boolean }
  | { kind: 'end'; raw: string; name: string }
  | { kind: 'comment'; raw: string };

/** Elements that break text into lines (and paragraphs). */
export const BLOCK_ELEMENTS: ReadonlySet<string> = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'caption', 'dd', 'div', 'dl', 'dt', 'figcaption', 'figure',
  'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section',
  'table', 'td', 'th', 'tr', 'ul',
]);

/** Elements whose contents are never text (code, styling, fallbacks, embedded documents, form options). */
export const NON_TEXT_ELEMENTS: ReadonlySet<string> = new Set([
  'script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'math', 'select', 'textarea',
  'title', 'head',
]);

// Elements whose contents the HTML tokenizer reads as text up to their end tag (no markup inside).
const RAW_TEXT = new Set(['script', 'style', 'xmp', 'iframe', 'noembed', 'noframes', 'textarea', 'title']);
// Of those, the ones whose text still has character references.
const ESCAPABLE_RAW_TEXT = new Set(['textarea', 'title']);

// The names HTML still reads without their ';' (the HTML 4 Latin-1 ones and amp, lt, gt, quot).
const LEGACY_NAMES = new Set(
  [...HTML_ENTITIES].filter(([name, cp]) => (cp >= 0xa0 && cp <= 0xff) || ['amp', 'lt', 'gt', 'quot'].includes(name)).map(([name]) => name),
);
const LONGEST_LEGACY = Math.max(...[...LEGACY_NAMES].map((name) => name.length));

/** The longest legacy name `name` starts with, or undefined. */
function legacyPrefix(name: string): string | undefined {
  for (let len = Math.min(LONGEST_LEGACY, name.length); len >= 2; len--) {
    const prefix = name.slice(0, len);
    if (LEGACY_NAMES.has(prefix)) return prefix;
  }
  return undefined;
}

/** Options of `decodeEntities`. */
export interface DecodeOptions {
  /** An attribute value: a name without ';' followed by a letter, digit or '=' stays as written (`?a=1&copy=2`). */
  attribute?: boolean;
}

/**
 * Decodes character references as HTML does, over our HTML 4 table: names with their `;`, the legacy Latin-1 names
 * also without it (`&copy 2021`), numeric references (C1 as windows-1252, forbidden code points dropped).
 * Unknown names stay as written.
 */
export function decodeEntities(text: string, options: DecodeOptions = {}): string {
  let amp = text.indexOf('&');
  if (amp === -1) return text;
  const n = text.length;
  let out = '';
  let last = 0;
  while (amp !== -1) {
    const i = amp + 1;
    let replacement: string | null = null;
    let end = i;
    if (text.charCodeAt(i) === 0x23) {
      const hex = (text.charCodeAt(i + 1) | 0x20) === 0x78;
      const start = hex ? i + 2 : i + 1;
      let j = start;
      while (j < n && (hex ? isHexDigit(text.charCodeAt(j)) : isDigit(text.charCodeAt(j)))) j++;
      if (j > start) {
        replacement = charForCodePoint(Number.parseInt(text.slice(start, j), hex ? 16 : 10));
        end = text.charCodeAt(j) === 0x3b ? j + 1 : j;
      }
    } else if (isLetterAt(text, i)) {
      let j = i + 1;
      while (j < n && (isLetterAt(text, j) || isDigit(text.charCodeAt(j)))) j++;
      const name = text.slice(i, j);
      const full = text.charCodeAt(j) === 0x3b ? HTML_ENTITIES.get(name) : undefined;
      if (full !== undefined) {
        replacement = String.fromCodePoint(full);
        end = j + 1;
      } else {
        const legacy = legacyPrefix(name);
        const after = i + (legacy?.length ?? 0);
        const next = text.charCodeAt(after);
        if (legacy !== undefined && !(options.attribute && (isLetterAt(text, after) || isDigit(next) || next === 0x3d))) {
          replacement = String.fromCodePoint(HTML_ENTITIES.get(legacy)!);
          end = after;
        }
      }
    }
    if (replacement !== null) {
      out += text.slice(last, amp) + replacement;
      last = end;
    }
    amp = text.indexOf('&', Math.max(end, i));
  }
  return out + text.slice(last);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/** Escapes text for HTML element content or a double-quoted attribute value (`&`, `<`, `>`, `"`). */
export function escapeHtml(text: string): string {
  // One pass, and none for the text most calls get (nothing to escape).
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, (ch) => ENTITY[ch]!) : text;
}

const NEEDS_ESCAPE = /[&<>"]/;
const ESCAPED = /[&<>"]/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * Collapses runs of ASCII white space to one space, as HTML does; U+00A0 is kept between words (it binds them:
 * `10&nbsp;km`) and trimmed with the spaces at either end.
 */
export function collapse(text: string): string {
  const s = text.replace(/[ \t\n\r\f]+/g, ' ');
  let start = 0;
  let end = s.length;
  while (start < end && isEdgeSpace(s.charCodeAt(start))) start++;
  while (end > start && isEdgeSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

function isEdgeSpace(c: number): boolean {
  return c === 0x20 || c === 0xa0;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

/** The attributes of the tag whose name starts at `start` (names lower-cased, the first of a name kept). */
function readAttributes(html: string, start: number): Map<string, string> {
  let i = start;
  while (i < html.length) {
    const c = html.charCodeAt(i);
    if (isSpace(c) || c === 0x2f || c === 0x3e) break;
    i++;
  }
  const attrs = new Map<string, string>();
  skipTag(html, i, attrs);
  return attrs;
}

/** Where the raw text of a `name` element ends: the index of its end tag, or the end of input. */
function rawTextEnd(html: string, from: number, name: string): number {
  const endTag = new RegExp(`</${name}(?=[\\t\\n\\f\\r />]|$)`, 'gi');
  endTag.lastIndex = from;
  return endTag.exec(html)?.index ?? html.length;
}

/** Options of `htmlTokens`. */
export interface HtmlTokenOptions {
  /** Leaves out `NON_TEXT_ELEMENTS` and everything inside them. */
  dropNonText?: boolean;
}

/**
 * Hands the tokens of an HTML fragment to `visit`, in order, read in one linear pass. Text tokens carry their
 * decoded text (CDATA and script/style contents literally). Start tags carry lower-cased names and attributes
 * (first one wins, values decoded, read when first asked for). `visit` returning `false` ends the pass.
 */
export function eachHtmlToken(html: string, options: HtmlTokenOptions, visit: (token: HtmlToken) => void | false): void {
  scan(html, options.dropNonText ? textOnly(visit) : visit);
}

/** The tokens of an HTML fragment, as `eachHtmlToken` gives them. */
export function htmlTokens(html: string, options: HtmlTokenOptions = {}): HtmlToken[] {
  const out: HtmlToken[] = [];
  eachHtmlToken(html, options, (token) => {
    out.push(token);
  });
  return out;
}

/** A visitor that passes on everything but `NON_TEXT_ELEMENTS` and their contents. */
function textOnly(visit: (token: HtmlToken) => void | false): (token: HtmlToken) => void | false {
  let skipName: string | null = null;
  let skipDepth = 0;
  return (token) => {
    if (skipName !== null) {
      if (token.kind === 'start' && token.name === skipName && !token.selfClosing) skipDepth++;
      else if (token.kind === 'end' && token.name === skipName && --skipDepth === 0) skipName = null;
      return;
    }
    if (token.kind === 'start' && NON_TEXT_ELEMENTS.has(token.name)) {
      if (!token.selfClosing) {
        skipName = token.name;
        skipDepth = 1;
      }
      return;
    }
    if (token.kind === 'end' && NON_TEXT_ELEMENTS.has(token.name)) return;
    return visit(token);
  };
}

function isLetterAt(html: string, i: number): boolean {
  const c = html.charCodeAt(i) | 0x20;
  return c >= 0x61 && c <= 0x7a;
}

/** A start tag token whose attributes are read from `raw` when first asked for. */
class StartTag {
  readonly kind = 'start';
  readonly raw: string;
  readonly name: string;
  readonly selfClosing: boolean;
  #attrs: Map<string, string> | undefined;

  constructor(raw: string, name: string, selfClosing: boolean) {
    this.raw = raw;
    this.name = name;
    this.selfClosing = selfClosing;
  }

  get attrs(): Map<string, string> {
    return (this.#attrs ??= readAttributes(this.raw, 1));
  }
}

// Where the tag `skipTag` read ends, and whether it ends in `/>` (out values, to allocate nothing per tag).
let tagEnd = 0;
let tagSelfClosing = false;

/**
 * Walks the tag whose name ends at `i`: sets `tagEnd` and `tagSelfClosing`, and puts its attributes in `attrs`
 * when given (entities decoded; an unquoted value may hold quotes; a name may start with '=').
 */
function skipTag(html: string, i: number, attrs?: Map<string, string>): void {
  const n = html.length;
  let selfClosing = false;
  while (i < n) {
    const c = html.charCodeAt(i);
    if (c === 0x3e) {
      tagEnd = i + 1;
      tagSelfClosing = selfClosing;
      return;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 0x2f) {
      i++;
      selfClosing = html.charCodeAt(i) === 0x3e;
      continue;
    }
    selfClosing = false;
    const nameStart = i;
    i++;
    while (i < n) {
      const d = html.charCodeAt(i);
      if (isSpace(d) || d === 0x2f || d === 0x3e || d === 0x3d) break;
      i++;
    }
    const nameEnd = i;
    let j = i;
    while (j < n && isSpace(html.charCodeAt(j))) j++;
    let valueStart = j;
    let valueEnd = j;
    if (html.charCodeAt(j) === 0x3d) {
      j++;
      while (j < n && isSpace(html.charCodeAt(j))) j++;
      const q = html.charCodeAt(j);
      if (q === 0x22 || q === 0x27) {
        const close = html.indexOf(q === 0x22 ? '"' : "'", j + 1);
        if (close === -1) break;
        valueStart = j + 1;
        valueEnd = close;
        j = close + 1;
      } else {
        valueStart = j;
        while (j < n) {
          const d = html.charCodeAt(j);
          if (isSpace(d) || d === 0x3e) break;
          j++;
        }
        valueEnd = j;
      }
      i = j;
    }
    if (attrs !== undefined) {
      const attrName = html.slice(nameStart, nameEnd).toLowerCase();
      if (!attrs.has(attrName)) attrs.set(attrName, decodeEntities(html.slice(valueStart, valueEnd), { attribute: true }));
    }
  }
  tagEnd = n;
  tagSelfClosing = false;
}

/** The lower-cased name of the tag from `start` to `end` (the common tag names without a new string). */
function tagName(html: string, start: number, end: number): string {
  let upper = false;
  for (let k = start; k < end; k++) {
    const c = html.charCodeAt(k);
    if ((c >= 0x41 && c <= 0x5a) || c >= 0x80) upper = true;
  }
  const name = html.slice(start, end);
  return upper ? name.toLowerCase() : name;
}

/** The end of the name of a tag starting at `start`. */
function tagNameEnd(html: string, start: number): number {
  const n = html.length;
  let i = start;
  while (i < n) {
    const c = html.charCodeAt(i);
    if (isSpace(c) || c === 0x2f || c === 0x3e) break;
    i++;
  }
  return i;
}

/** Reads `html` token by token into `visit`. */
function scan(html: string, visit: (token: HtmlToken) => void | false): void {
  const n = html.length;
  let i = 0;
  let textStart = 0;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt === -1) break;
    const next = html.charCodeAt(lt + 1);
    let token: HtmlToken;
    let end: number;
    let rawText: string | null = null; // the name of a raw-text element just opened
    if (next === 0x21) {
      if (html.startsWith('<!--', lt)) {
        if (html.startsWith('<!-->', lt)) end = lt + 5;
        else if (html.startsWith('<!--->', lt)) end = lt + 6;
        else {
          const close = html.indexOf('-->', lt + 4);
          end = close === -1 ? n : close + 3;
        }
        token = { kind: 'comment', raw: html.slice(lt, end) };
      } else if (html.startsWith('<![CDATA[', lt)) {
        const close = html.indexOf(']]>', lt + 9);
        end = close === -1 ? n : close + 3;
        token = { kind: 'text', raw: html.slice(lt, end), text: html.slice(lt + 9, close === -1 ? n : close) };
      } else {
        const close = html.indexOf('>', lt + 2);
        end = close === -1 ? n : close + 1;
        token = { kind: 'comment', raw: html.slice(lt, end) };
      }
    } else if (next === 0x3f) {
      const close = html.indexOf('>', lt + 2);
      end = close === -1 ? n : close + 1;
      token = { kind: 'comment', raw: html.slice(lt, end) };
    } else if (next === 0x2f && isLetterAt(html, lt + 2)) {
      const nameEnd = tagNameEnd(html, lt + 2);
      skipTag(html, nameEnd);
      end = tagEnd;
      token = { kind: 'end', raw: html.slice(lt, end), name: tagName(html, lt + 2, nameEnd) };
    } else if (isLetterAt(html, lt + 1)) {
      const nameEnd = tagNameEnd(html, lt + 1);
      skipTag(html, nameEnd);
      end = tagEnd;
      const name = tagName(html, lt + 1, nameEnd);
      token = new StartTag(html.slice(lt, end), name, tagSelfClosing);
      // XHTML in feeds writes `<iframe … />`: a self-closed raw-text element has no contents.
      if (!tagSelfClosing && end < n && RAW_TEXT.has(name)) rawText = name;
    } else {
      i = lt + 1; // A '<' that starts no tag is text.
      continue;
    }
    if (lt > textStart) {
      const raw = html.slice(textStart, lt);
      if (visit({ kind: 'text', raw, text: decodeEntities(raw) }) === false) return;
    }
    if (visit(token) === false) return;
    i = textStart = end;
    if (rawText !== null) {
      const close = rawTextEnd(html, end, rawText);
      if (close > end) {
        const raw = html.slice(end, close);
        if (visit({ kind: 'text', raw, text: ESCAPABLE_RAW_TEXT.has(rawText) ? decodeEntities(raw) : raw }) === false) return;
      }
      i = textStart = close;
    }
  }
  if (n > textStart) {
    const raw = html.slice(textStart, n);
    visit({ kind: 'text', raw, text: decodeEntities(raw) });
  }
}

/**
 * Rewrites the markup of an HTML fragment: `onTag` gets each tag, comment or declaration as written and
 * returns its replacement (`isTag` for start and end tags); text is passed through as written.
 */
export function mapMarkup(html: string, onTag: (token: string, isTag: boolean) => string): string {
  const out: string[] = [];
  scan(html, (token) => {
    out.push(token.kind === 'text' ? token.raw : onTag(token.raw, token.kind !== 'comment'));
  });
  return out.join('');
}

/** Options of `htmlToText`. */
export interface HtmlToTextOptions {
  /** One block (paragraph, heading, list item, `<br>`-separated line) per line, instead of one line. */
  lines?: boolean;
}

/**
 * Plain text of an HTML fragment: markup and non-text elements dropped, references decoded, ASCII white space
 * collapsed. Block boundaries give a space, or with `{ lines: true }` a line break (empty lines dropped).
 */
export function htmlToText(html: string, options: HtmlToTextOptions = {}): string {
  // Text with NUL (dropped, as HTML drops it from text) standing for each block boundary.
  const parts: string[] = [];
  scan(html, textOnly((token) => {
    if (token.kind === 'text') parts.push(token.text.includes('\0') ? token.text.replace(/\0/g, '') : token.text);
    else if (token.kind !== 'comment' && BLOCK_ELEMENTS.has(token.name)) parts.push('\0');
  }));
  return parts
    .join('')
    .split('\0')
    .map(collapse)
    .filter((line) => line !== '')
    .join(options.lines ? '\n' : ' ');
}
