import { describe, expect, it } from 'vitest';
import { processFeed, type ProcessJob } from '../../src/ingest/process.ts';
import type { SourceConfig } from '../../src/model.ts';
import { parseFeed } from '../../src/ingest/parse.ts';
import { dedupe, normalizeEntry, normalizeFeed } from '../../src/normalize/index.ts';

const T0 = Date.UTC(2026, 5, 1, 12);
const src: SourceConfig = { id: 'wire', url: 'https://up.example/feed.xml', title: 'Wire', interval: 15, categories: [], allowPrivateNetwork: true };

// Every story lists the same siblings under "Just Posted", as local news sites do.
const body = (n: number): string =>
  `<p>Story ${n} opens with a sentence long enough to be a paragraph of its own, about the council vote.</p>` +
  `<p>It goes on with a second paragraph on what the mayor said after the meeting ended.</p>` +
  `<h3>Just Posted</h3><ul>` +
  [7, 8, 9].map((s) => `<li><a href="https://up.example/s/${s}">Sibling story number ${s} makes the list today</a></li>`).join('') +
  `</ul>`;
const rss =
  `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title><link>https://up.example/</link><description>d</description>` +
  [1, 2, 3]
    .map((n) => `<item><title>Story ${n} headline</title><guid>s-${n}</guid><link>https://up.example/s/${n}</link><content:encoded><![CDATA[${body(n)}]]></content:encoded></item>`)
    .join('') +
  `</channel></rss>`;
const job: ProcessJob = { bytes: new TextEncoder().encode(rss), contentType: 'application/rss+xml', url: src.url, source: src, now: T0 };

describe('siblings listed under every story of a feed', () => {
  it('are built once, yet every entry records them among what it gave', async () => {
    const result = await processFeed(job);
    const siblings = result.items.filter((i) => i.partial);
    expect(siblings.map((i) => i.link).sort()).toEqual([7, 8, 9].map((s) => `https://up.example/s/${s}`));
    const siblingUris = siblings.map((i) => i.item.uri).sort();
    // The entries, beside the document's own key (which gives nothing).
    const entries = result.entries!.filter((e) => e.gave!.uris.length > 0);
    expect(entries).toHaveLength(3);
    for (const entry of entries) expect([...entry.gave!.uris].filter((u) => siblingUris.includes(u)).sort()).toEqual(siblingUris);
  });

  it('come out of normalizeFeed as they do when every entry builds its own', async () => {
    const feed = await parseFeed(rss, { url: src.url });
    const now = new Date(T0);
    const own = dedupe(feed.entries.flatMap((entry) => normalizeEntry(entry, { source: src, now, feed })));
    expect(JSON.stringify(normalizeFeed(feed, { source: src, now }))).toBe(JSON.stringify(own));
    expect(own.filter((i) => i.partial)).toHaveLength(3);
  });
});
