import { ParseError } from '../../errors.ts';
import type { RawEnclosure, RawEntry, RawFeed, RawMedia } from '../../model.ts';
import { parseDate } from '../../util/dates.ts';
import { clean, emptyEntry, joinNames, uniqueStrings } from './field-values.ts';
import { collapse, escapeHtml } from '../../util/html-text.ts';
import { absolutizeHtml, cleanUrl, feedBase } from './urls.ts';
import { cleanChars } from '../xml/chars.ts';
import { repairMojibake } from '../mojibake.ts';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonString(v: unknown): string | null {
  return typeof v === 'string' ? clean(repairMojibake(cleanChars(v))) : null;
}

/** A plain-text field on one line. */
function jsonLine(v: unknown): string | null {
  const s = jsonString(v);
  return s === null ? null : collapse(s);
}

/** A plain-text field as HTML. */
function jsonTextAsHtml(v: unknown): string | null {
  const s = jsonString(v);
  return s === null ? null : escapeHtml(s);
}

function jsonAuthors(holder: Json): string | null {
  // JSON Feed 1.1 has `authors`; 1.0 had a single `author` (an empty or nameless `authors` falls back to it).
  const names = (list: unknown[]): string | null => joinNames(list.map((a) => (isObject(a) ? jsonString(a.name) : null)));
  return (Array.isArray(holder.authors) ? names(holder.authors) : null) ?? (isObject(holder.author) ? names([holder.author]) : null);
}

function jsonMedia(item: Json, base: string | null): RawMedia[] {
  const out: RawMedia[] = [];
  for (const key of ['image', 'banner_image']) {
    const url = cleanUrl(jsonString(item[key]), base);
    if (url && !out.some((m) => m.url === url)) {
      out.push({ url, type: null, medium: 'image', width: null, height: null, title: null, description: null, credit: null });
    }
  }
  return out;
}

/** A JSON Feed 1.0 / 1.1 document → `RawFeed`; throws `ParseError` when it is not one. */
export function parseJsonFeed(text: string, url: string | null): RawFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ParseError(`not a feed: invalid JSON (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  if (!isObject(doc)) throw new ParseError('not a JSON Feed: the document is not a JSON object');
  const version = typeof doc.version === 'string' ? doc.version.trim() : '';
  if (!/^https?:\/\/jsonfeed\.org\/version\/\d+(\.\d+)?\/?$/i.test(version)) {
    throw new ParseError('not a JSON Feed: "version" is not a https://jsonfeed.org/version/… URL');
  }
  if (!Array.isArray(doc.items)) throw new ParseError('not a JSON Feed: "items" is not an array');
  const link = cleanUrl(jsonString(doc.home_page_url), url);
  const base = feedBase(link, url);
  const feedAuthor = jsonAuthors(doc);
  const entries: RawEntry[] = [];
  for (const item of doc.items) {
    if (!isObject(item)) continue; // A null or scalar item is skipped, not fatal.
    const id = typeof item.id === 'number' && Number.isFinite(item.id) ? String(item.id) : jsonString(item.id);
    const html = jsonString(item.content_html);
    const enclosures: RawEnclosure[] = [];
    if (Array.isArray(item.attachments)) {
      for (const a of item.attachments) {
        if (!isObject(a)) continue;
        const encUrl = cleanUrl(jsonString(a.url), base);
        const size = typeof a.size_in_bytes === 'number' && Number.isSafeInteger(a.size_in_bytes) && a.size_in_bytes > 0 ? a.size_in_bytes : null;
        if (encUrl && !enclosures.some((e) => e.url === encUrl)) enclosures.push({ url: encUrl, type: jsonString(a.mime_type), length: size });
      }
    }
    const entry: RawEntry = {
      id,
      title: jsonLine(item.title),
      link: cleanUrl(jsonString(item.url), base) ?? cleanUrl(jsonString(item.external_url), base),
      published: parseDate(jsonString(item.date_published)),
      updated: parseDate(jsonString(item.date_modified)),
      // JSON Feed: an item without authors has the feed's.
      author: jsonAuthors(item) ?? feedAuthor,
      categories: uniqueStrings(Array.isArray(item.tags) ? item.tags.map(jsonString) : []),
      summary: jsonTextAsHtml(item.summary),
      content: html !== null ? absolutizeHtml(html, base) : jsonTextAsHtml(item.content_text),
      enclosures,
      media: jsonMedia(item, base),
    };
    if (!emptyEntry(entry)) entries.push(entry);
  }
  return {
    format: 'json',
    title: jsonLine(doc.title),
    link,
    description: jsonTextAsHtml(doc.description),
    id: cleanUrl(jsonString(doc.feed_url), url),
    author: feedAuthor,
    categories: [],
    published: null,
    updated: null,
    entries,
  };
}
