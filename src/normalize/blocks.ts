/**
 * Upstream content → text blocks, one per paragraph or line, the same whether the upstream sent HTML
 * (`content:encoded`, `description`, Atom content) or plain text with line breaks. HTML adds what plain
 * text cannot carry: which block is a figure caption or a heading, its image and its first link.
 */
import { BLOCK_ELEMENTS, decodeEntities, HTML_COMMENT, HTML_START, HTML_TEXT, HtmlReader } from '../util/html-text.ts';
import { cleanText } from './text.ts';

/** An image an upstream block shows (`<img>`), with the size it declares. */
export interface ImageRef {
  src: string;
  width: number | null;
  height: number | null;
  alt: string | null;
}

/** One paragraph or line of upstream content. `text` is '' only for an image without text. */
export interface TextBlock {
  /** The block's text, already `cleanText`ed: the rules that read it need not clean it again. */
  text: string;
  /** Inside a `<figcaption>` (HTML only). */
  figcaption: boolean;
  /** An `<h1>`…`<h6>` (HTML only). */
  heading: boolean;
  /** The image of the figure this caption belongs to, or of an image-only block. */
  image: ImageRef | null;
  /** The first link in the block, as written (may be relative). */
  href: string | null;
  /** All of the block's text is link text (a list entry that is one link, a linked headline). */
  linked: boolean;
}

// Elements whose tags mark content as HTML rather than plain text that happens to hold a '<'.
const HTML_HINT = new Set([
  'p', 'br', 'div', 'span', 'a', 'img', 'figure', 'figcaption', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li',
  'blockquote', 'em', 'strong', 'b', 'i', 'u', 'section', 'article', 'aside', 'header', 'footer', 'table', 'tr', 'td',
  'pre', 'hr', 'picture', 'source',
]);

/** True when the content is HTML rather than plain text with line breaks. */
export function looksLikeHtml(content: string): boolean {
  if (!content.includes('<')) return false;
  const reader = new HtmlReader(content);
  while (reader.next()) {
    if (reader.kind === HTML_TEXT || reader.kind === HTML_COMMENT) continue;
    if (HTML_HINT.has(reader.name) && content.charCodeAt(reader.end - 1) === 0x3e) return true;
  }
  return false;
}

/** Splits upstream content (HTML or plain text) into text blocks, empty lines dropped. */
export function textBlocks(content: string | null | undefined): TextBlock[] {
  if (!content) return [];
  return looksLikeHtml(content) ? htmlBlocks(content) : plainBlocks(content);
}

function plainBlocks(text: string): TextBlock[] {
  // Most plain texts (summaries) are one line: no split.
  const lines = LINE_BREAK.test(text) ? text.split(LINE_BREAKS) : [text];
  const out: TextBlock[] = [];
  for (const line of lines) {
    // Plain-text upstreams still write characters as entities ("Bj&ouml;rn").
    const clean = cleanText(decodeEntities(line));
    if (clean.length > 0) out.push(textBlock(clean));
  }
  return out;
}

const LINE_BREAK = /[\r\n\u2028\u2029]/;
const LINE_BREAKS = /\r\n|\r|\n|\u2028|\u2029/;

function textBlock(text: string): TextBlock {
  return { text, figcaption: false, heading: false, image: null, href: null, linked: false };
}

function imageBlock(image: ImageRef): TextBlock {
  return { text: '', figcaption: false, heading: false, image, href: null, linked: false };
}

function htmlBlocks(html: string): TextBlock[] {
  const builder = new BlockBuilder();
  const reader = new HtmlReader(html, { dropNonText: true });
  while (reader.next()) {
    const kind = reader.kind;
    if (kind === HTML_TEXT) builder.text(reader);
    else if (kind !== HTML_COMMENT) builder.tag(reader);
  }
  return builder.finish();
}

/** The blocks of one HTML fragment, built token by token (state in fields: no closures per fragment). */
class BlockBuilder {
  readonly out: TextBlock[] = [];
  // The text of the block being read, and what is known of it.
  buf = '';
  bufFigcaption = false;
  bufHeading = false;
  bufHref: string | null = null;
  bufUnlinked = false;
  figureDepth = 0;
  figcaptionDepth = 0;
  headingDepth = 0;
  figureImage: ImageRef | null = null;
  figureImageUsed = false;
  figureStart = 0;
  readonly anchors: (string | null)[] = [];

  flush(): void {
    if (this.buf === '') return;
    const text = cleanText(this.buf);
    if (text) {
      const b: TextBlock = { text, figcaption: this.bufFigcaption, heading: this.bufHeading, image: null, href: this.bufHref, linked: this.bufHref !== null && !this.bufUnlinked };
      if (this.figureDepth > 0 && this.figureImage && !this.figureImageUsed && this.bufFigcaption) {
        b.image = this.figureImage;
        this.figureImageUsed = true;
      }
      this.out.push(b);
    }
    this.buf = '';
    this.bufFigcaption = false;
    this.bufHeading = false;
    this.bufHref = null;
    this.bufUnlinked = false;
  }

  /** Adds the reader's text token to the block being read. */
  text(reader: HtmlReader): void {
    let text: string;
    let start: number;
    let end: number;
    if (reader.textIsRaw()) {
      // Read the source in place: most text runs have no reference to decode.
      text = reader.html;
      start = reader.textStart;
      end = reader.textEnd;
      // White space before a block's text is trimmed by `cleanText`: the line breaks between paragraphs add nothing.
      if (this.buf === '' && isAsciiSpaceOnly(text, start, end)) return;
    } else {
      text = reader.text();
      start = 0;
      end = text.length;
    }
    if (start === end) return;
    if (hasNonSpace(text, start, end)) {
      if (this.figcaptionDepth > 0) this.bufFigcaption = true;
      if (this.headingDepth > 0) this.bufHeading = true;
      const anchors = this.anchors;
      let href: string | null = null;
      for (let k = anchors.length - 1; k >= 0; k--) {
        if (anchors[k] !== null) {
          href = anchors[k]!;
          break;
        }
      }
      if (href && !this.bufHref) this.bufHref = href;
      // Punctuation between links ("·", "|") does not make the text unlinked.
      if (!href && !this.bufUnlinked && hasLetterOrDigit(text, start, end)) this.bufUnlinked = true;
    }
    this.buf += start === 0 && end === text.length ? text : text.slice(start, end);
  }

  /** Takes the reader's start or end tag into account. */
  tag(reader: HtmlReader): void {
    const name = reader.name;
    const closing = reader.kind !== HTML_START;
    if (name === 'img') {
      if (closing) return;
      const a = reader.attrs();
      const src = attr(a, 'src') ?? attr(a, 'data-src') ?? firstSrcset(attr(a, 'srcset'));
      if (!src) return;
      const image: ImageRef = { src, width: intAttr(attr(a, 'width')), height: intAttr(attr(a, 'height')), alt: attr(a, 'alt') ?? null };
      if (this.figureDepth > 0 && !this.figureImage) {
        this.figureImage = image;
        this.figureImageUsed = false;
      } else {
        this.flush();
        this.out.push(imageBlock(image));
      }
      return;
    }
    if (name === 'a') {
      if (closing) this.anchors.pop();
      else this.anchors.push(reader.attr('href')?.trim() ?? null);
      return;
    }
    if (!BLOCK_ELEMENTS.has(name)) return;
    this.flush();
    if (name === 'figure') {
      if (closing) {
        this.figureDepth = Math.max(0, this.figureDepth - 1);
        if (this.figureDepth === 0 && this.figureImage && !this.figureImageUsed) {
          // Text in a figure without <figcaption> (a credit <span>, a <p>) is its caption; else the picture stands alone.
          const inFigure = this.out.slice(this.figureStart).find((b) => b.text && !b.image);
          if (inFigure) Object.assign(inFigure, { image: this.figureImage, figcaption: true });
          else this.out.push(imageBlock(this.figureImage));
        }
        if (this.figureDepth === 0) this.figureImage = null;
      } else {
        this.figureDepth++;
        if (this.figureDepth === 1) {
          this.figureImage = null;
          this.figureImageUsed = false;
          this.figureStart = this.out.length;
        }
      }
    } else if (name === 'figcaption') {
      this.figcaptionDepth = Math.max(0, this.figcaptionDepth + (closing ? -1 : 1));
    } else if (name.length === 2 && name.charCodeAt(0) === 0x68 && name.charCodeAt(1) >= 0x31 && name.charCodeAt(1) <= 0x36) {
      this.headingDepth = Math.max(0, this.headingDepth + (closing ? -1 : 1));
    }
  }

  /** The blocks, once every token is read. */
  finish(): TextBlock[] {
    this.flush();
    if (this.figureImage && !this.figureImageUsed) this.out.push(imageBlock(this.figureImage));
    return this.out;
  }
}

/** True when `text` from `start` to `end` is only ASCII white space (HTML's). */
function isAsciiSpaceOnly(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!(c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d || c === 0x0c)) return false;
  }
  return true;
}

/** True when `text` from `start` to `end` has a character other than white space (what `/\S/` finds). */
function hasNonSpace(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x20 && c < 0x7f) return true;
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) continue;
    if (c < 0xa0) return true;
    if (!(c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff)) return true;
  }
  return false;
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** True when `text` from `start` to `end` has a letter or a digit (any script). */
function hasLetterOrDigit(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) return true;
    if (c >= 0x80) return LETTER_OR_DIGIT.test(text.slice(i, end));
  }
  return false;
}

/** An attribute's value, trimmed (undefined when absent). */
function attr(attrs: Map<string, string>, name: string): string | undefined {
  return attrs.get(name)?.trim();
}

function firstSrcset(srcset: string | undefined): string | undefined {
  return srcset?.split(',')[0]?.trim().split(/\s+/)[0] || undefined;
}

function intAttr(value: string | undefined): number | null {
  if (!value || !/^\d{1,5}$/.test(value.trim())) return null;
  return Number(value.trim());
}
