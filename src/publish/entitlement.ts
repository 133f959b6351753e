import type { SourceConfig } from '../model.ts';
import { canonicalEntitlements, type ItemAccess, type Subscriber } from '../store/subscribers.ts';
import { hash64 } from '../util/hash.ts';

/** What a request may see of one feed: the store access and its canonical id (the cache keys by it, never by key). */
export interface FeedAccess {
  access: ItemAccess | null;
  /** `public`, or `e:` and a hash of the canonical access. */
  id: string;
}

/** The same access for every anonymous request (and for subscribers not entitled to a feed's restricted items). */
export const PUBLIC_ACCESS: FeedAccess = Object.freeze({ access: null, id: 'public' });

/**
 * A subscriber's access to one feed's restricted items: none when `feeds` does not name the feed; otherwise
 * those of the sources `sources` and `providers` leave (both narrow), in `categories` when given. The pull
 * path (`http/auth.ts`) and push delivery (`publish/webhooks.ts`) both ask it.
 */
export function entitledAccess(subscriber: Subscriber, feedName: string, sources: SourceConfig[]): FeedAccess {
  const e = canonicalEntitlements(subscriber.entitlements);
  if (e.feeds && !e.feeds.includes(feedName)) return PUBLIC_ACCESS;
  let ids: string[] | null = null;
  if (e.sources || e.providers) {
    ids = sources
      .filter((s) => !e.sources || e.sources.includes(s.id))
      .filter((s) => !e.providers || e.providers.includes((s.provider ?? '').trim().toLowerCase()))
      .map((s) => s.id)
      .sort();
  }
  const access: ItemAccess = { sources: ids, categories: e.categories ?? null };
  return { access, id: `e:${hash64(JSON.stringify(access))}` };
}
