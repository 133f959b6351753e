import { Feed, type Extension, type FeedOptions, type Item } from 'feed';
import type { NewsItem, NinjsAssociation, NinjsRendition, NinjsText } from '../model.ts';
import { sanitizeHtml } from './sanitize.ts';
import { escapeHtml, htmlToText } from '../util/html-text.ts';
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
  updated: Date;
  language?: string;
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

const GENERATOR = 'wirefeed';
const NS = {
  dc: 'http://purl.org/dc/elements/1.1/',
  content: 'http://purl.org/rss/1.0/modules/content/',
  atom: 'http://www.w3.org/2005/Atom',
  media: 'http://search.yahoo.com/mrss/',
};

// `feed` hands strings to xml-js, which escapes only `"` in attributes, turns `&amp;` back into `&` in
// text before escaping, and splits only the first `]]>` inside CDATA. So every string we pass for XML
// goes in with markers for `&`, `<` and `]]>`, and the markers become proper XML after serialisation.
// A marker holds NUL, which xmlSafe has removed from all input, so no input can forge one.
const MARK_AMP = '\u0000A\u0000';
const MARK_LT = '\u0000L\u0000';
const MARK_CDATA_END = '\u0000C\u0000';
const MARKS = /\u0000([ALC])\u0000/g;
const UNMARK: Record<string, string> = { A: '&amp;', L: '&lt;', C: ']]]]><![CDATA[>' };

/** How plain (already xmlSafe) strings are put into each kind of slot of one output. */
interface Encoder {
  text(s: string): string;
  attr(s: string): string;
  cdata(s: string): string;
}

const XML_ENCODER: Encoder = {
  text: (s) => s.replace(/&/g, MARK_AMP),
  attr: (s) => s.replace(/&/g, MARK_AMP).replace(/</g, MARK_LT),
  cdata: (s) => s.replace(/]]>/g, MARK_CDATA_END),
};

const JSON_ENCODER: Encoder = { text: (s) => s, attr: (s) => s, cdata: (s) => s };

const MIN_TIME = Date.UTC(1970, 0, 1);
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const IMAGE_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
};

/** An item reduced to clean, xmlSafe values that every format renders from. */
interface Prepared {
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

interface Picture {
  url: string;
  type: string | undefined;
  width: number | undefined;
  height: number | undefined;
  caption: string | undefined;
  credit: string | undefined;
}

/**
 * Renders news items as an RSS 2.0, Atom 1.0 or JSON Feed 1.1 document. The output is well-formed
 * whatever the items hold: every text is stripped of characters XML forbids, HTML is sanitized, only
 * absolute http(s) links are kept, unusable dates fall back to a valid one, and the same input always
 * gives the same bytes. Throws a `TypeError` when `meta.siteUrl` or `meta.selfUrl` is not an absolute
 * http(s) URL.
 */
export function renderFeed(
  meta: FeedMeta,
  items: NewsItem[],
  format: OutputFormat,
): { body: string; contentType: string } {
  const siteUrl = httpUrl(meta.siteUrl);
  const selfUrl = httpUrl(meta.selfUrl);
  if (siteUrl === undefined) throw new TypeError(`FeedMeta.siteUrl is not an absolute http(s) URL: ${meta.siteUrl}`);
  if (selfUrl === undefined) throw new TypeError(`FeedMeta.selfUrl is not an absolute http(s) URL: ${meta.selfUrl}`);

  const feedUpdated = validDate(meta.updated) ?? latestItemDate(items) ?? new Date(MIN_TIME);
  const prepared = items.map((item) => prepare(item, feedUpdated));
  const enc = format === 'json' ? JSON_ENCODER : XML_ENCODER;
  const title = oneLine(xmlSafe(meta.title ?? ''));
  const description = oneLine(xmlSafe(meta.description ?? ''));
  const language = languageTag(meta.language);

  const options: FeedOptions = {
    id: enc.text(xmlSafe(meta.id ?? '')),
    title: enc.text(title),
    link: siteUrl,
    updated: feedUpdated,
    generator: GENERATOR,
    feedLinks: { [format]: selfUrl },
  };
  if (description) options.description = enc.text(description);
  else if (format === 'rss') options.description = enc.text(title);
  if (language !== undefined && format === 'rss') options.language = language;
  // Atom wants an author on the feed when an entry has none.
  if (format === 'atom' && prepared.some((p) => p.author === undefined)) options.author = { name: enc.text(title) };

  const feed = new Feed(options);
  for (const p of prepared) feed.addItem(toFeedItem(p, format, enc, siteUrl));

  const links = {
    next: httpUrl(meta.nextUrl),
    hub: httpUrl(meta.hubUrl),
    stylesheet: httpUrl(meta.stylesheetUrl),
  };
  if (format === 'rss') return { body: addXmlLinks(finishRss(feed.rss2()), '<channel>', 'atom:link', links), contentType: CONTENT_TYPES.rss };
  if (format === 'atom') {
    const atom = finishAtom(feed.atom1(), prepared, language);
    return { body: addXmlLinks(atom, atom.slice(atom.indexOf('<feed'), atom.indexOf('>', atom.indexOf('<feed')) + 1), 'link', links), contentType: CONTENT_TYPES.atom };
  }
  return { body: finishJson(feed.json1(), language, links), contentType: CONTENT_TYPES.json };
}

/** The item's web page: ninjs 3.1 carries it as the `web` rendition of a text item. */
export function webPage(item: NewsItem): string | undefined {
  return item.renditions?.find((r) => r.name === 'web')?.href;
}

function prepare(item: NewsItem, feedUpdated: Date): Prepared {
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

function toFeedItem(p: Prepared, format: OutputFormat, enc: Encoder, siteUrl: string): Item {
  const item: Item = {
    title: '',
    link: p.link ?? '',
    date: p.updated,
    published: p.published,
  };
  if (format === 'rss') {
    if (p.title) item.title = enc.cdata(p.title);
    item.guid = enc.text(p.id);
    if (p.summaryHtml) item.description = enc.cdata(p.summaryHtml);
    if (p.contentHtml) item.content = enc.cdata(p.contentHtml);
    if (p.categories.length) item.category = p.categories.map((name) => ({ name: enc.text(name) }));
    const extensions: Extension[] = [];
    if (p.author) extensions.push({ name: 'dc:creator', objects: { _text: enc.text(p.author) } });
    if (p.picture) {
      const pic = p.picture;
      if (pic.type) item.image = { url: pic.url, type: pic.type, length: 0 };
      const media: Record<string, unknown> = {
        _attributes: { url: enc.attr(pic.url), medium: 'image', type: pic.type, width: pic.width, height: pic.height },
      };
      if (pic.caption) media['media:description'] = { _attributes: { type: 'plain' }, _text: enc.text(pic.caption) };
      if (pic.credit) media['media:credit'] = { _text: enc.text(pic.credit) };
      extensions.push({ name: 'media:content', objects: media });
    }
    if (extensions.length) item.extensions = extensions;
  } else if (format === 'atom') {
    // Atom needs an alternate link on an entry; the site stands in when the story has none of its own.
    item.link = p.link ?? siteUrl;
    item.title = enc.cdata(escapeHtml(p.title));
    item.id = p.id;
    if (p.summaryHtml) item.description = enc.cdata(p.summaryHtml);
    if (p.contentHtml) item.content = enc.cdata(p.contentHtml);
    if (p.categories.length) item.category = p.categories.map((term) => ({ term: enc.attr(term) }));
    if (p.author) item.author = [{ name: enc.text(p.author) }];
    if (p.rights) item.copyright = enc.text(p.rights);
    if (p.picture?.type && !new URL(p.picture.url).pathname.includes('&')) item.image = p.picture.url;
  } else {
    item.title = p.title;
    item.id = p.id;
    if (p.summaryText) item.description = p.summaryText;
    item.content = p.contentHtml ?? p.summaryHtml;
    if (p.categories.length) item.category = p.categories.map((name) => ({ name }));
    if (p.author) item.author = [{ name: p.author }];
    if (p.picture) item.image = p.picture.url;
  }
  return item;
}

function unmark(xml: string): string {
  return xml.replace(MARKS, (_, k: string) => UNMARK[k] ?? '');
}

function finishRss(xml: string): string {
  const out = unmark(xml);
  const start = out.indexOf('<rss ');
  const end = out.indexOf('>', start);
  if (start < 0 || end < 0) return out;
  let root = out.slice(start, end);
  for (const [prefix, uri] of Object.entries(NS)) {
    if (!root.includes(`xmlns:${prefix}=`)) root += ` xmlns:${prefix}="${uri}"`;
  }
  return out.slice(0, start) + root + out.slice(end);
}

function finishAtom(xml: string, prepared: Prepared[], language: string | undefined): string {
  let out = unmark(xml);
  if (language !== undefined) {
    out = out.replace(`<feed xmlns="${NS.atom}"`, () => `<feed xmlns="${NS.atom}" xml:lang="${language}"`);
  }
  // `feed` types an Atom enclosure as "image/" + the URL's file extension; put the real type back.
  for (const p of prepared) {
    const pic = p.picture;
    if (!pic?.type) continue;
    const ext = new URL(pic.url).pathname.split('.').slice(-1)[0] ?? '';
    const href = pic.url.replace(/&/g, '&amp;');
    out = out
      .split(`<link rel="enclosure" href="${href}" type="image/${ext}"/>`)
      .join(`<link rel="enclosure" href="${href}" type="${pic.type}"/>`);
  }
  return out;
}

/** Adds the paging and hub links after the opening `anchor`, and the stylesheet instruction after the XML declaration. */
function addXmlLinks(xml: string, anchor: string, element: string, links: FeedLinks): string {
  const attr = (u: string): string => u.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  let extra = '';
  if (links.next) extra += `\n    <${element} rel="next" href="${attr(links.next)}"/>`;
  if (links.hub) extra += `\n    <${element} rel="hub" href="${attr(links.hub)}"/>`;
  // Replacer functions, not strings: a URL may hold `$&`, `$'` or `` $` ``, which a replacement string expands.
  let out = extra ? xml.replace(anchor, () => `${anchor}${extra}`) : xml;
  if (links.stylesheet) {
    const pi = `<?xml-stylesheet type="text/xsl" href="${attr(links.stylesheet)}"?>`;
    out = out.startsWith('<?xml') ? out.replace(/\?>/, () => `?>\n${pi}`) : `${pi}\n${out}`;
  }
  return out;
}

interface FeedLinks {
  next: string | undefined;
  hub: string | undefined;
  stylesheet: string | undefined;
}

function finishJson(json: string, language: string | undefined, links: FeedLinks): string {
  const doc = JSON.parse(json) as Record<string, unknown> & { items: Record<string, unknown>[] };
  const out: Record<string, unknown> = { version: 'https://jsonfeed.org/version/1.1' };
  for (const [key, value] of Object.entries(doc)) if (key !== 'version' && key !== 'items') out[key] = value;
  if (language !== undefined) out.language = language;
  if (links.next) out.next_url = links.next;
  if (links.hub) out.hubs = [{ type: 'WebSub', url: links.hub }];
  out.items = doc.items.map((item) => {
    const copy: Record<string, unknown> = { ...item };
    // JSON Feed 1.1 lists authors; `author` stays for 1.0 readers.
    if (item.author) copy.authors = [item.author];
    if (typeof copy.content_html !== 'string') {
      delete copy.content_html;
      copy.content_text = '';
    }
    return copy;
  });
  return JSON.stringify(out, null, 2);
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

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function plainToHtml(text: string): string {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((para) => para.trim())
    .filter((para) => para !== '')
    .map((para) => `<p>${escapeHtml(para).replace(/\r?\n/g, '<br>')}</p>`)
    .join('');
}

/** The normalized form of an absolute http(s) URL, or undefined. */
function httpUrl(value: string | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(xmlSafe(value).trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
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

function validDate(d: Date | undefined): Date | undefined {
  if (!(d instanceof Date)) return undefined;
  const t = d.getTime();
  return Number.isFinite(t) && t >= MIN_TIME && t <= MAX_TIME ? new Date(t) : undefined;
}

function parseDate(s: string | undefined): Date | undefined {
  return typeof s === 'string' ? validDate(new Date(s)) : undefined;
}

function latestItemDate(items: NewsItem[]): Date | undefined {
  let latest: number | undefined;
  for (const item of items) {
    const t = (parseDate(item.versionCreated) ?? parseDate(item.firstCreated))?.getTime();
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  return latest === undefined ? undefined : new Date(latest);
}

function languageTag(value: string | undefined): string | undefined {
  const s = typeof value === 'string' ? value.trim() : '';
  return /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/.test(s) ? s : undefined;
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
