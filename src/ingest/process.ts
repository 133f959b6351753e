import type { RawEntry, RawFeed, SourceConfig } from '../model.ts';
import { publishedDate } from '../normalize/dates.ts';
import { dedupe, normalizeEntry, type NormalizedItem, type NormalizeRules } from '../normalize/index.ts';
import type { EntryRecord, EntryYield } from '../store/store.ts';
import { hash64, hash64After, hash64Bytes, hashPrefix, type HashPrefix } from '../util/hash.ts';
import { stableJson } from '../util/stable-json.ts';
import { decodeFeedBytes, latin1 } from './decode.ts';
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
  /** The document's {@link documentKey}, when the caller has it already (a worker pool asks it before it posts). */
  documentKey?: string | undefined;
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

/**
 * Bump when normalization changes what it makes of an unchanged entry, or when what the hashes read changes,
 * so every known entry is redone once. 3: an entry is hashed by its JSON as the mapper built it (not sorted).
 */
const ENTRY_HASH_SCHEME = 3;

/**
 * Decodes, parses and normalizes one fetched feed document; pure, no I/O. The same function runs in the
 * serving thread and in the ingest worker threads. Entries whose hash is among `knownEntries` are skipped.
 * @throws ParseError when the document cannot be read as a feed.
 */
export async function processFeed(job: ProcessJob): Promise<ProcessResult> {
  const docKey = job.documentKey ?? documentKey(job);
  const again = job.knownEntries?.has(docKey) ? fromKnownEntries(job.knownEntries) : null;
  if (again) return again;
  return processDocument(job, docKey);
}

/**
 * What {@link processFeed} returns for a document recorded by the source's last poll (see {@link documentKey}),
 * told without parsing it; null for any other document. A worker pool asks this before it posts a job.
 */
export function knownDocument(job: ProcessJob): ProcessResult | null {
  if (!job.knownEntries || job.knownEntries.size === 0) return null;
  return job.knownEntries.has(job.documentKey ?? documentKey(job)) ? fromKnownEntries(job.knownEntries) : null;
}

async function processDocument(job: ProcessJob, docKey: string): Promise<ProcessResult> {
  const { text } = decodeFeedBytes(job.bytes, job.contentType);
  const feed = await parseFeed(text, { url: job.url });
  const context = contextKey(feed, job.source, job.rules);
  const plain = hashPrefix(`${context}\n\n`);
  // Whether the next poll of the same document may be told from the known entries alone (see documentKey).
  let settled = feed.refreshMinutes === null || feed.refreshMinutes === undefined;
  const entries: EntryRecord[] = [];
  const fresh: NormalizedItem[] = [];
  const skipped = new Set<string>();
  const superseded = new Set<string>();
  const seen = new Set<string>();
  const pages: PageRequest[] = [];
  const siblings = new Map<string, NormalizedItem>();
  for (const entry of feed.entries) {
    const last = lastDate(entry);
    const hash = entryHash(context, plain, entry, last, job.now);
    if (settled && last > job.now) settled = false;
    if (seen.has(hash)) continue;
    seen.add(hash);
    const known = job.knownEntries?.get(hash);
    if (known) {
      for (const uri of known.uris) skipped.add(uri);
      for (const uri of known.supersedes) superseded.add(uri);
      entries.push({ hash, gave: null });
      continue;
    }
    const items = normalizeEntry(entry, { source: job.source, now: new Date(job.now), rules: job.rules, feed, siblings });
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
  if (settled) entries.push({ hash: docKey, gave: { uris: [], supersedes: [] } });
  return { items, refreshMinutes: feed.refreshMinutes ?? null, entries, carried: items.length + skipped.size, ...(pages.length > 0 ? { pages } : {}) };
}

/**
 * The result of a document whose every entry is known, told from the known entries alone: what the loop of
 * {@link processFeed} makes of them (no items; each entry carried; the known uris, but for the teasers that
 * known stories replace, counted as carried).
 */
function fromKnownEntries(known: ReadonlyMap<string, EntryYield>): ProcessResult {
  const skipped = new Set<string>();
  const superseded = new Set<string>();
  const entries: EntryRecord[] = [];
  for (const [hash, yielded] of known) {
    for (const uri of yielded.uris) skipped.add(uri);
    for (const uri of yielded.supersedes) superseded.add(uri);
    entries.push({ hash, gave: null });
  }
  for (const uri of superseded) skipped.delete(uri);
  return { items: [], refreshMinutes: null, entries, carried: skipped.size };
}

/**
 * A key of the fetched document as normalization reads it: its bytes (but for the feed's own dates before its
 * first entry, which change on every rebuild and which the entry hashes leave out too), its URL and content
 * type, the source's settings and the rules. A poll records it among its entries when the document alone
 * decides its result: no refresh hint (the result would carry it) and no entry dated after the poll (whose
 * hash changes as its date comes near). The next poll of the same document then parses nothing: its entries
 * are those the last poll recorded, every one known.
 */
export function documentKey(job: Pick<ProcessJob, 'bytes' | 'contentType' | 'url' | 'source' | 'rules'>): string {
  const bytes = job.bytes;
  // A document without an XML entry (JSON Feed, or no entries) is keyed by all of its bytes.
  let first = firstEntryTag(bytes);
  if (first === bytes.length) first = 0;
  // Latin-1, one char per byte: decoding the head so is never lossy.
  const head = latin1(bytes, 0, first).replace(FEED_DATES, '');
  const context = hash64(stableJson({ scheme: ENTRY_HASH_SCHEME, source: job.source, rules: rulesKeyOf(job.rules), url: job.url, type: job.contentType, head }));
  return `doc:${context}:${hash64Bytes(bytes, first, bytes.length - first)}`;
}

/** The feed's own dates (RSS `lastBuildDate`, `pubDate`; Atom `updated`), as plain text elements. */
const FEED_DATES = /<(lastBuildDate|pubDate|updated)(\s[^>]*)?>[^<]*<\/\1\s*>/g;

/** Where the first `<item` or `<entry` starts in `bytes`, or the length when neither occurs. */
function firstEntryTag(bytes: Uint8Array): number {
  const is = (at: number, name: string): boolean => {
    for (let k = 0; k < name.length; k++) if (bytes[at + k] !== name.charCodeAt(k)) return false;
    return true;
  };
  for (let i = bytes.indexOf(0x3c); i !== -1; i = bytes.indexOf(0x3c, i + 1)) {
    if (is(i + 1, 'item') || is(i + 1, 'entry')) return i;
  }
  return bytes.length;
}

const rulesKeys = new WeakMap<object, string>();

/** The rules as a short key (remembered per rules object). */
function rulesKeyOf(rules: NormalizeRules | undefined): string {
  if (!rules) return 'default';
  const key = rulesKeys.get(rules) ?? hash64(stableJson(rules));
  rulesKeys.set(rules, key);
  return key;
}

/** What normalization reads besides the entry: the feed's own fields, the source's settings, the rules. */
function contextKey(feed: RawFeed, source: SourceConfig, rules: NormalizeRules | undefined): string {
  const rulesKey = rulesKeyOf(rules);
  // The feed's own dates and refresh hint change on every rebuild (lastBuildDate) and say nothing of its entries.
  const { entries: _entries, published: _published, updated: _updated, refreshMinutes: _refresh, ...head } = feed;
  return hash64(stableJson({ scheme: ENTRY_HASH_SCHEME, source, rules: rulesKey, feed: head }));
}

/**
 * The hash of one raw entry in its context: the entry's version (once-per-version work such as its article
 * page is keyed by it). It never depends on the poll time itself: an entry dated after `now` whose date
 * normalization cannot use yet (flagged `future`) is hashed with that reading, the same on every poll until
 * the date comes near, when the hash becomes the one of the entry as it then stays (normalized again once).
 * The entry is read as its plain JSON: the mappers build every entry with the same keys in the same order, so
 * equal entries give equal text (and unequal ones unequal text) without sorting the keys (`stableJson`).
 */
function entryHash(context: string, plain: HashPrefix, entry: RawEntry, last: number, now: number): string {
  let reading = '';
  if (last > now) {
    reading = stableJson(publishedDate(entry, new Date(now)));
    if (reading === stableJson(publishedDate(entry, new Date(last)))) reading = '';
  }
  // `plain` is the hashed `${context}\n\n`: the prefix of an entry read without a date reading.
  return hash64After(reading === '' ? plain : hashPrefix(`${context}\n${reading}\n`), JSON.stringify(entry));
}

/** The later of the entry's dates, epoch ms (-Infinity when it has none). */
function lastDate(entry: RawEntry): number {
  const published = entry.published === null ? NaN : Date.parse(entry.published);
  const updated = entry.updated === null ? NaN : Date.parse(entry.updated);
  if (Number.isFinite(published)) return Number.isFinite(updated) && updated > published ? updated : published;
  return Number.isFinite(updated) ? updated : -Infinity;
}
