/**
 * Full text, the pure part: which entries of a `fullText` source need their article page, and what an entry
 * becomes with its page (the page's story, picture, byline, dateline, times and sibling lists, through the
 * same wire normalization). No I/O: on Node this runs in the ingest worker threads, beside `processFeed`.
 */
import { DEFAULT_RULES, normalizeEntry, type NormalizedItem, type NormalizeRules } from '../normalize/index.ts';
import type { RawEntry, RawFeed, SourceConfig } from '../model.ts';
import { htmlToText } from '../util/html-text.ts';
import { extractArticlePage, type ArticlePage } from './page/extract.ts';

/** An entry's body shorter than this (characters of text) is a summary. */
export const SUMMARY_MAX_CHARS = 600;

// A body that says there is more elsewhere: an ellipsis at its end, or a "read more" line.
const TRUNCATED = /(?:…|\.\.\.|\[…\]|\[\.\.\.\])\s*$|\b(?:read|continue reading|see|view)\s+(?:more|the (?:full|whole|rest of the) (?:story|article))\b[^.]{0,40}$|\bcontinue reading\b/i;

/**
 * Whether an entry carries a summary rather than its story (`fullText: "auto"` fetches the page only then):
 * its body (content, else summary) as text is under {@link SUMMARY_MAX_CHARS} characters, or ends the way
 * truncated bodies end (an ellipsis, "Read more", "Continue reading").
 */
export function isSummary(entry: RawEntry): boolean {
  const text = bodyText(entry);
  return text.length < SUMMARY_MAX_CHARS || TRUNCATED.test(text);
}

function bodyText(entry: RawEntry): string {
  return htmlToText(entry.content ?? entry.summary ?? '').replace(/\s+/g, ' ').trim();
}

/** What the page step needs of an entry besides its page: the entry, the feed's head, and the source's mode. */
export interface PageEntry {
  entry: RawEntry;
  /** The feed's own fields (its `entries` left empty). */
  feed: RawFeed;
  mode: true | 'auto';
}

/** An entry version whose article page is to be fetched (made by `processFeed` for `fullText` sources). */
export interface PageRequest {
  /** The entry version's hash (`entry_hashes`). */
  hash: string;
  /** The article page: the entry's link. */
  url: string;
  /** The story item the entry gave from the feed's text (the one the page completes). */
  uri: string;
  job: PageEntry;
}

/**
 * The page request of one freshly normalized entry, or null when the source does not want full text, the
 * entry has no http(s) link or gave no story, or (`"auto"`) its body is not a summary.
 */
export function pageRequestFor(source: SourceConfig, feed: RawFeed, entry: RawEntry, hash: string, items: NormalizedItem[]): PageRequest | null {
  if (!source.fullText) return null;
  const story = items.find((i) => !i.partial);
  const url = story?.link ?? null;
  if (!story || !url || !/^https?:\/\//i.test(url)) return null;
  if (source.fullText === 'auto' && !isSummary(entry)) return null;
  const { entries: _entries, ...head } = feed;
  return { hash, url, uri: story.item.uri, job: { entry, feed: { ...head, entries: [] }, mode: source.fullText } };
}

/** One article page to read and normalize with its entry. */
export interface PageJob extends PageEntry {
  source: SourceConfig;
  /** The fetch time, epoch ms. */
  now: number;
  rules?: NormalizeRules | undefined;
  /** The URL the page came from (after redirects). */
  url: string;
  /** The page's bytes; null when the upstream answered 304 and `page` is the earlier version's reading. */
  bytes: Uint8Array | null;
  contentType: string | null;
  /** The page as an earlier fetch read it (for a 304). */
  page?: ArticlePage | null | undefined;
  /** Pages larger than this are not read (`limits.maxPageBytes`). */
  maxBytes?: number | undefined;
}

/** What a page gave its entry. */
export interface PageResult {
  /** The entry's items with the page's story, then the page's siblings as teasers; empty when `used` is false. */
  items: NormalizedItem[];
  /** The page as read (kept for a later 304). */
  page: ArticlePage;
  /** False when (`"auto"`) the page's story is not longer than the feed's body: the feed's text stays. */
  used: boolean;
}

/** A step that reads an article page into its entry's items: {@link processPage} here, or a worker pool. */
export type PageStep = (job: PageJob) => Promise<PageResult>;

/**
 * Reads an article page and normalizes its entry with it. The entry keeps its identity (id, link, title:
 * the item's uri does not change) and takes the page's story and sibling lists as its content, the page's
 * picture (with caption and credit), byline and times where the page has them.
 * @throws PageError when the page cannot be read (over the cap, no story text).
 */
export async function processPage(job: PageJob): Promise<PageResult> {
  const page =
    job.bytes === null && job.page
      ? job.page
      : extractArticlePage({ bytes: job.bytes ?? new Uint8Array(), url: job.url, contentType: job.contentType }, { maxBytes: job.maxBytes });
  if (job.mode === 'auto' && page.paragraphs.join(' ').length <= bodyText(job.entry).length) return { items: [], page, used: false };
  const entry = withPage(job.entry, page);
  const items = normalizeEntry(entry, { source: job.source, feed: job.feed, now: new Date(job.now), rules: rulesForPage(page, job.rules) });
  return { items, page, used: true };
}

/**
 * The rules in force with the headings of the page's sibling lists as teaser-section starts, so that each
 * list opens a teaser section as "Just Posted" does (used here and by the CLI's `normalize` of a page).
 */
export function rulesForPage(page: ArticlePage, rules: NormalizeRules = DEFAULT_RULES): NormalizeRules {
  const known = new Set(rules.teaserSectionStart.map((t) => t.toLowerCase()));
  // A heading is added as a phrase; one that reads as a /regex/ rule is left out rather than compiled.
  const extra = page.siblings.map((s) => s.title).filter((t) => !known.has(t.toLowerCase()) && !/^\/.*\/[a-z]*$/s.test(t));
  return extra.length === 0 ? rules : { ...rules, teaserSectionStart: [...rules.teaserSectionStart, ...new Set(extra)] };
}

/** The entry with its page's story. */
export function withPage(entry: RawEntry, page: ArticlePage): RawEntry {
  const categories = [...new Set([...entry.categories, ...page.entry.categories])];
  return {
    ...entry,
    content: page.entry.content,
    summary: entry.summary ?? entry.content,
    author: page.byline ?? entry.author,
    published: page.published ?? entry.published,
    updated: page.updated ?? entry.updated,
    media: page.entry.media.length > 0 ? page.entry.media : entry.media,
    categories,
    language: entry.language ?? page.language,
  };
}
