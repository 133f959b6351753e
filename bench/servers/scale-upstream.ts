/**
 * Child process: the scale bench's upstream, N small RSS feeds on 127.0.0.1 (`/f/<n>.xml`, 30 items each,
 * each with a short body). A feed's entries depend on its version: version v carries stories 15v … 15v+29, so
 * each new version changes half of its 30 entries. `advance` raises the version of every other feed (those of
 * one parity, alternating per call). A story's publication time is when it first appeared (`published`), as a live
 * feed's are; every answer carries a fresh `lastBuildDate` and no validators, so the
 * other half answer 200 with the same entries (the service's unchanged-entries path), never 304.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveParent, type ChildRequest } from '../child.ts';

let server: Server | null = null;
let versions: Uint32Array = new Uint32Array(0);
let advances = 0;
let fetches = 0;

const BASE = Date.UTC(2026, 0, 1);
/** The version that first carries story n (version v carries 15v … 15v+29). */
const firstVersion = (n: number): number => Math.max(0, Math.ceil((n - 29) / 15));
/**
 * When story n of a feed was published: as on a live wire, a story is newer than every story published before
 * it appeared (its version's half-hour, the feed's parity and place among the N feeds in it, then a second
 * per story), so new stories come after those stored, not among them.
 */
const published = (feed: number, n: number): number =>
  BASE + firstVersion(n) * 1_800_000 + (feed % 2) * 900_000 + Math.floor((feed / versions.length) * 900_000) + (n % 30) * 1000;

const story = (feed: number, n: number): string =>
  `<item><title>Feed ${feed} story ${n}: council approves the harbour budget</title><link>https://scale.bench.example/${feed}/${n}</link>` +
  `<guid isPermaLink="false">scale-${feed}-${n}</guid><pubDate>${new Date(published(feed, n)).toUTCString()}</pubDate>` +
  `<category>Politics</category><description>CALGARY — Story ${n} of feed ${feed}. The council voted on the budget after a long debate ` +
  `about the harbour, the ferry and the roads. Residents spoke for and against.</description></item>`;

function feed(n: number): string {
  const v = versions[n] ?? 0;
  const items: string[] = [];
  for (let k = 15 * v + 29; k >= 15 * v; k--) items.push(story(n, k));
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Scale feed ${n}</title><link>https://scale.bench.example/${n}</link>` +
    `<description>Feed ${n}</description><lastBuildDate>${new Date().toUTCString()}</lastBuildDate>${items.join('')}</channel></rss>`;
}

serveParent(
  async (msg: ChildRequest) => {
    if (msg.type === 'start') {
      const { feeds } = msg as unknown as { feeds: number };
      versions = new Uint32Array(feeds);
      server = createServer((req, res) => {
        const n = /^\/f\/(\d+)\.xml$/.exec(req.url ?? '')?.[1];
        if (n === undefined || Number(n) >= versions.length) {
          res.writeHead(404).end();
          return;
        }
        fetches++;
        res.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8', 'Cache-Control': 'no-cache' });
        res.end(feed(Number(n)));
      });
      server.keepAliveTimeout = 30_000;
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }
    if (msg.type === 'stats') return { fetches };
    if ((msg as { type: string }).type === 'advance') {
      // Feeds of one parity change; which parity alternates, so each feed changes every other advance.
      const parity = advances++ % 2;
      for (let i = parity; i < versions.length; i += 2) versions[i]!++;
      return parity;
    }
    throw new Error(`unknown request ${msg.type}`);
  },
  () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
);
