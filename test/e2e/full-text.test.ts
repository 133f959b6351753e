/**
 * Full text, end to end: the real service (startNodeServer: SQLite on disk, the scheduler, the guarded
 * fetcher, the ingest worker pool that reads the pages, the HTTP app) polls a summary-only feed on loopback
 * whose article pages it fetches. The stories served carry the pages' text; a page that fails (404) keeps the
 * feed's summary and shows in /status; once the page is back, a forced refresh retries it after its backoff.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { startNodeServer } from '../../src/runtime/node.ts';
import { articlePage, siteFeed, story, type SiteStory } from '../support/full-text-site.ts';
import { jsonLines } from '../support/log-lines.ts';
import { waitFor } from '../support/wait-for.ts';

interface PageCounts {
  fetched: number;
  failed: number;
  pending: number;
  lastFailure: { url: string; uri: string; reason: string; attempts: number; at: string } | null;
}

describe('wirefeed serve with a fullText source', () => {
  const stories: SiteStory[] = [story(0), story(1), story(2)];
  const missing = new Set(['story-1']);
  const requests: string[] = [];
  let upstream: Server;
  let origin = '';
  let dir = '';
  let output = '';
  let server: Awaited<ReturnType<typeof startNodeServer>>;
  const token = 'full-text-e2e-admin-token-0123456789';

  const pages = async (): Promise<PageCounts | undefined> => {
    const body = (await (await fetch(`${server.url}/status.json`)).json()) as { sources: Array<{ id: string; pages?: PageCounts }> };
    return body.sources.find((s) => s.id === 'herald')?.pages;
  };
  const served = async (): Promise<Map<string, string>> => {
    const feed = (await (await fetch(`${server.url}/feeds/all.json`)).json()) as { items: Array<{ title: string; content_html?: string; content_text?: string }> };
    return new Map(feed.items.map((i) => [i.title, i.content_html ?? i.content_text ?? '']));
  };

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      const path = req.url ?? '/';
      requests.push(path);
      if (path === '/feed.xml') return void res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(siteFeed(origin, stories));
      const s = stories.find((x) => path === `/articles/${x.slug}`);
      if (!s || missing.has(s.slug)) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(articlePage(origin, s, []));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'wirefeed-fulltext-e2e-'));
    const config = validateConfig({
      sources: [{ id: 'herald', url: `${origin}/feed.xml`, title: 'Harbour Herald', allowPrivateNetwork: true, fullText: true, interval: 60 }],
      // One tick at start; the rest of the test drives polls through the admin API.
      schedule: { cron: '0 0 1 1 *', workers: 1 },
      limits: { fetchTimeoutMs: 5000 },
    });
    server = await startNodeServer({ config, dbPath: join(dir, 'wirefeed.db'), port: 0, host: '127.0.0.1', adminToken: token, log: (line) => void (output += `${line}\n`) });
  });
  afterAll(async () => {
    await server?.close();
    await new Promise((r) => upstream?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("serves the pages' stories, and shows the page that failed in /status with the feed's text kept", async () => {
    const counts = await waitFor(async () => {
      const p = await pages();
      return p && p.pending === 1 && p.fetched === 2 ? p : undefined;
    }, 'the first tick to fetch the pages');
    expect(counts).toMatchObject({ fetched: 2, failed: 1, pending: 1, lastFailure: { url: `${origin}/articles/story-1`, attempts: 1 } });
    expect(counts.lastFailure!.reason).toMatch(/^fetch: HTTP 404/);
    // Each page fetch is logged; the failure as a warning naming the page and the reason.
    const logged = jsonLines(output).filter((l) => l.event === 'page');
    expect(logged.map((l) => l.status).sort()).toEqual(['failed', 'fetched', 'fetched']);
    expect(logged.find((l) => l.status === 'failed')).toMatchObject({ source: 'herald', url: `${origin}/articles/story-1`, msg: expect.stringContaining("the feed's text stays") });
    expect(requests.filter((r) => r.startsWith('/articles/')).sort()).toEqual(['/articles/story-0', '/articles/story-1', '/articles/story-2']);

    const items = await served();
    expect(items.get(stories[0]!.headline)).toContain('A final vote is expected in April');
    expect(items.get(stories[2]!.headline)).toContain('A final vote is expected in April');
    expect(items.get(stories[1]!.headline)).toContain(stories[1]!.summary);
    expect(items.get(stories[1]!.headline)).not.toContain('A final vote');

    const html = await (await fetch(`${server.url}/status`, { headers: { Accept: 'text/html' } })).text();
    expect(html).toContain('Article pages (full text)');
    expect(html).toContain('2 fetched, 1 failed, 1 pending');

    // A forced refresh of the unchanged feed fetches no page: the failed one waits for its backoff.
    requests.length = 0;
    missing.clear();
    const refreshed = await fetch(`${server.url}/admin/sources/herald/refresh`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(refreshed.status).toBe(200);
    expect(requests).toEqual(['/feed.xml']);
    expect(await pages()).toMatchObject({ fetched: 2, failed: 1, pending: 1 });
  });
});
