import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import type { SourceConfig } from '../../src/model.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore, type ItemWrite, type Store } from '../../src/store/store.ts';
import { itemWrite, newsItem, text, webRendition } from '../support/items.ts';

const source: SourceConfig = { id: 'wire', url: 'https://wire.example/feed', title: 'Wire', interval: 15, categories: [], allowPrivateNetwork: false };

function story(n: number, categories: string[]): ItemWrite {
  const item = newsItem(n, {
    contentCreated: new Date(Date.UTC(2026, 10, n)).toISOString(),
    headlines: [text(`Story number ${n}`)],
    bodies: [text(`<p>Body of story ${n}.</p>`, 'main', 'text/html')],
    by: 'Pat Reporter',
    subjects: categories.map((name) => ({ name })),
    renditions: [webRendition(`https://wire.example/story/${n}`)],
  });
  return itemWrite(item, { published: Date.UTC(2026, 10, n) });
}

describe('HTTP app', () => {
  let store: Store;
  let app: ReturnType<typeof createApp>;
  const base = 'http://wirefeed.test';

  beforeAll(async () => {
    const handle = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-http-')), 'w.db'));
    store = createStore(handle.db);
    await store.syncSources([source]);
    await store.savePoll('wire', [story(1, ['Alberta']), story(2, ['Politics']), story(3, ['Alberta', 'Sports'])], {
      etag: null, lastModified: null, fetchedAt: Date.UTC(2026, 10, 20), nextFetchAt: 0,
    });
    app = createApp({
      store,
      feeds: [{ name: 'alberta', title: 'Alberta', filter: { categories: ['Alberta'], excludeCategories: ['Sports'] } }],
      baseUrl: base,
    });
  });

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => app.request(`${base}${path}`, { method, headers });

  it('the index lists every feed with subscribe links and autodiscovery', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const page = await res.text();
    for (const name of ['all', 'alberta']) {
      expect(page).toContain(`<link rel="alternate" type="application/rss+xml" title="`);
      expect(page).toContain(`href="${base}/feeds/${name}.rss"`);
      expect(page).toContain(`href="${base}/feeds/${name}.atom"`);
      expect(page).toContain(`href="${base}/feeds/${name}.json"`);
      expect(page).toContain(`href="${base}/feeds/${name}.ninjs"`);
    }
    expect(page).toContain(`href="${base}/opml"`);
    expect(page).toContain('<code>q=wildfire evacuation</code>');
  });

  it.each([
    ['rss', 'application/rss+xml; charset=utf-8', '<rss'],
    ['atom', 'application/atom+xml; charset=utf-8', '<feed'],
    ['json', 'application/feed+json; charset=utf-8', '"version": "https://jsonfeed.org/version/1.1"'],
  ])('serves all.%s with its content type', async (ext, type, marker) => {
    const res = await get(`/feeds/all.${ext}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    const body = await res.text();
    expect(body).toContain(marker);
    for (const n of [1, 2, 3]) expect(body).toContain(`Story number ${n}`);
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{16}"$/);
    expect(res.headers.get('last-modified')).toBe(new Date(Date.UTC(2026, 10, 20)).toUTCString());
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect(res.headers.get('vary')).toBe('Accept-Encoding');
  });

  it('a named feed applies its filter, and ?category= narrows any feed', async () => {
    const alberta = await (await get('/feeds/alberta.rss')).text();
    expect(alberta).toContain('Story number 1');
    expect(alberta).not.toContain('Story number 3'); // excluded: Sports
    expect(alberta).not.toContain('Story number 2');
    const politics = await (await get('/feeds/all.json?category=politics')).json() as { items: { title: string }[] };
    expect(politics.items.map((i) => i.title)).toEqual(['Story number 2']);
    const either = await (await get('/feeds/all.json?category=Politics,Sports')).json() as { items: { title: string }[] };
    expect(either.items.map((i) => i.title)).toEqual(['Story number 3', 'Story number 2']);
    const none = await (await get('/feeds/alberta.json?category=Politics')).json() as { items: unknown[] };
    expect(none.items).toEqual([]);
  });

  it('answers 304 to If-None-Match and If-Modified-Since, with no body', async () => {
    const first = await get('/feeds/all.atom');
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    const byTag = await get('/feeds/all.atom', { 'If-None-Match': etag });
    expect(byTag.status).toBe(304);
    expect(await byTag.text()).toBe('');
    expect(byTag.headers.get('etag')).toBe(etag);
    expect((await get('/feeds/all.atom', { 'If-None-Match': `"other", W/${etag}` })).status).toBe(304);
    expect((await get('/feeds/all.atom', { 'If-Modified-Since': lastModified })).status).toBe(304);
    expect((await get('/feeds/all.atom', { 'If-Modified-Since': new Date(Date.UTC(2026, 10, 19)).toUTCString() })).status).toBe(200);
    // If-None-Match wins over If-Modified-Since (RFC 9110).
    expect((await get('/feeds/all.atom', { 'If-None-Match': '"stale"', 'If-Modified-Since': lastModified })).status).toBe(200);
  });

  it('representations differ per format and filter, each with its own ETag', async () => {
    const tags = await Promise.all(['/feeds/all.rss', '/feeds/all.atom', '/feeds/all.rss?category=alberta'].map(async (p) => (await get(p)).headers.get('etag')));
    expect(new Set(tags).size).toBe(3);
  });

  it('HEAD gives the headers without a body', async () => {
    const res = await get('/feeds/all.rss', {}, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe((await get('/feeds/all.rss')).headers.get('etag'));
    expect(await res.text()).toBe('');
  });

  it('a new ingest changes the representation', async () => {
    const before = (await get('/feeds/all.rss')).headers.get('etag');
    await store.savePoll('wire', [story(4, ['Politics'])], { etag: null, lastModified: null, fetchedAt: Date.UTC(2026, 10, 21), nextFetchAt: 0 });
    const after = await get('/feeds/all.rss');
    expect(after.headers.get('etag')).not.toBe(before);
    expect(await after.text()).toContain('Story number 4');
  });

  it.each([
    ['/feeds/nope.rss', 404],
    ['/feeds/all.xml', 404],
    ['/feeds/all?format=xml', 400],
    ['/feeds/all.rss?format=atom', 400],
    ['/feeds/all.rss?since=yesterday', 400],
    ['/feeds/all.rss?filter=(a', 400],
    ['/feeds/all.rss?filter_title=(a)\\1', 400],
    ['/feeds/all.rss?limit=abc', 400],
    ['/feeds/all.rss?limit=100000', 400],
    ['/elsewhere', 404],
  ])('%s → %i with a JSON error', async (path, status) => {
    const res = await get(path);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error.length).toBeGreaterThan(5);
  });

  it('/status lists each source with its state and item count; /healthz says ok', async () => {
    const status = (await (await get('/status')).json()) as { sources: { id: string; items: number; lastSuccessAt: string; lastError: unknown }[] };
    expect(status.sources).toEqual([expect.objectContaining({ id: 'wire', items: 4, lastError: null, lastSuccessAt: '2026-11-21T00:00:00.000Z' })]);
    expect(await (await get('/healthz')).text()).toBe('ok');
  });
});
