/**
 * The plain data that flows through wirefeed: what a parser makes of an upstream document
 * (`RawFeed`), the clean news item the store keeps and every output renders from (`NewsItem`,
 * shaped after IPTC ninjs 3.1), and what a source poll leaves behind.
 */

/** The upstream syntaxes the parser recognises. */
export type FeedFormat = 'rss' | 'atom' | 'rdf' | 'json';

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
}

/** A ninjs 3.1 name/role pair (`infoSources`, `subjects`, …). */
export interface NinjsName {
  name: string;
  uri?: string;
  role?: string;
}

/** A ninjs text block (`headlines`, `descriptions`, `bodies`). */
export interface NinjsText {
  role: string;
  contentType: string;
  value: string;
}

/** A ninjs link. */
export interface NinjsLink {
  href: string;
  rel: string;
  contentType?: string;
}

/** A ninjs rendition of an association (an image file). */
export interface NinjsRendition {
  name: string;
  href: string;
  contentType?: string;
  width?: number;
  height?: number;
}

/** A ninjs association: for wirefeed, a picture with its caption and credit. */
export interface NinjsAssociation {
  name: string;
  type: 'picture';
  uri?: string;
  headlines?: NinjsText[];
  descriptions?: NinjsText[];
  by?: string;
  copyrightHolder?: { name: string };
  infoSources?: NinjsName[];
  renditions?: NinjsRendition[];
}

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
  language?: string;
  headlines: NinjsText[];
  descriptions?: NinjsText[];
  bodies?: NinjsText[];
  by?: string;
  located?: string;
  subjects?: NinjsName[];
  infoSources?: NinjsName[];
  copyrightHolder?: { name: string };
  links?: NinjsLink[];
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
