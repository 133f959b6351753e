import type { NewsItem, NinjsAssociation, NinjsName, RawEntry, RawFeed, SourceConfig } from '../model.ts';
import { htmlToText } from '../util/html-text.ts';
import { entryKey, itemUri } from './identity.ts';

/** What normalization knows besides the entry: its source, its feed, and the time of the poll. */
export interface NormalizeContext {
  source: SourceConfig;
  feed: RawFeed;
  now: Date;
}

/** A normalized item with the facts the store indexes beside it. */
export interface NormalizedItem {
  item: NewsItem;
  published: number | null;
  link: string | null;
  categories: string[];
}

/** Normalizes every entry of a parsed feed; pure, no I/O. */
export function normalizeFeed(feed: RawFeed, ctx: Omit<NormalizeContext, 'feed'>): NormalizedItem[] {
  return feed.entries.flatMap((entry) => normalizeEntry(entry, { ...ctx, feed }));
}

/**
 * Turns one upstream entry into clean news items (ninjs-shaped). Version fields are placeholders:
 * the store owns `version`, `firstCreated` and `versionCreated`.
 */
export function normalizeEntry(entry: RawEntry, ctx: NormalizeContext): NormalizedItem[] {
  const now = ctx.now.toISOString();
  const headline = htmlToText(entry.title ?? '') || htmlToText(entry.summary ?? '').slice(0, 120) || 'Untitled';
  const body = entry.content ?? entry.summary;
  const summary = entry.content && entry.summary ? htmlToText(entry.summary) : null;
  const categories = unique([...entry.categories, ...ctx.source.categories].map((c) => c.trim()).filter(Boolean));
  const provider = ctx.source.provider;
  const published = entry.published ?? entry.updated;

  const item: NewsItem = {
    uri: itemUri(ctx.source.id, entryKey(entry)),
    type: 'text',
    representationType: 'full',
    version: '1',
    firstCreated: now,
    versionCreated: now,
    headlines: [{ role: 'main', contentType: 'text/plain', value: headline }],
  };
  if (published) item.contentCreated = published;
  if (summary) item.descriptions = [{ role: 'summary', contentType: 'text/plain', value: summary }];
  if (body) item.bodies = [{ role: 'main', contentType: 'text/html', value: body }];
  const author = entry.author ?? ctx.feed.author;
  if (author) item.by = author;
  if (categories.length) item.subjects = categories.map((name): NinjsName => ({ name }));
  if (provider) {
    item.infoSources = [{ name: provider, role: 'originfeed' }];
    item.copyrightHolder = { name: provider };
  }
  if (entry.link) item.links = [{ href: entry.link, rel: 'canonical', contentType: 'text/html' }];
  const pictures = pictureAssociations(entry);
  if (pictures.length) item.associations = pictures;

  return [
    {
      item,
      published: published ? Date.parse(published) : null,
      link: entry.link,
      categories,
    },
  ];
}

function pictureAssociations(entry: RawEntry): NinjsAssociation[] {
  const pictures: NinjsAssociation[] = [];
  for (const m of entry.media) {
    if (m.medium && m.medium !== 'image') continue;
    if (!m.medium && m.type && !m.type.startsWith('image/')) continue;
    const assoc: NinjsAssociation = {
      name: `picture${pictures.length + 1}`,
      type: 'picture',
      renditions: [{ name: 'original', href: m.url, ...(m.type ? { contentType: m.type } : {}), ...(m.width ? { width: m.width } : {}), ...(m.height ? { height: m.height } : {}) }],
    };
    if (m.description) assoc.descriptions = [{ role: 'caption', contentType: 'text/plain', value: htmlToText(m.description) }];
    if (m.credit) assoc.by = m.credit;
    pictures.push(assoc);
  }
  if (pictures.length === 0) {
    for (const e of entry.enclosures) {
      if (!e.type?.startsWith('image/')) continue;
      pictures.push({
        name: `picture${pictures.length + 1}`,
        type: 'picture',
        renditions: [{ name: 'original', href: e.url, contentType: e.type }],
      });
    }
  }
  return pictures;
}

function unique(values: string[]): string[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = v.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
