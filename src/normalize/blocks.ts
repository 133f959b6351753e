/**
 * Upstream content → text blocks, one per paragraph or line, the same whether the upstream sent HTML
 * (`content:encoded`, `description`, Atom content) or plain text with line breaks. HTML adds what plain
 * text cannot carry: which block is a figure caption or a heading, its image and its first link.
 */
import { decodeHTML } from 'entities';
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
  text: string;
  /** Inside a `<figcaption>` (HTML only). */
  figcaption: boolean;
  /** An `<h1>`…`<h6>` (HTML only). */
  heading: boolean;
  /** The image of the figure this caption belongs to, or of an image-only block. */
  image: ImageRef | null;
  /** The first link in the block, as written (may be relative). */
  href: string | null;
}

const HTML_HINT =
  /<\/?(?:p|br|div|span|a|img|figure|figcaption|h[1-6]|ul|ol|li|blockquote|em|strong|b|i|u|section|article|aside|header|footer|table|tr|td|pre|hr|picture|source)\b[^>]*>/i;

const BLOCK_TAGS = new Set([
  'p', 'div', 'br', 'li', 'ul', 'ol', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'figure', 'figcaption',
  'section', 'article', 'aside', 'header', 'footer', 'tr', 'table', 'pre', 'hr', 'dd', 'dt', 'dl', 'nav',
]);
const SKIP_TAGS = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'svg', 'object']);

/** True when the content is HTML rather than plain text with line breaks. */
export function looksLikeHtml(content: string): boolean {
  return HTML_HINT.test(content);
}

/** Splits upstream content (HTML or plain text) into text blocks, empty lines dropped. */
export function textBlocks(content: string | null | undefined): TextBlock[] {
  if (!content) return [];
  return looksLikeHtml(content) ? htmlBlocks(content) : plainBlocks(content);
}

function plainBlocks(text: string): TextBlock[] {
  return text
    .split(/\r\n|\r|\n|\u2028|\u2029/)
    .map((line) => cleanText(line))
    .filter((line) => line.length > 0)
    .map((line) => block(line));
}

function block(text: string, extra: Partial<TextBlock> = {}): TextBlock {
  return { text, figcaption: false, heading: false, image: null, href: null, ...extra };
}

const TOKEN = /<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|<!?[^>]*>|[^<]+|</g;

function htmlBlocks(html: string): TextBlock[] {
  const out: TextBlock[] = [];
  let buf = '';
  let bufFigcaption = false;
  let bufHeading = false;
  let bufHref: string | null = null;
  let figureDepth = 0;
  let figcaptionDepth = 0;
  let headingDepth = 0;
  let figureImage: ImageRef | null = null;
  let figureImageUsed = false;
  let figureStart = 0;
  const anchors: (string | null)[] = [];
  let skip: string | null = null;

  const flush = (): void => {
    const text = cleanText(decodeHTML(buf));
    if (text) {
      const b = block(text, { figcaption: bufFigcaption, heading: bufHeading, href: bufHref });
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
  };

  for (const m of html.matchAll(TOKEN)) {
    const [token, cdata, slash, rawName, attrs] = m;
    const name = rawName?.toLowerCase();
    if (skip) {
      if (slash && name === skip) skip = null;
      continue;
    }
    if (cdata !== undefined) {
      appendText(cdata);
      continue;
    }
    if (!name) {
      if (!token.startsWith('<')) appendText(token);
      continue;
    }
    const closing = slash === '/';
    if (!closing && SKIP_TAGS.has(name) && !/\/\s*$/.test(attrs ?? '')) {
      skip = name;
      continue;
    }
    if (name === 'img') {
      const a = attributes(attrs ?? '');
      const src = a.get('src') ?? a.get('data-src') ?? firstSrcset(a.get('srcset'));
      if (!src) continue;
      const image: ImageRef = { src, width: intAttr(a.get('width')), height: intAttr(a.get('height')), alt: a.get('alt') ?? null };
      if (figureDepth > 0 && !figureImage) {
        figureImage = image;
        figureImageUsed = false;
      } else {
        flush();
        out.push(block('', { image }));
      }
      continue;
    }
    if (name === 'a') {
      if (closing) anchors.pop();
      else anchors.push(attributes(attrs ?? '').get('href') ?? null);
      continue;
    }
    if (!BLOCK_TAGS.has(name)) continue;
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
    } else if (/^h[1-6]$/.test(name)) {
      headingDepth = Math.max(0, headingDepth + (closing ? -1 : 1));
    }
  }
  flush();
  if (figureImage && !figureImageUsed) out.push(block('', { image: figureImage }));
  return out;

  function appendText(raw: string): void {
    if (!raw) return;
    if (/\S/.test(raw)) {
      if (figcaptionDepth > 0) bufFigcaption = true;
      if (headingDepth > 0) bufHeading = true;
      const href = anchors.findLast((h) => h !== null) ?? null;
      if (href && !bufHref) bufHref = href;
    }
    buf += raw;
  }
}

const ATTR = /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;

function attributes(source: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const m of source.matchAll(ATTR)) {
    const key = m[1]!.toLowerCase();
    if (!map.has(key)) map.set(key, decodeHTML(m[2] ?? m[3] ?? m[4] ?? '').trim());
  }
  return map;
}

function firstSrcset(srcset: string | undefined): string | undefined {
  return srcset?.split(',')[0]?.trim().split(/\s+/)[0] || undefined;
}

function intAttr(value: string | undefined): number | null {
  if (!value || !/^\d{1,5}$/.test(value.trim())) return null;
  return Number(value.trim());
}
