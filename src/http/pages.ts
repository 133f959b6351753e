import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { HTTPException } from 'hono/http-exception';
import type { FeedSpec, NewsItem } from '../model.ts';
import type { Representation, Representations } from '../publish/representation.ts';
import type { WebhookStatus } from '../publish/webhooks.ts';
import type { SourceStatus, Store } from '../store/store.ts';
import { hash64 } from '../util/hash.ts';
import { listPage, pageLimit, sourceHealth } from './admin.ts';
import { feedKey, feedLinks } from './feed-key.ts';
import { isFeedPage, renderFeedPage, SUBSCRIBE_FORMATS, withoutEmptyParams } from './feed-page.ts';
import { renderItemPage } from './item-page.ts';
import { pageShell, PAGE_CONTENT_TYPE } from './page-layout.ts';
import { storyCard } from './story-card.ts';
import { storyView } from './story-view.ts';
import { renderStatusPage, STATUS_PAGE_SIZE, statusHistorySince } from './status-page.ts';

/** What the pages need from the app: the store, the feeds, presentation settings and the app's answer. */
export interface PagesDeps {
  store: Store;
  feeds: FeedSpec[];
  title: string;
  representations: Representations;
  hubUrl: string | undefined;
  now: () => number;
  baseOf: (c: Context) => string;
  /** Answers with a representation: conditional GET and encodings (`maxAge` overrides the feeds' own). */
  respond: (c: Context, rep: Representation, links: string[], maxAge?: number) => Response;
  /** Present when licences are in force: a restricted source's item count is then shown to nobody here (it is called no more). */
  licenses?: (() => Promise<Map<string, 'public' | 'restricted'>>) | undefined;
  /** Push delivery's counts (pending, retrying, failed), shown in `/status` JSON as `webhooks`. */
  webhookStatus?: (() => Promise<WebhookStatus>) | undefined;
}

/** Sources per page of `/status.json` (and its most): `next` links the following page. */
const STATUS_JSON_PAGE = 1000;

/** Newest stories the index shows. */
const INDEX_STORIES = 12;

/**
 * Mounts the pages for people: `/` (feeds and the newest stories), `/feeds/:name` and `/feeds/:name.html`
 * (a feed's stories with filters, paging and subscribe links; other extensions fall through to the feed
 * route), `/items/:id` (one stored item as normalized), and `/status` (a page for browsers, JSON for
 * `Accept: application/json` and anything that does not ask for HTML; always JSON at `/status.json`).
 * Every page goes through the representation pipeline, keyed by the data it shows.
 */
export function mountPages(app: Hono, deps: PagesDeps): void {
  const { store, representations } = deps;
  const byName = new Map(deps.feeds.map((f) => [f.name, f]));

  app.get('/', async (c) => {
    const base = deps.baseOf(c);
    const rep = await representations.obtain(`index|${base}`, await store.dataVersion(), async () => {
      const newest = await store.listItems({ categoryGroups: [], excludeCategories: [], sources: [], limit: INDEX_STORIES });
      const doc = await indexPage({ title: deps.title, baseUrl: base, feeds: deps.feeds, stories: newest.map((s) => s.item) });
      const latest = newest.reduce((max, s) => Math.max(max, Date.parse(s.item.versionCreated) || 0), 0);
      return { body: String(doc), contentType: PAGE_CONTENT_TYPE, lastModified: new Date(Math.floor(latest / 1000) * 1000) };
    });
    return deps.respond(c, rep, []);
  });

  app.get('/feeds/:file', async (c, next) => {
    const page = isFeedPage(c.req.param('file'), c.req.query('format') ?? null);
    if (!page) return next();
    const spec = byName.get(page.name);
    if (!spec) throw new HTTPException(404, { message: `No feed "${page.name}". Feeds: ${[...byName.keys()].join(', ')}` });
    const url = new URL(c.req.url);
    // A submitted filter form sends its empty fields too: the page's own URL leaves them out.
    const cleaned = withoutEmptyParams(url.search);
    if (cleaned !== null) return c.redirect(`${url.pathname}${cleaned}`, 302);
    const base = deps.baseOf(c);
    const now = deps.now();
    const key = feedKey({ base, pathname: url.pathname, search: url.search }, now);
    const rep = await representations.obtain(key, await store.dataVersion(), () => renderFeedPage({ store, title: deps.title, now }, { spec, url, base }));
    return deps.respond(c, rep, feedLinks(deps.hubUrl, `${base}${url.pathname}${url.search}`));
  });

  app.get('/items/:id', async (c) => {
    const uri = c.req.param('id');
    const base = deps.baseOf(c);
    const version = await store.dataVersion();
    let rep = representations.peek(`item|${base}|${uri}`, version);
    if (!rep) {
      const record = await store.getItem(uri, { now: deps.now() });
      if (!record) throw new HTTPException(404, { message: `No stored item "${uri.slice(0, 200)}"` });
      const source = await store.getSource(record.sourceId);
      rep = await representations.obtain(`item|${base}|${uri}`, version, () => renderItemPage({ title: deps.title, base, record, sourceTitle: source?.title ?? null }));
    }
    return deps.respond(c, rep, []);
  });

  // A restricted source's item count is no public business (its health is). One page of sources at a time.
  const publicPage = async (c: Context, limit: number, failingFirst: boolean): Promise<{ sources: SourceStatus[]; next: string | null }> => {
    const page = await listPage(() => store.sources.page({ limit, cursor: c.req.query('cursor'), failingFirst }));
    const pages = await store.pages.counts(page.sources.map((s) => s.id));
    const hide = deps.licenses !== undefined;
    const shown = page.sources.map((s) => (pages.has(s.id) ? { ...s, pages: pages.get(s.id) } : s));
    return { sources: shown.map((s) => (hide && s.license === 'restricted' ? { ...s, itemCount: Number.NaN } : s)), next: page.next };
  };
  const statusJson = async (c: Context): Promise<Response> => {
    const [{ sources, next }, webhooks] = await Promise.all([publicPage(c, pageLimit(c.req.query('limit'), STATUS_JSON_PAGE, STATUS_JSON_PAGE), false), deps.webhookStatus?.()]);
    c.header('Cache-Control', 'no-store');
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Vary', 'Accept');
    const nextUrl = next ? `${deps.baseOf(c)}/status.json?${new URLSearchParams({ ...(c.req.query('limit') ? { limit: c.req.query('limit')! } : {}), cursor: next })}` : null;
    if (nextUrl) c.header('Link', `<${nextUrl}>; rel="next"`);
    return c.json({
      sources: sources.map((s) => (Number.isNaN(s.itemCount) ? { ...sourceHealth(s), items: null, license: 'restricted' } : sourceHealth(s))),
      next: nextUrl,
      ...(webhooks ? { webhooks } : {}),
    });
  };
  app.get('/status.json', statusJson);
  app.get('/status', async (c) => {
    if (!wantsHtml(c.req.header('Accept'))) return statusJson(c);
    const base = deps.baseOf(c);
    const now = deps.now();
    const [{ sources, next }, counts] = await Promise.all([publicPage(c, STATUS_PAGE_SIZE, true), store.sources.counts()]);
    const history = await store.pollHistory(statusHistorySince(now), sources.map((s) => s.id));
    const nextUrl = next ? `${base}/status?cursor=${encodeURIComponent(next)}` : null;
    // Keyed by what it shows, to the minute ("in 5 minutes"): a reload with nothing new is a 304.
    const key = `status|${base}|${Math.floor(now / 60_000)}|${hash64(JSON.stringify([sources, history, counts, next]))}`;
    const rep = await representations.obtain(key, 0, () => renderStatusPage({ title: deps.title, base, sources, history, now, counts, next: nextUrl }));
    const res = deps.respond(c, rep, [], 0);
    res.headers.append('Vary', 'Accept');
    return res;
  });
}

/** A browser asks for HTML first; `fetch`, curl and feed tools send `*\/*` or nothing, and get JSON. */
function wantsHtml(accept: string | undefined): boolean {
  if (!accept || !/\btext\/html\b/i.test(accept)) return false;
  return !/\bapplication\/json\b/i.test(accept) || accept.toLowerCase().indexOf('text/html') < accept.toLowerCase().indexOf('application/json');
}

const PARAMETERS: [string, string][] = [
  ['category=Alberta,Politics', 'any of these categories (repeatable)'],
  ['exclude_category=Sports', 'leave these out'],
  ['provider=The Canadian Press', 'the agency'],
  ['located=Calgary', 'the dateline place'],
  ['by=Jane Doe', 'words of the byline'],
  ['q=wildfire evacuation', 'every word in the headline or body'],
  ['since=P2D', 'published in the last two days (or an ISO time; until= too)'],
  ['limit=100', 'items per page, 1–500 (default 50)'],
  ['filter=Oilers|Flames', 'RSSHub-compatible regular expression; also filterout, filter_title, filter_case_sensitive=false, filter_time…'],
];

/** The `/` page: the newest stories beside every published feed with its subscribe links, and autodiscovery links in the head. */
export function indexPage(input: { title: string; baseUrl: string; feeds: FeedSpec[]; stories: NewsItem[] }): ReturnType<typeof pageShell> {
  const base = input.baseUrl;
  const url = (feed: FeedSpec, ext: string): string => `${base}/feeds/${feed.name}.${ext}`;
  const head = input.feeds.flatMap((feed) =>
    SUBSCRIBE_FORMATS.filter((f) => f.ext !== 'ninjs').map((f) => html`<link rel="alternate" type="${f.type}" title="${feed.title} (${f.label})" href="${url(feed, f.ext)}">
`),
  );
  const body = html`<h1>${input.title}</h1>
<p>Wire stories, normalized and republished as feeds. Subscribe in a feed reader with one of the links, or import them all at
once from the <a href="${base}/opml">OPML list</a>. How each source is doing is on the <a href="${base}/status">status page</a>.</p>
<div class="layout">
<section aria-labelledby="latest">
<h2 id="latest">Latest stories</h2>
${input.stories.length ? input.stories.map((item) => storyCard(storyView(item), { base, feedPath: '/feeds/all', level: 3 })) : html`<p class="muted">No stories yet: the first poll of the sources fills this page.</p>`}
<p><a href="${base}/feeds/all">All stories</a></p>
</section>
<aside aria-labelledby="feeds">
<h2 id="feeds">Feeds</h2>
${input.feeds.map(
  (feed) => html`<section>
<h3><a href="${base}/feeds/${feed.name}">${feed.title}</a></h3>
<p class="muted">${describeFeed(feed)}</p>
<p class="subscribe">${SUBSCRIBE_FORMATS.map((f) => html`<a href="${url(feed, f.ext)}" type="${f.type}">${f.label}</a>`)}</p>
</section>
`,
)}
</aside>
</div>
<section aria-labelledby="narrow">
<h2 id="narrow">Narrow any feed</h2>
<p>Add query parameters to any feed URL; they combine with the feed's own filter. For example
<code>${base}/feeds/all.rss?category=Alberta&amp;q=wildfire</code>.</p>
<table>
${PARAMETERS.map(([example, meaning]) => html`<tr><td><code>${example}</code></td><td>${meaning}</td></tr>
`)}</table>
<p class="muted">Every feed answers conditional requests (ETag, Last-Modified) with 304, and pages with <code>rel="next"</code> links.</p>
</section>
`;
  return pageShell({ siteTitle: input.title, base, title: input.title, head, body });
}

/** One line on what a feed carries: its description, else its filter. */
function describeFeed(feed: FeedSpec): string {
  const parts: string[] = [];
  if (feed.filter.categories?.length) parts.push(`categories ${feed.filter.categories.join(' or ')}`);
  if (feed.filter.excludeCategories?.length) parts.push(`not ${feed.filter.excludeCategories.join(', ')}`);
  if (feed.filter.sources?.length) parts.push(`from ${feed.filter.sources.join(', ')}`);
  const filter = parts.length ? `Filter: ${parts.join('; ')}.` : '';
  return [feed.description, filter].filter(Boolean).join(' — ') || 'Every story from every source.';
}
