/**
 * An article page through the wire normalization: the extracted page (`ingest/page`) as a one-entry feed,
 * normalized with the rules in force plus the page's own sibling-list headings (`rulesForPage`, shared with
 * ingest's full text), so that each list opens a teaser section as "Just Posted" does. Pure: it runs on Node
 * and on Workers.
 */
import { rulesForPage } from '../ingest/full-text.ts';
import { pageFeed, type ArticlePage } from '../ingest/page/extract.ts';
import type { SourceConfig } from '../model.ts';
import { normalizeEntry, type NormalizedItem, type NormalizeRules } from '../normalize/index.ts';

/** Normalizes an extracted page: the story first, then its sibling stories as partial items. */
export function normalizePage(page: ArticlePage, options: { source: SourceConfig; now: Date; rules?: NormalizeRules | undefined }): NormalizedItem[] {
  return normalizeEntry(page.entry, { source: options.source, feed: pageFeed(page), now: options.now, rules: rulesForPage(page, options.rules) });
}
