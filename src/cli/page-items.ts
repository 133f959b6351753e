/**
 * An article page through the wire normalization: the extracted page (`ingest/page`) as a one-entry feed,
 * normalized with the rules in force plus the page's own sibling-list headings, so that each list opens a
 * teaser section as "Just Posted" does. Pure: it runs on Node and on Workers.
 */
import { pageFeed, type ArticlePage } from '../ingest/page/extract.ts';
import type { SourceConfig } from '../model.ts';
import { DEFAULT_RULES, normalizeEntry, type NormalizedItem, type NormalizeRules } from '../normalize/index.ts';

/** The rules in force, with the headings of the page's sibling lists as teaser-section starts. */
export function rulesForPage(page: ArticlePage, rules: NormalizeRules = DEFAULT_RULES): NormalizeRules {
  const known = new Set(rules.teaserSectionStart.map((t) => t.toLowerCase()));
  // A heading is added as a phrase; one that reads as a /regex/ rule is left out rather than compiled.
  const extra = page.siblings.map((s) => s.title).filter((t) => !known.has(t.toLowerCase()) && !/^\/.*\/[a-z]*$/s.test(t));
  return extra.length === 0 ? rules : { ...rules, teaserSectionStart: [...rules.teaserSectionStart, ...new Set(extra)] };
}

/** Normalizes an extracted page: the story first, then its sibling stories as partial items. */
export function normalizePage(page: ArticlePage, options: { source: SourceConfig; now: Date; rules?: NormalizeRules | undefined }): NormalizedItem[] {
  return normalizeEntry(page.entry, { source: options.source, feed: pageFeed(page), now: options.now, rules: rulesForPage(page, options.rules) });
}
