/**
 * Operators, end to end: the real server (startNodeServer, real HTTP on loopback, SQLite on disk) exports
 * Prometheus metrics at /metrics and writes JSON log lines; neither carries a secret.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { startNodeServer } from '../../src/runtime/node.ts';
import { jsonLines, type LogLine } from '../support/log-lines.ts';
import { waitFor } from '../support/wait-for.ts';

const TOKEN = 'admin-token-Zq8wT3vX1';
const FEED_KEY = 'subscriber-key-Hh27LpQ9';
const STORIES = 3;

/** The value of one series in Prometheus text (`name{labels} value`), or undefined when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}


describe('operators: /metrics and JSON logs through the real server', () => {
  let upstream: Server;
  let upstreamUrl: string;
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-operators-'));

  beforeAll(async () => {
    upstream = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/rss+xml', ETag: '"up-1"' });
      res.end(
        `<rss version="2.0"><channel><title>Up</title><link>https://up.example/</link>${Array.from(
          { length: STORIES },
          (_, i) => `<item><title>Story ${i}</title><guid>g${i}</guid><link>https://up.example/${i}</link><pubDate>Mon, 2${i} Apr 2026 10:00:00 GMT</pubDate></item>`,
        ).join('')}</channel></rss>`,
      );
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/feed.xml`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => upstream.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const configFor = (burst: number) =>
    validateConfig({
      sources: [{ id: 'up', url: upstreamUrl, title: 'Up', allowPrivateNetwork: true }],
      feeds: [],
      rateLimit: { burst, perSecond: 0.001 },
    });

  describe('with an admin token', () => {
    let server: Awaited<ReturnType<typeof startNodeServer>>;
    const lines: string[] = [];
    const scrape = async (): Promise<string> => {
      const res = await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      return res.text();
    };

    beforeAll(async () => {
      server = await startNodeServer({ config: configFor(8), dbPath: join(dir, 'token.db'), port: 0, host: '127.0.0.1', adminToken: TOKEN, log: (l) => lines.push(l), logLevel: 'debug' });
      // The start-up ingest.
      await waitFor(async () => (sample(await scrape(), 'wirefeed_polls_total{source="up",outcome="ok"}') ?? 0) >= 1 || undefined, 'the first poll', 50);
    });
    afterAll(() => server.close());

    it('answers 401 without the token or with a wrong one, 200 with it, in Prometheus text', async () => {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${server.url}/metrics`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
      const res = await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(text).toContain('# TYPE wirefeed_polls_total counter');
      expect(text).toContain('# TYPE wirefeed_poll_duration_seconds histogram');
      expect(text).toContain('process_cpu_user_seconds_total');
    });

    it('counts a poll, its duration and the items stored', async () => {
      const before = sample(await scrape(), 'wirefeed_polls_total{source="up",outcome="ok"}')!;
      await server.service.pollNow(['up']);
      const text = await scrape();
      const outcomes = ['ok', 'not-modified'].map((o) => sample(text, `wirefeed_polls_total{source="up",outcome="${o}"}`) ?? 0);
      expect(outcomes[0]! + outcomes[1]!).toBe(before + 1);
      expect(sample(text, 'wirefeed_poll_duration_seconds_count{source="up"}')).toBe(before + 1);
      expect(sample(text, 'wirefeed_items_stored{source="up"}')).toBe(STORIES);
      expect(sample(text, 'wirefeed_requests_in_flight')).toBe(1); // this scrape
    });

    it('counts feed answers by status and format (200, 304 from the fast path, 429), cache hits and misses, and 429s', async () => {
      const feed = `${server.url}/feeds/all.rss`;
      const first = await fetch(feed); // the Hono route renders it: a miss
      expect(first.status).toBe(200);
      const etag = first.headers.get('etag')!;
      await first.arrayBuffer();
      expect((await fetch(feed)).status).toBe(200); // the fast path: a hit
      expect((await fetch(feed, { headers: { 'If-None-Match': etag } })).status).toBe(304);
      expect((await fetch(`${server.url}/feeds/all.json`)).status).toBe(200);
      // 4 of 8 tokens are spent (304s give some back); spend the rest and then some.
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await fetch(feed)).status);
      expect(statuses).toContain(429);
      const refused = statuses.filter((s) => s === 429).length;
      const served = statuses.length - refused;

      const text = await scrape();
      expect(sample(text, 'wirefeed_feed_requests_total{status="200",format="rss"}')).toBe(2 + served);
      expect(sample(text, 'wirefeed_feed_requests_total{status="304",format="rss"}')).toBe(1);
      expect(sample(text, 'wirefeed_feed_requests_total{status="200",format="json"}')).toBe(1);
      expect(sample(text, 'wirefeed_feed_requests_total{status="429",format="rss"}')).toBe(refused);
      expect(sample(text, 'wirefeed_rate_limited_total')).toBe(refused);
      expect(sample(text, 'wirefeed_cache_lookups_total{result="miss"}')).toBe(2);
      expect(sample(text, 'wirefeed_cache_lookups_total{result="hit"}')).toBe(2 + served);
    });

    it('echoes a sane X-Request-Id and replaces one that is not', async () => {
      const echoed = await fetch(`${server.url}/healthz`, { headers: { 'X-Request-Id': 'probe-42' } });
      expect(echoed.headers.get('x-request-id')).toBe('probe-42');
      // An insane id is not echoed; an error answer carries the fresh id its log lines have.
      const replaced = await fetch(`${server.url}/healthz`, { headers: { 'X-Request-Id': 'no spaces <allowed>' } });
      expect(replaced.headers.get('x-request-id')).toBeNull();
      const failed = await fetch(`${server.url}/metrics`, { headers: { 'X-Request-Id': 'no spaces <allowed>' } });
      expect(failed.status).toBe(401);
      const fresh = failed.headers.get('x-request-id');
      expect(fresh).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(jsonLines(lines.join('\n')).find((l) => l.event === 'request' && l.reqId === fresh)).toMatchObject({ path: '/metrics', status: 401 });
    });

    it('writes JSON lines with level, time, event and msg; request lines carry the request id', async () => {
      await fetch(`${server.url}/healthz`, { headers: { 'X-Request-Id': 'trace-me-1' } });
      const parsed = jsonLines(lines.join('\n'));
      expect(parsed).toHaveLength(lines.length); // every line is JSON
      for (const line of parsed) {
        expect(line.level).toBeTypeOf('number');
        expect(line.time).toBeTypeOf('number');
        expect(line.msg).toBeTypeOf('string');
      }
      expect(parsed.find((l) => l.event === 'server-start')).toMatchObject({ level: 30, url: server.url, sources: 1, admin: true });
      expect(parsed.find((l) => l.event === 'poll')).toMatchObject({ level: 30, source: 'up', status: 'ok', items: STORIES, durationMs: expect.any(Number) });
      expect(parsed.find((l: LogLine) => l.event === 'request' && l.reqId === 'trace-me-1')).toMatchObject({ level: 20, method: 'GET', path: '/healthz', status: 200 });
    });

    it('never writes the admin token, an Authorization header or a ?key= to the logs or the metrics', async () => {
      await fetch(`${server.url}/feeds/all.rss?key=${FEED_KEY}`, { headers: { Authorization: `Bearer ${FEED_KEY}` } });
      await fetch(`${server.url}/admin/sources`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      await fetch(`${server.url}/admin/sources`, { headers: { Authorization: `Bearer ${FEED_KEY}` } });
      const output = `${lines.join('\n')}\n${await scrape()}`;
      expect(output).toContain('/admin/sources'); // the requests were logged…
      expect(output).not.toContain(TOKEN); // …without their secrets
      expect(output).not.toContain(FEED_KEY);
      expect(output.toLowerCase()).not.toContain('bearer');
    });
  });

  describe('without an admin token', () => {
    it('serves /metrics to a loopback client; the fast path counts and echoes a sane request id', async () => {
      const server = await startNodeServer({ config: configFor(100), dbPath: join(dir, 'open.db'), port: 0, host: '127.0.0.1', log: () => {} });
      try {
        const res = await fetch(`${server.url}/metrics`);
        expect(res.status).toBe(200);
        expect(await res.text()).toContain('# TYPE wirefeed_feed_requests_total counter');

        // The second poll of a feed is answered by the fast path (a cache hit), which echoes the id too.
        await server.service.pollNow(['up']);
        const feed = `${server.url}/feeds/all.atom`;
        for (const id of ['first-1', 'second-2']) {
          const answer = await fetch(feed, { headers: { 'X-Request-Id': id } });
          expect(answer.status).toBe(200);
          expect(answer.headers.get('x-request-id')).toBe(id);
          await answer.arrayBuffer();
        }
        const bad = await fetch(feed, { headers: { 'X-Request-Id': 'not sane!' } });
        expect(bad.headers.get('x-request-id')).toBeNull();
        const text = await (await fetch(`${server.url}/metrics`)).text();
        expect(sample(text, 'wirefeed_cache_lookups_total{result="hit"}')).toBe(2);
        expect(sample(text, 'wirefeed_feed_requests_total{status="200",format="atom"}')).toBe(3);
      } finally {
        await server.close();
      }
    });
  });
});
