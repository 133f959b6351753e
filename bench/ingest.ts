/**
 * Ingest cost, step by step on the same bytes in one run: rss-parser's `parseString` and feedsmith's
 * `parseFeed` (references), our `parseFeed`, our `normalizeFeed`, and the store write of one poll (`savePoll`
 * into a real SQLite file in a temp dir). For a generated 100-entry feed with full newsroom HTML bodies
 * (~5 KB each) and for the development corpus (`../shared/corpus/realworld/feeds`) as a whole.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFeed as feedsmithParseFeed } from 'feedsmith';
import type { RawFeed, SourceConfig } from '../src/model.ts';
import { decodeFeedBytes } from '../src/ingest/decode.ts';
import { parseFeed } from '../src/ingest/parse.ts';
import { rssParserParseString } from '../src/ingest/xml/rss-parser.ts';
import { normalizeFeed, type NormalizedItem } from '../src/normalize/index.ts';
import { openSqlite } from '../src/runtime/sqlite.ts';
import { createStore } from '../src/store/store.ts';
import { forgetMemos } from '../src/util/string-memo.ts';
import { rng } from './fixtures.ts';
import { summarize } from './stats.ts';

export const CORPUS_DIR = new URL('../../shared/corpus/realworld/feeds/', import.meta.url);

export interface IngestOptions {
  items: number;
  warmup: number;
  iterations: number;
  /** Measured iterations per corpus feed (after one warm-up). */
  corpusIterations: number;
}

/** Median and p99 ms of one step; null when the step failed on this input. */
export type StepTime = { median: number; p99: number } | null;

export interface IngestSteps {
  rssParser: StepTime;
  feedsmith: StepTime;
  parse: StepTime;
  normalize: StepTime;
  store: StepTime;
}

export interface IngestCase {
  name: string;
  bytes: number;
  entries: number;
  items: number;
  steps: IngestSteps;
}

export interface CorpusTotals {
  feeds: number;
  bytes: number;
  entries: number;
  items: number;
  /** Sums of the per-feed medians, ms, over the feeds where the step succeeded, and how many those were. */
  totals: Record<keyof IngestSteps, { ms: number; feeds: number }>;
  /** Over the feeds rss-parser reads: our parse + normalize, and rss-parser alone (sums of medians, ms). */
  comparable: { feeds: number; ours: number; rssParser: number };
  /**
   * The process's first normalize of every feed, before the measured pass (ms, summed): it includes compiling
   * the code paths and regexes each feed is the first to need. The memos are then forgotten (`forgetMemos`), and
   * forgotten again before each measured normalize, so it normalizes text the process does not remember, in a
   * process that has warmed up.
   */
  firstPass: { ms: number; feeds: number };
  /**
   * The single first normalize of each feed in the measured pass (after the first pass and `forgetMemos`; ms,
   * summed): one sample per feed, so any collection that falls into it counts whole, where the steps' figures
   * are medians.
   */
  once: { ms: number; feeds: number };
}

export interface IngestReport {
  options: IngestOptions;
  generated: IngestCase;
  corpus: CorpusTotals | { absent: string };
}

const SOURCE: SourceConfig = {
  id: 'bench-wire', url: 'https://news.example/bench-wire/rss.xml', title: 'Bench Wire', interval: 5,
  provider: 'Bench Wire', categories: ['News'], allowPrivateNetwork: false,
};
const BASE_TIME = Date.UTC(2026, 2, 16, 12, 0, 0);
const NOW = new Date(BASE_TIME + 3_600_000);

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const PLACES = ['RED DEER, Alta.', 'SASKATOON, Sask.', 'KINGSTON, Ont.', 'NANAIMO, B.C.', 'MONCTON, N.B.', 'BRANDON, Man.'];
const WHO = ['The county', 'A provincial panel', 'The transit authority', 'Hospital administrators', 'The school district', 'Local growers', 'The harbour commission'];
const DID = ['voted to extend', 'put on hold', 'set aside money for', 'asked for a review of', 'quietly rewrote', 'signed off on'];
const WHAT = ['the snow-clearing contract', 'a second water reservoir', 'the late-night bus routes', 'a new dialysis unit', 'rural broadband grants', 'the downtown parking rules', 'flood barriers along the river'];
const TAIL = [
  'after a meeting that ran well past midnight',
  'following complaints from residents on the east side',
  'even though the numbers were not final',
  'while a court challenge is still pending',
  'with three members absent',
  'in a move that surprised some observers',
];
const QUOTES = [
  '"We heard people loud and clear, and this is the answer," the chair told reporters.',
  '"Nobody likes paying more, but the pipes are sixty years old," one engineer said.',
  '"It is a start, not a finish," said a spokesperson for the ratepayers group.',
  '"We will be watching how every dollar gets spent," a councillor said outside the chamber.',
];
const FACTS = [
  'The last comparable project came in 18 per cent over budget and two years late.',
  'Staff estimate about 4,200 households will notice a difference by next winter.',
  'Tenders are expected to go out in the spring, with work starting once the ground thaws.',
  'The figure does not include the cost of land, which is still being negotiated.',
  'A public open house is planned at the community hall later this month.',
  'Neighbouring municipalities have been asked whether they want to share the cost.',
  'An earlier version of the plan was rejected in 2023 over concerns about noise.',
  'Opponents have collected more than 900 signatures on a petition against it.',
];
const NAMES = ['Maren Holt', 'Desmond Achebe', 'Yuki Tanabe', 'Frances Leblanc', 'Omar Siddiqui', 'Hilde Brandt'];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function sentence(r: () => number): string {
  const x = r();
  if (x < 0.25) return pick(r, QUOTES);
  if (x < 0.6) return pick(r, FACTS);
  return `${pick(r, WHO)} ${pick(r, DID)} ${pick(r, WHAT)} ${pick(r, TAIL)}.`;
}

function paragraph(r: () => number): string {
  const n = 3 + Math.floor(r() * 3);
  return Array.from({ length: n }, () => sentence(r)).join(' ');
}

/** One story body as a newsroom CMS exports it: dateline lede, paragraphs, a figure, share links, a "Related" list. */
function storyBody(r: () => number, i: number): string {
  const parts: string[] = [];
  parts.push(`<p><strong>${pick(r, PLACES)}</strong> — ${esc(paragraph(r))}</p>`);
  const paragraphs = 6 + Math.floor(r() * 3);
  for (let p = 0; p < paragraphs; p++) {
    if (p === 2) {
      const photographer = pick(r, NAMES);
      parts.push(
        `<figure class="wp-block-image"><img src="https://cdn.news.example/photos/2026/03/story-${i}-${p}.jpg" ` +
          `alt="${esc(pick(r, WHAT))}" width="1200" height="800" loading="lazy"/>` +
          `<figcaption>${esc(`${pick(r, WHO)} at the site on Monday.`)} <em>Photo by ${photographer} / Bench Wire</em></figcaption></figure>`,
      );
    }
    const text = esc(paragraph(r));
    parts.push(p % 4 === 3 ? `<p>${text.replace(/\. /, '. <a href="https://news.example/bench-wire/background">Background</a>: ')}</p>` : `<p>${text}</p>`);
  }
  parts.push(
    '<div class="share"><a href="https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fnews.example%2F">Share on Facebook</a> ' +
      '<a href="https://twitter.com/intent/tweet?url=https%3A%2F%2Fnews.example%2F">Share on X</a> ' +
      '<a href="mailto:?subject=A%20story">Email</a></div>',
  );
  parts.push('<p>Follow Bench Wire on Facebook</p>');
  parts.push('<h3>Related</h3><ul>');
  for (let k = 0; k < 3; k++) {
    parts.push(`<li><a href="https://news.example/bench-wire/story-${(i + k + 1) * 7}">${esc(`${pick(r, WHO)} ${pick(r, DID)} ${pick(r, WHAT)}`)}</a></li>`);
  }
  parts.push('</ul>');
  return parts.join('\n');
}

/** A `n`-entry RSS 2.0 feed with full newsroom HTML bodies in `content:encoded` (~5 KB each), seeded. */
export function makeNewsroomFeed(n: number, seed = 20261201): string {
  const r = rng(seed);
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" ',
    'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n',
    '<title>Bench Wire: Local News</title>\n<link>https://news.example/bench-wire/</link>\n',
    '<description>Local news from the bench wire desk.</description>\n<language>en-CA</language>\n',
    `<lastBuildDate>${new Date(BASE_TIME).toUTCString()}</lastBuildDate>\n`,
  ];
  for (let i = 0; i < n; i++) {
    const title = `${pick(r, WHO)} ${pick(r, DID)} ${pick(r, WHAT)}`;
    const body = storyBody(r, i);
    out.push(
      '<item>\n',
      `<title>${esc(title)}</title>\n<link>https://news.example/bench-wire/story-${i}</link>\n`,
      `<guid isPermaLink="false">bench-wire-${i}</guid>\n<pubDate>${new Date(BASE_TIME - i * 11 * 60_000).toUTCString()}</pubDate>\n`,
      `<dc:creator>${pick(r, NAMES)}</dc:creator>\n<category>Local News</category>\n<category>${pick(r, ['Politics', 'Health', 'Business', 'Environment'])}</category>\n`,
      `<description>${esc(paragraph(r))}</description>\n`,
      `<content:encoded><![CDATA[${body}]]></content:encoded>\n`,
      '</item>\n',
    );
  }
  out.push('</channel>\n</rss>\n');
  return out.join('');
}

type Step = keyof IngestSteps;
const STEPS: Step[] = ['rssParser', 'feedsmith', 'parse', 'normalize', 'store'];

/** A store write of one poll: a fresh SQLite file per call (the cost of opening it is not timed). */
function storeWriter(dir: string) {
  let n = 0;
  return async (items: NormalizedItem[]): Promise<number> => {
    const path = join(dir, `poll-${n++}.sqlite`);
    const handle = openSqlite(path);
    try {
      const store = createStore(handle.db);
      await store.syncSources([SOURCE]);
      const t0 = performance.now();
      await store.savePoll(SOURCE.id, items, { etag: null, lastModified: null, fetchedAt: NOW.getTime(), nextFetchAt: NOW.getTime() + 300_000 });
      return performance.now() - t0;
    } finally {
      handle.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    }
  };
}

/**
 * Runs every step `warmup + iterations` times on the same text, interleaved, the step order rotating.
 * Normalize memoizes what it folds, so timing it again on the same feed would time the memo: it runs on
 * `variants` (the same generator with other seeds, one per iteration) when given, else on a fresh parse of the
 * feed; memos are forgotten before each (`forgetMemos`), so it is timed on text the process does not remember. `once` is the first normalize of the feed, cold.
 */
async function measure(
  xml: string,
  warmup: number,
  iterations: number,
  write: (items: NormalizedItem[]) => Promise<number>,
  variants?: RawFeed[],
) {
  let feed: RawFeed | null = null;
  let items: NormalizedItem[] | null = null;
  let coldNormalize = Number.NaN;
  try {
    feed = await parseFeed(xml, { url: SOURCE.url });
    forgetMemos();
    const t0 = performance.now();
    items = normalizeFeed(feed, { source: SOURCE, now: NOW });
    coldNormalize = performance.now() - t0;
  } catch {
    // Not a feed we read: only the references are timed.
  }
  let variant = 0;
  const ok: Record<Step, boolean> = { rssParser: true, feedsmith: true, parse: feed !== null, normalize: items !== null, store: items !== null };
  const run: Record<Step, () => Promise<number>> = {
    rssParser: () => time(() => rssParserParseString(xml)),
    feedsmith: () => time(async () => feedsmithParseFeed(xml)),
    parse: () => time(() => parseFeed(xml, { url: SOURCE.url })),
    normalize: async () => {
      const input = variants ? variants[variant++ % variants.length]! : await parseFeed(xml, { url: SOURCE.url });
      // Text not remembered: the variants share the generator's phrases, and a corpus feed is the same text again.
      forgetMemos();
      return time(async () => normalizeFeed(input, { source: SOURCE, now: NOW }));
    },
    store: () => write(items!),
  };
  const samples: Record<Step, number[]> = { rssParser: [], feedsmith: [], parse: [], normalize: [], store: [] };
  for (let i = 0; i < warmup + iterations; i++) {
    for (let k = 0; k < STEPS.length; k++) {
      const step = STEPS[(k + i) % STEPS.length]!;
      if (!ok[step]) continue;
      try {
        const ms = await run[step]();
        if (i >= warmup) samples[step].push(ms);
      } catch {
        ok[step] = false;
      }
    }
  }
  const steps = Object.fromEntries(
    STEPS.map((s) => {
      if (!ok[s] || samples[s].length === 0) return [s, null];
      const x = summarize(samples[s]);
      return [s, { median: x.median, p99: x.p99 }];
    }),
  ) as unknown as IngestSteps;
  return { steps, once: coldNormalize, entries: feed?.entries.length ?? 0, items: items?.length ?? 0 };
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Times the five steps on the generated feed and on the development corpus. */
export async function runIngestBench(o: IngestOptions, progress: (line: string) => void): Promise<IngestReport> {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-bench-ingest-'));
  try {
    const write = storeWriter(dir);
    const xml = makeNewsroomFeed(o.items);
    progress(`ingest: generated ${o.items}-entry feed, ${o.warmup} warm-up + ${o.iterations} iterations`);
    const variants: RawFeed[] = [];
    for (let i = 1; i <= o.warmup + o.iterations; i++) variants.push(await parseFeed(makeNewsroomFeed(o.items, 20261201 + i), { url: SOURCE.url }));
    const g = await measure(xml, o.warmup, o.iterations, write, variants);
    const generated: IngestCase = {
      name: `RSS 2.0, ${o.items} entries with full newsroom HTML bodies`,
      bytes: Buffer.byteLength(xml),
      entries: g.entries,
      items: g.items,
      steps: g.steps,
    };
    let files: string[];
    try {
      files = readdirSync(CORPUS_DIR).sort();
    } catch {
      return { options: o, generated, corpus: { absent: CORPUS_DIR.pathname } };
    }
    progress(`ingest: the development corpus, ${files.length} feeds: a first normalize of each, memos forgotten, then 1 warm-up + ${o.corpusIterations} iterations each (normalize on a fresh parse, memos forgotten before each)`);
    const totals = Object.fromEntries(STEPS.map((s) => [s, { ms: 0, feeds: 0 }])) as CorpusTotals['totals'];
    const texts = files.map((f) => {
      const bytes = readFileSync(new URL(f, CORPUS_DIR));
      return { bytes, text: decodeFeedBytes(bytes, null).text };
    });
    const firstPass = { ms: 0, feeds: 0 };
    for (const { text } of texts) {
      try {
        const feed = await parseFeed(text, { url: SOURCE.url });
        const t0 = performance.now();
        normalizeFeed(feed, { source: SOURCE, now: NOW });
        firstPass.ms += performance.now() - t0;
        firstPass.feeds++;
      } catch {
        // Not a feed we read.
      }
    }
    forgetMemos();
    const corpus: CorpusTotals = {
      feeds: files.length, bytes: 0, entries: 0, items: 0, totals, comparable: { feeds: 0, ours: 0, rssParser: 0 }, firstPass, once: { ms: 0, feeds: 0 },
    };
    for (const { bytes, text } of texts) {
      const m = await measure(text, 1, o.corpusIterations, write);
      corpus.bytes += bytes.length;
      corpus.entries += m.entries;
      corpus.items += m.items;
      if (!Number.isNaN(m.once)) {
        corpus.once.ms += m.once;
        corpus.once.feeds++;
      }
      for (const s of STEPS) {
        const t = m.steps[s];
        if (t) {
          totals[s].ms += t.median;
          totals[s].feeds++;
        }
      }
      if (m.steps.rssParser && m.steps.parse && m.steps.normalize) {
        corpus.comparable.feeds++;
        corpus.comparable.ours += m.steps.parse.median + m.steps.normalize.median;
        corpus.comparable.rssParser += m.steps.rssParser.median;
      }
    }
    return { options: o, generated, corpus };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
