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
  | { kind: 'start'; raw: string; name: string; attrs: Map<string, string>; selfClosing: boolean }
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

const REFERENCE = /&(?:#(\d+);?|#[xX]([0-9a-fA-F]+);?|([A-Za-z][A-Za-z0-9]*)(;?))/g;

// The names HTML still reads without their ';' (the HTML 4 Latin-1 ones and amp, lt, gt, quot), longest first.
const LEGACY_NAMES = [...HTML_ENTITIES]
  .filter(([name, cp]) => (cp >= 0xa0 && cp <= 0xff) || ['amp', 'lt', 'gt', 'quot'].includes(name))
  .map(([name]) => name)
  .sort((a, b) => b.length - a.length);

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
  if (!text.includes('&')) return text;
  return text.replace(REFERENCE, (whole: string, dec: string | undefined, hex: string | undefined, name: string | undefined, semi: string, offset: number) => {
    if (dec !== undefined) return charForCodePoint(Number.parseInt(dec, 10));
    if (hex !== undefined) return charForCodePoint(Number.parseInt(hex, 16));
    const full = semi ? HTML_ENTITIES.get(name!) : undefined;
    if (full !== undefined) return String.fromCodePoint(full);
    const legacy = LEGACY_NAMES.find((n) => name!.startsWith(n));
    if (legacy === undefined) return whole;
    const rest = name!.slice(legacy.length) + semi;
    const after = rest[0] ?? text[offset + whole.length] ?? '';
    if (options.attribute && /[A-Za-z0-9=]/.test(after)) return whole;
    return String.fromCodePoint(HTML_ENTITIES.get(legacy)!) + rest;
  });
}

/** Escapes text for HTML element content or a double-quoted attribute value (`&`, `<`, `>`, `"`). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Collapses runs of ASCII white space to one space, as HTML does; U+00A0 is kept between words (it binds them:
 * `10&nbsp;km`) and trimmed with the spaces at either end.
 */
export function collapse(text: string): string {
  return text.replace(/[ \t\n\r\f]+/g, ' ').replace(/^[ \u00a0]+|[ \u00a0]+$/g, '');
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

function isLetter(c: string | undefined): boolean {
  return c !== undefined && /^[A-Za-z]$/.test(c);
}

/** Reads the tag whose name starts at `start`: its name, attributes, whether it ends in `/>`, and where it ends. */
function readTag(html: string, start: number): { name: string; attrs: Map<string, string>; selfClosing: boolean; end: number } {
  const n = html.length;
  const attrs = new Map<string, string>();
  let i = start;
  while (i < n) {
    const c = html.charCodeAt(i);
    if (isSpace(c) || c === 0x2f || c === 0x3e) break;
    i++;
  }
  const name = html.slice(start, i).toLowerCase();
  let selfClosing = false;
  while (i < n) {
    const c = html.charCodeAt(i);
    if (c === 0x3e) return { name, attrs, selfClosing, end: i + 1 };
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
    i++; // An attribute name may start with '=' (HTML keeps it as part of the name).
    while (i < n) {
      const d = html.charCodeAt(i);
      if (isSpace(d) || d === 0x2f || d === 0x3e || d === 0x3d) break;
      i++;
    }
    const attrName = html.slice(nameStart, i).toLowerCase();
    let j = i;
    while (j < n && isSpace(html.charCodeAt(j))) j++;
    let value = '';
    if (html.charCodeAt(j) === 0x3d) {
      j++;
      while (j < n && isSpace(html.charCodeAt(j))) j++;
      const q = html[j];
      if (q === '"' || q === "'") {
        const close = html.indexOf(q, j + 1);
        if (close === -1) return { name, attrs, selfClosing: false, end: n };
        value = html.slice(j + 1, close);
        j = close + 1;
      } else {
        const valueStart = j;
        while (j < n) {
          const d = html.charCodeAt(j); // An unquoted value (quotes allowed in it).
          if (isSpace(d) || d === 0x3e) break;
          j++;
        }
        value = html.slice(valueStart, j);
      }
      i = j;
    }
    if (!attrs.has(attrName)) attrs.set(attrName, decodeEntities(value, { attribute: true }));
  }
  return { name, attrs, selfClosing: false, end: n };
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
 * The tokens of an HTML fragment, in order, in one linear pass. Text tokens carry their decoded text (CDATA and
 * script/style contents literally). Start tags carry lower-cased names and attributes (first one wins, values
 * decoded).
 */
export function* htmlTokens(html: string, options: HtmlTokenOptions = {}): Generator<HtmlToken> {
  let skipName: string | null = null;
  let skipDepth = 0;
  for (const token of tokenize(html)) {
    if (options.dropNonText) {
      if (skipName !== null) {
        if (token.kind === 'start' && token.name === skipName && !token.selfClosing) skipDepth++;
        else if (token.kind === 'end' && token.name === skipName && --skipDepth === 0) skipName = null;
        continue;
      }
      if (token.kind === 'start' && NON_TEXT_ELEMENTS.has(token.name)) {
        if (!token.selfClosing) {
          skipName = token.name;
          skipDepth = 1;
        }
        continue;
      }
      if (token.kind === 'end' && NON_TEXT_ELEMENTS.has(token.name)) continue;
    }
    yield token;
  }
}

function* tokenize(html: string): Generator<HtmlToken> {
  const n = html.length;
  let i = 0;
  let textStart = 0;
  function* flushText(upTo: number): Generator<HtmlToken> {
    if (upTo > textStart) {
      const raw = html.slice(textStart, upTo);
      yield { kind: 'text', raw, text: decodeEntities(raw) };
    }
  }
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt === -1) break;
    const next = html[lt + 1];
    if (html.startsWith('<!--', lt)) {
      yield* flushText(lt);
      let end: number;
      if (html.startsWith('<!-->', lt)) end = lt + 5;
      else if (html.startsWith('<!--->', lt)) end = lt + 6;
      else {
        const close = html.indexOf('-->', lt + 4);
        end = close === -1 ? n : close + 3;
      }
      yield { kind: 'comment', raw: html.slice(lt, end) };
      i = textStart = end;
    } else if (html.startsWith('<![CDATA[', lt)) {
      yield* flushText(lt);
      const close = html.indexOf(']]>', lt + 9);
      const end = close === -1 ? n : close + 3;
      const text = html.slice(lt + 9, close === -1 ? n : close);
      yield { kind: 'text', raw: html.slice(lt, end), text };
      i = textStart = end;
    } else if (next === '!' || next === '?') {
      yield* flushText(lt);
      const close = html.indexOf('>', lt + 2);
      const end = close === -1 ? n : close + 1;
      yield { kind: 'comment', raw: html.slice(lt, end) };
      i = textStart = end;
    } else if (next === '/' && isLetter(html[lt + 2])) {
      yield* flushText(lt);
      const tag = readTag(html, lt + 2);
      yield { kind: 'end', raw: html.slice(lt, tag.end), name: tag.name };
      i = textStart = tag.end;
    } else if (isLetter(next)) {
      yield* flushText(lt);
      const tag = readTag(html, lt + 1);
      yield { kind: 'start', raw: html.slice(lt, tag.end), name: tag.name, attrs: tag.attrs, selfClosing: tag.selfClosing };
      i = textStart = tag.end;
      // XHTML in feeds writes `<iframe … />`: a self-closed raw-text element has no contents.
      if (RAW_TEXT.has(tag.name) && !tag.selfClosing && tag.end < n) {
        const end = rawTextEnd(html, tag.end, tag.name);
        if (end > tag.end) {
          const raw = html.slice(tag.end, end);
          yield { kind: 'text', raw, text: ESCAPABLE_RAW_TEXT.has(tag.name) ? decodeEntities(raw) : raw };
        }
        i = textStart = end;
      }
    } else {
      i = lt + 1; // A '<' that starts no tag is text.
    }
  }
  yield* flushText(n);
}

/**
 * Rewrites the markup of an HTML fragment: `onTag` gets each tag, comment or declaration as written and
 * returns its replacement (`isTag` for start and end tags); text is passed through as written.
 */
export function mapMarkup(html: string, onTag: (token: string, isTag: boolean) => string): string {
  const out: string[] = [];
  for (const token of tokenize(html)) {
    if (token.kind === 'text') out.push(token.raw);
    else out.push(onTag(token.raw, token.kind !== 'comment'));
  }
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
  const lines: string[] = [];
  let current: string[] = [];
  const breakLine = (): void => {
    const line = collapse(current.join(''));
    if (line) lines.push(line);
    current = [];
  };
  for (const token of htmlTokens(html, { dropNonText: true })) {
    if (token.kind === 'text') current.push(token.text);
    else if (token.kind !== 'comment' && BLOCK_ELEMENTS.has(token.name)) breakLine();
  }
  breakLine();
  return lines.join(options.lines ? '\n' : ' ');
}
