/**
 * Normalization: one upstream entry → clean IPTC ninjs 3.1 items — the story, then one partial item per
 * sibling story its page lists ("Just Posted"). Pure: no I/O, no runtime imports (it also runs on Workers).
 */
import type { NewsItem, NinjsName, RawEntry, RawFeed, SourceConfig } from '../model.ts';
import { titleAgency } from './agency.ts';
import { textBlocks } from './blocks.ts';
import { bylineFromAuthor, type Byline } from './byline.ts';
import { publishedDate, type DateFlag } from './dates.ts';
import { datelineLocated, splitDateline } from './dateline.ts';
import { splitSections } from './furniture.ts';
import { dropHeadlineCopies } from './headline.ts';
import { fingerprint, headlineKey, itemUri, linkKey, storyKey } from './identity.ts';
import { resolveHttpUrl } from './links.ts';
import { compileRules, type CompiledRules } from './matchers.ts';
import { buildNewsItem } from './news-item.ts';
import { collectPictures, mediaPictures, mergePictures } from './pictures.ts';
import { pubStatusOf } from './pub-status.ts';
import { DEFAULT_RULES, type NormalizeRules } from './rules.ts';
import { parseStory } from './story.ts';
import { subjectsFor } from './subjects.ts';
import { draftTeasers, withoutEllipsis, type Teaser } from './teasers.ts';
import { cleanText, firstSentence, fold, words } from './text.ts';
import { htmlToText } from '../util/html-text.ts';

export { DEFAULT_RULES, normalizeRulesSchema, resolveRules, type NormalizeRules, type NormalizeRulesInput } from './rules.ts';
export type { DateFlag } from './dates.ts';

/** What normalizing a feed needs besides the feed: its source, the poll time, and the rules (default `DEFAULT_RULES`). */
export interface NormalizeOptions {
  source: SourceConfig;
  now: Date;
  rules?: NormalizeRules | undefined;
}

/** What normalization knows besides the entry: its source, its feed, the poll time and the rules. */
export interface NormalizeContext extends NormalizeOptions {
  feed: RawFeed;
  /**
   * The sibling (teaser) items already built from the feed's other entries, by uri: a site lists the same
   * siblings under every story, and only the first of each uri survives {@link dedupe}, so a later entry takes
   * that item as it is instead of building it again. Absent: every entry builds its own.
   */
  siblings?: Map<string, NormalizedItem> | undefined;
}

/** A normalized item with the facts the store indexes beside it (a superset of the store's `ItemWrite`). */
export interface NormalizedItem {
  item: NewsItem;
  /** Upstream publication time (epoch ms); null when missing or impossible — the store keeps the first-seen time. */
  published: number | null;
  /** Why `published` is null; null when it is not. */
  dateFlag: DateFlag | null;
  /** The item's web page (absolute http(s)), or null. */
  link: string | null;
  /** Subject names plus the source's categories: what the store indexes (compared case-insensitively). */
  categories: string[];
  /** A teaser ("Just Posted" entry, or an upstream excerpt): it must never overwrite a full item with the same uri. */
  partial: boolean;
  /** Headline + first sentence, folded and hashed: the same wire story on two sites has the same one. Null when unsure. */
  fingerprint: string | null;
  /** uris of teasers this full item replaces although its own uri differs (a teaser known only by its headline). */
  supersedes: string[];
}

/**
 * Normalizes every entry of a parsed feed; pure, no I/O. Items are unique by uri: a full item wins over a
 * teaser with the same uri, and a teaser a full item supersedes is left out.
 */
export function normalizeFeed(feed: RawFeed, options: NormalizeOptions): NormalizedItem[] {
  const context: NormalizeContext = { ...options, feed, siblings: new Map() };
  const all = feed.entries.flatMap((entry) => normalizeEntry(entry, context));
  return dedupe(all);
}

/**
 * Turns one upstream entry into clean news items (ninjs 3.1): the story first, then its sibling stories
 * as partial items. Version fields are placeholders: the store owns `version`, `firstCreated` and
 * `versionCreated`.
 */
export function normalizeEntry(entry: RawEntry, ctx: NormalizeContext): NormalizedItem[] {
  const rules = compileRules(ctx.rules ?? DEFAULT_RULES);
  const base = resolveHttpUrl(entry.link, ctx.feed.link) ?? resolveHttpUrl(ctx.feed.link);
  const now = isoString(ctx.now);
  const language = languageTag(entry.language ?? ctx.feed.language ?? null);
  const provider = ctx.source.provider?.trim() || null;

  const sections = splitSections(textBlocks(entry.content ?? entry.summary), rules);
  const story = parseStory(sections.story, entry.title, rules, base);
  const headline = story.headline || fallbackHeadline(story.paragraphs[0] ?? htmlToText(entry.summary ?? ''));

  const link = resolveHttpUrl(entry.link, ctx.feed.link);
  const uri = itemUri(ctx.source.id, storyKey({ link, guid: entry.id, headline }, base));
  const teaserUri = itemUri(ctx.source.id, headlineKey(headline));

  const fromAuthor = bylineFromAuthor(entry.author, rules);
  const fromFeed = bylineFromAuthor(ctx.feed.author, rules);
  const byline: Byline = {
    by: story.byline?.by ?? fromAuthor?.by ?? null,
    agency:
      story.byline?.agency ?? story.dateline?.agency ?? titleAgency(entry.title, rules) ?? fromAuthor?.agency ?? fromFeed?.agency ?? null,
    outlet: story.byline?.outlet ?? fromAuthor?.outlet ?? null,
  };
  const originator = byline.agency ?? outletName(byline.outlet, provider);
  const date = publishedDate(entry, ctx.now);
  const upstreamCategories = entry.categories.map(cleanText).filter((c) => c && !rules.isKillCategory(c));
  const summary = entry.content && entry.summary ? summaryOf(entry.summary, headline, story.paragraphs, rules, base) : null;
  const subjects = subjectsFor(
    {
      categories: upstreamCategories,
      tags: story.tags,
      located: story.dateline?.located ?? null,
      texts: [headline, summary ?? '', ...story.paragraphs],
      sourceCategories: ctx.source.categories,
    },
    rules,
  );
  const pictures = mergePictures(story.pictures, mediaPictures(entry, rules, base));
  // The store's `partial` (a teaser or a cut-off excerpt: it never overwrites a full item, it is no arrival)
  // is narrower than ninjs' `partial` (the body is not the whole story: a summary alone, or no text).
  const partial = story.truncated;
  const representationType = representsStory(entry, story.paragraphs, story.truncated) ? 'full' : 'partial';

  const item = buildNewsItem({
    uri,
    representationType,
    now,
    contentCreated: date.iso,
    pubStatus: pubStatusOf({ title: entry.title, firstLine: story.firstLine, categories: entry.categories }, rules),
    language,
    headline,
    summary,
    paragraphs: story.paragraphs,
    by: byline.by,
    located: datelineLocated(story.dateline),
    subjects,
    infoSources: infoSources(originator, provider),
    copyrightHolder: originator ?? provider,
    copyrightNotice: [...new Set(sections.copyright)].join(' ') || null,
    factBox: sections.factBox,
    link,
    pictures,
  });

  const result: NormalizedItem[] = [
    {
      item,
      published: date.ms,
      dateFlag: date.flag,
      link,
      categories: subjects.map((s) => s.name),
      partial,
      fingerprint: fingerprint(headline, story.paragraphs[0] ?? null, story.truncated),
      supersedes: !partial && teaserUri !== uri ? [teaserUri] : [],
    },
  ];

  const storyHeadline = fold(headline);
  // Loops, not flatMap: this runs for every entry, and most lists are empty.
  const drafts = draftTeasers(sections.teasers, rules, base);
  for (const list of sections.lists) for (const draft of draftTeasers(list, rules, base)) drafts.push(draft);
  for (const draft of drafts) {
    const t = siblingUri(draft, ctx);
    // Sites list the story itself among its siblings.
    if (t === uri || fold(draft.headline) === storyHeadline) continue;
    let sibling = ctx.siblings?.get(t);
    if (sibling === undefined) {
      sibling = teaserItem(draft.complete(), t, ctx, rules, now, language, provider);
      ctx.siblings?.set(t, sibling);
    }
    result.push(sibling);
  }
  return result;
}

/** The uri of a sibling story: by its link, else its headline. */
function siblingUri(teaser: Pick<Teaser, 'link' | 'headline'>, ctx: NormalizeContext): string {
  return itemUri(ctx.source.id, linkKey(teaser.link) ?? headlineKey(teaser.headline));
}

function teaserItem(
  teaser: Teaser,
  uri: string,
  ctx: NormalizeContext,
  rules: CompiledRules,
  now: string,
  language: string | null,
  provider: string | null,
): NormalizedItem {
  const summary = teaser.lede ? (teaser.truncated ? `${teaser.lede}…` : teaser.lede) : null;
  const subjects = subjectsFor(
    {
      categories: [],
      tags: [],
      located: teaser.located,
      texts: [teaser.headline, teaser.lede ?? ''],
      sourceCategories: ctx.source.categories,
    },
    rules,
  );
  const item = buildNewsItem({
    uri,
    representationType: 'partial',
    now,
    contentCreated: null,
    pubStatus: 'usable',
    language,
    headline: teaser.headline,
    summary,
    paragraphs: [],
    by: null,
    located: teaser.located,
    subjects,
    infoSources: infoSources(null, provider),
    copyrightHolder: null,
    link: teaser.link,
    pictures: teaser.picture ? [teaser.picture] : [],
  });
  return {
    item,
    published: null,
    dateFlag: 'missing',
    link: teaser.link,
    categories: subjects.map((s) => s.name),
    partial: true,
    fingerprint: fingerprint(teaser.headline, teaser.lede, teaser.truncated),
    supersedes: [],
  };
}

// An entry with nothing but a summary this short gives a standfirst, not the story.
const SUMMARY_ONLY_MAX_WORDS = 80;

/**
 * True when the body is the story (`full`): it has paragraphs, is not cut off with a read-more marker, and
 * is either the entry's content or a summary long enough to be the story itself (feeds that put the whole
 * story in `description`). A short summary alone, or a title with no text, is `partial`.
 */
export function representsStory(entry: RawEntry, paragraphs: string[], truncated: boolean): boolean {
  if (truncated) return false;
  // An entry without a title is only its text: the headline read from it, and the rest, are all there is.
  if (!hasText(entry.title)) return Boolean((entry.content ?? entry.summary)?.trim());
  if (paragraphs.every((p) => !p.trim())) return false;
  if (entry.content?.trim()) return true;
  const n = paragraphs.reduce((sum, p) => sum + words(p).length, 0);
  return paragraphs.length > 2 || n >= SUMMARY_ONLY_MAX_WORDS;
}

/** `htmlToText(html).trim() !== ''`; without markup or entities, whether any character is not white space or NUL. */
function hasText(html: string | null): boolean {
  if (!html) return false;
  if (html.includes('<') || html.includes('&')) return htmlToText(html).trim() !== '';
  return /[^\s\0]/.test(html);
}

/** A staff byline's outlet ("Gazette"), as the source's provider names it when that is the same paper ("Springfield Gazette"). */
function outletName(outlet: string | null, provider: string | null): string | null {
  if (!outlet) return null;
  return provider && fold(provider).includes(fold(outlet)) ? provider : outlet;
}

function infoSources(originator: string | null, provider: string | null): NinjsName[] {
  const out: NinjsName[] = [];
  if (originator) out.push({ name: originator, role: 'originator' });
  if (provider && fold(provider) !== fold(originator ?? '')) out.push({ name: provider, role: 'originfeed' });
  return out;
}

/** The upstream summary as plain text, without furniture, captions, headline copies, dateline and read-more. */
function summaryOf(summary: string, headline: string, paragraphs: string[], rules: CompiledRules, base: string | null): string | null {
  const sections = splitSections(textBlocks(summary), rules);
  const { rest } = collectPictures(sections.story, rules, base);
  const text = dropHeadlineCopies(rest, headline, rules)
    .map((b) => b.text)
    .join(' ');
  const cut = rules.stripReadMore(text);
  const clean = splitDateline(withoutEllipsis(cut.text), rules).text.trim();
  if (!clean) return null;
  // Feeds that repeat the whole body as the summary add nothing.
  // An ASCII text folds to at most as many characters: a body with more letters and digits than that is no copy.
  const isCopy = NON_ASCII.test(clean) || !hasMoreAsciiAlnum(paragraphs, clean.length) ? isBodyCopy(clean, paragraphs) : false;
  if (isCopy) return null;
  return cut.cut ? `${clean}…` : clean;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** True when a summary (clean) folds to the body's paragraphs joined. */
function isBodyCopy(clean: string, paragraphs: string[]): boolean {
  const folded = fold(clean);
  return !hasMoreAsciiAlnum(paragraphs, folded.length) && folded === fold(paragraphs.join(' '));
}

/**
 * True when the texts hold more than `limit` ASCII letters and digits. `fold` keeps each of them as one
 * character, so texts with more cannot fold to a string of `limit` characters (and need not be folded).
 */
function hasMoreAsciiAlnum(texts: string[], limit: number): boolean {
  let n = 0;
  for (const t of texts) {
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i) | 0x20;
      if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) {
        if (++n > limit) return true;
      }
    }
  }
  return false;
}

/** A headline for an entry with neither title nor headline line: the first sentence of its text, shortened. */
function fallbackHeadline(text: string): string {
  const sentence = cleanText(firstSentence(text));
  if (!sentence) return 'Untitled';
  return sentence.length > 120 ? `${sentence.slice(0, 119).replace(/\s+\S*$/, '')}…` : sentence;
}

// Every entry of a feed, and every feed of a poll, has the same poll time: its ISO string is made once.
let isoMs = NaN;
let iso = '';

/** `date.toISOString()`, remembered for the last time value (an invalid date throws each time, as it does). */
function isoString(date: Date): string {
  const ms = date.getTime();
  if (ms !== isoMs) {
    iso = date.toISOString();
    isoMs = ms;
  }
  return iso;
}

/** A BCP 47 tag in its usual case ("en-us" → "en-US"), or null when the value is not one. */
function languageTag(value: string | null): string | null {
  const v = value?.trim().replace(/_/g, '-');
  if (!v || !/^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/.test(v)) return null;
  const [primary, ...rest] = v.split('-');
  return [primary!.toLowerCase(), ...rest.map((p) => (p.length === 2 ? p.toUpperCase() : p.length === 4 ? p[0]!.toUpperCase() + p.slice(1).toLowerCase() : p.toLowerCase()))].join('-');
}

/** Unique by uri, keeping the first position: a full item beats a teaser; a superseded teaser is dropped. */
export function dedupe(items: NormalizedItem[]): NormalizedItem[] {
  const superseded = new Set<string>();
  for (const i of items) if (!i.partial) for (const uri of i.supersedes) superseded.add(uri);
  const byUri = new Map<string, number>();
  const out: NormalizedItem[] = [];
  for (const it of items) {
    if (it.partial && superseded.has(it.item.uri)) continue;
    const at = byUri.get(it.item.uri);
    if (at === undefined) {
      byUri.set(it.item.uri, out.length);
      out.push(it);
    } else if (out[at]!.partial && !it.partial) {
      out[at] = it;
    }
  }
  return out;
}
