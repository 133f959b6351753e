/**
 * Page extraction cost: our `extractArticlePage` (decode, parse with linkedom, metadata, sibling lists, site
 * rules, Readability, cleanup) against Readability alone (linkedom parse + `parse()`) on the same pages: the
 * 91 article pages of ../shared/corpus/articles. Per page, the two run back to back (order alternating) for a
 * few rounds after a warm-up round, so that background load hits both sides; the median is over all pages.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { extractArticlePage } from '../src/ingest/page/extract.ts';
import { summarize } from './stats.ts';

export interface PageBenchOptions {
  /** Measured rounds over the corpus (after one warm-up round). */
  rounds: number;
}

export interface PageReport {
  options: PageBenchOptions;
  pages: number;
  /** Median page size in bytes. */
  medianBytes: number;
  /** ms per page, over every page and round. */
  ours: { median: number; p99: number };
  reference: { median: number; p99: number };
  ratio: number;
}

const CORPUS = join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'articles', 'html');

/** Runs the page bench; throws when ../shared/corpus/articles is not there. */
export async function runPageBench(options: PageBenchOptions, progress: (line: string) => void): Promise<PageReport> {
  if (!existsSync(CORPUS)) throw new Error(`page bench: ${CORPUS} is missing (check out ../shared beside the repository)`);
  const pages = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.html.gz'))
    .map((f) => new Uint8Array(gunzipSync(readFileSync(join(CORPUS, f)))));
  const ours: number[] = [];
  const reference: number[] = [];
  const readabilityAlone = (bytes: Uint8Array): void => {
    const { document } = parseHTML(new TextDecoder().decode(bytes));
    new Readability(document as never).parse();
  };
  const oursOnce = (bytes: Uint8Array): void => {
    try {
      extractArticlePage({ bytes, url: 'https://news.example.com/story' });
    } catch {
      // a page without text still costs its time
    }
  };
  for (let round = 0; round <= options.rounds; round++) {
    progress(`page bench round ${round}/${options.rounds}${round === 0 ? ' (warm-up)' : ''}`);
    for (let i = 0; i < pages.length; i++) {
      const order = (round + i) % 2 === 0;
      for (const side of order ? ['ours', 'ref'] : ['ref', 'ours']) {
        const t = performance.now();
        if (side === 'ours') oursOnce(pages[i]!);
        else readabilityAlone(pages[i]!);
        const ms = performance.now() - t;
        if (round > 0) (side === 'ours' ? ours : reference).push(ms);
      }
      await new Promise((r) => setImmediate(r));
    }
  }
  const o = summarize(ours);
  const r = summarize(reference);
  const sizes = pages.map((p) => p.byteLength).sort((a, b) => a - b);
  return { options, pages: pages.length, medianBytes: sizes[sizes.length >> 1]!, ours: o, reference: r, ratio: o.median / r.median };
}
