import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { Document, Element } from 'domhandler';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore, type Store } from '../../src/store/store.ts';
import { itemWrite, newsItem, text, webRendition } from '../support/items.ts';

// A filtered feed is a feed of its own; stories are dated by when they were published, not fetched;
// the configured language and the OPML date reach the documents. Real SQLite, the real app.

const base = 'https://feeds.example.org';
const FETCHED_AT = Date.UTC(2026, 10, 20, 9, 30);
const STORIES = [
  { n: 1, category: 'Business', published: '2021-03-04T10:00:00.000Z' },
  { n: 2, category: 'Sports', published: '2022-07-08T11:30:00.000Z' },
  { n: 3, category: 'Business', published: '2023-11-12T12:45:00.000Z' },
];

function xml(body: string): Document {
  return parseDocument(body, { xmlMode: true });
}
const all = (doc: Document | Element, name: string): Element[] => DomUtils.getElementsByTagName(name, doc);
const first = (doc: Document | Element, name: string): Element | undefined => all(doc, name)[0];
const textOf = (el: Element | undefined): string | undefined => (el ? DomUtils.textContent(el) : undefined);
/** The feed's own children named `name` (not those of its entries). */
const own = (doc: Document, root: string, name: string): Element[] =>
  (first(doc, root)?.children ?? []).filter((c): c is Element => (c as Element).name === name);

describe('feeds that are their own feeds and date right', () => {
  let store: Store;
  let app: ReturnType<typeof createApp>;
  const get = async (path: string): Promise<string> => {
    const res = await app.request(`${base}${path}`);
    expect(res.status, path).toBe(200);
    return res.text();
  };

  beforeAll(async () => {
    store = createStore(openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-identity-')), 'w.db')).db);
    await store.syncSources([{ id: 'wire', url: 'https://wire.example/feed', title: 'Wire', interval: 15, categories: [], allowPrivateNetwork: false }]);
    const writes = STORIES.map(({ n, category, published }) =>
      itemWrite(
        newsItem(n, {
          contentCreated: published,
          subjects: [{ name: category }],
          bodies: [text(`<p>Lede of story ${n}.</p><p>More of story ${n}.</p>`, 'main', 'text/html')],
          by: `Reporter ${n}`,
          renditions: [webRendition(`https://wire.example/${n}`)],
        }),
        { published: Date.parse(published), categories: [category] },
      ),
    );
    await store.savePoll('wire', writes, { etag: null, lastModified: null, fetchedAt: FETCHED_AT, nextFetchAt: 0 });
    app = createApp({ store, feeds: [], baseUrl: base, title: 'Gazette', language: 'fr-CA' });
  });

  it('dates Atom entries by publication, not by the fetch: updated and published are the story times, all distinct', async () => {
    const doc = xml(await get('/feeds/all.atom'));
    const entries = all(doc, 'entry');
    const expected = [...STORIES].reverse().map((s) => s.published);
    expect(entries.map((e) => textOf(first(e, 'updated')))).toEqual(expected);
    expect(entries.map((e) => textOf(first(e, 'published')))).toEqual(expected);
    expect(new Set(expected).size).toBe(expected.length);
  });

  it('dates RSS and JSON Feed items the same way', async () => {
    const rss = xml(await get('/feeds/all.rss'));
    const expected = [...STORIES].reverse().map((s) => s.published);
    expect(all(rss, 'pubDate').map((d) => new Date(textOf(d) ?? '').toISOString())).toEqual(expected);
    const json = JSON.parse(await get('/feeds/all.json')) as { items: { date_published: string; date_modified: string }[] };
    expect(json.items.map((i) => i.date_published)).toEqual(expected);
    expect(json.items.map((i) => i.date_modified)).toEqual(expected);
  });

  it('gives each RSS item a description, its lede, before content:encoded', async () => {
    const rss = xml(await get('/feeds/all.rss'));
    for (const [i, item] of all(rss, 'item').entries()) {
      const names = item.children.filter((c): c is Element => (c as Element).name !== undefined).map((c) => c.name);
      expect(names.indexOf('description'), `item ${i}`).toBeGreaterThanOrEqual(0);
      expect(names.indexOf('description'), `item ${i}`).toBeLessThan(names.indexOf('content:encoded'));
      expect(textOf(first(item, 'description'))).toBe(`Lede of story ${3 - i}.`);
    }
  });

  it('carries the configured language in every format', async () => {
    expect(textOf(own(xml(await get('/feeds/all.rss')), 'channel', 'language')[0])).toBe('fr-CA');
    expect(first(xml(await get('/feeds/all.atom')), 'feed')?.attribs['xml:lang']).toBe('fr-CA');
    expect((JSON.parse(await get('/feeds/all.json')) as { language: string }).language).toBe('fr-CA');
  });

  it('gives a filtered feed its own id, title and self link, stable whatever the parameter order', async () => {
    const plain = xml(await get('/feeds/all.atom'));
    expect(textOf(own(plain, 'feed', 'id')[0])).toBe(`${base}/feeds/all`);
    expect(textOf(own(plain, 'feed', 'title')[0])).toBe('Gazette');

    const path = '/feeds/all.atom?category=Business';
    const filtered = xml(await get(path));
    expect(textOf(own(filtered, 'feed', 'id')[0])).toBe(`${base}/feeds/all?category=business`);
    expect(textOf(own(filtered, 'feed', 'title')[0])).toBe('All stories — category Business — Gazette');
    expect(own(filtered, 'feed', 'link').find((l) => l.attribs.rel === 'self')?.attribs.href).toBe(`${base}${path}`);
    expect(all(filtered, 'entry').length).toBe(2);

    const idOf = async (query: string): Promise<string | undefined> => textOf(own(xml(await get(`/feeds/all.atom?${query}`)), 'feed', 'id')[0]);
    const same = await Promise.all(['q=lede&category=Business,Sports', 'category=sports&q=Lede&category=business', 'category=Sports,Business&limit=5&q=lede'].map(idOf));
    expect(new Set(same).size).toBe(1);
    expect(same[0]).toBe(`${base}/feeds/all?category=business%2Csports&q=lede`);
    expect(await idOf('category=Sports')).not.toBe(await idOf('category=Business'));
    // Paging and size are the same feed.
    expect(await idOf('category=Business&limit=1')).toBe(`${base}/feeds/all?category=business`);
  });

  it('gives a filtered JSON Feed its own feed_url and home_page_url', async () => {
    const plain = JSON.parse(await get('/feeds/all.json')) as { feed_url: string; home_page_url: string; title: string };
    expect(plain).toMatchObject({ feed_url: `${base}/feeds/all.json`, home_page_url: `${base}/` });
    const path = '/feeds/all.json?category=Business';
    const filtered = JSON.parse(await get(path)) as { feed_url: string; home_page_url: string; title: string };
    expect(filtered).toMatchObject({
      feed_url: `${base}${path}`,
      home_page_url: `${base}/feeds/all?category=business`,
      title: 'All stories — category Business — Gazette',
    });
    // The home page is a real resource: the HTML page of this very filter.
    const home = await app.request(filtered.home_page_url);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await home.text()).match(/<article class="story"/g)?.length).toBe(2);
  });

  it('dates the OPML list by the newest change, and leaves an empty store undated', async () => {
    const opml = xml(await get('/opml'));
    expect(textOf(first(opml, 'dateCreated'))).toBe(new Date(FETCHED_AT).toUTCString());
    expect(textOf(first(opml, 'dateModified'))).toBe(new Date(FETCHED_AT).toUTCString());

    const empty = createStore(openSqlite(':memory:').db);
    const res = await createApp({ store: empty, feeds: [], baseUrl: base }).request(`${base}/opml`);
    const body = await res.text();
    expect(body).toContain('<opml version="2.0">');
    expect(body).not.toContain('1970');
    expect(body).not.toContain('<dateCreated>');
  });
});
