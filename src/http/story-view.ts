/**
 * A stored item reduced to what a page shows of it, every piece safe to put in HTML: texts are plain
 * strings (the page template escapes them), HTML is sanitized, links are absolute http(s) URLs.
 */
import type { NewsItem, NinjsText } from '../model.ts';
import { sanitizeHtml } from '../publish/sanitize.ts';
import { escapeHtml, htmlToText } from '../util/html-text.ts';

/** A story's lead picture as a page shows it. `alt` is never empty. */
export interface PictureView {
  src: string;
  alt: string;
  caption: string | undefined;
  credit: string | undefined;
  width: number | undefined;
  height: number | undefined;
}

/** What a page shows of a story. `summaryHtml` and `bodyHtml` are sanitized HTML; the rest is plain text. */
export interface StoryView {
  uri: string;
  headline: string;
  summaryHtml: string | undefined;
  bodyHtml: string | undefined;
  picture: PictureView | undefined;
  byline: string | undefined;
  dateline: string | undefined;
  provider: string | undefined;
  /** When the story was published (epoch ms), when known. */
  published: number | undefined;
  updated: number | undefined;
  subjects: string[];
  /** The story's page at its publisher. */
  link: string | undefined;
  status: string;
}

const SUMMARY_CHARS = 320;

/** The page view of an item. Headings inside story HTML become paragraphs, so the page keeps its own outline. */
export function storyView(item: NewsItem): StoryView {
  const link = httpUrl(item.renditions?.find((r) => r.name === 'web')?.href);
  const headline = textOf(pick(item.headlines, 'main')) || '(no headline)';
  const summary = item.descriptions?.find((d) => d.role === 'summary') ?? item.descriptions?.[0];
  const body = pick(item.bodies, 'main');
  let summaryHtml = summary ? htmlOf(summary, link) : '';
  if (!summaryHtml && body) {
    const text = textOf(body);
    summaryHtml = text ? `<p>${escapeHtml(text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS - 1).trimEnd()}…` : text)}</p>` : '';
  }
  const bodyHtml = body ? htmlOf(body, link) : '';
  return {
    uri: item.uri,
    headline,
    summaryHtml: summaryHtml || undefined,
    bodyHtml: bodyHtml || undefined,
    picture: pictureOf(item, headline),
    byline: oneLine(item.by ?? '') || undefined,
    dateline: oneLine(item.located ?? '') || undefined,
    provider: oneLine(item.infoSources?.[0]?.name ?? item.copyrightHolder ?? '') || undefined,
    published: time(item.contentCreated) ?? time(item.firstCreated),
    updated: time(item.versionCreated),
    subjects: [...new Set((item.subjects ?? []).map((s) => oneLine(s.name ?? '')).filter(Boolean))],
    link,
    status: item.pubStatus ?? 'usable',
  };
}

/** The normalized form of an absolute http(s) URL, or undefined. */
export function httpUrl(value: string | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function pictureOf(item: NewsItem, headline: string): PictureView | undefined {
  for (const assoc of item.associations ?? []) {
    if (assoc.type !== 'picture') continue;
    let best: { src: string; width: number | undefined; height: number | undefined } | undefined;
    for (const r of assoc.renditions ?? []) {
      const src = httpUrl(r.href);
      if (src && (!best || (r.width ?? 0) > (best.width ?? 0))) best = { src, width: size(r.width), height: size(r.height) };
    }
    if (!best) continue;
    const captionText = assoc.descriptions?.find((d) => d.role === 'caption') ?? assoc.descriptions?.find((d) => d.role !== 'credit');
    const caption = captionText ? textOf(captionText) : '';
    const title = assoc.headlines?.[0] ? textOf(assoc.headlines[0]) : '';
    // The credit line as the upstream wrote it ("Jane Doe/The Canadian Press"), else who made or owns the picture.
    const creditText = assoc.descriptions?.find((d) => d.role === 'credit');
    const credit = (creditText ? textOf(creditText) : '') || oneLine(assoc.by ?? assoc.copyrightHolder ?? assoc.infoSources?.[0]?.name ?? '');
    return { ...best, alt: caption || title || headline, caption: caption || undefined, credit: credit || undefined };
  }
  return undefined;
}

function pick(texts: NinjsText[] | undefined, role: string): NinjsText | undefined {
  return texts?.find((t) => t.role === role) ?? texts?.[0];
}

function isHtml(t: NinjsText): boolean {
  return /html/i.test(t.contentType ?? '');
}

function textOf(t: NinjsText | undefined): string {
  if (!t) return '';
  return oneLine(isHtml(t) ? htmlToText(t.value ?? '') : (t.value ?? ''));
}

function htmlOf(t: NinjsText, base: string | undefined): string {
  const value = t.value ?? '';
  if (!isHtml(t)) {
    return value
      .split(/\r?\n\s*\r?\n/)
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => `<p>${escapeHtml(p)}</p>`)
      .join('');
  }
  // The sanitizer writes headings bare (`<h3>`, no attributes), so this only renames its own output.
  return sanitizeHtml(value, base).replace(/<h[2-6]>/g, '<p><strong>').replace(/<\/h[2-6]>/g, '</strong></p>').trim();
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function time(s: string | undefined): number | undefined {
  const t = s ? Date.parse(s) : Number.NaN;
  return Number.isFinite(t) ? t : undefined;
}

function size(n: number | undefined): number | undefined {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 100_000 ? n : undefined;
}
