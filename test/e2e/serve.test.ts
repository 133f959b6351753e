import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../support/serve-process.ts';
import { waitFor } from '../support/wait-for.ts';

const upstreamFeed = (titles: string[]) => `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Local upstream</title><link>https://upstream.example/</link><description>test</description>
${titles.map((t, i) => `<item><title>${t}</title><link>https://upstream.example/s/${i}</link><guid>s-${i}</guid><category>Alberta</category><pubDate>Tue, 0${i + 1} Sep 2026 10:00:00 GMT</pubDate><description>About ${t}.</description></item>`).join('\n')}
</channel></rss>`;

describe('wirefeed serve, end to end', () => {
  let upstream: Server;
  let upstreamHits = 0;
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      upstreamHits++;
      if (req.url === '/broken.xml') {
        res.writeHead(500).end('upstream exploded');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8', ETag: '"v1"' });
      res.end(upstreamFeed(['Council approves budget', 'River levels drop', 'Rink reopens']));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'wirefeed-e2e-'));
    const config = {
      sources: [
        { id: 'local', url: `http://127.0.0.1:${port}/feed.xml`, title: 'Local upstream', allowPrivateNetwork: true, categories: ['Local'] },
        { id: 'broken', url: `http://127.0.0.1:${port}/broken.xml`, title: 'Broken upstream', allowPrivateNetwork: true },
      ],
      feeds: [{ name: 'alberta', title: 'Alberta', filter: { categories: ['Alberta'] } }],
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    server = await startServer({ PORT: '0', HOST: '127.0.0.1', WIREFEED_CONFIG: join(dir, 'config.json'), WIREFEED_DB: join(dir, 'e2e.db') });
  });

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  it('ingests at start-up and serves the stories, read back by rss-parser', async () => {
    const status = await waitFor(async () => {
      const body = (await (await fetch(`${server.url}/status`)).json()) as { sources: { id: string; items: number; lastError: unknown }[] };
      const local = body.sources.find((s) => s.id === 'local');
      const broken = body.sources.find((s) => s.id === 'broken');
      return local && local.items > 0 && broken?.lastError ? body : undefined;
    }, 'the first ingest');
    expect(status.sources.find((s) => s.id === 'local')!.items).toBe(3);
    expect(status.sources.find((s) => s.id === 'broken')!.lastError).toMatchObject({ kind: 'fetch', message: expect.stringContaining('HTTP 500') });

    const parser = new Parser();
    const rss = await parser.parseString(await (await fetch(`${server.url}/feeds/all.rss`)).text());
    expect(rss.items.map((i) => i.title)).toEqual(['Rink reopens', 'River levels drop', 'Council approves budget']);
    expect(rss.items[0]!.link).toBe('https://upstream.example/s/2');
    const atom = await parser.parseString(await (await fetch(`${server.url}/feeds/alberta.atom`)).text());
    expect(atom.items).toHaveLength(3);
    const json = (await (await fetch(`${server.url}/feeds/all.json?category=local`)).json()) as { items: unknown[] };
    expect(json.items).toHaveLength(3);
    const index = await (await fetch(`${server.url}/`)).text();
    expect(index).toContain(`${server.url}/feeds/alberta.rss`);
  });

  it('serves 304 to a poller that sends the ETag back', async () => {
    const first = await fetch(`${server.url}/feeds/all.rss`);
    const again = await fetch(`${server.url}/feeds/all.rss`, { headers: { 'If-None-Match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });
});
