import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import type { NewsItem } from '../../src/model.ts';
import { compressNode } from '../../src/runtime/node.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore, type ItemWrite, type Store } from '../../src/store/store.ts';
import { itemUri, itemWrite, newsItem, text, webRendition } from '../support/items.ts';

const base = 'https://feeds.example.org';
const hub = 'https://hub.example.org/';

function story(n: number, over: Partial<NewsItem> = {}, categories = ['Alberta']): ItemWrite {
  const item = newsItem(n, {
    bodies: [text(`<p>Body ${n}</p><script>alert(${n})</script>`, 'main', 'text/html')],
    subjects: categories.map((name) => ({ name })),
    renditions: [webRendition(`https://wire.example/${n}`)],
    ...over,
  });
  return itemWrite(item, { published: Date.UTC(2026, 10, n), categories });
}

describe('publishing over HTTP', () => {
  let store: Store;
  let app: ReturnType<typeof createApp>;
  const get = (path: string, headers: Record<string, string> = {}) => app.request(`${base}${path}`, { headers });

  beforeAll(async () => {
    store = createStore(openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-pub-')), 'w.db')).db);
    await store.syncSources([{ id: 'wire', url: 'https://wire.example/feed', title: 'Wire', interval: 15, categories: [], allowPrivateNetwork: false }]);
    const writes = Array.from({ length: 7 }, (_, i) => story(i + 1));
    writes.push(story(8, { pubStatus: 'canceled', headlines: [text('Killed story')] }));
    await store.savePoll('wire', writes, { etag: null, lastModified: null, fetchedAt: Date.UTC(2026, 10, 20), nextFetchAt: 0 });
    app = createApp({ store, feeds: [{ name: 'alberta', title: 'Alberta', filter: { categories: ['Alberta'] } }], baseUrl: base, hubUrl: hub, compress: compressNode, maxAge: 300 });
  });

  it('serves ninjs by extension and by ?format=, sanitized', async () => {
    for (const path of ['/feeds/all.ninjs', '/feeds/all?format=ninjs']) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const items = (await res.json()) as NewsItem[];
      expect(items.map((i) => i.uri)).toEqual([7, 6, 5, 4, 3, 2, 1].map((n) => itemUri(n)));
      expect(items[0]!.bodies![0]!.value).toBe('<p>Body 7</p>');
    }
    const atom = await get('/feeds/alberta?format=atom');
    expect(atom.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
  });

  it('leaves killed stories out unless asked for them', async () => {
    expect(await (await get('/feeds/all.rss')).text()).not.toContain('Killed story');
    const canceled = (await (await get('/feeds/all.ninjs?status=canceled')).json()) as NewsItem[];
    expect(canceled.map((i) => i.headlines[0]!.value)).toEqual(['Killed story']);
  });

  it('pages with RFC 5005 next links and JSON Feed next_url, and the pages add up', async () => {
    const seen: string[] = [];
    let next: string | null = '/feeds/all.json?limit=3';
    let pages = 0;
    while (next) {
      const doc = (await (await get(next.replace(base, ''))).json()) as { items: { title: string }[]; next_url?: string };
      seen.push(...doc.items.map((i) => i.title));
      next = doc.next_url ?? null;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1].map((n) => `Story ${n}`));
    const rss = await (await get('/feeds/all.rss?limit=3')).text();
    expect(rss).toMatch(/<atom:link rel="next" href="https:\/\/feeds\.example\.org\/feeds\/all\.rss\?limit=3&amp;before=[\w-]+"\/>/);
    const atom = await (await get('/feeds/all.atom?limit=7')).text();
    expect(atom).not.toContain('rel="next"');
  });

  it('pages through text filters that run outside the store', async () => {
    const first = (await (await get('/feeds/all.json?limit=2&filter=Story [1357]')).json()) as { items: { title: string }[]; next_url: string };
    expect(first.items.map((i) => i.title)).toEqual(['Story 7', 'Story 5']);
    const second = (await (await get(first.next_url.replace(base, ''))).json()) as { items: { title: string }[]; next_url?: string };
    expect(second.items.map((i) => i.title)).toEqual(['Story 3', 'Story 1']);
    expect(second.next_url).toBeUndefined();
  });

  it('announces the WebSub hub and self in the document and in Link headers', async () => {
    const res = await get('/feeds/alberta.atom');
    expect(res.headers.get('link')).toBe(`<${hub}>; rel="hub", <${base}/feeds/alberta.atom>; rel="self"`);
    const atom = await res.text();
    expect(atom).toContain(`<link rel="hub" href="${hub}"/>`);
    expect(await (await get('/feeds/alberta.rss')).text()).toContain(`<atom:link rel="hub" href="${hub}"/>`);
    const json = (await (await get('/feeds/alberta.json')).json()) as { hubs: unknown };
    expect(json.hubs).toEqual([{ type: 'WebSub', url: hub }]);
  });

  it('serves pre-compressed gzip and br bodies that decode to the same bytes', async () => {
    const plain = Buffer.from(await (await get('/feeds/all.rss')).arrayBuffer());
    const gz = await get('/feeds/all.rss', { 'Accept-Encoding': 'gzip' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer()))).toEqual(plain);
    const br = await get('/feeds/all.rss', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer()))).toEqual(plain);
    const refused = await get('/feeds/all.rss', { 'Accept-Encoding': 'br;q=0, gzip;q=0' });
    expect(refused.headers.get('content-encoding')).toBeNull();
    expect(gz.headers.get('etag')).toBe(br.headers.get('etag'));
    expect(gz.headers.get('cache-control')).toBe('public, max-age=300');
  });

  it('renders once per data change: the same request is served from the cache', async () => {
    const a = await (await get('/feeds/alberta.json?q=story')).text();
    const v = await store.dataVersion();
    const b = await (await get('/feeds/alberta.json?q=story')).text();
    expect(b).toBe(a);
    expect(await store.dataVersion()).toBe(v);
  });

  it('RSS and Atom carry no XSL stylesheet (browsers get the HTML page at /feeds/:name instead)', async () => {
    const rss = await (await get('/feeds/all.rss')).text();
    expect(rss).toMatch(/^<\?xml [^>]+\?>\n<rss /);
    expect(rss).not.toContain('xml-stylesheet');
    expect(await (await get('/feeds/all.atom')).text()).not.toContain('xml-stylesheet');
    expect((await get('/feed.xsl')).status).toBe(404);
    const page = await get('/feeds/all');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain(`<link rel="alternate" type="application/rss+xml" title="All stories (RSS)" href="${base}/feeds/all.rss">`);
  });

  it('serves an OPML 2.0 list of every feed', async () => {
    const res = await get('/opml');
    expect(res.headers.get('content-type')).toBe('text/x-opml; charset=utf-8');
    const opml = await res.text();
    expect(opml).toContain('<opml version="2.0">');
    expect(opml).toContain(`xmlUrl="${base}/feeds/all.rss"`);
    expect(opml).toContain(`xmlUrl="${base}/feeds/alberta.rss"`);
  });
});

describe('after a data change', () => {
  it('concurrent requests for the same feed share one render (no stampede)', async () => {
    const raw = createStore(openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-stampede-')), 'w.db')).db);
    await raw.syncSources([{ id: 'wire', url: 'https://wire.example/feed', title: 'Wire', interval: 15, categories: [], allowPrivateNetwork: false }]);
    await raw.savePoll('wire', [story(1)], { etag: null, lastModified: null, fetchedAt: 1000, nextFetchAt: 0 });
    let queries = 0;
    const counting: Store = { ...raw, listItems: async (q) => (queries++, raw.listItems(q)) };
    const app = createApp({ store: counting, feeds: [], baseUrl: base, compress: compressNode });
    const answers = await Promise.all(Array.from({ length: 50 }, () => app.request(`${base}/feeds/all.rss`)));
    expect(new Set(answers.map((r) => r.headers.get('etag'))).size).toBe(1);
    expect(queries).toBe(1);
    await raw.savePoll('wire', [story(2)], { etag: null, lastModified: null, fetchedAt: 2000, nextFetchAt: 0 });
    await Promise.all(Array.from({ length: 50 }, () => app.request(`${base}/feeds/all.rss`)));
    expect(queries).toBe(2);
  });
});
