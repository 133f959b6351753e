/**
 * Article pages → a `RawEntry`: the story (headline, body paragraphs, lead picture with caption and credit,
 * byline, dateline, publication and update times) and the page's sibling-story lists, so that a page goes
 * through the same wire normalization a feed entry does.
 *
 * The generic part is Readability on linkedom; what it lacks comes from site rules (CSS selectors as data),
 * the page's metadata (JSON-LD `articleBody`, Open Graph, `<time>`), and the original DOM, read before
 * Readability mutates it: byline, lead picture, sibling lists. Pages are hostile input: the input is capped
 * (`maxBytes`, default 5 MiB); linkedom runs no script and fetches nothing; every output block is rebuilt from
 * text, so no markup of the page survives.
 */
import { parseHTML } from 'linkedom';
import { ParseError } from '../../errors.ts';
import type { RawEntry, RawFeed, RawMedia } from '../../model.ts';
import { escapeHtml, htmlToText } from '../../util/html-text.ts';
import { decodeFeedBytes } from '../decode.ts';
import { absoluteHttp, blocksToHtml, figureOf, readBlocks, squash, textOf, type DomNode, type PageBlock } from './blocks.ts';
import { dropFurniture } from './furniture.ts';
import { readMetadata, type MetadataElements, type PageMetadata } from './metadata.ts';
import { prunePage, selectorAttributes } from './prune.ts';
import { readabilityParse } from './readability.ts';
import { SelectorSet } from './selectors.ts';
import { GENERIC_SITE_RULE, siteRuleFor, SITE_RULES, type SiteRule } from './site-rules.ts';

/** The default input cap: 5 MiB, far above any article page (the corpus's largest is well under 2 MiB). */
export const MAX_PAGE_BYTES = 5 * 1024 * 1024;

/** Less story text than this (a login wall, an error page) is no story. */
const MIN_STORY_CHARS = 100;

/** An article page as ingest has it: the bytes (or text) and the URL it was fetched from. */
export interface PageInput {
  /** The page's bytes; decoded by BOM, `<meta charset>`, then `contentType`'s charset, else UTF-8. */
  bytes?: Uint8Array;
  /** The page as text, when it is already decoded. */
  html?: string;
  /** The URL the page was fetched from (after redirects): relative links resolve against it. */
  url: string;
  /** The HTTP `Content-Type`, when there was one. */
  contentType?: string | null;
}

/** How to read pages. */
export interface ExtractOptions {
  /** Site rules (default `SITE_RULES`); merged over the generic rule. */
  siteRules?: readonly SiteRule[];
  /** The input cap in bytes (default `MAX_PAGE_BYTES`); a larger page is a `PageError`. */
  maxBytes?: number;
}

/** A sibling story a page lists. */
export interface PageSibling {
  headline: string;
  link: string | null;
}

/** A sibling list: its heading and its stories. */
export interface PageSiblingList {
  title: string;
  items: PageSibling[];
}

/** What an article page holds, read. */
export interface ArticlePage {
  /** The story as a feed entry would carry it, for `normalizeEntry` (the siblings in `content`, after the story). */
  entry: RawEntry;
  /** The story's paragraphs as plain text (the body only: no caption, byline or sibling list). */
  paragraphs: string[];
  headline: string | null;
  byline: string | null;
  /** The dateline the first paragraph opens with ("WASHINGTON —"), when there is one. */
  dateline: string | null;
  published: string | null;
  updated: string | null;
  picture: { url: string; caption: string | null; credit: string | null } | null;
  siblings: PageSiblingList[];
  siteName: string | null;
  language: string | null;
  /** How the body was found: a site rule, Readability, JSON-LD `articleBody`, or (Readability finding nothing) the page's long paragraphs. */
  method: 'site-rule' | 'readability' | 'json-ld' | 'blocks';
}

/** An article page could not be read (too large, not HTML, no text). */
export class PageError extends ParseError {}


const DATELINE = /^((?:[A-Z][A-Z'.\-]+(?:\s+[A-Z][A-Z'.\-]+)*)(?:,\s+[A-Z][A-Za-z.]+(?:\s+[A-Z][A-Za-z.]+)*)?)\s*(?:\([^)]{2,40}\)\s*)?[—–-]{1,2}\s/;

/** Decodes page bytes: BOM, then the `<meta charset>` of the first 1 KiB, then the HTTP charset, else UTF-8. */
function decodePage(bytes: Uint8Array, contentType: string | null | undefined): string {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  const declared = /<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)/i.exec(head)?.[1];
  const type = declared ? `text/html; charset=${declared}` : contentType;
  return decodeFeedBytes(bytes, type).text;
}

/** True when a document looks like an HTML page rather than a feed (for callers that must tell them apart). */
export function looksLikeHtmlPage(text: string, contentType?: string | null): boolean {
  const head = text.slice(0, 4096).replace(/^\uFEFF/, '').replace(/^\s+/, '');
  // Content first: servers label feeds text/html often enough.
  if (/^[{[]/.test(head)) return false;
  const start = head.replace(/^(?:<\?xml[^>]*>|<!--[\s\S]*?-->|<\?[^>]*>|\s+)*/i, '');
  if (/^<(?:rss|feed|rdf:RDF|channel)\b/i.test(start)) return false;
  if (/^<!doctype\s+html\b/i.test(start) || /^<html[\s>]/i.test(start)) return true;
  if (/^<\?xml\b/i.test(head)) return false;
  return /^\s*(?:text\/html|application\/xhtml\+xml)\b/i.test(contentType ?? '');
}

/** The attributes every rule's selectors name (the generic rule's included), kept by the pruning pass. */
function ruleAttributes(rules: readonly SiteRule[]): string[] {
  const selectors = [GENERIC_SITE_RULE, ...rules].flatMap((r) => [...(r.body ?? []), ...(r.strip ?? []), ...(r.author ?? []), ...(r.date ?? []), ...(r.siblings ?? [])]);
  return selectorAttributes(selectors);
}

interface Element extends DomNode {
  querySelectorAll(selector: string): ArrayLike<Element>;
  querySelector(selector: string): Element | null;
  getAttribute(name: string): string | null;
  remove(): void;
  parentElement: Element | null;
  contains(other: unknown): boolean;
}

function selectAll(root: Element, selectors: readonly string[]): Element[] {
  if (selectors.length === 0) return [];
  try {
    // One walk for the whole list; a list this DOM cannot read is tried selector by selector.
    return Array.from(root.querySelectorAll(selectors.join(', ')));
  } catch {
    // fall through
  }
  const out: Element[] = [];
  for (const s of selectors) {
    try {
      out.push(...Array.from(root.querySelectorAll(s)));
    } catch {
      // A selector this DOM cannot read is skipped, not fatal: rules are data, sites are many.
    }
  }
  return out;
}
const selectFirst = (root: Element, selectors: readonly string[]): Element | null => {
  for (const s of selectors) {
    try {
      const el = root.querySelector(s);
      if (el) return el;
    } catch {
      // as above
    }
  }
  return null;
};

const titleKey = (s: string): string => squash(s).toLowerCase().replace(/[:\s]+$/, '');

/** The sibling-list containers: the site rule's, then every heading whose text names a list, grown to its list. */
function siblingContainers(body: Element, rule: ReturnType<typeof siteRuleFor>, stop: boolean, headings: readonly Element[]): Array<{ title: string; el: Element }> {
  const titles = new Set((stop ? rule.stopTitles : rule.siblingTitles).map(titleKey));
  const found: Array<{ title: string; el: Element }> = [];
  if (!stop) {
    for (const el of selectAll(body, rule.siblings)) {
      const heading = el.querySelector('h1, h2, h3, h4, h5, h6');
      found.push({ title: heading ? squash(textOf(heading)) : 'Just Posted', el });
    }
  }
  for (const h of headings) {
    const text = squash(textOf(h));
    if (text.length > 40 || !titles.has(titleKey(text)) || !body.contains(h)) continue;
    if (found.some((f) => f.el.contains(h))) continue;
    // The list is the smallest ancestor that holds links besides the heading's own.
    let el: Element = h;
    for (let up = 0; up < 4 && el.parentElement && el.parentElement !== body; up++) {
      el = el.parentElement;
      if (el.querySelectorAll('a[href]').length >= (stop ? 2 : 1) + (h.querySelector('a') ? 1 : 0)) break;
    }
    if (el.querySelector('h1')) continue;
    found.push({ title: text, el });
  }
  return found;
}

/** How deep the page's elements may nest; below this, each subtree is replaced by its text (Readability's
 * cost grows with the square of the depth: 500 nested `<div>`s take it seconds). Real pages stay under 40. */
export const MAX_PAGE_DEPTH = 64;

/** The text under a node, iteratively (no recursion, whatever the depth), without the contents of non-text elements. */
function flatText(node: DomNode): string {
  const parts: string[] = [];
  const stack: DomNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.nodeType === 3) parts.push(n.textContent ?? '');
    else if (n.nodeType === 1 && !NON_TEXT_NAMES.has(n.nodeName)) {
      const at = stack.length;
      for (let kid = n.firstChild; kid; kid = kid.nextSibling) stack.push(kid);
      for (let i = at, j = stack.length - 1; i < j; i++, j--) [stack[i], stack[j]] = [stack[j]!, stack[i]!];
    }
  }
  return parts.join(' ');
}
const NON_TEXT_NAMES = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'MATH', 'TEXTAREA', 'SELECT']);

/** An attribute's value as written (linkedom's `getAttribute` builds a class list for `class`). */
const rawAttribute = (el: Element, name: string): string | null =>
  (el as unknown as { getAttributeNode(n: string): { value: string } | null }).getAttributeNode(name)?.value ?? null;

const firstElement = (el: Element): Element | null => (el as unknown as { firstElementChild: Element | null }).firstElementChild;
const nextElement = (el: Element): Element | null => (el as unknown as { nextElementSibling: Element | null }).nextElementSibling;

/** An element's class as the DOM's `className` has it: its distinct words, one space apart ('' for none). */
function classValue(el: Element): string {
  const raw = rawAttribute(el, 'class');
  if (!raw) return '';
  const words = raw.split(/\s+/).filter(Boolean);
  return words.length <= 1 ? (words[0] ?? '') : [...new Set(words)].join(' ');
}

/** The rule lists matched in the walk: `strip` (every match), `author` and `date` (each selector's first match). */
interface WalkLists {
  strip: readonly string[];
  author: readonly string[];
  date: readonly string[];
}

/** What the one walk over the page found. Body lists hold elements under `<body>` (not the body itself), in document order. */
interface PageWalk {
  /** The body the walk went through, and how many `<body>` elements it met (the lists below hold for one). */
  body: Element | null;
  bodies: number;
  /** The selectors matched here (the others are the DOM engine's), by list; `author`/`date`: each selector's first match. */
  set: SelectorSet;
  lists: WalkLists;
  strip: Element[];
  author: Array<Element | null>;
  date: Array<Element | null>;
  /** Every element a `date` selector matches. */
  dated: Element[];
  /** The elements that may title a sibling list: `h2`–`h6`, or a class with "title" or "heading". */
  headings: Element[];
  h1: Element | null;
  figures: Element[];
  times: Element[];
  /** What the metadata reads, anywhere in the document. */
  head: MetadataElements;
}
const HEADINGS = new Set(['H2', 'H3', 'H4', 'H5', 'H6']);

/**
 * One walk over the page, iterative (no recursion, whatever the depth), in document order: removes what is
 * never text (what the pruning pass did not see), replaces every element nested deeper than `max` by its
 * text, and collects what the extractor would otherwise ask the selector engine for, one walk each: the
 * metadata's elements, and in the body the list headings, the first `h1`, the figures and `<time>`s, and the
 * matches of the rule lists (those `SelectorSet` reads; the rest go to the DOM's engine).
 */
function walkPage(doc: Element, createText: (text: string) => unknown, max: number, lists: WalkLists): PageWalk {
  const set = new SelectorSet([...lists.strip, ...lists.author, ...lists.date]);
  const authorAt = lists.strip.length;
  const dateAt = authorAt + lists.author.length;
  const out: PageWalk = {
    body: null, bodies: 0, set, lists, strip: [], author: lists.author.map(() => null), date: lists.date.map(() => null), dated: [],
    headings: [], h1: null, figures: [], times: [], head: { metas: [], title: null, canonical: null, time: null },
  };
  let el: Element = doc;
  let stripped = false;
  let dated = false;
  const found = (i: number): void => {
    if (i < authorAt) stripped = true;
    else if (i < dateAt) out.author[i - authorAt] ??= el;
    else {
      out.date[i - dateAt] ??= el;
      dated = true;
    }
  };
  const stack: Array<[Element, string, number, boolean]> = [[doc, doc.nodeName, 0, false]];
  const kids: Array<[Element, string]> = [];
  const head = out.head;
  while (stack.length > 0) {
    const [node, name, depth, inBody] = stack.pop()!;
    el = node;
    if (name === 'META') head.metas.push(el);
    else if (name === 'TITLE') head.title ??= el;
    else if (name === 'LINK' && head.canonical === null && rawAttribute(el, 'rel')?.toLowerCase() === 'canonical') head.canonical = el;
    else if (name === 'TIME' && head.time === null && rawAttribute(el, 'datetime') !== null) head.time = el;
    if (inBody) {
      const cls = rawAttribute(el, 'class');
      if (HEADINGS.has(name) || (cls !== null && (cls.includes('title') || cls.includes('heading')))) out.headings.push(el);
      if (name === 'H1') out.h1 ??= el;
      else if (name === 'FIGURE') out.figures.push(el);
      else if (name === 'TIME') out.times.push(el);
      stripped = dated = false;
      set.match(el as never, found, cls);
      if (stripped) out.strip.push(el);
      if (dated) out.dated.push(el);
    }
    const below = inBody || name === 'BODY';
    if (name === 'BODY') {
      out.body = el;
      out.bodies++;
    }
    kids.length = 0;
    for (let kid = firstElement(el); kid; kid = nextElement(kid)) kids.push([kid, kid.nodeName]);
    for (let i = kids.length - 1; i >= 0; i--) {
      const [kid, kidName] = kids[i]!;
      if (NON_TEXT_NAMES.has(kidName)) kid.remove();
      else if (depth + 1 >= max) (kid as unknown as { replaceWith(n: unknown): void }).replaceWith(createText(` ${flatText(kid)} `));
      else stack.push([kid, kidName, depth + 1, below]);
    }
  }
  const complex = lists.strip.filter((_, i) => !set.isCompiled(i));
  if (complex.length > 0) out.strip.push(...selectAll(out.body ?? doc, complex));
  return out;
}

/**
 * A rule list's first match in the body (the first selector's, else the second's …): from the walk when it
 * matched this very list, else from the DOM's engine.
 */
function firstMatch(root: Element, selectors: readonly string[], walk: PageWalk, key: 'author' | 'date', usable: boolean): Element | null {
  if (!usable || !sameList(selectors, walk.lists[key])) return selectFirst(root, selectors);
  const offset = key === 'author' ? walk.lists.strip.length : walk.lists.strip.length + walk.lists.author.length;
  for (let i = 0; i < selectors.length; i++) {
    const el = walk.set.isCompiled(offset + i) ? walk[key][i] : selectFirst(root, [selectors[i]!]);
    if (el) return el;
  }
  return null;
}
const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);

/** A paragraph-like element of the page (no block inside it) and its text, for `recoverSiblings`. */
interface PageParagraph {
  el: Element;
  text: string;
}
const PARAGRAPH_TAGS = new Set(['P', 'DIV']);
const INNER_BLOCKS = new Set(['P', 'DIV', 'UL', 'OL', 'TABLE', 'SECTION', 'ARTICLE', 'BLOCKQUOTE', 'FIGURE', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'PRE', 'ASIDE', 'HEADER', 'FOOTER', 'NAV', 'FORM']);

/**
 * The page's paragraphs grouped by their kind: a classed element by its tag and class, a bare `<p>` by its
 * parent's. Sites write every paragraph of a story the same way, and some split the story over several
 * containers ("read more" halves, ad breaks) of which Readability keeps only the best.
 */
function paragraphGroups(root: Element): Map<string, PageParagraph[]> {
  const groups = new Map<string, PageParagraph[]>();
  const stack: Element[] = [root];
  const kids: Element[] = [];
  while (stack.length > 0) {
    const el = stack.pop()!;
    let leaf = true;
    kids.length = 0;
    for (let kid = firstElement(el); kid; kid = nextElement(kid)) kids.push(kid);
    for (let i = kids.length - 1; i >= 0; i--) {
      const kid = kids[i]!;
      if (INNER_BLOCKS.has(kid.nodeName)) leaf = false;
      stack.push(kid);
    }
    const name = el.nodeName;
    if (!leaf || !PARAGRAPH_TAGS.has(name)) continue;
    const cls = classValue(el);
    if (!cls && name !== 'P') continue;
    const parent = el.parentElement;
    const key = cls ? `${name}.${cls}` : `P<${parent?.nodeName ?? ''}.${parent ? classValue(parent) : ''}`;
    const text = squash(textOf(el));
    if (text.length < 20) continue;
    const list = groups.get(key);
    if (list) list.push({ el, text });
    else groups.set(key, [{ el, text }]);
  }
  for (const list of groups.values()) list.reverse();
  return groups;
}

/** The share of the page's long-paragraph text the region handed to Readability holds at least. */
const STORY_SHARE = 0.7;

/**
 * A cheap candidate search before Readability: the element holding the page's paragraphs (scored as Readability
 * scores them, by text length, to the parent and half to the grandparent), grown until it holds most of the
 * page's long-paragraph text; everything outside it is detached, so that Readability scores a small tree.
 * What it detaches of the story (a second container) comes back through `recoverSiblings`.
 */
function narrowToStory(root: Element, groups: Map<string, PageParagraph[]>): void {
  const scores = new Map<Element, number>();
  const long: PageParagraph[] = [];
  let total = 0;
  for (const list of groups.values()) {
    for (const m of list) {
      const parent = m.el.parentElement;
      if (!parent) continue;
      scores.set(parent, (scores.get(parent) ?? 0) + m.text.length);
      const grand = parent.parentElement;
      if (grand) scores.set(grand, (scores.get(grand) ?? 0) + m.text.length / 2);
      if (m.text.length >= 80) {
        long.push(m);
        total += m.text.length;
      }
    }
  }
  let best: Element | null = null;
  let top = 0;
  for (const [el, score] of scores) if (score > top && el !== root) [best, top] = [el, score];
  if (!best || total === 0) return;
  let region: Element = best;
  // The long-paragraph text each element holds, summed up each paragraph's ancestry once.
  const holds = new Map<unknown, number>();
  for (const m of long) for (let at: DomNode | null = m.el; at; at = at.parentNode) holds.set(at, (holds.get(at) ?? 0) + m.text.length);
  const held = (el: Element): number => holds.get(el) ?? 0;
  while (region.parentElement && region.parentElement !== root && held(region) < total * STORY_SHARE) region = region.parentElement;
  if (held(region) < total * STORY_SHARE) return;
  for (let el: Element = region; el.parentElement && el !== root; el = el.parentElement) {
    const parent = el.parentElement;
    for (const kid of Array.from(parent.childNodes) as Element[]) if (kid !== el) kid.remove();
  }
}

/**
 * Adds to Readability's paragraphs the ones it left in a sibling container: members of a group most of whose
 * members it kept, each placed after the kept member before it.
 */
function recoverSiblings(blocks: PageBlock[], groups: Map<string, PageParagraph[]>, base: string | null, skip: (el: DomNode) => boolean): PageBlock[] {
  const furniture = (el: Element): boolean => {
    let at: Element | null = el;
    for (let up = 0; at && up < 4; up++, at = at.parentElement) if (skip(at)) return true;
    return false;
  };
  const texts = blocks.map((b) => (b.kind === 'p' || b.kind === 'h' ? b.text : ''));
  const joined = texts.join(' ');
  const indexOf = (text: string): number => texts.findIndex((t) => t.length > 0 && (t === text || t.includes(text) || text.includes(t) && t.length > text.length * 0.8));
  const inserts = new Map<number, PageBlock[]>();
  for (const list of groups.values()) {
    if (list.length < 3) continue;
    const kept = list.filter((m) => joined.includes(m.text));
    if (kept.length < 2 || kept.length < list.length * 0.5 || kept.length === list.length) continue;
    let at = -1;
    for (const m of list) {
      if (joined.includes(m.text)) {
        at = Math.max(at, indexOf(m.text));
        continue;
      }
      if (at < 0 || m.text.length < 40 || furniture(m.el)) continue;
      const found = readBlocks(m.el, base, { figures: false, skip }).filter((b) => b.kind === 'p' && b.linkText < b.text.length * 0.5);
      if (found.length > 0) inserts.set(at, [...(inserts.get(at) ?? []), ...found]);
    }
  }
  if (inserts.size === 0) return blocks;
  return blocks.flatMap((b, i) => [b, ...(inserts.get(i) ?? [])]);
}

/** Furniture inside the story region: an element whose class or id has one of `words`, with little text. */
function furnitureSkip(words: readonly string[]): (el: DomNode) => boolean {
  const set = new Set(words.map((w) => w.toLowerCase()));
  return (el) => {
    const names = `${el.getAttribute?.('class') ?? ''} ${el.getAttribute?.('id') ?? ''}`;
    if (!names.trim() || !names.toLowerCase().split(/[\s_-]+/).some((w) => set.has(w))) return false;
    return squash(textOf(el)).length < FURNITURE_MAX_CHARS;
  };
}
/** An element named like furniture that holds more text than this is the story in a badly named box. */
const FURNITURE_MAX_CHARS = 400;

/** The story heading, list items, and the link of each sibling, from a list's blocks. */
function siblingItems(blocks: readonly PageBlock[]): PageSibling[] {
  const items: PageSibling[] = [];
  for (const b of blocks) {
    if (b.kind === 'h' && b.href) items.push({ headline: b.text, link: b.href });
  }
  if (items.length > 0) return items;
  // No headings: each link with a headline's length is one story.
  for (const b of blocks) if (b.kind === 'p' && b.linkText >= b.text.length * 0.8 && b.text.length >= 15) {
    const href = /<a href="([^"]+)">/.exec(b.html)?.[1] ?? null;
    items.push({ headline: b.text, link: href ? href.replace(/&amp;/g, '&') : null });
  }
  return items;
}

/** A list's blocks as the teaser parser reads them: each story's picture, headline (a heading) and lede. */
function siblingBlocks(blocks: readonly PageBlock[]): PageBlock[] {
  if (blocks.some((b) => b.kind === 'h' && b.href)) return blocks.filter((b) => b.kind !== 'h' || b.href);
  return blocks.map((b) => {
    if (b.kind !== 'p' || b.linkText < b.text.length * 0.8 || b.text.length < 15) return b;
    const href = /<a href="([^"]+)">/.exec(b.html)?.[1]?.replace(/&amp;/g, '&') ?? null;
    return { kind: 'h', level: 3, text: b.text, href } as PageBlock;
  });
}

/** Shingle overlap: the share of a paragraph's word 4-grams found in a reference text. */
function coveredBy(paragraph: string, reference: Set<string>): number {
  const words = paragraph.toLowerCase().match(/\w+/g) ?? [];
  if (words.length < 4) return reference.has(words.join(' ')) ? 1 : -1;
  let hit = 0;
  for (let i = 0; i + 4 <= words.length; i++) if (reference.has(words.slice(i, i + 4).join(' '))) hit++;
  return hit / (words.length - 3);
}
function shingles(text: string): Set<string> {
  const words = text.toLowerCase().match(/\w+/g) ?? [];
  const out = new Set<string>();
  for (let i = 0; i + 4 <= words.length; i++) out.add(words.slice(i, i + 4).join(' '));
  for (let n = 1; n < 4 && n <= words.length; n++) for (let i = 0; i + n <= words.length; i++) out.add(words.slice(i, i + n).join(' '));
  return out;
}

/** Paragraph texts from JSON-LD `articleBody` (sites separate paragraphs by new lines, or not at all). */
function ldParagraphs(body: string): string[] {
  const lines = /<[a-z][^>]*>/i.test(body) ? htmlToText(body, { lines: true }).split('\n') : body.split(/\r?\n/).map((l) => htmlToText(l));
  return lines.map(squash).filter(Boolean);
}

/**
 * Reads an article page. Throws `PageError` when the page is over the cap or has no story text.
 * The result's `entry` goes to `normalizeEntry` with `pageFeed(page)` as its feed.
 */
export function extractArticlePage(input: PageInput, options: ExtractOptions = {}): ArticlePage {
  const maxBytes = options.maxBytes ?? MAX_PAGE_BYTES;
  const size = input.bytes ? input.bytes.byteLength : (input.html?.length ?? 0);
  if (size > maxBytes) throw new PageError(`${input.url}: the page is ${size} bytes, over the ${maxBytes}-byte cap`);
  const raw = input.html ?? (input.bytes ? decodePage(input.bytes, input.contentType) : '');

  const siteRules = options.siteRules ?? SITE_RULES;
  const pruned = prunePage(raw, ruleAttributes(siteRules));
  const { document } = parseHTML(pruned.html.includes('<html') ? pruned.html : `<!doctype html><html><body>${pruned.html}</body></html>`);
  const doc = document as unknown as Element & { body: Element | null; documentElement: Element | null; head: Element | null };
  const created = document as unknown as { createTextNode(text: string): unknown };
  // A rule's strip list is known once the host is, and the host once the metadata is read; the generic list
  // and the site's own are matched in the same walk when the input URL names the host.
  const host = absoluteHttp(input.url, null);
  const early = siteRuleFor(host ? new URL(host).hostname : '', siteRules);
  const walk = walkPage(doc, (text) => created.createTextNode(text), MAX_PAGE_DEPTH, early);
  const meta: PageMetadata = readMetadata(doc as never, pruned.jsonLd, walk.head);
  // A page read from a file resolves its links against its canonical URL; without one, only absolute links count.
  const base = absoluteHttp(input.url, null) ?? absoluteHttp(meta.canonical, null);
  const rule = siteRuleFor(base ? new URL(base).hostname : '', siteRules);
  const root = (doc.body ?? doc.documentElement) as Element | null;
  if (!root) throw new PageError(`${input.url}: the page has no body`);
  // The walk's body lists are the root's when the page has the one body (else the DOM's engine is asked).
  const walked = walk.bodies === 1 && walk.body === root;

  // From the original DOM, before anything is removed: byline, date, lead picture, sibling lists.
  const bylineEl = firstMatch(root, rule.author, walk, 'author', walked);
  const bylineText = bylineEl ? squash(textOf(bylineEl)) : '';
  const byline = (bylineText && bylineText.length <= 120 ? bylineText : null) ?? (meta.authors.length > 0 ? meta.authors.join(', ') : null);
  const dateEl = firstMatch(root, rule.date, walk, 'date', walked);
  const dateValue = dateEl ? (dateEl.getAttribute('datetime') ?? dateEl.getAttribute('content') ?? squash(textOf(dateEl))) : null;
  const published = meta.published ?? (dateValue && Number.isFinite(Date.parse(dateValue)) ? new Date(Date.parse(dateValue)).toISOString() : null);

  // The texts of the page's time stamps: a paragraph that is only one of them is page furniture, not story.
  const stampEls =
    walked && sameList(rule.date, walk.lists.date)
      ? [...walk.times, ...walk.dated, ...selectAll(root, rule.date.filter((_, i) => !walk.set.isCompiled(walk.lists.strip.length + walk.lists.author.length + i)))]
      : selectAll(root, ['time', ...rule.date]);
  const stamps = new Set(stampEls.map((el) => squash(textOf(el)).toLowerCase()).filter(Boolean));
  const isStamp = (text: string): boolean =>
    stamps.size > 0 && stamps.has(text.toLowerCase().replace(/^(?:published|updated|posted|last updated|modified)\b\s*(?:on|at)?:?\s*/, ''));

  const h1 = walked ? walk.h1 : root.querySelector('h1');
  const headline = squash(h1 ? textOf(h1) : '') || meta.headline;

  const lists: PageSiblingList[] = [];
  const listBlocks: PageBlock[][] = [];
  for (const { title, el } of siblingContainers(root, rule, false, walk.headings)) {
    const blocks = readBlocks(el, base).filter((b) => !(b.kind === 'h' && titleKey(b.text) === titleKey(title)));
    const items = siblingItems(blocks);
    if (items.length > 0) {
      lists.push({ title, items });
      listBlocks.push(siblingBlocks(blocks));
    }
    el.remove();
  }
  for (const { el } of siblingContainers(root, rule, true, walk.headings)) el.remove();
  // The same list (the site rules of the canonical host add none) was matched in the walk.
  for (const el of sameList(rule.strip, early.strip) ? walk.strip : selectAll(root, rule.strip)) el.remove();

  // The lead picture: the first figure of the story (before its first paragraph), else the page's og:image.
  const leadFigure = walked ? (walk.figures.find((f) => root.contains(f)) ?? null) : root.querySelector('figure');
  let picture: ArticlePage['picture'] = null;
  if (leadFigure) {
    const f = figureOf(leadFigure, base);
    if (f.src) picture = { url: f.src, caption: f.caption || null, credit: f.credit };
  }
  if (!picture && meta.image) {
    const url = absoluteHttp(meta.image.url, base);
    if (url) picture = { url, caption: meta.image.caption, credit: meta.image.credit };
  }

  // The body: a site rule's container, else Readability (on this DOM: what it needs from the original is read).
  let method: ArticlePage['method'] = 'readability';
  let blocks: PageBlock[] = [];
  const ruled = selectAll(root, rule.body);
  if (ruled.length > 0) {
    method = 'site-rule';
    blocks = ruled.flatMap((el) => readBlocks(el, base, { figures: false }));
  } else {
    const groups = paragraphGroups(root);
    narrowToStory(root, groups);
    let article: { content: unknown } | null = null;
    try {
      // The JSON-LD was taken out with the scripts before the DOM was built: Readability has none to look for.
      article = readabilityParse(doc, { serializer: (el: unknown) => el, charThreshold: 300, keepClasses: true, disableJSONLD: true }) as { content: unknown } | null;
    } catch {
      article = null;
    }
    const skip = furnitureSkip(rule.furnitureWords);
    if (article?.content) blocks = recoverSiblings(readBlocks(article.content as DomNode, base, { figures: false, skip }), groups, base, skip);
    if (!blocks.some((b) => b.kind === 'p')) {
      // Readability found nothing: the page's own paragraphs of some length, links aside, are the story.
      method = 'blocks';
      blocks = readBlocks(root, base, { figures: false }).filter((b) => b.kind === 'p' && b.text.length >= 80 && b.linkText < b.text.length * 0.3);
    }
  }

  let paragraphs = blocks.filter((b) => b.kind === 'p' || (b.kind === 'h' && b.level > 1)).map((b) => ({ block: b, text: b.kind === 'figure' ? b.caption : b.text }));
  const urls = [input.url, base, meta.canonical, absoluteHttp(meta.canonical, base)].filter((u): u is string => !!u);
  paragraphs = dropFurniture(paragraphs, { headline, byline, isStamp, urls });
  const ldBody = meta.articleBody ? ldParagraphs(meta.articleBody).join('\n') : '';
  const ours = paragraphs.map((p) => p.text).join(' ');
  // A JSON-LD body is the site's own account of the story, when it is whole (some sites cut it to a teaser).
  if (ldBody.length >= 200 && ldBody.length >= ours.length * 0.5) {
    const reference = shingles(ldBody);
    const kept = paragraphs.filter((p) => coveredBy(p.text, reference) >= 0.5);
    const keptLength = kept.reduce((n, p) => n + p.text.length, 0);
    if (keptLength < ldBody.length * 0.6 || ours.length < ldBody.length * 0.6) {
      method = 'json-ld';
      paragraphs = ldBody.split('\n').map((text) => ({ block: { kind: 'p', text, html: escapeHtml(text), linkText: 0 } as PageBlock, text }));
    } else paragraphs = kept;
  }
  if (paragraphs.reduce((n, p) => n + p.text.length, 0) < MIN_STORY_CHARS) throw new PageError(`${input.url}: no story text found on the page`);

  const canonical = absoluteHttp(meta.canonical, base) ?? base;
  const story = paragraphs.map((p) => p.block);
  const bylineBlock: PageBlock[] = [];
  const siblingHtml = lists
    .map((list, i) => `<section>\n<h2>${escapeHtml(list.title)}</h2>\n${blocksToHtml(listBlocks[i]!)}\n</section>`)
    .join('\n');
  const content = [blocksToHtml([...story, ...bylineBlock]), siblingHtml].filter(Boolean).join('\n');
  const media: RawMedia[] = picture
    ? [{ url: picture.url, type: null, medium: 'image', width: null, height: null, title: null, description: picture.caption, credit: picture.credit }]
    : [];
  const first = paragraphs[0]!.text;
  return {
    entry: {
      id: canonical,
      title: headline,
      link: canonical,
      published,
      updated: meta.updated,
      author: byline,
      categories: meta.keywords.length > 0 ? meta.keywords : meta.section ? [meta.section] : [],
      summary: meta.description,
      content,
      enclosures: [],
      media,
      language: meta.language,
    },
    paragraphs: paragraphs.map((p) => p.text),
    headline,
    byline,
    dateline: DATELINE.exec(first)?.[1] ?? null,
    published,
    updated: meta.updated,
    picture,
    siblings: lists,
    siteName: meta.siteName,
    language: meta.language,
    method,
  };
}

/** The one-entry feed a page makes, for `normalizeFeed`/`normalizeEntry`: the site as the feed, the page as its entry. */
export function pageFeed(page: ArticlePage): RawFeed {
  const link = page.entry.link ? new URL('/', page.entry.link).href : null;
  return {
    format: 'html',
    title: page.siteName,
    link,
    description: null,
    id: null,
    author: null,
    categories: [],
    published: null,
    updated: null,
    entries: [page.entry],
    language: page.language,
  };
}
