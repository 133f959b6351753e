/**
 * What a published feed says about itself, and the whole feed reduced to clean values (its metadata and
 * its prepared items) that the RSS, Atom and JSON Feed renderers share.
 */
import type { NewsItem } from '../model.ts';
import { httpUrl, MIN_TIME, oneLine, parseDate, prepareItem, publishedTime, validDate, type PreparedItem } from './feed-item.ts';
import type { PrepareItem } from './prepared-items.ts';
import { xmlSafe } from '../util/xml-safe.ts';

/** The syntaxes wirefeed publishes. */
export type OutputFormat = 'rss' | 'atom' | 'json';

/** What a published feed says about itself. `siteUrl` and `selfUrl` must be absolute http(s) URLs. */
export interface FeedMeta {
  id: string;
  title: string;
  description?: string;
  siteUrl: string;
  selfUrl: string;
  /** What the feed describes, when not the site (JSON Feed `home_page_url`): a filtered feed names its own resource. */
  homeUrl?: string | undefined;
  updated: Date;
  /** A BCP 47 language tag (RSS `<language>`, Atom `xml:lang`, JSON Feed `language`). */
  language?: string | undefined;
  /** The next page (RFC 5005 `rel="next"`, JSON Feed `next_url`), when there is one. */
  nextUrl?: string | undefined;
  /** A WebSub hub announced with `rel="hub"` (JSON Feed `hubs`). */
  hubUrl?: string | undefined;
  /** An XSL stylesheet for RSS and Atom, so a browser shows a readable page. */
  stylesheetUrl?: string | undefined;
}

/** The `Content-Type` header value for each output format. */
export const CONTENT_TYPES: Readonly<Record<OutputFormat, string>> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

/** The generator every format names. */
export const GENERATOR = 'wirefeed';

/** The links a feed may carry beside its site and itself: usable absolute http(s) URLs or undefined. */
export interface FeedLinks {
  next: string | undefined;
  hub: string | undefined;
  stylesheet: string | undefined;
}

/** A feed ready to render: clean metadata (strings xmlSafe and on one line, `''` when absent) and items. */
export interface PreparedFeed {
  id: string;
  title: string;
  description: string;
  siteUrl: string;
  selfUrl: string;
  /** `meta.homeUrl` when it is an absolute http(s) URL, else the site. */
  homeUrl: string;
  updated: Date;
  /** A BCP 47-shaped language tag, or undefined. */
  language: string | undefined;
  links: FeedLinks;
  items: PreparedItem[];
}

/**
 * Prepares a feed for rendering. Its date is `meta.updated` when valid, else the latest item date, else
 * 1970. `prepare` prepares each item (`prepareItem`, or a `PreparedItems` cache's). Throws a `TypeError` when `meta.siteUrl` or `meta.selfUrl` is not an absolute http(s) URL.
 */
export function prepareFeed(meta: FeedMeta, items: NewsItem[], prepare: PrepareItem = prepareItem): PreparedFeed {
  const siteUrl = httpUrl(meta.siteUrl);
  const selfUrl = httpUrl(meta.selfUrl);
  if (siteUrl === undefined) throw new TypeError(`FeedMeta.siteUrl is not an absolute http(s) URL: ${meta.siteUrl}`);
  if (selfUrl === undefined) throw new TypeError(`FeedMeta.selfUrl is not an absolute http(s) URL: ${meta.selfUrl}`);
  const updated = feedUpdated(meta, items);
  return {
    id: xmlSafe(meta.id ?? ''),
    title: oneLine(xmlSafe(meta.title ?? '')),
    description: oneLine(xmlSafe(meta.description ?? '')),
    siteUrl,
    selfUrl,
    homeUrl: httpUrl(meta.homeUrl) ?? siteUrl,
    updated,
    language: languageTag(meta.language),
    links: { next: httpUrl(meta.nextUrl), hub: httpUrl(meta.hubUrl), stylesheet: httpUrl(meta.stylesheetUrl) },
    items: items.map((item) => prepare(item, updated)),
  };
}

/** The date a feed of `items` is prepared with: `meta.updated` when valid, else the latest item date, else 1970. */
export function feedUpdated(meta: FeedMeta, items: NewsItem[]): Date {
  return validDate(meta.updated) ?? latestItemDate(items) ?? new Date(MIN_TIME);
}

function latestItemDate(items: NewsItem[]): Date | undefined {
  let latest: number | undefined;
  for (const item of items) {
    const t = (parseDate(item.versionCreated) ?? publishedTime(item))?.getTime();
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  return latest === undefined ? undefined : new Date(latest);
}

function languageTag(value: string | undefined): string | undefined {
  const s = typeof value === 'string' ? value.trim() : '';
  return /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/.test(s) ? s : undefined;
}
