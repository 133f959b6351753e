/**
 * The plain data that flows through wirefeed: what a parser makes of an upstream document
 * (`RawFeed`), the clean news item the store keeps and every output renders from (`NewsItem`,
 * shaped after IPTC ninjs 3.1), and what a source poll leaves behind.
 */

/** The upstream syntaxes the parser recognises, and `html`: an article page read by `ingest/page`. */
export type FeedFormat = 'rss' | 'atom' | 'rdf' | 'json' | 'html';

/** A media object attached to an upstream entry (RSS enclosure, Atom `rel="enclosure"`, `media:content`). */
export interface RawEnclosure {
  url: string;
  type: string | null;
  length: number | null;
}

/** An upstream `media:content` / `media:thumbnail` with the caption and credit feeds put beside it. */
export interface RawMedia {
  url: string;
  type: string | null;
  medium: string | null;
  width: number | null;
  height: number | null;
  title: string | null;
  description: string | null;
  credit: string | null;
}

/** One entry of an upstream feed, in one model whatever the syntax. Dates are ISO-8601 UTC or null. */
export interface RawEntry {
  id: string | null;
  title: string | null;
  link: string | null;
  published: string | null;
  updated: string | null;
  /** Several author names joined by ", ". */
  author: string | null;
  categories: string[];
  summary: string | null;
  content: string | null;
  enclosures: RawEnclosure[];
  media: RawMedia[];
  /** The entry's language as the upstream declares it (Atom `xml:lang`), when it does. */
  language?: string | null;
}

/** An upstream document after parsing. Dates are ISO-8601 UTC or null. */
export interface RawFeed {
  format: FeedFormat;
  title: string | null;
  link: string | null;
  description: string | null;
  id: string | null;
  author: string | null;
  categories: string[];
  published: string | null;
  updated: string | null;
  entries: RawEntry[];
  /** The feed's language (RSS `<language>`, Atom `xml:lang`), when the upstream declares it. */
  language?: string | null;
  /** How often the upstream says it changes, in minutes (RSS `<ttl>`, or `sy:updatePeriod`/`sy:updateFrequency`). */
  refreshMinutes?: number | null;
}

/** A ninjs 3.1 `infoSources` entry: a party that originated, supplied or distributed the content. */
export interface NinjsName {
  name: string;
  uri?: string;
  role?: string;
  literal?: string;
}

/** A ninjs 3.1 `subjects` entry (ninjs 3.1 allows `rel`, not `role`, on subjects). */
export interface NinjsSubject {
  name: string;
  rel?: string;
  uri?: string;
  literal?: string;
  creator?: string;
  relevance?: number;
  confidence?: number;
}

/** A ninjs text block (`headlines`, `descriptions`, `bodies`). */
export interface NinjsText {
  role: string;
  contentType: string;
  value: string;
}

/**
 * A ninjs rendition: an image file of a picture, or (name `web`, contentType `text/html`) the web page of a
 * text item. ninjs 3.1 has no `links` property; the canonical page is the item's `web` rendition.
 */
export interface NinjsRendition {
  name: string;
  href: string;
  contentType?: string;
  title?: string;
  width?: number;
  height?: number;
}

/** A ninjs `genres` entry. */
export interface NinjsGenre {
  name: string;
  uri?: string;
  literal?: string;
}

/** A ninjs alternative identifier. */
export interface NinjsAltId {
  role: string;
  value: string;
}

/**
 * A ninjs association: for wirefeed, a picture with its caption and credit. ninjs 3.1 requires `name` and
 * `uri` on every association.
 */
export interface NinjsAssociation {
  name: string;
  uri: string;
  type: 'picture';
  rel?: string;
  headlines?: NinjsText[];
  descriptions?: NinjsText[];
  by?: string;
  copyrightHolder?: string;
  infoSources?: NinjsName[];
  genres?: NinjsGenre[];
  renditions?: NinjsRendition[];
}

/** The ninjs publication status: `canceled` when the upstream killed or withdrew the story. */
export type PubStatus = 'usable' | 'withheld' | 'canceled';

/**
 * A clean news item, shaped after IPTC ninjs 3.1: the model the store keeps and every output renders from.
 * `uri` is stable for the life of the story; `version` rises when the upstream changes it.
 */
export interface NewsItem {
  uri: string;
  type: 'text';
  representationType: 'full' | 'partial';
  version: string;
  firstCreated: string;
  versionCreated: string;
  contentCreated?: string;
  pubStatus?: PubStatus;
  /** Held until this time (ninjs `embargoed`, ISO 8601 UTC). */
  embargoed?: string;
  /** Leaves every feed at this time (ninjs `expires`, ISO 8601 UTC). */
  expires?: string;
  language?: string;
  headlines: NinjsText[];
  descriptions?: NinjsText[];
  bodies?: NinjsText[];
  by?: string;
  located?: string;
  subjects?: NinjsSubject[];
  infoSources?: NinjsName[];
  copyrightHolder?: string;
  copyrightNotice?: string;
  altIds?: NinjsAltId[];
  renditions?: NinjsRendition[];
  associations?: NinjsAssociation[];
}

/** A source as configured (see `src/config.ts`). */
export interface SourceConfig {
  id: string;
  url: string;
  title: string;
  /** Minutes between polls. */
  interval: number;
  provider?: string | undefined;
  categories: string[];
  allowPrivateNetwork: boolean;
  /** `restricted`: its items reach only entitled subscribers' keys. Absent: see `sourceLicense` in config.ts. */
  license?: 'public' | 'restricted' | undefined;
  /** Days an item stays in the feeds after publication; restricted sources default to 30. */
  maxAgeDays?: number | undefined;
  /** Fetch each new entry version's article page for its story: always (`true`), or for summaries only (`"auto"`); off when absent. */
  fullText?: boolean | 'auto' | undefined;
}

/** A published feed as configured: a name, a title and a filter. */
export interface FeedSpec {
  name: string;
  title: string;
  description?: string | undefined;
  filter: FeedFilter;
}

/** Which items a published feed carries. Category names compare case-insensitively. */
export interface FeedFilter {
  categories?: string[] | undefined;
  excludeCategories?: string[] | undefined;
  sources?: string[] | undefined;
}

/** What the store keeps about a source between polls. Times are epoch milliseconds. */
export interface SourceState {
  id: string;
  url: string;
  title: string;
  etag: string | null;
  lastModified: string | null;
  lastFetchAt: number | null;
  nextFetchAt: number;
  errorCount: number;
  lastError: SourceErrorRecord | null;
  lastSuccessAt: number | null;
}

/** The last failure recorded on a source. */
export interface SourceErrorRecord {
  kind: string;
  message: string;
  at: number;
}
