/**
 * The pages in a real browser: Debian's Chromium, headless, driven by puppeteer-core, against the real Node
 * server (`startNodeServer`: SQLite on disk, HTTP on 127.0.0.1) polling a fixture upstream on loopback.
 * Each page renders without a console error or a dialog, its same-origin links answer without 4xx/5xx, its
 * images have alt text and its headings are in order (one h1, no skipped level); the filter form, filled in
 * and submitted, yields the feed URL of what it shows. A screenshot of each page is left in
 * test-output/screenshots/.
 *
 * Without /usr/bin/chromium the suite fails in CI (CI=true; `.ci/run` installs the `chromium` package) and is
 * skipped elsewhere, saying so.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { startNodeServer } from '../../src/runtime/node.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));
const inCi = process.env.CI === 'true';
const available = existsSync(CHROMIUM);
if (!available && !inCi) console.log(`test/pages/browser.test.ts: skipped, ${CHROMIUM} is missing (apt-get install chromium); CI fails instead`);

/** A solid-colour PNG of `width`×`height` (what the fixture upstream serves as every photo). */
function png(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [r, g, b]).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}
const PHOTO = png(320, 180, [96, 125, 139]);

function upstreamFeed(origin: string): string {
  const hour = 3_600_000;
  const now = Date.now();
  const stories = [
    ['Wildfire forces evacuation west of Calgary', 'CALGARY — Crews battled a wildfire in the foothills on Tuesday as hundreds of residents left their homes.', 'Alberta', 'Jane Doe'],
    ['River levels drop after a week of rain', 'EDMONTON — The North Saskatchewan River fell below the flood mark overnight, the city said.', 'Alberta', 'Sam Lee'],
    ['Council approves transit budget', 'OTTAWA — City council approved a transit budget after an eight-hour debate.', 'Politics', 'Ana Ruiz'],
    ['Rink reopens after repairs', 'RED DEER — The downtown rink reopened on Monday with a free skate.', 'Sports', 'Li Wei'],
    ['<script>alert(1)</script>Markets close higher', '<p>TORONTO — Stocks rose.<img src="PHOTO" onload="alert(2)"><script>alert(3)</script></p><a href="javascript:alert(4)">more</a>', 'Business', 'Kim Park'],
  ];
  const items = stories.map(
    ([title, body, category, by], i) => `<item>
  <title>${escapeXml(title!)}</title>
  <link>${origin}/stories/${i + 1}</link>
  <guid isPermaLink="false">fixture-${i + 1}</guid>
  <dc:creator>${by}</dc:creator>
  <category>${category}</category>
  <pubDate>${new Date(now - (i + 1) * hour).toUTCString()}</pubDate>
  <description>${escapeXml(body!.startsWith('<') ? body!.replace('PHOTO', `${origin}/photos/${i + 1}.png`) : `<p>${body}</p>`)}</description>
  <media:content url="${origin}/photos/${i + 1}.png" medium="image" type="image/png" width="640" height="360">
    <media:description>Photo for story ${i + 1}: the scene on the day.</media:description>
    <media:credit>${by}/The Canadian Press</media:credit>
  </media:content>
</item>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Fixture wire</title><link>${origin}/</link><description>Stories for the browser test</description>
${items.join('\n')}
</channel></rss>`;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Everything a page must satisfy, checked in the page itself. */
interface PageFacts {
  headings: number[];
  imagesWithoutAlt: string[];
  brokenImages: string[];
  links: string[];
}

describe.skipIf(!available && !inCi)('pages in Chromium', () => {
  let upstream: Server;
  let server: Awaited<ReturnType<typeof startNodeServer>>;
  let browser: Browser;
  let profile: string;
  const problems: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    if (!available) throw new Error(`Chromium is missing at ${CHROMIUM}: the browser tests need Debian's chromium package (apt-get install chromium; .ci/run installs it)`);
    upstream = createServer((req, res) => {
      const origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
      if (req.url === '/wire.xml') return void res.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8' }).end(upstreamFeed(origin));
      if (req.url?.startsWith('/photos/')) return void res.writeHead(200, { 'Content-Type': 'image/png' }).end(PHOTO);
      if (req.url === '/down.xml') return void res.writeHead(503, { 'Retry-After': '120' }).end('down for maintenance');
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'wirefeed-browser-'));
    const config = validateConfig({
      sources: [
        { id: 'wire', url: `${origin}/wire.xml`, title: 'Fixture wire', allowPrivateNetwork: true, provider: 'The Canadian Press', license: 'public' },
        { id: 'down', url: `${origin}/down.xml`, title: 'Maintenance wire', allowPrivateNetwork: true },
      ],
      feeds: [{ name: 'alberta', title: 'Alberta', description: 'Stories from the province', filter: { categories: ['Alberta'] } }],
      server: { title: 'Wire desk' },
      // The test fetches every link of every page from one address.
      rateLimit: null,
    });
    server = await startNodeServer({ config, dbPath: join(dir, 'w.db'), port: 0, host: '127.0.0.1', log: () => {} });
    await server.service.pollNow();
    profile = mkdtempSync(join(tmpdir(), 'wirefeed-chromium-'));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: false,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--window-size=1280,900',
      ],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise<void>((r) => (upstream ? upstream.close(() => r()) : r()));
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function open(path: string, screenshot: string): Promise<{ page: Page; facts: PageFacts }> {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`${path}: console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${path}: page error: ${String(e)}`));
    page.on('dialog', async (d) => {
      dialogs.push(`${path}: ${d.message()}`);
      await d.dismiss();
    });
    const res = await page.goto(`${server.url}${path}`, { waitUntil: 'load' });
    expect(res?.status(), path).toBe(200);
    const facts = await readFacts(page);
    await page.screenshot({ path: join(SCREENSHOTS, `${screenshot}.png`), fullPage: true });
    return { page, facts };
  }

  const readFacts = (page: Page): Promise<PageFacts> =>
    page.evaluate(async () => {
      // Lazy images below the fold load too, so that a broken one shows.
      await Promise.all(
        [...document.images].map((i) => {
          i.loading = 'eager';
          return i.complete ? null : new Promise((r) => (i.addEventListener('load', r), i.addEventListener('error', r)));
        }),
      );
      return {
      headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName.slice(1))),
      imagesWithoutAlt: [...document.images].filter((i) => !i.getAttribute('alt')?.trim()).map((i) => i.src),
      brokenImages: [...document.images].filter((i) => i.complete && i.naturalWidth === 0).map((i) => i.src),
      links: [...document.querySelectorAll<HTMLAnchorElement | HTMLLinkElement>('a[href], link[href]')].map((a) => a.href),
      };
    });

  /** The page's checks: one h1 first, no skipped heading level, alt text, no broken image, same-origin links that answer. */
  async function checkPage(path: string, facts: PageFacts): Promise<void> {
    expect(facts.headings[0], `${path}: the first heading`).toBe(1);
    expect(facts.headings.filter((h) => h === 1), `${path}: one h1`).toHaveLength(1);
    facts.headings.forEach((level, i) => {
      if (i > 0) expect(level, `${path}: heading ${i} (h${level}) after h${facts.headings[i - 1]}`).toBeLessThanOrEqual(facts.headings[i - 1]! + 1);
    });
    expect(facts.imagesWithoutAlt, `${path}: images without alt`).toEqual([]);
    expect(facts.brokenImages, `${path}: images that did not load`).toEqual([]);
    const sameOrigin = [...new Set(facts.links.filter((href) => href.startsWith(`${server.url}/`)).map((href) => href.split('#')[0]!))];
    expect(sameOrigin.length, `${path}: same-origin links`).toBeGreaterThan(2);
    for (const href of sameOrigin) {
      const res = await fetch(href);
      expect(res.status, `${path}: link ${href}`).toBeLessThan(400);
      await res.arrayBuffer();
    }
  }

  it('the index shows the newest stories and the feeds', async () => {
    const { page, facts } = await open('/', 'index');
    await checkPage('/', facts);
    const headlines = await page.$$eval('.story h3', (hs) => hs.map((h) => h.textContent?.trim()));
    expect(headlines).toContain('Wildfire forces evacuation west of Calgary');
    expect(await page.$$eval('aside h3', (hs) => hs.map((h) => h.textContent?.trim()))).toEqual(['All stories', 'Alberta']);
    await page.close();
  });

  it('a feed page shows the stories with their pictures, and the filter form builds the feed URL of what it shows', async () => {
    const { page, facts } = await open('/feeds/all', 'feed-all');
    await checkPage('/feeds/all', facts);
    expect(await page.$$eval('.story', (s) => s.length)).toBe(5);
    const first = await page.$eval('.story', (s) => ({
      headline: s.querySelector('h2')?.textContent,
      caption: s.querySelector('figcaption')?.textContent,
      meta: s.querySelector('.meta')?.textContent,
    }));
    expect(first.headline).toBe('Wildfire forces evacuation west of Calgary');
    expect(first.caption).toBe('Photo for story 1: the scene on the day. (Jane Doe/The Canadian Press)');
    expect(first.meta).toMatch(/By Jane Doe/);
    // The hostile story is there, as text, and ran nothing.
    expect((await page.$$eval('.story h2', (hs) => hs.map((h) => h.textContent ?? ''))).filter((h) => h.includes('Markets close higher'))).toHaveLength(1);
    expect(await page.$$eval('main script', (s) => s.length)).toBe(1);

    await page.type('input[name="q"]', 'river');
    await page.type('input[name="category"]', 'Alberta');
    await page.select('select[name="since"]', 'P2D');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form.filter button[type="submit"]')]);
    expect(page.url()).toBe(`${server.url}/feeds/all?q=river&category=Alberta&since=P2D`);
    const feedUrl = await page.$eval('#feed-url', (c) => c.textContent);
    expect(feedUrl).toBe(`${server.url}/feeds/all.rss?q=river&category=Alberta&since=P2D`);
    const shown = await page.$$eval('.story h2', (hs) => hs.map((h) => h.textContent));
    expect(shown).toEqual(['River levels drop after a week of rain']);
    const rss = await (await fetch(feedUrl!)).text();
    expect([...rss.matchAll(/<item>[\s\S]*?<title>(?:<!\[CDATA\[)?([^<\]]+)/g)].map((m) => m[1])).toEqual(shown);
    await checkPage('/feeds/all (filtered)', await readFacts(page));
    await page.screenshot({ path: join(SCREENSHOTS, 'feed-filtered.png'), fullPage: true });
    await page.close();
  });

  it('a named feed as .html pages with its cursor', async () => {
    const { page, facts } = await open('/feeds/alberta.html?limit=1', 'feed-alberta');
    await checkPage('/feeds/alberta.html', facts);
    expect(await page.$$eval('.story h2', (hs) => hs.map((h) => h.textContent))).toEqual(['Wildfire forces evacuation west of Calgary']);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('a[rel="next"]')]);
    expect(await page.$$eval('.story h2', (hs) => hs.map((h) => h.textContent))).toEqual(['River levels drop after a week of rain']);
    await page.close();
  });

  it('an item page shows the story as normalized, its upstream link and its ninjs', async () => {
    const feed = await browser.newPage();
    await feed.goto(`${server.url}/feeds/all`, { waitUntil: 'load' });
    const href = await feed.$eval('.story a[href*="/items/"]', (a) => (a as HTMLAnchorElement).pathname);
    await feed.close();
    const { page, facts } = await open(href, 'item');
    await checkPage(href, facts);
    expect(await page.$eval('h1', (h) => h.textContent)).toBe('Wildfire forces evacuation west of Calgary');
    const ninjs = JSON.parse((await page.$eval('pre', (p) => p.textContent))!) as { uri: string; by?: string };
    expect(ninjs.uri).toBe(decodeURIComponent(href.slice('/items/'.length)));
    expect(await page.$eval('table', (t) => t.textContent)).toMatch(/Upstream entry\s*http:\/\/127\.0\.0\.1:\d+\/stories\/1/);
    await page.close();
  });

  it('the status page explains each source in words, with charts', async () => {
    const { page, facts } = await open('/status', 'status');
    await checkPage('/status', facts);
    const text = await page.$eval('main', (m) => (m as HTMLElement).innerText);
    expect(text).toMatch(/1 of 2 sources healthy/);
    expect(text).toMatch(/the upstream answered 503 Service Unavailable \(a fault on its side\); we retry at \d\d:\d\d UTC/);
    expect(text).toMatch(/Healthy: last polled/);
    expect(await page.$$eval('svg[role="img"]', (s) => s.length)).toBe(4);
    await page.close();
  });

  it('no page logged a console error or opened a dialog', () => {
    expect(problems).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
