/**
 * Builders for the news items tests feed to the store, the filters and the renderers: fixed dates,
 * deterministic ids, and overrides for whatever a test is about. Pure (types only from src/), so the
 * Workers tests use them in workerd too.
 */
import type { NewsItem, NinjsRendition, NinjsText } from '../../src/model.ts';
import type { ItemWrite } from '../../src/store/store.ts';

/** When every built item was created, unless a test says otherwise. */
export const ITEM_CREATED = '2026-05-14T18:00:00Z';

/** The uri of the test item `key`. */
export function itemUri(key: string | number): string {
  return `urn:wirefeed:test:${key}`;
}

/** A ninjs text block: plain text in the `main` role unless told otherwise. */
export function text(value: string, role = 'main', contentType = 'text/plain'): NinjsText {
  return { role, contentType, value };
}

/** The `web` rendition: the item's page. */
export function webRendition(href: string): NinjsRendition {
  return { name: 'web', href, contentType: 'text/html' };
}

/**
 * A full text item with uri {@link itemUri}(key), version 1, created at {@link ITEM_CREATED} and headed
 * "Story <key>"; `over` replaces any field.
 */
export function newsItem(key: string | number, over: Partial<NewsItem> = {}): NewsItem {
  return {
    uri: itemUri(key),
    type: 'text',
    representationType: 'full',
    version: '1',
    firstCreated: ITEM_CREATED,
    versionCreated: ITEM_CREATED,
    headlines: [text(`Story ${key}`)],
    ...over,
  };
}

/**
 * What a poll hands the store for `item`: its categories are its subjects' names and its link its web page
 * unless `over` says otherwise; `published` defaults to null (the time it is first seen).
 */
export function itemWrite(item: NewsItem, over: Partial<Omit<ItemWrite, 'item'>> = {}): ItemWrite {
  return {
    item,
    published: null,
    link: item.renditions?.find((r) => r.name === 'web')?.href ?? null,
    categories: (item.subjects ?? []).map((s) => s.name),
    ...over,
  };
}
