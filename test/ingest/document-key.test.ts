import { describe, expect, it } from 'vitest';
import { documentKey, processFeed, type ProcessJob } from '../../src/ingest/process.ts';
import type { SourceConfig } from '../../src/model.ts';
import type { EntryYield } from '../../src/store/store.ts';

const T0 = Date.UTC(2026, 5, 1, 12);
const MIN = 60_000;
const src: SourceConfig = { id: 'wire', url: 'https://up.example/feed.xml', title: 'Wire', interval: 15, categories: [], allowPrivateNetwork: true };

const rss = (buildDate: string, stories: number[], extra = ''): string =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://up.example/</link><description>d</description>` +
  `<lastBuildDate>${buildDate}</lastBuildDate><pubDate>${buildDate}</pubDate>${extra}` +
  stories
    .map((n) => `<item><title>Story ${n}</title><guid>s-${n}</guid><link>https://up.example/s/${n}</link><pubDate>${new Date(T0 - n * MIN).toUTCString()}</pubDate><description>Body ${n}.</description></item>`)
    .join('') +
  `</channel></rss>`;

const job = (xml: string, knownEntries?: Map<string, EntryYield>): ProcessJob => ({
  bytes: new TextEncoder().encode(xml),
  contentType: 'application/rss+xml',
  url: src.url,
  source: src,
  now: T0,
  knownEntries,
});

/** The known entries a store would hold after saving `result` (what `savePoll` writes of its entries). */
const knownAfter = (result: Awaited<ReturnType<typeof processFeed>>, before = new Map<string, EntryYield>()): Map<string, EntryYield> =>
  new Map(result.entries!.map((e) => [e.hash, e.gave ?? before.get(e.hash)!]));

describe('a document whose every entry is known is not parsed again', () => {
  it('a new lastBuildDate and pubDate keep the key; a change in an entry or the feed head does not', () => {
    const key = documentKey(job(rss('Mon, 01 Jun 2026 11:00:00 GMT', [1, 2, 3])));
    expect(documentKey(job(rss('Mon, 01 Jun 2026 12:15:00 GMT', [1, 2, 3])))).toBe(key);
    expect(documentKey(job(rss('Mon, 01 Jun 2026 11:00:00 GMT', [1, 2, 4])))).not.toBe(key);
    expect(documentKey(job(rss('Mon, 01 Jun 2026 11:00:00 GMT', [1, 2, 3], '<language>fr</language>')))).not.toBe(key);
    expect(documentKey({ ...job(rss('Mon, 01 Jun 2026 11:00:00 GMT', [1, 2, 3])), source: { ...src, categories: ['x'] } })).not.toBe(key);
  });

  it('the second poll of the same entries gives what a full pass over them gives, without parsing', async () => {
    const first = await processFeed(job(rss('a', [1, 2, 3])));
    expect(first.items).toHaveLength(3);
    const known = knownAfter(first);
    const docKey = documentKey(job(rss('b', [1, 2, 3])));
    expect(known.has(docKey)).toBe(true);

    const again = await processFeed(job(rss('b', [1, 2, 3]), known));
    // The full pass over the same document, the document key left out of what is known.
    const full = await processFeed(job(rss('b', [1, 2, 3]), new Map([...known].filter(([hash]) => hash !== docKey))));
    expect(again.items).toEqual([]);
    expect(again.carried).toBe(full.carried);
    expect(again.carried).toBe(3);
    expect(again.refreshMinutes).toBe(full.refreshMinutes);
    expect(new Set(again.entries!.map((e) => e.hash))).toEqual(new Set(full.entries!.map((e) => e.hash)));
    expect(again.entries!.every((e) => e.gave === null)).toBe(true);

    // Not parsed: the same key with bytes that are no feed at all would fail a parse (here it is not reached).
    const broken = `<?xml version="1.0"?><rss><channel><lastBuildDate>x</lastBuildDate><item>`;
    const brokenKnown = new Map([[documentKey(job(broken)), { uris: [], supersedes: [] }]]);
    await expect(processFeed(job(broken))).rejects.toThrow();
    await expect(processFeed(job(broken, brokenKnown))).resolves.toMatchObject({ items: [], carried: 0 });
  });

  it('no key is recorded for a feed with a refresh hint or an entry dated after the poll', async () => {
    const withTtl = await processFeed(job(rss('a', [1, 2], '<ttl>30</ttl>')));
    expect(withTtl.refreshMinutes).toBe(30);
    expect(withTtl.entries!.some((e) => e.hash.startsWith('doc:'))).toBe(false);
    const future = await processFeed(job(rss('a', [-120, 1])));
    expect(future.entries!.some((e) => e.hash.startsWith('doc:'))).toBe(false);
    const plain = await processFeed(job(rss('a', [1, 2])));
    expect(plain.entries!.filter((e) => e.hash.startsWith('doc:'))).toHaveLength(1);
  });
});
