/**
 * The ninjs 3.1 item built from what the rules found, with its fields always in the same order (the store
 * hashes the JSON to detect changes). Version fields are placeholders the store replaces.
 */
import type { NewsItem, NinjsName, NinjsSubject, PubStatus } from '../model.ts';
import type { Picture } from './photo.ts';
import { pictureAssociation } from './photo.ts';
import { pictureUri } from './identity.ts';
import { escapeHtml } from '../util/html-text.ts';

/** What an item is made of. */
export interface ItemFacts {
  uri: string;
  representationType: 'full' | 'partial';
  /** The poll time (ISO), for the version placeholders. */
  now: string;
  contentCreated: string | null;
  pubStatus: PubStatus;
  language: string | null;
  headline: string;
  summary: string | null;
  paragraphs: string[];
  by: string | null;
  located: string | null;
  subjects: NinjsSubject[];
  infoSources: NinjsName[];
  copyrightHolder: string | null;
  /** The upstream's copyright line(s), as printed. */
  copyrightNotice?: string | null;
  /** The lines of a fact box the site appended (a company profile), for a second body with the role `factbox`. */
  factBox?: string[];
  /** The item's web page. */
  link: string | null;
  pictures: Picture[];
}

/** Builds the ninjs item. */
export function buildNewsItem(f: ItemFacts): NewsItem {
  const item: NewsItem = {
    uri: f.uri,
    type: 'text',
    representationType: f.representationType,
    version: '1',
    firstCreated: f.now,
    versionCreated: f.now,
    headlines: [{ role: 'main', contentType: 'text/plain', value: f.headline }],
  };
  if (f.contentCreated) item.contentCreated = f.contentCreated;
  item.pubStatus = f.pubStatus;
  if (f.language) item.language = f.language;
  if (f.summary) item.descriptions = [{ role: 'summary', contentType: 'text/plain', value: f.summary }];
  if (f.paragraphs.length) item.bodies = [{ role: 'main', contentType: 'text/html', value: bodyHtml(f.paragraphs) }];
  if (f.factBox?.length) (item.bodies ??= []).push({ role: 'factbox', contentType: 'text/html', value: bodyHtml(f.factBox) });
  if (f.by) item.by = f.by;
  if (f.located) item.located = f.located;
  if (f.subjects.length) item.subjects = f.subjects;
  if (f.infoSources.length) item.infoSources = f.infoSources;
  if (f.copyrightHolder) item.copyrightHolder = f.copyrightHolder;
  if (f.copyrightNotice) item.copyrightNotice = f.copyrightNotice;
  if (f.link) item.renditions = [{ name: 'web', href: f.link, contentType: 'text/html' }];
  if (f.pictures.length) {
    item.associations = f.pictures.map((p, i) =>
      pictureAssociation(p, `picture${i + 1}`, pictureUri(f.uri, i + 1, p.images[0]?.href ?? null)),
    );
  }
  return item;
}

/** Body paragraphs as clean HTML: one `<p>` each, text escaped. */
export function bodyHtml(paragraphs: string[]): string {
  if (paragraphs.length === 0) return '';
  return `<p>${paragraphs.map(escapeHtml).join('</p>\n<p>')}</p>`;
}

