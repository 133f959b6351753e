import { HTTPException } from 'hono/http-exception';
import type { FeedSpec, NewsItem } from '../model.ts';
import { collectPage } from '../publish/collect.ts';
import { filterIdentity } from '../publish/feed-identity.ts';
import { FilterError, parseFeedRequest, type FeedRequest } from '../publish/filter.ts';
import { renderNinjs } from '../publish/ninjs.ts';
import { OPML_CONTENT_TYPE, renderOpml } from '../publish/opml.ts';
import { renderFeed, warmFeed, type FeedMeta } from '../publish/render.ts';
import type { PreparedItems } from '../publish/prepared-items.ts';
import type { Rendered } from '../publish/representation.ts';
import type { Store } from '../store/store.ts';
import type { ItemAccess } from '../store/subscribers.ts';

/** The formats a feed is published in, by extension and `?format=`. */
export const FORMATS = ['rss', 'atom', 'json', 'ninjs'] as const;
export type PublishedFormat = (typeof FORMATS)[number];

/** The published feed and format a `/feeds/:file` request names. @throws HTTPException 404/400. */
export function resolveFeed(file: string, formatParam: string | null, byName: Map<string, FeedSpec>): { spec: FeedSpec; format: PublishedFormat } {
  const dot = file.lastIndexOf('.');
  const name = dot > 0 ? file.slice(0, dot) : file;
  const ext = dot > 0 ? file.slice(dot + 1) : null;
  const spec = byName.get(name);
  if (!spec) {
    throw new HTTPException(404, { message: `No feed "${name}". Feeds: ${[...byName.keys()].join(', ')}` });
  }
  const wanted = formatParam ?? ext ?? 'rss';
  if (!(FORMATS as readonly string[]).includes(wanted)) {
    throw new HTTPException(ext !== null && formatParam === null ? 404 : 400, {
      message: `Unknown format "${wanted.slice(0, 20)}": use ${FORMATS.map((f) => `.${f}`).join(', ')} or ?format=`,
    });
  }
  if (ext !== null && formatParam !== null && ext !== formatParam && (FORMATS as readonly string[]).includes(ext)) {
    throw new HTTPException(400, { message: `The extension .${ext} and ?format=${formatParam} disagree` });
  }
  return { spec, format: wanted as PublishedFormat };
}

/**
 * Renders one page of a published feed: the request's filters over the store, in `format`, with self, next,
 * and hub links under `base`. A filtered request is a feed of its own: its id, title and JSON Feed
 * home page name its canonical filter (the same whatever the parameter order). Items are prepared by
 * `deps.prepared` when given (the app's cache, shared by all its feeds). @throws HTTPException 400 for
 * a filter the request cannot have.
 */
export async function renderPublishedFeed(
  deps: {
    store: Store;
    title: string;
    hubUrl: string | undefined;
    now: number;
    language?: string | undefined;
    prepared?: PreparedItems | undefined;
    /** Lets a render of many new items give way between a few of them (see `warmFeed`); absent, it runs through. */
    pause?: (() => Promise<void>) | undefined;
  },
  request: { spec: FeedSpec; format: PublishedFormat; url: URL; base: string; access?: ItemAccess | null },
): Promise<Rendered> {
  const { spec, format, url, base } = request;
  const feedRequest = feedRequestOf(spec, url, deps.now);
  feedRequest.query.access = request.access ?? null;
  const page = await collectPage(deps.store, feedRequest);
  const items = page.items.map((s) => s.item);
  const lastModified = newestChange(items);
  if (format === 'ninjs') return { ...renderNinjs(items), lastModified, itemCount: items.length };
  const filter = filterIdentity(url.searchParams);
  const id = `${base}/feeds/${spec.name}${filter.query ? `?${filter.query}` : ''}`;
  const title = filter.query
    ? `${spec.title} — ${filter.label} — ${deps.title}`
    : spec.name === 'all' ? deps.title : `${spec.title} — ${deps.title}`;
  const meta: FeedMeta = {
    id,
    title,
    description: spec.description ?? spec.title,
    siteUrl: `${base}/`,
    selfUrl: `${base}${url.pathname}${url.search}`,
    // The id URL (`/feeds/NAME?filter`, no extension) is the HTML page of this very filter.
    homeUrl: filter.query ? id : undefined,
    language: deps.language,
    updated: lastModified,
    nextUrl: page.next ? withParam(url, 'before', page.next, base) : undefined,
    hubUrl: deps.hubUrl,
  };
  if (deps.pause && deps.prepared) await warmFeed(meta, items, format, deps.prepared, deps.pause);
  const rendered = renderFeed(meta, items, format, deps.prepared);
  return { ...rendered, lastModified, itemCount: items.length };
}

/**
 * The OPML list of the published feeds, dated by the newest change among the stories of the `all` feed (no
 * date when the store holds none).
 */
export async function renderPublishedOpml(
  deps: { store: Store; title: string; feeds: FeedSpec[]; now: number },
  base: string,
): Promise<Rendered> {
  const page = await collectPage(deps.store, parseFeedRequest({ name: 'all', title: 'all', filter: {} }, new URLSearchParams(), deps.now));
  const items = page.items.map((s) => s.item);
  const lastModified = newestChange(items);
  const updated = items.length ? lastModified : undefined;
  return { body: renderOpml({ title: deps.title, baseUrl: base, feeds: deps.feeds, updated }), contentType: OPML_CONTENT_TYPE, lastModified };
}

/** When the newest of `items` was last saved (its `versionCreated`), to the second, as HTTP dates are; 1970 for none. */
function newestChange(items: NewsItem[]): Date {
  const newest = items.reduce((max, item) => Math.max(max, Date.parse(item.versionCreated) || 0), 0);
  return new Date(Math.floor(newest / 1000) * 1000);
}

function withParam(url: URL, name: string, value: string, base: string): string {
  const params = new URLSearchParams(url.search);
  params.set(name, value);
  return `${base}${url.pathname}?${params.toString()}`;
}

/** The feed request a URL asks of a feed. @throws HTTPException 400 for a filter it cannot have. */
export function feedRequestOf(spec: FeedSpec, url: URL, now: number): FeedRequest {
  try {
    return parseFeedRequest(spec, url.searchParams, now);
  } catch (err) {
    if (err instanceof FilterError) throw new HTTPException(400, { message: err.message });
    throw err;
  }
}
