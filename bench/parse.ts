/**
 * Parse cost: our `parseFeed` against rss-parser's `parseString` alone, on the same bytes in one run, for a
 * 100-item full-body RSS 2.0 feed and a 100-entry Atom feed. Both run in this process, interleaved
 * iteration by iteration after a warm-up, so that background load hits both sides of the ratio.
 */
import { parseFeed } from '../src/ingest/parse.ts';
import { rssParserParseString } from '../src/ingest/xml/rss-parser.ts';
import { makeStory, rng, zipfCategories, HTTP_CATEGORIES } from './fixtures.ts';
import { summarize } from './stats.ts';

export interface ParseOptions {
  /** Items or entries per feed. */
  items: number;
  warmup: number;
  iterations: number;
}

export interface ParseCase {
  name: string;
  bytes: number;
  items: number;
  /** Median and p99 ms per parse. */
  ours: { median: number; p99: number };
  reference: { median: number; p99: number };
  /** Our median over rss-parser's. */
  ratio: number;
}

export interface ParseReport {
  options: ParseOptions;
  cases: ParseCase[];
}

const xmlText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const BASE_TIME = Date.UTC(2026, 2, 16, 12, 0, 0);

function stories(n: number, seed: number) {
  const r = rng(seed);
  return Array.from({ length: n }, (_x, i) => {
    const published = BASE_TIME - i * 7 * 60_000;
    const item = makeStory(r, i, {
      source: 'bench-wire',
      published,
      categories: zipfCategories(r, HTTP_CATEGORIES),
      paragraphs: 4 + (i % 3),
      picture: i % 3 === 0,
    });
    return { item, published };
  });
}

/** A 100-item RSS 2.0 feed as wire services write them: summary, full body in content:encoded, media. */
export function makeRssFeed(n: number): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" ',
    'xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n',
    '<title>Bench Wire: Top Stories</title>\n<link>https://news.example/bench-wire/</link>\n',
    '<description>The latest stories from the bench wire desk.</description>\n<language>en-ca</language>\n',
    '<atom:link href="https://news.example/bench-wire/rss.xml" rel="self" type="application/rss+xml"/>\n',
    `<lastBuildDate>${new Date(BASE_TIME).toUTCString()}</lastBuildDate>\n<ttl>5</ttl>\n`,
  ];
  for (const { item, published } of stories(n, 20260316)) {
    const link = item.renditions![0]!.href;
    out.push(
      '<item>\n',
      `<title>${xmlText(item.headlines![0]!.value)}</title>\n<link>${link}</link>\n`,
      `<guid isPermaLink="false">${item.uri}</guid>\n<pubDate>${new Date(published).toUTCString()}</pubDate>\n`,
      `<dc:creator>${xmlText(item.by!.replace(/^By /, ''))}</dc:creator>\n`,
      ...(item.subjects ?? []).map((s) => `<category>${xmlText(s.name)}</category>\n`),
      `<description>${xmlText(item.descriptions![0]!.value)}</description>\n`,
      `<content:encoded><![CDATA[<p>${item.located} (${item.copyrightHolder}) — ${item.bodies![0]!.value.slice(3)}]]></content:encoded>\n`,
    );
    const picture = item.associations?.[0];
    if (picture) {
      const r = picture.renditions![0]!;
      out.push(
        `<media:content url="${r.href}" type="${r.contentType}" medium="image" width="${r.width}" height="${r.height}">`,
        `<media:title>${xmlText(picture.headlines![0]!.value)}</media:title>`,
        `<media:description>${xmlText(picture.descriptions![0]!.value)}</media:description>`,
        `<media:credit>${xmlText(picture.by!)}</media:credit></media:content>\n`,
      );
    }
    out.push('</item>\n');
  }
  out.push('</channel>\n</rss>\n');
  return out.join('');
}

/** A 100-entry Atom 1.0 feed: text summary, escaped-HTML content, authors, categories, links. */
export function makeAtomFeed(n: number): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n',
    '<title>Bench Wire: Regional Desk</title>\n<subtitle type="html">Stories from the &lt;em&gt;regional&lt;/em&gt; desk</subtitle>\n',
    '<link rel="alternate" type="text/html" href="https://news.example/bench-wire/"/>\n',
    '<link rel="self" type="application/atom+xml" href="https://news.example/bench-wire/atom.xml"/>\n',
    `<id>tag:news.example,2026:bench-wire</id>\n<updated>${new Date(BASE_TIME).toISOString()}</updated>\n`,
  ];
  for (const { item, published } of stories(n, 20260317)) {
    const iso = new Date(published).toISOString();
    out.push(
      '<entry>\n',
      `<id>tag:news.example,2026:${item.uri}</id>\n<title type="text">${xmlText(item.headlines![0]!.value)}</title>\n`,
      `<link rel="alternate" type="text/html" href="${item.renditions![0]!.href}"/>\n`,
      `<published>${iso}</published>\n<updated>${iso}</updated>\n`,
      `<author><name>${xmlText(item.by!.replace(/^By /, ''))}</name></author>\n`,
      ...(item.subjects ?? []).map((s) => `<category term="${xmlText(s.name)}"/>\n`),
      `<summary type="text">${xmlText(item.descriptions![0]!.value)}</summary>\n`,
      `<content type="html">${xmlText(item.bodies![0]!.value)}</content>\n`,
      '</entry>\n',
    );
  }
  out.push('</feed>\n');
  return out.join('');
}

async function timeOnce(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function measure(name: string, xml: string, o: ParseOptions, progress: (line: string) => void): Promise<ParseCase> {
  progress(`parse: ${name}, ${o.warmup} warm-up + ${o.iterations} iterations`);
  const feed = await parseFeed(xml);
  const ours: number[] = [];
  const reference: number[] = [];
  for (let i = 0; i < o.warmup + o.iterations; i++) {
    // Alternate which side goes first, so neither always runs on a freshly collected heap.
    const a = i % 2 === 0;
    const first = await timeOnce(a ? () => parseFeed(xml) : () => rssParserParseString(xml));
    const second = await timeOnce(a ? () => rssParserParseString(xml) : () => parseFeed(xml));
    if (i < o.warmup) continue;
    ours.push(a ? first : second);
    reference.push(a ? second : first);
  }
  const s = summarize(ours);
  const r = summarize(reference);
  return {
    name,
    bytes: new TextEncoder().encode(xml).length,
    items: feed.entries.length,
    ours: { median: s.median, p99: s.p99 },
    reference: { median: r.median, p99: r.p99 },
    ratio: s.median / r.median,
  };
}

/** Times both parsers on a generated RSS and a generated Atom feed. */
export async function runParseBench(o: ParseOptions, progress: (line: string) => void): Promise<ParseReport> {
  return {
    options: o,
    cases: [
      await measure(`RSS 2.0, ${o.items} items with full bodies`, makeRssFeed(o.items), o, progress),
      await measure(`Atom 1.0, ${o.items} entries`, makeAtomFeed(o.items), o, progress),
    ],
  };
}
