/**
 * Upstream content → text blocks, one per paragraph or line, the same whether the upstream sent HTML
 * (`content:encoded`, `description`, Atom content) or plain text with line breaks. HTML adds what plain
 * text cannot carry: which block is a figure caption or a heading, its image and its first link.
 */
import { BLOCK_ELEMENTS, decodeEntities, eachHtmlToken } from '../util/html-text.ts';
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
  let hint = false;
  eachHtmlToken(content, {}, (token) => {
    if (token.kind !== 'text' && token.kind !== 'comment') hint = HTML_HINT.has(token.name) && token.raw.endsWith('>');
    return hint ? false : undefined;
  });
  return hint;
}

/** Splits upstream content (HTML or plain text) into text blocks, empty lines dropped. */
export function textBlocks(content: string | null | undefined): TextBlock[] {
  if (!content) return [];
  return looksLikeHtml(content) ? htmlBlocks(content) : plainBlocks(content);
}

function plainBlocks(text: string): TextBlock[] {
  return text
    .split(/\r\n|\r|\n|\u2028|\u2029/)
    // Plain-text upstreams still write characters as entities ("Bj&ouml;rn").
    .map((line) => cleanText(decodeEntities(line)))
    .filter((line) => line.length > 0)
    .map((line) => block(line));
}

function block(text: string, extra: Partial<TextBlock> = {}): TextBlock {
  return { text, figcaption: false, heading: false, image: null, href: null, linked: false, ...extra };
}

function htmlBlocks(html: string): TextBlock[] {
  const out: TextBlock[] = [];
  let buf = '';
  let bufFigcaption = false;
  let bufHeading = false;
  let bufHref: string | null = null;
  let bufUnlinked = false;
  let figureDepth = 0;
  let figcaptionDepth = 0;
  let headingDepth = 0;
  let figureImage: ImageRef | null = null;
  let figureImageUsed = false;
  let figureStart = 0;
  const anchors: (string | null)[] = [];

  const flush = (): void => {
    if (buf === '') return;
    const text = cleanText(buf);
    if (text) {
      const b: TextBlock = { text, figcaption: bufFigcaption, heading: bufHeading, image: null, href: bufHref, linked: bufHref !== null && !bufUnlinked };
      if (figureDepth > 0 && figureImage && !figureImageUsed && bufFigcaption) {
        b.image = figureImage;
        figureImageUsed = true;
      }
      out.push(b);
    }
    buf = '';
    bufFigcaption = false;
    bufHeading = false;
    bufHref = null;
    bufUnlinked = false;
  };

  const appendText = (raw: string): void => {
    if (!raw) return;
    if (hasNonSpace(raw)) {
      if (figcaptionDepth > 0) bufFigcaption = true;
      if (headingDepth > 0) bufHeading = true;
      let href: string | null = null;
      for (let k = anchors.length - 1; k >= 0; k--) {
        if (anchors[k] !== null) {
          href = anchors[k]!;
          break;
        }
      }
      if (href && !bufHref) bufHref = href;
      // Punctuation between links ("·", "|") does not make the text unlinked.
      if (!href && !bufUnlinked && hasLetterOrDigit(raw)) bufUnlinked = true;
    }
    buf += raw;
  };

  eachHtmlToken(html, { dropNonText: true }, (token) => {
    if (token.kind === 'text') {
      appendText(token.text);
      return;
    }
    if (token.kind === 'comment') return;
    const name = token.name;
    const closing = token.kind === 'end';
    if (name === 'img') {
      if (closing) return;
      const a = token.attrs;
      const src = attr(a, 'src') ?? attr(a, 'data-src') ?? firstSrcset(attr(a, 'srcset'));
      if (!src) return;
      const image: ImageRef = { src, width: intAttr(attr(a, 'width')), height: intAttr(attr(a, 'height')), alt: attr(a, 'alt') ?? null };
      if (figureDepth > 0 && !figureImage) {
        figureImage = image;
        figureImageUsed = false;
      } else {
        flush();
        out.push(block('', { image }));
      }
      return;
    }
    if (name === 'a') {
      if (closing) anchors.pop();
      else anchors.push(attr(token.attrs, 'href') ?? null);
      return;
    }
    if (!BLOCK_ELEMENTS.has(name)) return;
    flush();
    if (name === 'figure') {
      if (closing) {
        figureDepth = Math.max(0, figureDepth - 1);
        if (figureDepth === 0 && figureImage && !figureImageUsed) {
          // Text in a figure without <figcaption> (a credit <span>, a <p>) is its caption; else the picture stands alone.
          const inFigure = out.slice(figureStart).find((b) => b.text && !b.image);
          if (inFigure) Object.assign(inFigure, { image: figureImage, figcaption: true });
          else out.push(block('', { image: figureImage }));
        }
        if (figureDepth === 0) figureImage = null;
      } else {
        figureDepth++;
        if (figureDepth === 1) {
          figureImage = null;
          figureImageUsed = false;
          figureStart = out.length;
        }
      }
    } else if (name === 'figcaption') {
      figcaptionDepth = Math.max(0, figcaptionDepth + (closing ? -1 : 1));
    } else if (name.length === 2 && name.charCodeAt(0) === 0x68 && name.charCodeAt(1) >= 0x31 && name.charCodeAt(1) <= 0x36) {
      headingDepth = Math.max(0, headingDepth + (closing ? -1 : 1));
    }
  });
  flush();
  if (figureImage && !figureImageUsed) out.push(block('', { image: figureImage }));
  return out;
}

/** True when the text has a character other than white space (what `/\S/` finds). */
function hasNonSpace(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x20 && c < 0x7f) return true;
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) continue;
    if (c < 0xa0) return true;
    if (!(c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff)) return true;
  }
  return false;
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** True when the text has a letter or a digit (any script). */
function hasLetterOrDigit(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) return true;
    if (c >= 0x80) return LETTER_OR_DIGIT.test(text);
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
