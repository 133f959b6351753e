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
  published: Date;
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
  const link = httpUrl(webPage(item));
  const headline = pickText(item.headlines, 'main');
  const summary = item.descriptions?.find((d) => d.role === 'summary');
  const body = pickText(item.bodies, 'main');
  const updated =
    parseDate(item.versionCreated) ?? parseDate(item.firstCreated) ?? parseDate(item.contentCreated) ?? feedUpdated;
  const published = parseDate(item.contentCreated) ?? parseDate(item.firstCreated) ?? updated;
  const summaryText = summary ? oneLine(textOf(summary)) : '';
  const contentHtml = body ? htmlOf(body, link) : '';
  const author = oneLine(xmlSafe(item.by ?? ''));
  const rights = oneLine(xmlSafe(item.copyrightHolder ?? ''));
  const categories = [
    ...new Set((item.subjects ?? []).map((s) => oneLine(xmlSafe(s.name ?? ''))).filter((s) => s !== '')),
  ];
  return {
    id: itemId(item.uri ?? ''),
    title: headline ? oneLine(textOf(headline)) : '',
    link,
    summaryHtml: summary ? htmlOf(summary, link) || undefined : undefined,
    summaryText: summaryText || undefined,
    contentHtml: contentHtml || undefined,
    published,
    updated,
    author: author || undefined,
    rights: rights || undefined,
    categories,
    picture: pickPicture(item.associations),
  };
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

function plainToHtml(text: string): string {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((para) => para.trim())
    .filter((para) => para !== '')
    .map((para) => `<p>${escapeHtml(para).replace(/\r?\n/g, '<br>')}</p>`)
    .join('');
}

/** A stable id every format accepts: the URI itself when it parses as one, else a `urn:wirefeed:` wrapping. */
function itemId(uri: string): string {
  const s = xmlSafe(uri).trim();
  try {
    return new URL(s).href;
  } catch {
    return `urn:wirefeed:${encodeURIComponent(s)}`;
  }
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
