/** What names a feed representation in the cache: the public base, the path and the raw query. */
export interface FeedTarget {
  base: string;
  pathname: string;
  /** The query with its `?`, or empty. */
  search: string;
}

const TIMED = /(?:^|&)(?:since|until|filter_time)=/;

/** Whether the query holds a filter relative to now (`since=P2D`, `filter_time`): its answer moves with the clock. */
export function isTimed(search: string): boolean {
  return TIMED.test(search.slice(1));
}

/**
 * The cache key of a feed answer; time-relative queries are keyed per minute of `now`. `entitlement` is the
 * canonical id of what the request may see (`public` for anonymous polls), never a key.
 */
export function feedKey(target: FeedTarget, now: number, timed = isTimed(target.search), entitlement = 'public'): string {
  return `feed|${target.base}|${target.pathname}|${target.search}|${timed ? Math.floor(now / 60_000) : 0}|${entitlement}`;
}

/** The `Link` values of a feed answer: the WebSub hub when there is one, and the feed itself. */
export function feedLinks(hubUrl: string | undefined, selfUrl: string): string[] {
  return [...(hubUrl ? [`<${hubUrl}>; rel="hub"`] : []), `<${selfUrl}>; rel="self"`];
}

/** A base URL without its trailing slashes. */
export function trimBase(base: string): string {
  return base.replace(/\/+$/, '');
}
