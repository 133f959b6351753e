/**
 * What an article page says about itself besides its text: JSON-LD (`NewsArticle` and kin), Open Graph and
 * `article:*` meta, `<meta name>`, `<time>`, `<html lang>` and the canonical link.
 */

/** A picture the page's metadata names. */
export interface MetaImage {
  url: string;
  caption: string | null;
  credit: string | null;
  width: number | null;
  height: number | null;
}

/** The page's own account of its story. Every field null (or empty) when the page does not say. */
export interface PageMetadata {
  headline: string | null;
  description: string | null;
  /** The JSON-LD `articleBody`, as plain text. */
  articleBody: string | null;
  authors: string[];
  published: string | null;
  updated: string | null;
  siteName: string | null;
  canonical: string | null;
  language: string | null;
  keywords: string[];
  section: string | null;
  image: MetaImage | null;
}

/** The minimal DOM the metadata reader needs (linkedom's and the browser's both fit). */
interface El {
  getAttribute(name: string): string | null;
  textContent: string | null;
}
interface Doc {
  querySelectorAll(selector: string): Iterable<El> & { length: number };
  querySelector(selector: string): El | null;
  documentElement: El | null;
}

/** The elements the metadata is read from, when the caller found them in its own walk over the document. */
export interface MetadataElements {
  /** Every `<meta>`, in document order. */
  metas: El[];
  /** The first `<title>`, `link[rel="canonical"]` and `time[datetime]`. */
  title: El | null;
  canonical: El | null;
  time: El | null;
}

const ARTICLE_TYPES = /^(?:NewsArticle|Article|ReportageNewsArticle|AnalysisNewsArticle|BlogPosting|LiveBlogPosting|Report|OpinionNewsArticle|BackgroundNewsArticle|ScholarlyArticle|WebPage)$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: Json | undefined): string | null => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : null);
const types = (o: JsonObject): string[] => [o['@type']].flat().filter((t): t is string => typeof t === 'string');

/** Every object of a JSON-LD value, depth first (`@graph`, arrays, nested `mainEntity`), bounded. */
function objects(value: Json, out: JsonObject[] = [], depth = 0): JsonObject[] {
  if (depth > 6 || out.length > 200) return out;
  if (Array.isArray(value)) for (const v of value) objects(v, out, depth + 1);
  else if (isObject(value)) {
    out.push(value);
    for (const key of ['@graph', 'mainEntity', 'mainEntityOfPage', 'hasPart']) if (key in value) objects(value[key]!, out, depth + 1);
  }
  return out;
}

function names(v: Json | undefined): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.flatMap(names);
  if (typeof v === 'string') return v.trim() ? [v.trim()] : [];
  if (isObject(v)) return str(v.name) ? [str(v.name)!] : [];
  return [];
}

function imageOf(v: Json | undefined): MetaImage | null {
  if (Array.isArray(v)) return v.length > 0 ? imageOf(v[0]) : null;
  if (typeof v === 'string') return v.trim() ? { url: v.trim(), caption: null, credit: null, width: null, height: null } : null;
  if (!isObject(v)) return null;
  const url = str(v.url) ?? str(v.contentUrl);
  if (!url) return null;
  const num = (x: Json | undefined): number | null => (typeof x === 'number' ? x : typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : null);
  return {
    url,
    caption: str(v.caption) ?? str(v.description),
    credit: str(v.creditText) ?? names(v.author)[0] ?? names(v.copyrightHolder)[0] ?? null,
    width: num(v.width),
    height: num(v.height),
  };
}

/** Parses JSON-LD text tolerantly: sites leave raw control characters and trailing semicolons in it. */
function parseJsonLd(text: string): Json | undefined {
  const cleaned = text.trim().replace(/^<!--|-->$/g, '').replace(/;\s*$/, '');
  try {
    return JSON.parse(cleaned) as Json;
  } catch {
    try {
      return JSON.parse(cleaned.replace(/[\u0000-\u001f]+/g, ' ')) as Json;
    } catch {
      return undefined;
    }
  }
}

function isoDate(value: string | null | undefined): string | null {
  if (!value) return null;
  const t = Date.parse(value.trim());
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

/**
 * Reads the page's metadata. JSON-LD wins over Open Graph, which wins over plain `<meta>` and `<time>`.
 * `jsonLd`: the texts of the page's JSON-LD scripts, when they were taken out before the DOM was built
 * (otherwise they are read from the document's `<script type="application/ld+json">`). `found`: the elements
 * to read, when the caller has them (otherwise the document is searched for them).
 */
export function readMetadata(document: Doc, jsonLd?: readonly string[], found?: MetadataElements): PageMetadata {
  // One pass over the page's <meta> elements: property, name and itemprop all name a key.
  const byKey = new Map<string, string[]>();
  for (const el of found?.metas ?? document.querySelectorAll('meta')) {
    const content = el.getAttribute('content')?.trim();
    if (!content) continue;
    for (const attr of ['property', 'name', 'itemprop']) {
      const key = el.getAttribute(attr)?.trim().toLowerCase();
      if (key) byKey.set(key, [...(byKey.get(key) ?? []), content]);
    }
  }
  const meta = (...keys: string[]): string | null => {
    for (const key of keys) {
      const v = byKey.get(key.toLowerCase())?.[0];
      if (v) return v;
    }
    return null;
  };
  const metas = (key: string): string[] => byKey.get(key.toLowerCase()) ?? [];

  let article: JsonObject | null = null;
  const scripts = jsonLd ?? Array.from(document.querySelectorAll('script[type="application/ld+json"]'), (s) => s.textContent ?? '');
  for (const text of scripts) {
    const parsed = parseJsonLd(text);
    if (parsed === undefined) continue;
    const found = objects(parsed).filter((o) => types(o).some((t) => ARTICLE_TYPES.test(t)));
    // A page's WebPage object is a fallback; an article type (or one with a body) is the story.
    const best = found.find((o) => typeof o.articleBody === 'string') ?? found.find((o) => !types(o).includes('WebPage')) ?? null;
    if (best && (!article || (typeof best.articleBody === 'string' && typeof article.articleBody !== 'string'))) article = best;
  }
  const ld = article ?? {};
  const publisher = isObject(ld.publisher) ? str(ld.publisher.name) : null;
  const keywords = ld.keywords;
  const time = (found ? found.time : document.querySelector('time[datetime]'))?.getAttribute('datetime') ?? null;
  const canonical = (found ? found.canonical : document.querySelector('link[rel="canonical"]'))?.getAttribute('href')?.trim() || meta('og:url');
  return {
    headline: str(ld.headline) ?? meta('og:title', 'twitter:title') ?? ((found ? found.title : document.querySelector('title'))?.textContent?.trim() || null),
    description: str(ld.description) ?? meta('og:description', 'description', 'twitter:description'),
    articleBody: str(ld.articleBody),
    authors: [...new Set(names(ld.author).length > 0 ? names(ld.author) : metas('author').concat(metas('article:author')).filter((a) => !/^https?:/i.test(a)))],
    published: isoDate(str(ld.datePublished)) ?? isoDate(meta('article:published_time', 'datePublished', 'pubdate', 'date')) ?? isoDate(time),
    updated: isoDate(str(ld.dateModified)) ?? isoDate(meta('article:modified_time', 'og:updated_time', 'dateModified')),
    siteName: meta('og:site_name') ?? publisher,
    canonical: canonical || null,
    language: document.documentElement?.getAttribute('lang')?.trim() || str(ld.inLanguage) || meta('og:locale')?.replace('_', '-') || null,
    keywords: (typeof keywords === 'string' ? keywords.split(',') : Array.isArray(keywords) ? keywords.filter((k): k is string => typeof k === 'string') : metas('article:tag'))
      .map((k) => k.trim())
      .filter(Boolean),
    section: str(ld.articleSection) ?? (Array.isArray(ld.articleSection) ? str(ld.articleSection[0]) : null) ?? meta('article:section'),
    image: imageOf(ld.image) ?? (meta('og:image') ? { url: meta('og:image')!, caption: meta('og:image:alt'), credit: null, width: null, height: null } : null),
  };
}
