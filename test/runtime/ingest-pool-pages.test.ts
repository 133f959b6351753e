/**
 * Full text in the ingest pool: an article page is read in a worker thread, with the very function the
 * serving thread would run, and a page that cannot be read fails with the same kind of error.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { describeError } from '../../src/errors.ts';
import { processPage, type PageJob } from '../../src/ingest/full-text.ts';
import { parseFeed } from '../../src/ingest/parse.ts';
import { createIngestPool } from '../../src/runtime/ingest-pool.ts';
import { articlePage, siteFeed, story } from '../support/full-text-site.ts';

const ORIGIN = 'https://herald.example';
const pool = createIngestPool({ size: 1, jobTimeoutMs: 30_000 });
afterAll(() => pool.close());

async function job(html: string): Promise<PageJob> {
  const stories = [story(0), story(1)];
  const feed = await parseFeed(siteFeed(ORIGIN, stories), { url: `${ORIGIN}/feed.xml` });
  return {
    entry: feed.entries[0]!,
    feed: { ...feed, entries: [] },
    mode: true,
    source: { id: 'herald', url: `${ORIGIN}/feed.xml`, title: 'Herald', interval: 15, categories: [], allowPrivateNetwork: false, fullText: true },
    now: Date.UTC(2026, 2, 2, 13),
    url: `${ORIGIN}/articles/story-0`,
    bytes: new TextEncoder().encode(html),
    contentType: 'text/html; charset=utf-8',
  };
}

describe('IngestPool.processPage', () => {
  it('reads a page in a worker thread into the items processPage gives here', async () => {
    const html = articlePage(ORIGIN, story(0), [story(5)]);
    const inThread = await processPage(await job(html));
    const inWorker = await pool.processPage(await job(html));
    expect(pool.threads()).toBe(1);
    expect(inWorker.used).toBe(true);
    expect(inWorker.items).toEqual(inThread.items);
    expect(inWorker.items[0]!.item.bodies?.[0]?.value).toContain('A final vote is expected in April');
    expect(inWorker.items.map((i) => i.partial)).toEqual([false, true]);
  });

  it('fails a page with no story as a parse error', async () => {
    const err = await pool.processPage(await job('<!doctype html><html><body><p>Log in to read.</p></body></html>')).catch((e: unknown) => e);
    expect(describeError(err).kind).toBe('parse');
  });
});
