/**
 * A page region → clean blocks: paragraphs, headings, figures (image + caption + credit) and list items, with
 * text taken from the DOM and links kept only when absolute http(s). What comes out is rebuilt from text, so
 * no markup, attribute or script of the page ever reaches the output.
 */
import { escapeHtml } from '../../util/html-text.ts';

/** One clean block of a page region. */
export type PageBlock =
  | { kind: 'p'; text: string; html: string; linkText: number }
  | { kind: 'h'; level: number; text: string; href: string | null }
  | { kind: 'figure'; src: string | null; caption: string; credit: string | null };

/** The minimal DOM node the walker reads (linkedom's and the browser's both fit). */
export interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  firstChild: DomNode | null;
  nextSibling: DomNode | null;
  parentNode: DomNode | null;
  getAttribute?(name: string): string | null;
  querySelector?(selector: string): DomNode | null;
  querySelectorAll?(selector: string): ArrayLike<DomNode>;
  remove?(): void;
}

const BLOCKS = new Set([
  'ADDRESS', 'ARTICLE', 'ASIDE', 'BLOCKQUOTE', 'BR', 'DD', 'DIV', 'DL', 'DT', 'FIGURE', 'FOOTER', 'H1', 'H2', 'H3', 'H4', 'H5',
  'H6', 'HEADER', 'HR', 'LI', 'MAIN', 'NAV', 'OL', 'P', 'PRE', 'SECTION', 'TABLE', 'TD', 'TH', 'TR', 'UL', 'FIGCAPTION', 'CAPTION',
  'DETAILS', 'SUMMARY', 'CENTER', 'FORM', 'FIELDSET', 'TBODY', 'THEAD', 'TFOOT',
]);
const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'MATH', 'SELECT', 'TEXTAREA', 'BUTTON', 'INPUT', 'HEAD', 'TITLE', 'CANVAS', 'VIDEO', 'AUDIO', 'PICTURE', 'SOURCE']);
const CREDIT_CLASS = /\b(?:credit|copyright|photographer|source|attribution)\b/i;
const MAX_DEPTH = 200;

/** Collapses white space as a browser shows text (U+00A0 kept as a space). */
export function squash(text: string): string {
  return text.replace(/[\s\u00a0\u200b]+/g, ' ').trim();
}

/** An absolute http(s) URL for `href` against `base` (null: only absolute links count), or null. */
export function absoluteHttp(href: string | null | undefined, base: string | null): string | null {
  if (!href) return null;
  try {
    const url = base ? new URL(href.trim(), base) : new URL(href.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** The `src` of an image, lazy-loading attributes first (sites put a placeholder in `src`). */
export function imageSource(img: DomNode, base: string | null): string | null {
  for (const name of ['data-src', 'data-lazy-src', 'data-original', 'src']) {
    const v = img.getAttribute?.(name);
    if (v && !v.startsWith('data:')) return absoluteHttp(v, base);
  }
  const srcset = img.getAttribute?.('srcset') ?? img.getAttribute?.('data-srcset');
  return srcset ? absoluteHttp(srcset.trim().split(/\s+/)[0], base) : null;
}

/** Every element under `node` (itself included) matching a tag name, in document order, bounded in depth. */
function find(node: DomNode, name: string, depth = 0, out: DomNode[] = []): DomNode[] {
  if (depth > MAX_DEPTH) return out;
  if (node.nodeName === name) out.push(node);
  for (let kid = node.firstChild; kid; kid = kid.nextSibling) if (kid.nodeType === 1) find(kid, name, depth + 1, out);
  return out;
}

/** Plain text of a node, block-aware enough for captions and headings, bounded in depth. */
export function textOf(node: DomNode, depth = 0): string {
  if (node.nodeType === 3) return node.textContent ?? '';
  if (node.nodeType !== 1 || depth > MAX_DEPTH || SKIP.has(node.nodeName)) return '';
  let s = '';
  for (let kid = node.firstChild; kid; kid = kid.nextSibling) s += textOf(kid, depth + 1);
  return BLOCKS.has(node.nodeName) ? ` ${s} ` : s;
}

/** A figure's caption and, when the page marks it apart, its credit. */
export function figureOf(node: DomNode, base: string | null): { src: string | null; caption: string; credit: string | null } {
  const img = find(node, 'IMG')[0];
  const cap = find(node, 'FIGCAPTION')[0] ?? null;
  let credit: string | null = null;
  let caption = '';
  if (cap) {
    const creditEl = [...find(cap, 'SPAN'), ...find(cap, 'SMALL'), ...find(cap, 'CITE'), ...find(cap, 'P'), ...find(cap, 'DIV')].find((el) =>
      CREDIT_CLASS.test(el.getAttribute?.('class') ?? ''),
    );
    credit = creditEl ? squash(textOf(creditEl)) || null : null;
    caption = squash(textOf(cap));
    if (credit && caption.endsWith(credit)) caption = squash(caption.slice(0, -credit.length));
  } else if (img) {
    caption = squash(img.getAttribute?.('alt') ?? '');
  }
  return { src: img ? imageSource(img, base) : null, caption, credit };
}

/**
 * Reads a region into clean blocks. Inline content between block boundaries makes one paragraph; a heading
 * keeps its link (a teaser's headline does); a figure is read whole.
 */
export function readBlocks(root: DomNode, base: string | null, options: { figures?: boolean; skip?: (el: DomNode) => boolean } = {}): PageBlock[] {
  const blocks: PageBlock[] = [];
  let text = '';
  let html = '';
  let linkText = 0;
  const flush = (): void => {
    const t = squash(text);
    if (t) blocks.push({ kind: 'p', text: t, html: html.replace(/\s+/g, ' ').trim(), linkText });
    text = '';
    html = '';
    linkText = 0;
  };
  const inline = (node: DomNode, depth: number, link: string | null): void => {
    if (depth > MAX_DEPTH) return;
    if (node.nodeType === 3) {
      const t = node.textContent ?? '';
      text += t;
      html += escapeHtml(t.replace(/\u00a0/g, ' '));
      if (link) linkText += squash(t).length;
      return;
    }
    if (node.nodeType !== 1 || SKIP.has(node.nodeName)) return;
    if (options.skip && depth > 0 && options.skip(node)) {
      flush();
      return;
    }
    const name = node.nodeName;
    if (name === 'FIGURE' || (name === 'IMG' && options.figures !== false)) {
      flush();
      if (options.figures === false) return;
      const f = figureOf(node, base);
      if (f.src || f.caption) blocks.push({ kind: 'figure', ...f });
      return;
    }
    if (/^H[1-6]$/.test(name)) {
      flush();
      const t = squash(textOf(node));
      const a = find(node, 'A')[0];
      if (t) blocks.push({ kind: 'h', level: Number(name[1]), text: t, href: a ? absoluteHttp(a.getAttribute?.('href'), base) : null });
      return;
    }
    const isBlock = BLOCKS.has(name);
    if (isBlock) flush();
    if (name === 'BR') return;
    const href = name === 'A' ? absoluteHttp(node.getAttribute?.('href'), base) : null;
    if (href && !link) html += `<a href="${escapeHtml(href)}">`;
    for (let kid = node.firstChild; kid; kid = kid.nextSibling) inline(kid, depth + 1, link ?? href);
    if (href && !link) html += '</a>';
    if (isBlock) flush();
  };
  inline(root, 0, null);
  flush();
  return blocks;
}

/** Clean HTML for blocks: `<p>`, `<hN>` (with its link), `<figure><img><figcaption>`. */
export function blocksToHtml(blocks: readonly PageBlock[]): string {
  return blocks
    .map((b) => {
      if (b.kind === 'p') return `<p>${b.html}</p>`;
      if (b.kind === 'h') {
        const inner = b.href ? `<a href="${escapeHtml(b.href)}">${escapeHtml(b.text)}</a>` : escapeHtml(b.text);
        return `<h${b.level}>${inner}</h${b.level}>`;
      }
      const img = b.src ? `<img src="${escapeHtml(b.src)}" alt="">` : '';
      const caption = [b.caption, b.credit ? `(${b.credit})` : ''].filter(Boolean).join(' ');
      return `<figure>${img}${caption ? `<figcaption>${escapeHtml(caption)}</figcaption>` : ''}</figure>`;
    })
    .join('\n');
}
