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
// Each name's character, made once.
const ENTITY_CHARS = new Map([...HTML_ENTITIES].map(([name, cp]) => [name, String.fromCodePoint(cp)]));
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
      const full = text.charCodeAt(j) === 0x3b ? ENTITY_CHARS.get(name) : undefined;
      if (full !== undefined) {
        replacement = full;
        end = j + 1;
      } else {
        const legacy = legacyPrefix(name);
        const after = i + (legacy?.length ?? 0);
        const next = text.charCodeAt(after);
        if (legacy !== undefined && !(options.attribute && (isLetterAt(text, after) || isDigit(next) || next === 0x3d))) {
          replacement = ENTITY_CHARS.get(legacy)!;
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
  // One single-character search per character (a native scan, several times faster than a class regex), and
  // one native pass per character present, '&' first (a replacement callback per match costs more).
  const amp = text.includes('&');
  const lt = text.includes('<');
  const gt = text.includes('>');
  const quot = text.includes('"');
  if (!amp && !lt && !gt && !quot) return text;
  let out = text;
  if (amp) out = out.replace(/&/g, '&amp;');
  if (lt) out = out.replace(/</g, '&lt;');
  if (gt) out = out.replace(/>/g, '&gt;');
  if (quot) out = out.replace(/"/g, '&quot;');
  return out;
}

/**
 * Collapses runs of ASCII white space to one space, as HTML does; U+00A0 is kept between words (it binds them:
 * `10&nbsp;km`) and trimmed with the spaces at either end.
 */
export function collapse(text: string): string {
  // Only the runs that are not already one space: a match per word costs more than the scan.
  const s = text.replace(WHITE_SPACE_RUNS, ' ');
  let start = 0;
  let end = s.length;
  while (start < end && isEdgeSpace(s.charCodeAt(start))) start++;
  while (end > start && isEdgeSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

// Runs of ASCII white space other than a single space.
const WHITE_SPACE_RUNS = /[\t\n\r\f][ \t\n\r\f]*| [ \t\n\r\f]+/g;

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

/** `HtmlReader.kind` of a text run (CDATA and raw-text contents included). */
export const HTML_TEXT = 1;
/** `HtmlReader.kind` of a start tag. */
export const HTML_START = 2;
/** `HtmlReader.kind` of an end tag. */
export const HTML_END = 3;
/** `HtmlReader.kind` of a comment, `<!…>` or `<?…>` declaration. */
export const HTML_COMMENT = 4;

/**
 * Reads an HTML fragment token by token in one linear pass, without an object per token: `next()` moves to the
 * next token and its fields describe it (`kind`, its source `start`–`end`, a tag's lower-cased `name` and
 * `selfClosing`). A text token's decoded text is `text()` (CDATA and script/style contents literally); a start
 * tag's attributes are read only when asked for (`attr`, `attrs`: first of a name wins, values decoded).
 */
export class HtmlReader {
  readonly html: string;
  /** The current token's kind (`HTML_TEXT` …), 0 before the first and after the last. */
  kind = 0;
  /** Where the current token's source starts in `html`. */
  start = 0;
  /** Where the current token's source ends in `html`. */
  end = 0;
  /** A tag's lower-cased name ('' for other tokens). */
  name = '';
  /** A start tag written `<… />`. */
  selfClosing = false;
  // A text token's contents (CDATA without its markers) and whether references in them are decoded.
  #textStart = 0;
  #textEnd = 0;
  #decode = true;
  // Where a start tag's attributes begin.
  #nameEnd = 0;
  readonly #dropNonText: boolean;
  // Where reading resumes, and where the text not yet given starts.
  #pos = 0;
  #textFrom = 0;
  // The first '&' at or after the last text run asked about (2^32 - 1 when there is none).
  #nextAmp = -1;
  // The raw-text element just opened, whose contents come after its start tag.
  #rawName: string | null = null;
  // A tag found after a run of text: given by the next call.
  #pendingKind = 0;
  #pendingStart = 0;
  #pendingEnd = 0;
  #pendingName = '';
  #pendingSelfClosing = false;
  #pendingNameEnd = 0;
  #pendingTextStart = 0;
  #pendingTextEnd = 0;

  constructor(html: string, options: HtmlTokenOptions = {}) {
    this.html = html;
    this.#dropNonText = options.dropNonText === true;
  }

  /** Moves to the next token (without `NON_TEXT_ELEMENTS` and their contents with `dropNonText`); false at the end. */
  next(): boolean {
    if (!this.#dropNonText) return this.#advance();
    while (this.#advance()) {
      const kind = this.kind;
      if (kind === HTML_START && NON_TEXT_ELEMENTS.has(this.name)) {
        if (!this.selfClosing) this.#skipElement(this.name);
        continue;
      }
      if (kind === HTML_END && NON_TEXT_ELEMENTS.has(this.name)) continue;
      return true;
    }
    return false;
  }

  /** Skips everything up to the end tag that closes the `name` element just opened. */
  #skipElement(name: string): void {
    let depth = 1;
    while (this.#advance()) {
      if (this.name !== name) continue;
      if (this.kind === HTML_START && !this.selfClosing) depth++;
      else if (this.kind === HTML_END && --depth === 0) return;
    }
  }

  /** The current text token's text, references decoded (CDATA and raw text as written). */
  text(): string {
    const text = this.html.slice(this.#textStart, this.#textEnd);
    return this.#decode ? decodeEntities(text) : text;
  }

  /** The current token as written. */
  raw(): string {
    return this.html.slice(this.start, this.end);
  }

  /** True when the current text token's text is its source as written (no reference to decode). */
  textIsRaw(): boolean {
    if (!this.#decode) return true;
    // The next '&' is looked for again only once passed: one scan of the input, however many text runs.
    if (this.#nextAmp < this.#textStart) this.#nextAmp = this.html.indexOf('&', this.#textStart) >>> 0;
    return this.#nextAmp >= this.#textEnd;
  }

  /** Where the current text token's text starts in `html` (see `textIsRaw`). */
  get textStart(): number {
    return this.#textStart;
  }

  /** Where the current text token's text ends in `html`. */
  get textEnd(): number {
    return this.#textEnd;
  }

  /** The value of the current start tag's attribute `name` (lower case), decoded; undefined when absent. */
  attr(name: string): string | undefined {
    if (this.kind !== HTML_START) return undefined;
    wantedAttr = name;
    wantedValue = undefined;
    skipTag(this.html, this.#nameEnd, undefined, this.end);
    wantedAttr = null;
    return wantedValue;
  }

  /** The current start tag's attributes (names lower-cased, the first of a name kept, values decoded). */
  attrs(): Map<string, string> {
    const attrs = new Map<string, string>();
    if (this.kind === HTML_START) skipTag(this.html, this.#nameEnd, attrs, this.end);
    return attrs;
  }

  #setText(start: number, end: number, textStart: number, textEnd: number, decode: boolean): void {
    this.kind = HTML_TEXT;
    this.start = start;
    this.end = end;
    this.name = '';
    this.selfClosing = false;
    this.#textStart = textStart;
    this.#textEnd = textEnd;
    this.#decode = decode;
  }

  #advance(): boolean {
    if (this.#pendingKind !== 0) {
      this.kind = this.#pendingKind;
      this.start = this.#pendingStart;
      this.end = this.#pendingEnd;
      this.name = this.#pendingName;
      this.selfClosing = this.#pendingSelfClosing;
      this.#nameEnd = this.#pendingNameEnd;
      this.#textStart = this.#pendingTextStart;
      this.#textEnd = this.#pendingTextEnd;
      this.#decode = false;
      this.#pendingKind = 0;
      return true;
    }
    const html = this.html;
    const n = html.length;
    if (this.#rawName !== null) {
      const name = this.#rawName;
      this.#rawName = null;
      const from = this.#pos;
      const close = rawTextEnd(html, from, name);
      this.#pos = this.#textFrom = close;
      if (close > from) {
        this.#setText(from, close, from, close, ESCAPABLE_RAW_TEXT.has(name));
        return true;
      }
    }
    let i = this.#pos;
    while (i < n) {
      const lt = html.indexOf('<', i);
      if (lt === -1) break;
      const next = html.charCodeAt(lt + 1);
      let kind: number;
      let end: number;
      let name = '';
      let selfClosing = false;
      let nameEnd = 0;
      let textStart = 0;
      let textEnd = 0;
      if (next === 0x21) {
        kind = HTML_COMMENT;
        if (html.startsWith('<!--', lt)) {
          if (html.startsWith('<!-->', lt)) end = lt + 5;
          else if (html.startsWith('<!--->', lt)) end = lt + 6;
          else {
            const close = html.indexOf('-->', lt + 4);
            end = close === -1 ? n : close + 3;
          }
        } else if (html.startsWith('<![CDATA[', lt)) {
          const close = html.indexOf(']]>', lt + 9);
          end = close === -1 ? n : close + 3;
          kind = HTML_TEXT;
          textStart = lt + 9;
          textEnd = close === -1 ? n : close;
        } else {
          const close = html.indexOf('>', lt + 2);
          end = close === -1 ? n : close + 1;
        }
      } else if (next === 0x3f) {
        kind = HTML_COMMENT;
        const close = html.indexOf('>', lt + 2);
        end = close === -1 ? n : close + 1;
      } else if (next === 0x2f && isLetterAt(html, lt + 2)) {
        kind = HTML_END;
        nameEnd = tagNameEnd(html, lt + 2);
        skipTag(html, nameEnd);
        end = tagEnd;
        name = tagName(html, lt + 2, nameEnd);
      } else if (isLetterAt(html, lt + 1)) {
        kind = HTML_START;
        nameEnd = tagNameEnd(html, lt + 1);
        skipTag(html, nameEnd);
        end = tagEnd;
        selfClosing = tagSelfClosing;
        name = tagName(html, lt + 1, nameEnd);
        // XHTML in feeds writes `<iframe … />`: a self-closed raw-text element has no contents.
        if (!selfClosing && end < n && RAW_TEXT.has(name)) this.#rawName = name;
      } else {
        i = lt + 1; // A '<' that starts no tag is text.
        continue;
      }
      const textFrom = this.#textFrom;
      this.#pos = this.#textFrom = end;
      if (lt > textFrom) {
        this.#pendingKind = kind;
        this.#pendingStart = lt;
        this.#pendingEnd = end;
        this.#pendingName = name;
        this.#pendingSelfClosing = selfClosing;
        this.#pendingNameEnd = nameEnd;
        this.#pendingTextStart = textStart;
        this.#pendingTextEnd = textEnd;
        this.#setText(textFrom, lt, textFrom, lt, true);
        return true;
      }
      this.kind = kind;
      this.start = lt;
      this.end = end;
      this.name = name;
      this.selfClosing = selfClosing;
      this.#nameEnd = nameEnd;
      this.#textStart = textStart;
      this.#textEnd = textEnd;
      this.#decode = false;
      return true;
    }
    this.#pos = n;
    if (n > this.#textFrom) {
      const from = this.#textFrom;
      this.#textFrom = n;
      this.#setText(from, n, from, n, true);
      return true;
    }
    this.kind = 0;
    this.name = '';
    return false;
  }
}

/**
 * Hands the tokens of an HTML fragment to `visit`, in order, read in one linear pass. Text tokens carry their
 * decoded text (CDATA and script/style contents literally). Start tags carry lower-cased names and attributes
 * (first one wins, values decoded, read when first asked for). `visit` returning `false` ends the pass.
 */
export function eachHtmlToken(html: string, options: HtmlTokenOptions, visit: (token: HtmlToken) => void | false): void {
  const reader = new HtmlReader(html, options);
  while (reader.next()) {
    if (visit(tokenOf(reader)) === false) return;
  }
}

/** The tokens of an HTML fragment, as `eachHtmlToken` gives them. */
export function htmlTokens(html: string, options: HtmlTokenOptions = {}): HtmlToken[] {
  const out: HtmlToken[] = [];
  eachHtmlToken(html, options, (token) => {
    out.push(token);
  });
  return out;
}

/** The reader's current token as an object. */
function tokenOf(reader: HtmlReader): HtmlToken {
  const raw = reader.raw();
  switch (reader.kind) {
    case HTML_TEXT:
      return { kind: 'text', raw, text: reader.text() };
    case HTML_START:
      return new StartTag(raw, reader.name, reader.selfClosing);
    case HTML_END:
      return { kind: 'end', raw, name: reader.name };
    default:
      return { kind: 'comment', raw };
  }
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
// The one attribute `skipTag` looks for (lower case), and its value once found.
let wantedAttr: string | null = null;
let wantedValue: string | undefined;

/**
 * Walks the tag whose name ends at `i` (up to `n`): sets `tagEnd` and `tagSelfClosing`, and puts its attributes
 * in `attrs` when given, or finds the value of `wantedAttr` when set (entities decoded; an unquoted value may hold
 * quotes; a name may start with '=').
 */
function skipTag(html: string, i: number, attrs?: Map<string, string>, n = html.length): void {
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
        if (close === -1 || close >= n) break;
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
    if (wantedAttr !== null) {
      if (nameEnd - nameStart === wantedAttr.length && html.slice(nameStart, nameEnd).toLowerCase() === wantedAttr) {
        wantedValue = decodeEntities(html.slice(valueStart, valueEnd), { attribute: true });
        return;
      }
    } else if (attrs !== undefined) {
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

/**
 * Rewrites the markup of an HTML fragment: `onTag` gets each tag, comment or declaration as written and
 * returns its replacement (`isTag` for start and end tags); text is passed through as written.
 */
export function mapMarkup(html: string, onTag: (token: string, isTag: boolean) => string): string {
  // Tokens cover the input end to end: what no replacement touches is copied in one slice, and input without a
  // replacement comes back as it is, not as a string of one piece per token (which every later read would flatten).
  let out = '';
  let from = 0;
  const reader = new HtmlReader(html);
  while (reader.next()) {
    if (reader.kind === HTML_TEXT) continue;
    const raw = reader.raw();
    const replaced = onTag(raw, reader.kind !== HTML_COMMENT);
    if (replaced === raw) continue;
    out += html.slice(from, reader.start) + replaced;
    from = reader.end;
  }
  return from === 0 ? html : out + html.slice(from);
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
  const separator = options.lines ? '\n' : ' ';
  let out = '';
  let line = '';
  const reader = new HtmlReader(html, { dropNonText: true });
  while (reader.next()) {
    const kind = reader.kind;
    if (kind === HTML_TEXT) {
      const text = reader.text();
      // HTML drops NUL from text.
      line += text.includes('\0') ? text.replace(/\0/g, '') : text;
    } else if (kind !== HTML_COMMENT && BLOCK_ELEMENTS.has(reader.name)) {
      out = addLine(out, line, separator);
      line = '';
    }
  }
  return addLine(out, line, separator);
}

/** `out` with the collapsed `line` added after `separator`, unless the line is empty. */
function addLine(out: string, line: string, separator: string): string {
  if (line === '') return out;
  const collapsed = collapse(line);
  if (collapsed === '') return out;
  return out === '' ? collapsed : out + separator + collapsed;
}
