/**
 * The pages for people, through `app.request` over a real SQLite store: what each page shows of the stored
 * stories and sources, how it is cached and negotiated, and that hostile stories render harmless.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument, DomUtils } from 'htmlparser2';
import type { AnyNode, Element } from 'domhandler';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { createFastPath } from '../../src/http/fast-path.ts';
import { explainError } from '../../src/http/status-page.ts';
import { createRepresentations } from '../../src/publish/representation.ts';
import { memoizeDataVersion } from '../../src/store/version-memo.ts';
import type { NewsItem, SourceConfig } from '../../src/model.ts';
import { compressNode } from '../../src/runtime/node.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore, type ItemWrite, type Store } from '../../src/store/store.ts';
import { assertHtmlSafe } from '../support/html-safety.ts';
import { itemWrite, newsItem, text, webRendition } from '../support/items.ts';

const base = 'http://wirefeed.test';
const NOW = Date.UTC(2026, 10, 21, 14, 0, 0);
const sources: SourceConfig[] = [
  { id: 'wire', url: 'https://wire.example/feed', title: 'Wire', interval: 15, categories: [], allowPrivateNetwork: false },
  { id: 'down', url: 'https://down.example/feed', title: 'Down Wire', interval: 15, categories: [], allowPrivateNetwork: false },
];

function story(n: number, over: Partial<NewsItem> = {}): ItemWrite {
  const item = newsItem(n, {
    contentCreated: new Date(NOW - n * 3_600_000).toISOString(),
    headlines: [text(`Story number ${n}`)],
    descriptions: [text(`<p>Summary of story ${n}.</p>`, 'summary', 'text/html')],
    bodies: [text(`<p>CALGARY — Body of story ${n}.</p><h4>A subhead</h4><p>More.</p>`, 'main', 'text/html')],
    by: 'Pat Reporter',
    located: 'CALGARY',
    subjects: [{ name: n % 2 ? 'Alberta' : 'Politics' }],
    renditions: [webRendition(`https://wire.example/story/${n}`)],
    associations: [
      {
        name: 'featureimage',
        uri: `urn:wirefeed:test:${n}:picture`,
        type: 'picture',
        descriptions: [text(`Caption of photo ${n}`, 'caption')],
        by: 'Jane Photographer/The Canadian Press',
        renditions: [{ name: 'original', href: `https://img.wire.example/${n}.jpg`, contentType: 'image/jpeg', width: 1200, height: 800 }],
      },
    ],
    ...over,
  });
  return itemWrite(item, { published: NOW - n * 3_600_000, link: `https://wire.example/entry/${n}` });
}

const parse = (html: string) => parseDocument(html);
/** An element's text with a space between its elements' texts, white space collapsed. */
function words(node: AnyNode): string {
  const collect = (n: AnyNode): string => ('children' in n ? n.children.map(collect).join(' ') : n.type === 'text' ? n.data : '');
  return collect(node).replace(/\s+/g, ' ').replace(/ ([.,;:)])/g, '$1').trim();
}
const all = (html: string, tag: string): Element[] => DomUtils.getElementsByTagName(tag, parse(html));
const byClass = (html: string, cls: string): Element[] =>
  DomUtils.findAll((el) => (el.attribs.class ?? '').split(' ').includes(cls), parse(html).children);

describe('pages', () => {
  let store: Store;
  let app: ReturnType<typeof createApp>;
  let dataReads = 0;

  beforeAll(async () => {
    const raw = createStore(openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-pages-')), 'w.db')).db, { now: () => NOW - 3_600_000 + 420 });
    store = { ...raw, listItems: async (q) => (dataReads++, raw.listItems(q)) };
    await store.syncSources(sources);
    await store.savePoll('wire', [1, 2, 3, 4, 5].map((n) => story(n)), { etag: null, lastModified: null, fetchedAt: NOW - 3_600_000, nextFetchAt: NOW + 5 * 60_000 });
    await store.saveFailure('down', { kind: 'fetch', message: 'HTTP 503 Service Unavailable from https://down.example/feed', at: NOW - 60_000 }, Date.UTC(2026, 10, 21, 14, 5));
    app = createApp({
      store,
      feeds: [{ name: 'alberta', title: 'Alberta', description: 'Stories from the province', filter: { categories: ['Alberta'] } }],
      baseUrl: base,
      title: 'Wire desk',
      now: () => NOW,
      compress: compressNode,
    });
  });

  const get = (path: string, headers: Record<string, string> = {}) => app.request(`${base}${path}`, { headers });
  const page = async (path: string, headers: Record<string, string> = {}) => {
    const res = await get(path, headers);
    expect(res.status, path).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    return res.text();
  };

  it('the index shows the newest stories beside the feeds, each feed described once', async () => {
    const html = await page('/');
    const headlines = all(html, 'h3').map((h) => DomUtils.textContent(h));
    expect(headlines.slice(0, 5)).toEqual([1, 2, 3, 4, 5].map((n) => `Story number ${n}`));
    expect(headlines).toEqual(expect.arrayContaining(['All stories', 'Alberta']));
    expect(html.match(/Every story from every source/g)).toHaveLength(1);
    expect(html).toContain('Stories from the province — Filter: categories Alberta.');
    expect(all(html, 'h1')).toHaveLength(1);
  });

  it('/feeds/:name and .html show the stories as normalized, with picture, caption, credit, byline, dateline, time, subjects and links', async () => {
    const html = await page('/feeds/all');
    expect(await page('/feeds/all.html')).toBe(html.replace(/\/feeds\/all"/g, '/feeds/all"'));
    const stories = byClass(html, 'story');
    expect(stories).toHaveLength(5);
    const first = DomUtils.getOuterHTML(stories[0]!);
    expect(first).toContain('<a href="https://wire.example/story/1">Story number 1</a>');
    expect(first).toContain('<span class="dateline">CALGARY</span>');
    expect(first).toContain(`<time datetime="${new Date(NOW - 3_600_000).toISOString()}">21 Nov 2026, 13:00 UTC</time>`);
    expect(first).toContain('<span class="byline">By Pat Reporter</span>');
    expect(first).toContain('<img src="https://img.wire.example/1.jpg" alt="Caption of photo 1" width="1200" height="800" loading="lazy">');
    expect(first).toContain('<figcaption>Caption of photo 1 <span class="credit">(Jane Photographer/The Canadian Press)</span></figcaption>');
    expect(first).toContain('<div class="summary"><p>Summary of story 1.</p></div>');
    expect(first).toContain(`<a href="${base}/feeds/all?category=Alberta">Alberta</a>`);
    expect(first).toContain(`<a href="${base}/items/${encodeURIComponent('urn:wirefeed:test:1')}">As normalized</a>`);
    expect(html).toContain(`<link rel="alternate" type="application/atom+xml" title="All stories (Atom)" href="${base}/feeds/all.atom">`);
  });

  it('pages with the feed\'s cursor, and the subscribe links and copy URL carry the filters but not the cursor', async () => {
    const html = await page('/feeds/all?limit=2&q=story');
    expect(byClass(html, 'story')).toHaveLength(2);
    const next = all(html, 'a').find((a) => a.attribs.rel === 'next')!;
    const rss = (await (await get('/feeds/all.rss?limit=2&q=story')).text());
    const cursor = /<atom:link rel="next" href="[^"]*before=([^"&]+)/.exec(rss)![1];
    expect(next.attribs.href).toBe(`${base}/feeds/all?limit=2&q=story&before=${cursor}`);
    const second = await page(next.attribs.href!.slice(base.length));
    expect(byClass(second, 'story').map((s) => DomUtils.textContent(DomUtils.getElementsByTagName('h2', s)[0]!))).toEqual(['Story number 3', 'Story number 4']);
    expect(second).toContain(`<code id="feed-url">${base}/feeds/all.rss?limit=2&amp;q=story</code>`);
    expect(second).toContain(`data-url="${base}/feeds/all.rss?limit=2&amp;q=story"`);
    for (const ext of ['rss', 'atom', 'json', 'ninjs']) expect(second).toContain(`href="${base}/feeds/all.${ext}?limit=2&amp;q=story"`);
    expect(all(second, 'a').some((a) => a.attribs.href === `${base}/feeds/all?limit=2&q=story` && DomUtils.textContent(a) === 'Newest stories')).toBe(true);
  });

  it('the filter form is a GET of the page with the current filters filled in; empty fields are dropped by a redirect', async () => {
    const html = await page('/feeds/alberta?q=story&since=P2D&filter_title=number');
    const form = all(html, 'form')[0]!;
    expect(form.attribs).toMatchObject({ method: 'get', action: `${base}/feeds/alberta` });
    const inputs = DomUtils.getElementsByTagName('input', form);
    expect(inputs.find((i) => i.attribs.name === 'q')!.attribs.value).toBe('story');
    expect(inputs.find((i) => i.attribs.name === 'filter_title')!.attribs).toMatchObject({ type: 'hidden', value: 'number' });
    const since = DomUtils.getElementsByTagName('select', form).find((s) => s.attribs.name === 'since')!;
    expect(DomUtils.getElementsByTagName('option', since).find((o) => 'selected' in o.attribs)!.attribs.value).toBe('P2D');
    expect(byClass(html, 'story')).toHaveLength(3);
    const submitted = await get('/feeds/alberta?q=story&category=&exclude_category=&provider=&located=&by=&since=P2D&limit=');
    expect(submitted.status).toBe(302);
    expect(submitted.headers.get('location')).toBe('/feeds/alberta?q=story&since=P2D');
  });

  it('feed pages are cached like the feeds: one render per data version, 304 on revalidation, gzip when asked', async () => {
    const before = dataReads;
    const first = await get('/feeds/alberta?q=number');
    const again = await get('/feeds/alberta?q=number', { 'If-None-Match': first.headers.get('etag')! });
    expect(again.status).toBe(304);
    await get('/feeds/alberta?q=number');
    expect(dataReads - before).toBe(1);
    const gzipped = await get('/feeds/alberta?q=number', { 'Accept-Encoding': 'gzip' });
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(gzipped.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(dataReads - before).toBe(1);
  });

  it("a feed page, once rendered, is answered by the runtime's fast path with the route's bytes and headers", async () => {
    const memo = memoizeDataVersion(store, 60_000);
    const representations = createRepresentations();
    const paired = createApp({ store: memo.store, feeds: [], baseUrl: base, title: 'Wire desk', now: () => NOW, representations });
    const serveCached = createFastPath({ representations, peekVersion: memo.peek, baseUrl: base, now: () => NOW });
    const request = { method: 'GET', url: '/feeds/all?q=story', headers: {} };
    expect(serveCached(request)).toBeNull();
    const full = await paired.request(`${base}/feeds/all?q=story`);
    const body = new Uint8Array(await full.arrayBuffer());
    const fast = serveCached(request)!;
    expect(fast.body).toEqual(body);
    const headers = new Headers();
    for (let i = 0; i < fast.headers.length; i += 2) headers.set(fast.headers[i]!, fast.headers[i + 1]!);
    expect([...headers]).toEqual([...full.headers]);
    expect(headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('unknown feeds 404 and bad filters 400; other extensions still serve the feed documents', async () => {
    expect((await get('/feeds/nope')).status).toBe(404);
    expect((await get('/feeds/all?limit=9999')).status).toBe(400);
    expect((await get('/feeds/all.rss')).headers.get('content-type')).toMatch(/^application\/rss\+xml/);
    expect((await get('/feeds/all?format=atom')).headers.get('content-type')).toMatch(/^application\/atom\+xml/);
  });

  it('/items/:id shows one item as normalized, where it came from, and its ninjs JSON escaped', async () => {
    const html = await page(`/items/${encodeURIComponent('urn:wirefeed:test:2')}`);
    expect(all(html, 'h1').map((h) => DomUtils.textContent(h))).toEqual(['Story number 2']);
    expect(html).toContain('<div class="body"><p>CALGARY — Body of story 2.</p><p><strong>A subhead</strong></p><p>More.</p></div>');
    expect(html).toContain('<a href="https://wire.example/entry/2" rel="noopener noreferrer">https://wire.example/entry/2</a>');
    expect(html).toContain('Wire <span class="muted">(wire)</span>');
    const json = DomUtils.textContent(all(html, 'pre')[0]!);
    expect(JSON.parse(json)).toMatchObject({ uri: 'urn:wirefeed:test:2', by: 'Pat Reporter', located: 'CALGARY' });
    expect(html).toContain('&quot;value&quot;: &quot;&lt;p&gt;CALGARY — Body of story 2.&lt;/p&gt;');
    expect((await get(`/items/${encodeURIComponent('urn:wirefeed:test:none')}`)).status).toBe(404);
  });

  it('/status is a page for browsers: health in words, the error explained with the retry time, next poll, counts and charts', async () => {
    const html = await page('/status', { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' });
    const [down, wire] = DomUtils.findAll((el) => el.name === 'section' && el.attribs.class === 'source', parse(html).children).map(words);
    expect(wire).toContain('Healthy: last polled 21 Nov 2026, 13:00 UTC (1 hour ago).');
    expect(wire).toContain('Next poll 21 Nov 2026, 14:05 UTC (in 5 minutes)');
    expect(down).toContain('Last error, 21 Nov 2026, 13:59 UTC:');
    expect(wire).toContain('Stories stored 5');
    expect(down).toContain('Failing: 1 poll in a row failed; it has never been fetched successfully.');
    expect(down).toContain('the upstream answered 503 Service Unavailable (a fault on its side); we retry at 14:05 UTC (in 5 minutes).');
    expect(html).toContain('1 of 2 sources healthy');
    const charts = all(html, 'svg');
    // Failing sources first.
    expect(charts.map((s) => s.attribs['aria-label'])).toEqual(['New stories per day, Down Wire', 'Average poll time per day, Down Wire', 'New stories per day, Wire', 'Average poll time per day, Wire']);
    const tips = (svg: Element) => DomUtils.getElementsByTagName('rect', svg).map((r) => DomUtils.textContent(r));
    expect(tips(charts[2]!).at(-1)).toBe('21/11: 5 new stories');
    expect(tips(charts[3]!).at(-1)).toBe('21/11: 1 poll, average 420 ms, longest 420 ms');
    expect(tips(charts[3]!)[0]).toBe('15/11: 0 polls, none timed');
    expect(tips(charts[1]!).at(-1)).toBe('21/11: 1 poll, none timed');
    expect(tips(charts[2]!)).toHaveLength(7);
  });

  it('/status stays JSON for Accept: application/json, for fetch and curl, and at /status.json', async () => {
    for (const headers of [{ Accept: 'application/json' }, { Accept: '*/*' }, {}, { Accept: 'application/json, text/html' }] as Record<string, string>[]) {
      const res = await get('/status', headers);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('vary')).toContain('Accept');
      const body = (await res.json()) as { sources: { id: string }[] };
      expect(body.sources.map((s) => s.id)).toEqual(['down', 'wire']);
    }
    const json = await get('/status.json', { Accept: 'text/html' });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(json.headers.get('cache-control')).toBe('no-store');
    expect((await get('/status', { Accept: 'text/html' })).headers.get('vary')).toContain('Accept');
  });

  it.each([
    [{ kind: 'fetch', message: 'Timed out after 20000 ms fetching https://x.example/f', at: 0 }, 'the upstream did not answer within 20 seconds; we retry at 00:10 UTC (in 10 minutes)'],
    [{ kind: 'fetch', message: 'HTTP 404 Not Found from https://x.example/f', at: 0 }, 'the upstream answered 404 Not Found (the feed is gone from that address: check the source URL); we retry'],
    [{ kind: 'fetch', message: 'HTTP 429 from https://x.example/f', at: 0 }, 'the upstream answered 429 (it asks us to poll less often)'],
    [{ kind: 'fetch', message: 'Could not resolve x.example: ENOTFOUND', at: 0 }, "the upstream's host name does not resolve (DNS)"],
    [{ kind: 'parse', message: 'not a feed: this is an HTML page', at: 0 }, 'the upstream answered, but not with a feed we can read: not a feed: this is an HTML page'],
    [{ kind: 'store', message: 'database is locked', at: 0 }, 'saving the poll in our database failed: database is locked'],
  ])('explains %o in plain words', (error, words) => {
    expect(explainError(error, 600_000, 0)).toContain(words);
  });
});

const PAYLOADS_PATH = fileURLToPath(new URL('../../../shared/corpus/hostile/xss_payloads.json', import.meta.url));

describe('pages with hostile stories', () => {
  if (!existsSync(PAYLOADS_PATH)) throw new Error(`The XSS corpus is missing at ${PAYLOADS_PATH}: the tests read it from ../shared beside the repository.`);
  const payloads = JSON.parse(readFileSync(PAYLOADS_PATH, 'utf8')) as string[];
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    const store = createStore(openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-pages-xss-')), 'w.db')).db);
    await store.syncSources([sources[0]!]);
    const writes = payloads.map((payload, i) =>
      itemWrite(
        newsItem(`xss-${i}`, {
          headlines: [text(payload, 'main', 'text/html')],
          descriptions: [text(payload, 'summary', 'text/html')],
          bodies: [text(payload, 'main', 'text/html')],
          by: payload,
          located: payload,
          subjects: [{ name: payload }],
          renditions: [webRendition('https://news.example.com/alberta/story.html')],
          associations: [
            { name: 'featureimage', uri: `urn:x:${i}:pic`, type: 'picture', descriptions: [text(payload, 'caption', 'text/html')], by: payload, renditions: [{ name: 'original', href: 'https://img.example.com/p.jpg', width: 800 }] },
          ],
        }),
        { published: NOW - i * 1000, link: payload },
      ),
    );
    await store.savePoll('wire', writes, { etag: null, lastModified: null, fetchedAt: NOW, nextFetchAt: NOW });
    await store.saveFailure('wire', { kind: 'parse', message: payloads.join(' '), at: NOW }, NOW + 60_000);
    app = createApp({ store, feeds: [], baseUrl: base, now: () => NOW });
  });

  /** Only our own markup outside the story slots: no handler, no script URL, no script but the copy button's. */
  function assertPageHarmless(html: string, where: string): void {
    const doc = parse(html);
    for (const el of DomUtils.findAll(() => true, doc.children)) {
      for (const [attr, value] of Object.entries(el.attribs)) {
        expect(attr.startsWith('on'), `${where}: <${el.name} ${attr}>`).toBe(false);
        if (['href', 'src', 'action'].includes(attr)) expect(/^\s*(?:javascript|vbscript|data):/i.test(value) && value !== 'data:,', `${where}: ${attr}="${value}"`).toBe(false);
      }
      expect(['iframe', 'object', 'embed', 'base', 'form'].includes(el.name) && !(el.name === 'form' && el.attribs.class === 'filter'), `${where}: <${el.name}>`).toBe(false);
    }
    const scripts = DomUtils.getElementsByTagName('script', doc);
    expect(scripts.length, where).toBeLessThanOrEqual(1);
    for (const s of scripts) expect(DomUtils.textContent(s)).toMatch(/^document\.getElementById\('copy-url'\)/);
    for (const slot of [...byClass(html, 'summary'), ...byClass(html, 'body')]) assertHtmlSafe(DomUtils.getInnerHTML(slot), `${where} .${slot.attribs.class}`);
  }

  it('the feed page, every item page, the index and the status page render every payload harmless', async () => {
    const feed = await (await app.request(`${base}/feeds/all?limit=100`)).text();
    expect(byClass(feed, 'story')).toHaveLength(payloads.length);
    assertPageHarmless(feed, 'feed page');
    assertPageHarmless(await (await app.request(`${base}/`)).text(), 'index');
    assertPageHarmless(await (await app.request(`${base}/status`, { headers: { Accept: 'text/html' } })).text(), 'status page');
    for (let i = 0; i < payloads.length; i++) {
      const res = await app.request(`${base}/items/${encodeURIComponent(`urn:wirefeed:test:xss-${i}`)}`);
      expect(res.status).toBe(200);
      assertPageHarmless(await res.text(), `item page ${i}`);
    }
  });
});
