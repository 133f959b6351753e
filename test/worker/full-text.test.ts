/**
 * Full text on Workers: page fetches count against the subrequest budget of one invocation. A tick fetches
 * at most `limits.pageFetchesPerTick` article pages; the rest wait in D1 and the next ticks carry them on.
 */
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { createWorker } from '../../src/runtime/worker-handlers.ts';
import { articlePage, siteFeed, story } from '../support/full-text-site.ts';

const ORIGIN = 'https://herald.test';

describe('full text per Cron Trigger invocation', () => {
  it('fetches at most limits.pageFetchesPerTick pages per tick and carries the rest to the next ticks', async () => {
    const stories = [0, 1, 2, 3, 4].map((i) => story(i));
    const config = validateConfig({
      sources: [{ id: 'herald', url: `${ORIGIN}/feed.xml`, title: 'Harbour Herald', fullText: true }],
      limits: { pageFetchesPerTick: 2 },
    });
    const fetched: string[] = [];
    const worker = createWorker(config, {
      cache: null,
      log: () => {},
      fetch: async (input) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        fetched.push(url.pathname);
        if (url.pathname === '/feed.xml') return new Response(siteFeed(ORIGIN, stories), { headers: { 'Content-Type': 'application/rss+xml' } });
        const s = stories.find((x) => url.pathname === `/articles/${x.slug}`);
        return s ? new Response(articlePage(ORIGIN, s, []), { headers: { 'Content-Type': 'text/html; charset=utf-8' } }) : new Response('not found', { status: 404 });
      },
    });
    const tick = async (): Promise<string[]> => {
      fetched.length = 0;
      const ctx = createExecutionContext();
      // Without the queue binding: this test is of the per-invocation page budget, not of the fan-out.
      await worker.scheduled(createScheduledController({ cron: '*/5 * * * *' }), { DB: env.DB }, ctx);
      await waitOnExecutionContext(ctx);
      return [...fetched];
    };
    const pages = async (): Promise<{ fetched: number; failed: number; pending: number }> => {
      const res = await worker.fetch(new Request('https://wirefeed.test/status.json'), env, createExecutionContext());
      const body = (await res.json()) as { sources: Array<{ id: string; pages: { fetched: number; failed: number; pending: number } }> };
      return body.sources.find((s) => s.id === 'herald')!.pages;
    };
    const withStory = async (): Promise<number> => {
      const { results } = await env.DB.prepare(`SELECT data FROM items WHERE source_id = 'herald'`).all<{ data: string }>();
      return results.filter((r) => r.data.includes('A final vote is expected in April')).length;
    };

    // First tick: the feed and two pages; three wait.
    expect(await tick()).toEqual(['/feed.xml', '/articles/story-0', '/articles/story-1']);
    expect(await pages()).toMatchObject({ fetched: 2, failed: 0, pending: 3 });
    expect(await withStory()).toBe(2);
    // The source is not due again, but its waiting pages are: two more, then the last one.
    expect(await tick()).toEqual(['/articles/story-2', '/articles/story-3']);
    expect(await tick()).toEqual(['/articles/story-4']);
    expect(await pages()).toMatchObject({ fetched: 5, failed: 0, pending: 0 });
    expect(await withStory()).toBe(5);
    // Nothing left: a tick fetches nothing.
    expect(await tick()).toEqual([]);
  });
});
