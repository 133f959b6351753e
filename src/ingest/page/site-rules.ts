/**
 * Site rules for article pages, as data (in the spirit of FiveFilters' ftr-site-config): CSS selectors that say
 * where a site keeps its story body, what to strip, and where its byline, date and sibling lists are. A rule
 * applies to a host and its subdomains; the generic rule (`hosts: ['*']`) applies everywhere, and a site's own
 * rule is merged over it (its lists added to the generic ones, its `body` tried first).
 */

/** One site's rule. Every selector list is tried in order; the first that matches wins (`strip`: all apply). */
export interface SiteRule {
  /** Hosts the rule applies to (`example.com` also matches `www.example.com`); `*` for every site. */
  hosts: string[];
  /** The element(s) holding the story body; when one matches, Readability is not needed. */
  body?: string[];
  /** Elements removed before the body is read (ads, share bars, promos). */
  strip?: string[];
  /** Elements whose text is the byline. */
  author?: string[];
  /** Elements whose `datetime`/`content` attribute (or text) is the publication time. */
  date?: string[];
  /** Containers of sibling-story lists ("Just Posted"); each item is a link with a headline. */
  siblings?: string[];
  /** Headings that open a sibling list wherever it stands on the page (whole text, case-insensitive). */
  siblingTitles?: string[];
  /** Headings from which nothing on the page belongs to the story any more ("Most Read"). */
  stopTitles?: string[];
  /** Words of a `class`/`id` (split at spaces, `-` and `_`) that mark furniture inside the story region: an element
   * so named (captions, credits, share bars, promos) is left out of the body unless it holds much text. */
  furnitureWords?: string[];
}

/** The generic rule every page gets: common page furniture, and the usual names of sibling lists. */
export const GENERIC_SITE_RULE: SiteRule = {
  hosts: ['*'],
  strip: [
    'script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'canvas', 'button',
    'input', 'select', 'textarea', 'dialog', 'nav',
    '[aria-hidden="true"]', '[hidden]', '[role="navigation"]', '[role="banner"]', '[role="contentinfo"]', '[role="complementary"]',
    '.advertisement', '.ad-container', '.share-bar', '.social-share', '.newsletter-signup', '.related-links',
  ],
  author: ['[rel="author"]', '[itemprop="author"] [itemprop="name"]', '[itemprop="author"]', '.byline', '.author-name', '.author'],
  date: ['[itemprop="datePublished"]', 'time[datetime]'],
  siblings: [],
  siblingTitles: ['Just Posted', 'Latest News', 'Latest Stories', 'More Stories', 'Related Stories', 'Read Next'],
  stopTitles: ['Most Read', 'Most Popular', 'Trending Now', 'Trending'],
  furnitureWords: [
    'caption', 'captions', 'figcaption', 'credit', 'credits', 'share', 'sharing', 'social', 'newsletter', 'promo', 'subscribe',
    'signup', 'related', 'advert', 'advertisement', 'ad', 'ads', 'tags', 'byline', 'bio',
  ],
};

/**
 * Built-in site rules: none yet — the generic rule and Readability read the sites we know. Add a site by adding
 * an entry here, e.g. `{ hosts: ['example.com'], body: ['.story-body'], strip: ['.promo'], author: ['.byline a'] }`,
 * or pass your own list to the extractor (`extractArticlePage(input, { siteRules })`).
 */
export const SITE_RULES: SiteRule[] = [];

/** The rule for `host`: the generic rule with every matching site rule merged over it. */
export function siteRuleFor(host: string, rules: readonly SiteRule[] = SITE_RULES, generic: SiteRule = GENERIC_SITE_RULE): Required<Omit<SiteRule, 'hosts'>> {
  const h = host.toLowerCase().replace(/\.$/, '');
  const own = rules.filter((r) => r.hosts.some((x) => x === '*' || h === x || h.endsWith(`.${x}`)));
  const list = (key: keyof Omit<SiteRule, 'hosts'>, ownFirst: boolean): string[] => {
    const mine = own.flatMap((r) => r[key] ?? []);
    const base = generic[key] ?? [];
    return ownFirst ? [...mine, ...base] : [...base, ...mine];
  };
  return {
    body: own.flatMap((r) => r.body ?? []),
    strip: list('strip', false),
    author: list('author', true),
    date: list('date', true),
    siblings: list('siblings', true),
    siblingTitles: list('siblingTitles', false),
    stopTitles: list('stopTitles', false),
    furnitureWords: list('furnitureWords', false),
  };
}
