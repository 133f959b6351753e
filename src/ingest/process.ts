import type { RawEntry, RawFeed, SourceConfig } from '../model.ts';
import { publishedDate } from '../normalize/dates.ts';
import { dedupe, normalizeEntry, type NormalizedItem, type NormalizeRules } from '../normalize/index.ts';
import type { EntryRecord, EntryYield } from '../store/store.ts';
import { hash64 } from '../util/hash.ts';
import { stableJson } from '../util/stable-json.ts';
import { decodeFeedBytes } from './decode.ts';
import { pageRequestFor, type PageRequest } from './full-text.ts';
import { parseFeed } from './parse.ts';

/** What turning one fetched document into items needs: the bytes as fetched and the poll's context. */
export interface ProcessJob {
  bytes: Uint8Array;
  contentType: string | null;
  /** The final URL after redirects (relative links resolve against it). */
  url: string;
  source: SourceConfig;
  /** The poll time, epoch ms. */
  now: number;
  /** Normalization rules; the shipped defaults when absent. */
  rules?: NormalizeRules | undefined;
  /**
   * Hashes of the entries the source's last poll carried, each with what it gave (`Store.knownEntries`):
   * those entries are not normalized again. None known when absent.
   */
  knownEntries?: ReadonlyMap<string, EntryYield> | undefined;
}

/** The items of one document, and how often the feed itself says it changes (RSS `<ttl>`, `sy:update*`). */
export interface ProcessResult {
  /** Items of the new and changed entries only. */
  items: NormalizedItem[];
  /** How many items the document carries, those of skipped entries included. */
  carried?: number | undefined;
  refreshMinutes: number | null;
  /** Every entry the document carries, by hash (for `Store.savePoll`); absent from steps that do not hash. */
  entries?: EntryRecord[] | undefined;
  /** Full text: the new entry versions whose article page is to be fetched (sources with `fullText` only). */
  pages?: PageRequest[] | undefined;
}

/** A step that turns fetched bytes into items: {@link processFeed} in this thread, or a worker pool. */
export type ProcessStep = (job: ProcessJob) => Promise<ProcessResult>;

/** Bump when normalization changes what it makes of an unchanged entry, so every known entry is redone once. */
const ENTRY_HASH_SCHEME = 2;

/**
 * Decodes, parses and normalizes one fetched feed document; pure, no I/O. The same function runs in the
 * serving thread and in the ingest worker threads. Entries whose hash is among `knownEntries` are skipped.
 * @throws ParseError when the document cannot be read as a feed.
 */
export async function processFeed(job: ProcessJob): Promise<ProcessResult> {
  const { text } = decodeFeedBytes(job.bytes, job.contentType);
  const feed = await parseFeed(text, { url: job.url });
  const context = contextKey(feed, job.source, job.rules);
  const entries: EntryRecord[] = [];
  const fresh: NormalizedItem[] = [];
  const skipped = new Set<string>();
  const superseded = new Set<string>();
  const seen = new Set<string>();
  const pages: PageRequest[] = [];
  for (const entry of feed.entries) {
    const hash = entryHash(context, entry, job.now);
    if (seen.has(hash)) continue;
    seen.add(hash);
    const known = job.knownEntries?.get(hash);
    if (known) {
      for (const uri of known.uris) skipped.add(uri);
      for (const uri of known.supersedes) superseded.add(uri);
      entries.push({ hash, gave: null });
      continue;
    }
    const items = normalizeEntry(entry, { source: job.source, now: new Date(job.now), rules: job.rules, feed });
    const gave = { uris: [...new Set(items.map((i) => i.item.uri))], supersedes: [...new Set(items.flatMap((i) => i.supersedes))] };
    entries.push({ hash, gave });
    fresh.push(...items);
    const page = pageRequestFor(job.source, feed, entry, hash, items);
    if (page) pages.push(page);
  }
  // As if every entry had been normalized: a teaser never stands beside what a known entry gave or replaced.
  const items = dedupe(fresh).filter((i) => !(i.partial && (skipped.has(i.item.uri) || superseded.has(i.item.uri))));
  for (const i of items) {
    skipped.delete(i.item.uri);
    if (!i.partial) for (const uri of i.supersedes) superseded.add(uri);
  }
  // Known entries' uris that some story replaces were teasers: today's count leaves them out too.
  for (const uri of superseded) skipped.delete(uri);
  return { items, refreshMinutes: feed.refreshMinutes ?? null, entries, carried: items.length + skipped.size, ...(pages.length > 0 ? { pages } : {}) };
}

const rulesKeys = new WeakMap<object, string>();

/** What normalization reads besides the entry: the feed's own fields, the source's settings, the rules. */
function contextKey(feed: RawFeed, source: SourceConfig, rules: NormalizeRules | undefined): string {
  let rulesKey = 'default';
  if (rules) {
    rulesKey = rulesKeys.get(rules) ?? hash64(stableJson(rules));
    rulesKeys.set(rules, rulesKey);
  }
  // The feed's own dates and refresh hint change on every rebuild (lastBuildDate) and say nothing of its entries.
  const { entries: _entries, published: _published, updated: _updated, refreshMinutes: _refresh, ...head } = feed;
  return hash64(stableJson({ scheme: ENTRY_HASH_SCHEME, source, rules: rulesKey, feed: head }));
}

/**
 * The hash of one raw entry in its context: the entry's version (once-per-version work such as its article
 * page is keyed by it). It never depends on the poll time itself: an entry dated after `now` whose date
 * normalization cannot use yet (flagged `future`) is hashed with that reading, the same on every poll until
 * the date comes near, when the hash becomes the one of the entry as it then stays (normalized again once).
 */
function entryHash(context: string, entry: RawEntry, now: number): string {
  const last = Math.max(...[entry.published, entry.updated].map((d) => (d === null ? NaN : Date.parse(d))).filter(Number.isFinite));
  let reading = '';
  if (last > now) {
    reading = stableJson(publishedDate(entry, new Date(now)));
    if (reading === stableJson(publishedDate(entry, new Date(last)))) reading = '';
  }
  return hash64(`${context}\n${reading}\n${stableJson(entry)}`);
}
