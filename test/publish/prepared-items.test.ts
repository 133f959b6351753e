import { describe, expect, it } from 'vitest';
import type { NewsItem, SourceConfig } from '../../src/model.ts';
import { prepareItem } from '../../src/publish/feed-item.ts';
import { PreparedItems } from '../../src/publish/prepared-items.ts';
import { renderFeed, warmFeed, type FeedMeta, type OutputFormat } from '../../src/publish/render.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore, type ItemWrite } from '../../src/store/store.ts';
import { itemWrite, newsItem, text, webRendition } from '../support/items.ts';

const source: SourceConfig = { id: 'wire', url: 'https://wire.example/feed', title: 'Wire', interval: 15, categories: [], allowPrivateNetwork: false };
const FORMATS: OutputFormat[] = ['rss', 'atom', 'json'];

function story(n: number, over: Partial<NewsItem> = {}): ItemWrite {
  const item = newsItem(n, {
    contentCreated: new Date(Date.UTC(2026, 10, n)).toISOString(),
    headlines: [text(`Story <b>${n}</b> & more`, 'main', 'text/html')],
    descriptions: n % 2 ? [text(`Summary ${n} ]]> of it`, 'summary')] : undefined,
    bodies: [text(`<p>Body of story ${n}, <a href="/rel/${n}">relative</a>.</p><p>More.</p><script>x()</script>`, 'main', 'text/html')],
    by: 'Pat Reporter',
    subjects: [{ name: 'Politics' }, { name: `Cat ${n % 3}` }],
    renditions: [webRendition(`https://wire.example/story/${n}?a=1&b=2`)],
    associations: n % 3 === 0 ? [{ name: 'picture1', uri: `urn:test:pic:${n}`, type: 'picture', descriptions: [text('A caption', 'caption')], renditions: [{ name: 'original', href: `https://img.example/${n}.jpg`, width: 800, height: 600 }] }] : undefined,
    ...over,
  });
  return itemWrite(item, { published: Date.UTC(2026, 10, n) });
}

function meta(updated: Date, name = 'all'): FeedMeta {
  const paged = updated.getUTCDate() % 2 === 0;
  return {
    id: `https://wirefeed.test/feeds/${name}`,
    title: `${name} & <co> ]]>`,
    siteUrl: 'https://wirefeed.test/',
    selfUrl: `https://wirefeed.test/feeds/${name}.rss`,
    updated,
    hubUrl: 'https://hub.example/',
    ...(paged ? { nextUrl: 'https://wirefeed.test/feeds/all.rss?before=x&y=$&', language: 'en-CA' } : {}),
  };
}

async function storedItems(): Promise<NewsItem[]> {
  const store = createStore(openSqlite(':memory:').db);
  await store.syncSources([source]);
  const writes = [1, 2, 3, 4, 5, 6].map((n) => story(n));
  // A kill notice with no dates of its own but the store's, and an item the store dates by its first sight.
  writes.push(story(7, { pubStatus: 'canceled' }), story(8, { contentCreated: undefined }));
  // Items without a body: a feed of only these has no `content:encoded`, and declares its namespaces otherwise.
  writes.push(story(9, { bodies: undefined, by: undefined }), story(10, { bodies: undefined, descriptions: [text('Only a summary <i>here</i>', 'summary', 'text/html')] }));
  // An item with no web page (Atom links the site, the request's, instead) and one whose picture is story 3's.
  writes.push(story(11, { renditions: [] }));
  writes.push(story(12, { associations: [{ name: 'picture1', uri: 'urn:test:pic:12', type: 'picture', renditions: [{ name: 'original', href: 'https://img.example/3.jpg', contentType: 'image/png', width: 10, height: 10 }] }] }));
  await store.savePoll('wire', writes, { etag: null, lastModified: null, fetchedAt: Date.UTC(2026, 10, 20), nextFetchAt: 0 });
  const rows = await store.listItems({ categoryGroups: [], excludeCategories: [], sources: [], limit: 20, status: ['usable', 'canceled'] });
  return rows.map((r) => r.item);
}

describe('PreparedItems', () => {
  it('renders every format byte for byte as without the cache, first and later renders alike', async () => {
    const items = await storedItems();
    expect(items.length).toBe(12);
    const cache = new PreparedItems();
    for (const updated of [new Date(Date.UTC(2026, 10, 21)), new Date(Date.UTC(2026, 10, 22))]) {
      for (const format of FORMATS) {
        for (const subset of [items, items.slice(2), items.filter((_, i) => i % 2 === 0), items.filter((i) => !i.bodies), items.slice(0, 1), items.filter((i) => !/:(3|12)$/.test(i.uri)), []]) {
          const plain = renderFeed(meta(updated), subset, format).body;
          expect(renderFeed(meta(updated), subset, format, cache).body).toBe(plain);
          expect(renderFeed(meta(updated), subset, format, cache).body).toBe(plain);
          // The same items under another site: nothing of the request is kept in an item.
          const other = { ...meta(updated), siteUrl: 'https://other.test/' };
          expect(renderFeed(other, subset, format, cache).body).toBe(renderFeed(other, subset, format).body);
        }
      }
    }
    expect(cache.stats.misses).toBe(items.length);
    expect(cache.stats.hits).toBeGreaterThan(100);
    expect(renderFeed(meta(new Date(Date.UTC(2026, 10, 22))), items.filter((i) => !i.bodies), 'rss', cache).body).not.toContain('content:encoded>');
  });

  it('warms a feed in slices of time, pausing between, so that its render then writes nothing and gives the same bytes', async () => {
    const items = [...(await storedItems()), ...(await storedItems()), ...(await storedItems())];
    expect(items.length).toBe(36);
    for (const format of FORMATS) {
      const cache = new PreparedItems();
      const updated = new Date(Date.UTC(2026, 10, 21));
      // The first item is kept already: only the other 35 are written, in slices, with a pause between two.
      renderFeed(meta(updated), items.slice(0, 1), format, cache);
      // A clock that moves one tick each time it is read: the warm-up reads it before each item but the first, and
      // once after each pause, so a slice of 8 ticks is 8 items.
      let ticks = 0;
      const slice = { ms: 8, clock: () => ++ticks };
      let pauses = 0;
      const order: string[] = [];
      const pause = async (): Promise<void> => {
        pauses++;
        order.push(`pause at ${cache.size.entries}`);
      };
      await warmFeed(meta(updated), items, format, cache, pause, slice);
      expect(cache.size.entries).toBe(items.length);
      // 35 to prepare then as many to write, 8 a slice (Atom writes none: two of its entries share a picture).
      expect(pauses).toBe(format === 'atom' ? Math.ceil(35 / 8) - 1 : Math.ceil(70 / 8) - 1);
      // Each pause came after a chunk was prepared, not all at the end.
      expect(order[0]).toBe('pause at 9');
      const chars = cache.size.chars;
      const body = renderFeed(meta(updated), items, format, cache).body;
      expect(body).toBe(renderFeed(meta(updated), items, format).body);
      // The render after the warm-up only assembled: every item was prepared and its fragment kept.
      expect(cache.size.chars).toBe(chars);
      expect(cache.stats.misses).toBe(items.length);
      const before = pauses;
      // Warm already: nothing to write, no pause.
      await warmFeed(meta(updated), items, format, cache, pause, slice);
      expect(pauses).toBe(before);
      expect(cache.stats.misses).toBe(items.length);
    }
    // Atom keeps entries when no two share a picture: 33 items written then, all but the three without a link.
    const cache = new PreparedItems();
    const apart = items.filter((i) => !/:12$/.test(i.uri));
    await warmFeed(meta(new Date(Date.UTC(2026, 10, 21))), apart, 'atom', cache, async () => {});
    const chars = cache.size.chars;
    expect(renderFeed(meta(new Date(Date.UTC(2026, 10, 21))), apart, 'atom', cache).body).toBe(renderFeed(meta(new Date(Date.UTC(2026, 10, 21))), apart, 'atom').body);
    expect(cache.size.chars).toBe(chars);
  });

  it('prepares a stored item once for every feed that lists it again', async () => {
    const [first, second] = [await storedItems(), await storedItems()];
    const cache = new PreparedItems();
    const at = new Date(Date.UTC(2026, 10, 21));
    const a = cache.prepare(first[0]!, at);
    expect(cache.prepare(first[0]!, at)).toBe(a);
    expect(cache.prepare(first[0]!, new Date(Date.UTC(2027, 0, 1)))).toBe(a);
    // Another store's item is another object: prepared on its own, to the same values.
    expect(cache.prepare(second[0]!, at)).not.toBe(a);
    expect(cache.prepare(second[0]!, at)).toEqual(a);
  });

  it('keeps the feed date in the entry of an item that is dated by it', () => {
    const dateless = Object.freeze(newsItem('no-dates', { headlines: [text('No dates')], firstCreated: '', versionCreated: '', contentCreated: undefined }));
    const cache = new PreparedItems();
    const early = new Date(Date.UTC(2026, 0, 1));
    const late = new Date(Date.UTC(2026, 5, 1));
    expect(cache.prepare(dateless, early).published).toEqual(early);
    expect(cache.prepare(dateless, late).published).toEqual(late);
    expect(cache.prepare(dateless, late)).toEqual(prepareItem(dateless, late));
  });

  it('prepares an item that can change every time', () => {
    const item = newsItem('mutable', { headlines: [text('Before')], contentCreated: '2026-01-01T00:00:00Z' });
    const cache = new PreparedItems();
    const at = new Date(Date.UTC(2026, 0, 2));
    expect(cache.prepare(item, at).title).toBe('Before');
    item.headlines = [text('After')];
    expect(cache.prepare(item, at).title).toBe('After');
    expect(cache.stats.hits).toBe(0);
  });

  it('stays within its bounds, least recently used out first', async () => {
    const items = await storedItems();
    const at = new Date(Date.UTC(2026, 10, 21));
    const cache = new PreparedItems(3);
    for (const item of items.slice(0, 4)) cache.prepare(item, at);
    expect(cache.size.entries).toBe(3);
    const misses = cache.stats.misses;
    cache.prepare(items[0]!, at); // the oldest was dropped
    expect(cache.stats.misses).toBe(misses + 1);
    const small = new PreparedItems(100, 2000);
    for (const item of items) {
      const p = small.prepare(item, at);
      small.fragment(p, 'rss', () => 'x'.repeat(300));
      expect(small.size.chars).toBeLessThanOrEqual(2000);
    }
    expect(small.size.entries).toBeGreaterThan(0);
    expect(small.size.entries).toBeLessThan(items.length);
  });

  it('counts the items it keeps alive, not only what it made of them: fields no format renders weigh too', () => {
    const at = new Date(Date.UTC(2026, 10, 21));
    // Items whose prepared form is small but which carry a large field the feeds leave out.
    const heavy = [1, 2, 3, 4, 5].map((n) =>
      Object.freeze(newsItem(n, { headlines: [text(`Story ${n}`)], subjects: Array.from({ length: 200 }, (_, k) => ({ name: `Subject ${n}-${k} ${'x'.repeat(40)}`, uri: `urn:test:subject:${n}:${k}` })) })),
    );
    const cache = new PreparedItems(100, 30_000);
    for (const item of heavy) {
      const prepared = cache.prepare(item, at);
      expect(prepared.title).toMatch(/^Story \d$/);
      expect(cache.size.chars).toBeLessThanOrEqual(30_000);
    }
    // Each item holds ~14,000 characters of subjects: no more than two stay.
    expect(cache.size.entries).toBeLessThanOrEqual(2);
    expect(cache.size.entries).toBeGreaterThan(0);
  });
});
