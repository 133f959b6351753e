/**
 * Child process: a local upstream for the load bench, a wire service publishing on 127.0.0.1 in three
 * formats — `/wire.rss` (RSS 2.0 with content:encoded, dc:creator, media:content), `/wire.atom` (Atom 1.0) and
 * `/wire.json` (JSON Feed 1.1) — shaped like `config/samples/wire-sample.xml`: a photo with caption and
 * credit, a dateline (`CALGARY, Alta. — …`), a byline, site furniture (newsletter promo) and, on every fourth
 * story, a "Just Posted" list of teasers.
 *
 * The feeds CHANGE on every fetch, so that each poll of the service is a real ingest: each GET of a feed adds
 * `newPerFetch` stories published "now", edits one of the 30 newest (a new paragraph and `updated` date: the
 * service raises its version), and drops the oldest beyond the feed's window. Stories are deterministic per
 * (feed, number, edit count), so runs are comparable; the rendered markup of each is cached.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { HTTP_CATEGORIES, makeStory, rng } from '../fixtures.ts';
import { serveParent, type ChildRequest } from '../child.ts';
import type { NewsItem } from '../../src/model.ts';

export type UpstreamFormat = 'rss' | 'atom' | 'json';

/** What the parent asks for in `start`. */
export interface UpstreamOptions {
  /** Stories each feed carries (the newest). */
  window: Record<UpstreamFormat, number>;
  /** New stories per fetch of a feed. */
  newPerFetch: number;
}

/** What `stats` answers. */
export interface UpstreamStats {
  /** 200 responses per feed path. */
  fetches: Record<string, number>;
  /** Body bytes sent (after gzip when asked for). */
  bytes: number;
  /** Stories published per feed since the start (the initial window included). */
  published: Record<string, number>;
}

interface Story {
  n: number;
  published: number;
  updated: number;
  edits: number;
}

interface Feed {
  format: UpstreamFormat;
  path: string;
  seed: number;
  next: number;
  stories: Story[];
  window: number;
  rendered: Map<string, string>;
}

const SITE = 'https://wire.bench.example';
const STEP_MS = 4 * 60_000;
const PROMO =
  '<div class="newsletter-promo">\n<p>Get local stories you won\'t find anywhere else right to your inbox.</p>\n' +
  `<p><a href="${SITE}/newsletters/">Sign up here</a></p>\n</div>`;

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const cdata = (s: string): string => `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

/** The story's NewsItem from fixtures, plus what the upstream markup needs. */
function storyParts(feed: Feed, s: Story): { item: NewsItem; reporter: string; provider: string; city: string; link: string; categories: string[] } {
  const r = rng(feed.seed * 1_000_003 + s.n);
  const categories = new Set<string>();
  if (r() < 0.4) categories.add('Politics');
  if (r() < 0.35) categories.add('Alberta');
  if (r() < 0.6 || categories.size === 0) categories.add(HTTP_CATEGORIES[2 + Math.floor(r() * (HTTP_CATEGORIES.length - 2))]!);
  const item = makeStory(r, s.n, { source: `wire-${feed.format}`, published: s.published, categories: [...categories], paragraphs: 3 + Math.floor(r() * 4), picture: s.n % 3 === 0 });
  const reporter = (item.by ?? 'By Staff').replace(/^By /, '');
  const provider = item.copyrightHolder ?? 'The Canadian Press';
  const slug = (item.headlines?.[0]?.value ?? `story ${s.n}`).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return { item, reporter, provider, city: item.located ?? 'OTTAWA, Ont.', link: `${SITE}/${feed.format}/news/${slug}-${s.n}`, categories: [...categories] };
}

/** The story's HTML as a news site's feed carries it: photo, dateline, paragraphs, byline, furniture, teasers. */
function storyHtml(feed: Feed, s: Story, index: number): string {
  const { item, reporter, provider, city } = storyParts(feed, s);
  const parts: string[] = [];
  const picture = item.associations?.[0];
  if (picture) {
    const caption = picture.descriptions?.[0]?.value ?? '';
    parts.push(
      `<figure class="article-photo">\n<img src="${escapeXml(picture.renditions?.[0]?.href ?? '')}" alt="" width="1200" height="800">\n` +
        `<figcaption>${escapeXml(caption)} (${escapeXml(provider)} Photo/${escapeXml(reporter)})</figcaption>\n</figure>`,
    );
  }
  const body = (item.bodies?.[0]?.value ?? '').replace('<p>', `<p>${escapeXml(city)} — `);
  parts.push(body);
  for (let e = 1; e <= s.edits; e++) {
    parts.push(`<p>This story has been updated (revision ${e}) with comment from officials who spoke after the first version was published.</p>`);
  }
  parts.push(`<p class="byline">${escapeXml(reporter)}, ${escapeXml(provider)}</p>`, PROMO);
  // Every fourth story ends with the site's "Just Posted" teasers: the two stories after it in the feed.
  if (s.n % 4 === 0) {
    const teasers = feed.stories.slice(index + 1, index + 3).map((t) => {
      const p = storyParts(feed, t);
      const lede = (p.item.descriptions?.[0]?.value ?? '').slice(0, 90);
      return (
        `<li>\n<h4><a href="${p.link}">${escapeXml(p.item.headlines?.[0]?.value ?? '')}</a></h4>\n` +
        `<p>${escapeXml(p.city)} — ${escapeXml(lede)}… <a href="${p.link}">Continue reading</a></p>\n</li>`
      );
    });
    if (teasers.length) parts.push(`<h3>Just Posted</h3>\n<ul class="just-posted">\n${teasers.join('\n')}\n</ul>`);
  }
  return parts.join('\n');
}

function rssItem(feed: Feed, s: Story, index: number): string {
  const { item, reporter, provider, city, link, categories } = storyParts(feed, s);
  const picture = item.associations?.[0]?.renditions?.[0]?.href;
  return (
    `<item>\n<title>${escapeXml(item.headlines?.[0]?.value ?? '')}</title>\n<link>${link}</link>\n` +
    `<guid isPermaLink="false">${SITE}/?p=${s.n}</guid>\n<pubDate>${new Date(s.published).toUTCString()}</pubDate>\n` +
    `<dc:creator>${escapeXml(`${reporter}, ${provider}`)}</dc:creator>\n` +
    categories.map((c) => `<category>${escapeXml(c)}</category>\n`).join('') +
    `<description>${cdata(`${city} — ${item.descriptions?.[0]?.value ?? ''}`)}</description>\n` +
    `<content:encoded>${cdata(storyHtml(feed, s, index))}</content:encoded>\n` +
    (picture ? `<media:content url="${escapeXml(picture)}" medium="image" type="image/jpeg" width="1200" height="800"/>\n` : '') +
    `</item>`
  );
}

function atomEntry(feed: Feed, s: Story, index: number): string {
  const { item, reporter, link, categories } = storyParts(feed, s);
  return (
    `<entry>\n<title>${escapeXml(item.headlines?.[0]?.value ?? '')}</title>\n<id>tag:wire.bench.example,2026:atom-${s.n}</id>\n` +
    `<link rel="alternate" type="text/html" href="${link}"/>\n<published>${new Date(s.published).toISOString()}</published>\n` +
    `<updated>${new Date(s.updated).toISOString()}</updated>\n<author><name>${escapeXml(reporter)}</name></author>\n` +
    categories.map((c) => `<category term="${escapeXml(c)}"/>\n`).join('') +
    `<summary>${escapeXml(item.descriptions?.[0]?.value ?? '')}</summary>\n` +
    `<content type="html">${escapeXml(storyHtml(feed, s, index))}</content>\n</entry>`
  );
}

function jsonItem(feed: Feed, s: Story, index: number): string {
  const { item, reporter, link, categories } = storyParts(feed, s);
  return JSON.stringify({
    id: `${SITE}/?json=${s.n}`,
    url: link,
    title: item.headlines?.[0]?.value ?? '',
    summary: item.descriptions?.[0]?.value ?? '',
    content_html: storyHtml(feed, s, index),
    date_published: new Date(s.published).toISOString(),
    date_modified: new Date(s.updated).toISOString(),
    authors: [{ name: reporter }],
    tags: categories,
    ...(item.associations?.[0]?.renditions?.[0]?.href ? { image: item.associations[0].renditions[0].href } : {}),
  });
}

/** One entry's markup, cached per (story, edits, position of its teasers). */
function entry(feed: Feed, s: Story, index: number): string {
  const teaserKey = s.n % 4 === 0 ? `${feed.stories[index + 1]?.n}:${feed.stories[index + 1]?.edits}:${feed.stories[index + 2]?.n}` : '';
  const key = `${s.n}|${s.edits}|${teaserKey}`;
  let text = feed.rendered.get(key);
  if (text === undefined) {
    text = feed.format === 'rss' ? rssItem(feed, s, index) : feed.format === 'atom' ? atomEntry(feed, s, index) : jsonItem(feed, s, index);
    feed.rendered.set(key, text);
  }
  return text;
}

function renderFeed(feed: Feed, now: number): string {
  const entries = feed.stories.map((s, i) => entry(feed, s, i));
  const title = `Bench Wire (${feed.format})`;
  if (feed.format === 'rss') {
    return (
      `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" ` +
      `xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n` +
      `<title>${title}</title>\n<link>${SITE}/</link>\n<description>Wire stories for the load bench.</description>\n<language>en-CA</language>\n` +
      `<lastBuildDate>${new Date(now).toUTCString()}</lastBuildDate>\n<atom:link href="${SITE}${feed.path}" rel="self" type="application/rss+xml"/>\n` +
      `${entries.join('\n')}\n</channel>\n</rss>\n`
    );
  }
  if (feed.format === 'atom') {
    return (
      `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n<title>${title}</title>\n` +
      `<id>tag:wire.bench.example,2026:atom</id>\n<updated>${new Date(now).toISOString()}</updated>\n` +
      `<link rel="alternate" href="${SITE}/"/>\n<link rel="self" href="${SITE}${feed.path}"/>\n${entries.join('\n')}\n</feed>\n`
    );
  }
  return `{"version":"https://jsonfeed.org/version/1.1","title":${JSON.stringify(title)},"home_page_url":"${SITE}/","feed_url":"${SITE}${feed.path}","items":[\n${entries.join(',\n')}\n]}\n`;
}

/** Publishes `count` new stories and edits one of the 30 newest; keeps the window. */
function advance(feed: Feed, count: number, now: number, r: () => number): void {
  const fresh: Story[] = [];
  for (let i = 0; i < count; i++) {
    const published = now - (count - 1 - i) * 1000; // newest last, all in the past second or so
    fresh.unshift({ n: feed.next++, published, updated: published, edits: 0 });
  }
  feed.stories.unshift(...fresh);
  const edited = feed.stories[Math.floor(r() * Math.min(30, feed.stories.length))];
  if (edited) {
    edited.edits++;
    edited.updated = now;
  }
  feed.stories.length = Math.min(feed.stories.length, feed.window);
  // The cache keeps what the window can still use.
  if (feed.rendered.size > feed.window * 3) {
    const live = new Set(feed.stories.map((s) => s.n));
    for (const key of feed.rendered.keys()) if (!live.has(Number(key.split('|')[0]))) feed.rendered.delete(key);
  }
}

const CONTENT_TYPE: Record<UpstreamFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

let server: Server | null = null;
let stopping: Promise<void> | null = null;
const feeds = new Map<string, Feed>();
const stats: UpstreamStats = { fetches: {}, bytes: 0, published: {} };

serveParent(
  async (msg: ChildRequest) => {
    if (msg.type === 'stats') return stats;
    if (msg.type !== 'start') throw new Error(`unknown request ${msg.type}`);
    const o = msg as unknown as UpstreamOptions;
    const start = Date.now();
    const edits = rng(7);
    (['rss', 'atom', 'json'] as const).forEach((format, f) => {
      const path = `/wire.${format}`;
      const window = o.window[format];
      // The initial window: one story every 4 minutes back from now, newest first.
      const stories: Story[] = Array.from({ length: window }, (_v, i) => {
        const published = start - (i + 1) * STEP_MS;
        return { n: window - 1 - i, published, updated: published, edits: 0 };
      });
      feeds.set(path, { format, path, seed: 101 + f, next: window, stories, window, rendered: new Map() });
      stats.fetches[path] = 0;
      stats.published[path] = window;
    });
    server = createServer((req, res) => {
      const feed = feeds.get(req.url ?? '');
      if (!feed || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const now = Date.now();
      advance(feed, o.newPerFetch, now, edits);
      stats.fetches[feed.path]!++;
      stats.published[feed.path]! += o.newPerFetch;
      let body = Buffer.from(renderFeed(feed, now));
      const headers: Record<string, string> = {
        'content-type': CONTENT_TYPE[feed.format],
        etag: `"${feed.format}-${feed.next}"`,
        'last-modified': new Date(now).toUTCString(),
        'cache-control': 'no-cache',
        vary: 'Accept-Encoding',
      };
      if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
        body = gzipSync(body, { level: 6 });
        headers['content-encoding'] = 'gzip';
      }
      headers['content-length'] = String(body.length);
      stats.bytes += body.length;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    // Bounded like a real server: a request must arrive within 10 s; idle keep-alive connections close.
    server.requestTimeout = 10_000;
    server.headersTimeout = 10_000;
    const s = server;
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  },
  () =>
    (stopping ??= new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
    })),
);
