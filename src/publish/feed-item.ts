/**
 * One news item reduced to the clean values every feed format renders from: title, link, summary (as
 * HTML and as text), content, dates, author, rights, categories and the lead picture. Every string is
 * xmlSafe, HTML is sanitized, links are absolute http(s) and dates are in range.
 */
import type { NewsItem, NinjsAssociation, NinjsRendition, NinjsText } from '../model.ts';
import { sanitizeHtml } from './sanitize.ts';
import { escapeHtml, htmlToText } from '../util/html-text.ts';
import { xmlSafe } from '../util/xml-safe.ts';

/** An item as the renderers see it; optional strings are never empty. */
export interface PreparedItem {
  id: string;
  title: string;
  link: string | undefined;
  summaryHtml: string | undefined;
  summaryText: string | undefined;
  contentHtml: string | undefined;
  /** The summary as HTML, else the lede of the body (its first paragraph, at most about 300 characters) as text. */
  descriptionHtml: string | undefined;
  /** When the story was published upstream (ninjs `contentCreated`, else when we first saw it). */
  published: Date;
  /** When the story last changed upstream; the model carries no such time apart from publication, so it is `published`. */
  updated: Date;
  author: string | undefined;
  rights: string | undefined;
  categories: string[];
  picture: Picture | undefined;
}

/** The item's lead picture: its widest rendition, with a plain-text caption and credit. */
export interface Picture {
  url: string;
  type: string | undefined;
  width: number | undefined;
  height: number | undefined;
  caption: string | undefined;
  credit: string | undefined;
}

/** The earliest date a feed carries. */
export const MIN_TIME = Date.UTC(1970, 0, 1);
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const IMAGE_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
};

/** Prepares an item for rendering; `feedUpdated` stands in for dates the item lacks. */
export function prepareItem(item: NewsItem, feedUpdated: Date): PreparedItem {
  if (item.pubStatus === 'canceled') return killNotice(item, feedUpdated);
  const link = httpUrl(webPage(item));
  const headline = pickText(item.headlines, 'main');
  const summary = item.descriptions?.find((d) => d.role === 'summary');
  const body = pickText(item.bodies, 'main');
  const published = publishedTime(item) ?? feedUpdated;
  const updated = changedTime(item, published);
  const summaryText = summary ? oneLine(textOf(summary)) : '';
  const summaryHtml = summary ? htmlOf(summary, link) : '';
  const contentHtml = body ? htmlOf(body, link) : '';
  const lede = body ? ledeOf(body) : '';
  const author = oneLine(xmlSafe(item.by ?? ''));
  const rights = oneLine(xmlSafe(item.copyrightHolder ?? ''));
  const categories = [
    ...new Set((item.subjects ?? []).map((s) => oneLine(xmlSafe(s.name ?? ''))).filter((s) => s !== '')),
  ];
  return {
    id: itemId(item.uri ?? ''),
    title: headline ? oneLine(textOf(headline)) : '',
    link,
    summaryHtml: summaryHtml || undefined,
    summaryText: summaryText || undefined,
    contentHtml: contentHtml || undefined,
    descriptionHtml: summaryHtml || (lede ? escapeHtml(lede) : undefined),
    published,
    updated,
    author: author || undefined,
    rights: rights || undefined,
    categories,
    picture: pickPicture(item.associations),
  };
}

/** The notice that replaces a killed story for a day: titled, dated by the kill, no copy of the story. */
function killNotice(item: NewsItem, feedUpdated: Date): PreparedItem {
  const headline = pickText(item.headlines, 'main');
  const title = headline ? oneLine(textOf(headline)).replace(/^(?:KILL(?:ED)?|WITHDRAWN|KILL NOTICE)\b[\s:;.,–—-]*/i, '') : '';
  const killedAt = parseDate(item.versionCreated) ?? feedUpdated;
  const notice = 'This story has been killed: do not publish it, and remove it wherever it was published.';
  return {
    id: itemId(item.uri ?? ''),
    title: `KILL NOTICE: ${title || 'story withdrawn'}`,
    link: httpUrl(webPage(item)),
    summaryHtml: undefined,
    summaryText: notice,
    contentHtml: undefined,
    descriptionHtml: escapeHtml(notice),
    published: publishedTime(item) ?? killedAt,
    updated: killedAt,
    author: undefined,
    rights: undefined,
    categories: [],
    picture: undefined,
  };
}

/**
 * When a story was published upstream: ninjs `contentCreated` (the upstream's published, else updated, time),
 * else `firstCreated` (when the store first saw it). `versionCreated` is when the store saved the current
 * version, i.e. a fetch time, so it dates no story by itself.
 */
export function publishedTime(item: NewsItem): Date | undefined {
  return parseDate(item.contentCreated) ?? parseDate(item.firstCreated);
}

/**
 * When a story last changed (Atom `updated`, JSON Feed `date_modified`): the save of its current version when
 * it has changed since we first saw it (version 2 and up), else its publication time — version 1 is the story as
 * first seen, which last changed when it was published, not when we fetched it.
 */
export function changedTime(item: NewsItem, published: Date): Date {
  const changed = Number(item.version) > 1 ? parseDate(item.versionCreated) : undefined;
  return changed && changed > published ? changed : published;
}

/** The item's web page: ninjs 3.1 carries it as the `web` rendition of a text item. */
export function webPage(item: NewsItem): string | undefined {
  return item.renditions?.find((r) => r.name === 'web')?.href;
}

/** The normalized form of an absolute http(s) URL, or undefined. */
export function httpUrl(value: string | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(xmlSafe(value).trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Whitespace runs folded to one space, trimmed. */
export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** A copy of `d` when it is a valid date between 1970 and 9999, else undefined. */
export function validDate(d: Date | undefined): Date | undefined {
  if (!(d instanceof Date)) return undefined;
  const t = d.getTime();
  return Number.isFinite(t) && t >= MIN_TIME && t <= MAX_TIME ? new Date(t) : undefined;
}

/** A date string read as a {@link validDate}. */
export function parseDate(s: string | undefined): Date | undefined {
  return typeof s === 'string' ? validDate(new Date(s)) : undefined;
}


function pickText(texts: NinjsText[] | undefined, role: string): NinjsText | undefined {
  return texts?.find((t) => t.role === role) ?? texts?.[0];
}

function isHtml(t: NinjsText): boolean {
  return /html/i.test(t.contentType ?? '');
}

function textOf(t: NinjsText): string {
  const value = t.value ?? '';
  return xmlSafe(isHtml(t) ? htmlToText(value) : value);
}

function htmlOf(t: NinjsText, baseUrl: string | undefined): string {
  const value = t.value ?? '';
  return xmlSafe(isHtml(t) ? sanitizeHtml(value, baseUrl) : plainToHtml(value)).trim();
}

const LEDE_MAX = 300;

/** The body's first paragraph as one line of text, cut at a word near {@link LEDE_MAX} characters when longer. */
function ledeOf(t: NinjsText): string {
  const value = xmlSafe(t.value ?? '');
  const paragraphs = isHtml(t) ? htmlToText(value, { lines: true }).split('\n') : value.split(/\r?\n\s*\r?\n/);
  const first = paragraphs.map(oneLine).find((p) => p !== '') ?? '';
  if (first.length <= LEDE_MAX + 20) return first;
  const cut = first.slice(0, LEDE_MAX);
  const space = cut.lastIndexOf(' ');
  return `${(space > LEDE_MAX / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.—–-]+$/, '')}…`;
}

function plainToHtml(text: string): string {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((para) => para.trim())
    .filter((para) => para !== '')
    .map((para) => `<p>${escapeHtml(para).replace(/\r?\n/g, '<br>')}</p>`)
    .join('');
}

/** A stable id every format accepts: the URI itself when it parses as a valid IRI, else a `urn:wirefeed:` wrapping. */
function itemId(uri: string): string {
  const s = xmlSafe(uri).trim();
  let href: string | undefined;
  try {
    href = new URL(s).href;
  } catch {
    href = undefined;
  }
  // The URL parser keeps spaces and such in an opaque path ("x:a b"), which no IRI holds.
  if (href !== undefined && !/[\s<>"{}|\\^`]/.test(href)) return href;
  // RFC 2141 has no "~" in a URN's specific string, though encodeURIComponent leaves it.
  return `urn:wirefeed:${encodeURIComponent(s).replace(/~/g, '%7E')}`;
}

function pickPicture(associations: NinjsAssociation[] | undefined): Picture | undefined {
  for (const assoc of associations ?? []) {
    if (assoc.type !== 'picture') continue;
    const rendition = bestRendition(assoc.renditions);
    if (!rendition) continue;
    const captionText = assoc.descriptions?.find((d) => d.role === 'caption') ?? assoc.descriptions?.[0] ?? assoc.headlines?.[0];
    // Captions go out as plain text (`media:description type="plain"`): an HTML caption gives its text, not its markup.
    const caption = oneLine(captionText ? textOf(captionText) : '');
    const credit = oneLine(
      xmlSafe(assoc.by ?? assoc.copyrightHolder ?? assoc.infoSources?.[0]?.name ?? ''),
    );
    return {
      url: rendition.url,
      type: imageType(rendition.rendition, rendition.url),
      width: pixels(rendition.rendition.width),
      height: pixels(rendition.rendition.height),
      caption: caption || undefined,
      credit: credit || undefined,
    };
  }
  return undefined;
}

/** The widest rendition with a usable http(s) URL (the first of equals). */
function bestRendition(renditions: NinjsRendition[] | undefined): { rendition: NinjsRendition; url: string } | undefined {
  let best: { rendition: NinjsRendition; url: string } | undefined;
  for (const rendition of renditions ?? []) {
    const url = httpUrl(rendition.href);
    if (url === undefined) continue;
    if (!best || (pixels(rendition.width) ?? 0) > (pixels(best.rendition.width) ?? 0)) best = { rendition, url };
  }
  return best;
}

function imageType(rendition: NinjsRendition, url: string): string | undefined {
  const declared = (rendition.contentType ?? '').trim().toLowerCase();
  if (/^image\/[a-z0-9][a-z0-9.+-]{0,63}$/.test(declared)) return declared;
  const ext = /\.([a-z0-9]+)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  return ext === undefined ? undefined : IMAGE_TYPES[ext];
}

function pixels(n: number | undefined): number | undefined {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 100_000 ? n : undefined;
}
