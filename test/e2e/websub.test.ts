import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { openNodeService } from '../../src/runtime/node.ts';

/** A WebSub hub on 127.0.0.1 that records the publish pings it receives. */
describe('WebSub: the service pings a local hub after an ingest that changed data', () => {
  let hub: Server;
  let upstream: Server;
  let hubUrl: string;
  let upstreamUrl: string;
  let stories = ['First story'];
  const pings: URLSearchParams[] = [];

  beforeAll(async () => {
    hub = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.method === 'POST' && req.headers['content-type'] === 'application/x-www-form-urlencoded') pings.push(new URLSearchParams(body));
        res.writeHead(204).end();
      });
    });
    upstream = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
      res.end(`<rss version="2.0"><channel><title>Up</title><link>https://up.example/</link>${stories
        .map((t, i) => `<item><title>${t}</title><guid>g${i}</guid><link>https://up.example/${i}</link><pubDate>Mon, 2${i} Apr 2026 10:00:00 GMT</pubDate></item>`)
        .join('')}</channel></rss>`);
    });
    await Promise.all([hub, upstream].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
    hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/hub`;
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/feed.xml`;
  });
  afterAll(async () => {
    await Promise.all([hub, upstream].map((s) => new Promise<void>((r) => s.close(() => r()))));
  });

  it('publishes every feed URL once per change, and stays quiet when nothing changed', async () => {
    const config = validateConfig({
      sources: [{ id: 'up', url: upstreamUrl, title: 'Up', allowPrivateNetwork: true }],
      feeds: [{ name: 'alberta', title: 'Alberta', filter: { categories: ['Alberta'] } }],
      server: { baseUrl: 'https://feeds.example.org', hub: hubUrl },
    });
    const service = await openNodeService(config, join(mkdtempSync(join(tmpdir(), 'wirefeed-websub-')), 'w.db'), () => {});
    try {
      await service.pollNow();
      const topics = ['all', 'alberta'].flatMap((n) => ['rss', 'atom', 'json'].map((e) => `https://feeds.example.org/feeds/${n}.${e}`));
      expect(pings.map((p) => p.get('hub.mode'))).toEqual(topics.map(() => 'publish'));
      expect(pings.map((p) => p.get('hub.url')).sort()).toEqual([...topics].sort());

      await service.pollNow();
      expect(pings).toHaveLength(topics.length);

      stories = ['First story', 'Second story'];
      await service.pollNow();
      expect(pings).toHaveLength(topics.length * 2);
    } finally {
      await service.close();
    }
  });
});
