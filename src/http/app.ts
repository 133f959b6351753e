import { Hono } from 'hono';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { FeedSpec } from '../model.ts';
import { RepresentationCache, type Representation } from '../publish/cache.ts';
import { FilterError, feedQuery } from '../publish/filter.ts';
import { renderFeed, type OutputFormat } from '../publish/render.ts';
import type { Store } from '../store/store.ts';
import { hash64 } from '../util/hash.ts';
import { indexPage } from './pages.ts';

/** What the HTTP app needs: the store, the published feeds, and presentation settings. */
export interface AppDeps {
  store: Store;
  feeds: FeedSpec[];
  /** Public base URL for self links; defaults to the request's origin. */
  baseUrl?: string | undefined;
  title?: string;
  /** Seconds pollers may cache a feed (`Cache-Control: max-age`). */
  maxAge?: number;
  cache?: RepresentationCache;
}

/** The feed every instance publishes: all stored items. */
export const ALL_FEED: FeedSpec = { name: 'all', title: 'All stories', description: 'Every story from every source', filter: {} };

const EXTENSIONS: Record<string, OutputFormat> = { rss: 'rss', atom: 'atom', json: 'json' };

/** Builds the Hono app serving the index, the published feeds, `/status` and `/healthz`. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const feeds = [ALL_FEED, ...deps.feeds];
  const byName = new Map(feeds.map((f) => [f.name, f]));
  const cache = deps.cache ?? new RepresentationCache();
  const maxAge = deps.maxAge ?? 60;
  const title = deps.title ?? 'wirefeed';
  const baseOf = (c: Context): string => (deps.baseUrl ?? new URL(c.req.url).origin).replace(/\/+$/, '');

  app.get('/', (c) => c.html(indexPage({ title, baseUrl: baseOf(c), feeds })));

  app.get('/healthz', async (c) => {
    await deps.store.dataVersion();
    return c.text('ok');
  });

  app.get('/status', async (c) => {
    const sources = await deps.store.listSources();
    c.header('Cache-Control', 'no-store');
    return c.json({
      sources: sources.map((s) => ({
        id: s.id,
        title: s.title,
        url: s.url,
        items: s.itemCount,
        lastFetchAt: iso(s.lastFetchAt),
        lastSuccessAt: iso(s.lastSuccessAt),
        nextFetchAt: iso(s.nextFetchAt),
        errorCount: s.errorCount,
        lastError: s.lastError ? { ...s.lastError, at: iso(s.lastError.at) } : null,
        etag: s.etag,
        lastModified: s.lastModified,
      })),
    });
  });

  app.get('/feeds/:file', async (c) => {
    const file = c.req.param('file');
    const dot = file.lastIndexOf('.');
    const format = dot > 0 ? EXTENSIONS[file.slice(dot + 1)] : undefined;
    const spec = dot > 0 ? byName.get(file.slice(0, dot)) : undefined;
    if (!spec || !format) {
      throw new HTTPException(404, { message: `No feed "${file}". Feeds: ${feeds.map((f) => `${f.name}.rss|.atom|.json`).join(', ')}` });
    }
    const url = new URL(c.req.url);
    let query;
    try {
      query = feedQuery(spec, url.searchParams);
    } catch (err) {
      if (err instanceof FilterError) throw new HTTPException(400, { message: err.message });
      throw err;
    }
    const version = await deps.store.dataVersion();
    const base = baseOf(c);
    const key = `${spec.name}|${format}|${base}|${url.search}`;
    let rep = cache.get(key, version);
    if (!rep) {
      const items = await deps.store.listItems(query);
      const newest = items.reduce((max, item) => Math.max(max, Date.parse(item.versionCreated) || 0), 0);
      const lastModified = new Date(Math.floor(newest / 1000) * 1000);
      const rendered = renderFeed(
        {
          id: `${base}/feeds/${spec.name}`,
          title: spec.name === 'all' ? title : `${spec.title} — ${title}`,
          description: spec.description ?? spec.title,
          siteUrl: `${base}/`,
          selfUrl: `${base}/feeds/${file}${url.search}`,
          updated: lastModified,
        },
        items,
        format,
      );
      rep = { ...rendered, etag: `"${hash64(rendered.body)}"`, lastModified, version } satisfies Representation;
      cache.set(key, rep);
    }
    return respond(c, rep, maxAge);
  });

  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      return c.json({ error: err.message || 'error', status: err.status }, err.status);
    }
    console.error('wirefeed: request failed:', err);
    return c.json({ error: 'internal error', status: 500 }, 500);
  });
  app.notFound((c) => c.json({ error: `Not found: ${new URL(c.req.url).pathname}`, status: 404 }, 404));
  return app;
}

function respond(c: Context, rep: Representation, maxAge: number): Response {
  const headers = new Headers({
    ETag: rep.etag,
    'Last-Modified': rep.lastModified.toUTCString(),
    'Cache-Control': `public, max-age=${maxAge}`,
    Vary: 'Accept-Encoding',
    'Access-Control-Allow-Origin': '*',
  });
  if (notModified(c.req.header('If-None-Match'), c.req.header('If-Modified-Since'), rep)) {
    return new Response(null, { status: 304, headers });
  }
  headers.set('Content-Type', rep.contentType);
  return new Response(rep.body, { status: 200, headers });
}

/** RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since; weak comparison for If-None-Match. */
function notModified(ifNoneMatch: string | undefined, ifModifiedSince: string | undefined, rep: Representation): boolean {
  if (ifNoneMatch !== undefined) {
    const tags = ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(rep.etag);
  }
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && rep.lastModified.getTime() <= since;
  }
  return false;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
