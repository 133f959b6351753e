import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { openSqlite, type SqliteHandle } from '../../src/runtime/sqlite.ts';
import { createStore } from '../../src/store/store.ts';

// /status and /status.json over 3,000 sources (real SQLite on disk): one page at a time, every source once.

const base = 'http://wirefeed.test';
const ids = Array.from({ length: 3000 }, (_, i) => `src-${String(i).padStart(4, '0')}`);
const failing = ['src-0042', 'src-2500'];

describe('/status pages through thousands of sources', () => {
  let sqlite: SqliteHandle;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    sqlite = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-status-')), 's.db'));
    const store = createStore(sqlite.db);
    await store.syncSources(ids.map((id) => ({ id, url: `https://${id}.example/feed.xml`, title: `Source ${id}`, interval: 15, categories: [], allowPrivateNetwork: false })));
    for (const id of failing) await store.saveFailure(id, { kind: 'fetch', message: 'HTTP 503 Service Unavailable from upstream', at: Date.now() - 60_000 }, Date.now() + 60_000);
    app = createApp({ store, feeds: [] });
  });
  afterAll(() => sqlite.close());

  it('HTML: 100 sources a page, failing ones first, counts over all, a next link through all 30 pages', async () => {
    const seen: string[] = [];
    let url: string | null = `${base}/status`;
    let pages = 0;
    while (url) {
      const html = await (await app.request(url, { headers: { Accept: 'text/html' } })).text();
      if (pages === 0) {
        expect(html).toContain('2998 of 3000 sources healthy');
        expect(html).toContain('This page shows 100 of them, failing sources first.');
      }
      const sections = [...html.matchAll(/<section class="source" id="source-([^"]+)">/g)].map((m) => m[1]!);
      expect(sections.length).toBeLessThanOrEqual(100);
      seen.push(...sections);
      url = /<a rel="next" href="([^"]+)">/.exec(html)?.[1]?.replace(/&amp;/g, '&') ?? null;
      pages++;
    }
    expect(pages).toBe(30);
    expect(seen.slice(0, 2)).toEqual(failing);
    expect(seen).toHaveLength(3000);
    expect(new Set(seen)).toEqual(new Set(ids));
  });

  it('JSON: 1,000 sources a page by id with a next URL (also in a Link header); limit and a bad cursor are checked', async () => {
    const seen: string[] = [];
    let url: string | null = `${base}/status.json`;
    while (url) {
      const res = await app.request(url);
      const body = (await res.json()) as { sources: Array<{ id: string }>; next: string | null };
      expect(body.sources.length).toBeLessThanOrEqual(1000);
      if (body.next) expect(res.headers.get('link')).toBe(`<${body.next}>; rel="next"`);
      seen.push(...body.sources.map((s) => s.id));
      url = body.next;
    }
    expect(seen).toEqual(ids);
    expect(((await (await app.request(`${base}/status.json?limit=7`)).json()) as { sources: unknown[] }).sources).toHaveLength(7);
    expect((await app.request(`${base}/status.json?limit=5000`)).status).toBe(400);
    expect((await app.request(`${base}/status.json?cursor=nonsense`)).status).toBe(400);
  });
});
