/**
 * The ingest worker pool, end to end: a real `wirefeed serve` process (bin/wirefeed.mjs, the `npm start` path)
 * whose worker heap is capped at 32 MiB polls a small feed and a 20,000-story one. Parsing the large one runs
 * the worker out of memory: that poll, and only that one, fails; it is recorded on the source in `/status`
 * as a `worker` error with a backoff, the small source's stories are served, `/feeds/all.rss` answers while a
 * forced poll of the large one kills another worker, and the next poll of the small source succeeds on a
 * replacement thread.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servingUrl } from '../support/log-lines.ts';

const SMALL_ITEMS = 5;
const HUGE_ITEMS = 20_000;
const FILLER = 'Officials said the work would continue through the week, and residents were asked to follow updates. ';
/** Bounds on each wait (the machine running the tests may be busy). */
const WAIT_TIMEOUT_MS = 25_000;

function feedXml(prefix: string, count: number): string {
  const parts = [`<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>${prefix} upstream</title><link>https://${prefix}.example/</link><description>test</description>\n`];
  for (let i = 0; i < count; i++) {
    parts.push(
      `<item><title>${prefix} story ${i}: council weighs plan</title><link>https://${prefix}.example/s/${i}</link><guid>${prefix}-${i}</guid>` +
        `<pubDate>${new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString()}</pubDate><description><![CDATA[<p>${FILLER.repeat(4)}</p>]]></description></item>\n`,
    );
  }
  parts.push('</channel></rss>\n');
  return parts.join('');
}

interface SourceHealth {
  id: string;
  items: number;
  errorCount: number;
  lastSuccessAt: string | null;
  lastFetchAt: string | null;
  nextFetchAt: string | null;
  lastError: { kind: string; message: string } | null;
}

describe('wirefeed serve: a poll whose ingest worker dies', () => {
  let upstream: Server;
  let child: ChildProcess;
  let base = '';
  let output = '';
  let dir = '';
  const token = randomBytes(16).toString('hex');

  const status = async (): Promise<Record<string, SourceHealth>> => {
    const body = (await (await fetch(`${base}/status`)).json()) as { sources: SourceHealth[] };
    return Object.fromEntries(body.sources.map((s) => [s.id, s]));
  };
  const waitFor = async <T,>(probe: () => Promise<T | undefined>, what: string): Promise<T> => {
    const until = Date.now() + WAIT_TIMEOUT_MS;
    while (Date.now() < until) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}; server output:\n${output}`);
  };
  const refresh = async (id: string): Promise<{ status: string; kind?: string; message?: string }> => {
    const res = await fetch(`${base}/admin/sources/${id}/refresh`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    return ((await res.json()) as { outcome: { status: string; kind?: string; message?: string } }).outcome;
  };

  beforeAll(async () => {
    const bodies = { small: Buffer.from(feedXml('small', SMALL_ITEMS)), huge: Buffer.from(feedXml('huge', HUGE_ITEMS)) };
    upstream = createServer((req, res) => {
      const body = req.url === '/huge.xml' ? bodies.huge : bodies.small;
      res.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8' }).end(body);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as AddressInfo).port;
    dir = mkdtempSync(join(tmpdir(), 'wirefeed-e2e-worker-'));
    const config = {
      sources: [
        { id: 'small', url: `http://127.0.0.1:${port}/small.xml`, title: 'Small upstream', allowPrivateNetwork: true },
        { id: 'huge', url: `http://127.0.0.1:${port}/huge.xml`, title: 'Huge upstream', allowPrivateNetwork: true },
      ],
      schedule: { workers: 1, workerMemoryMb: 32, concurrency: 1 },
      // The test polls the feed in a tight loop; the limiter is not under test.
      rateLimit: null,
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    child = spawn(process.execPath, ['bin/wirefeed.mjs', 'serve'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', WIREFEED_CONFIG: join(dir, 'config.json'), WIREFEED_DB: join(dir, 'w.db'), WIREFEED_ADMIN_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    base = await waitFor(async () => servingUrl(output), 'the server to listen');
  });

  afterAll(async () => {
    child?.kill('SIGTERM');
    if (child && child.exitCode === null) await new Promise((r) => child.once('exit', r));
    await new Promise<void>((r) => upstream.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('records the failed poll on its source as a worker error, with a backoff, and serves the other source', async () => {
    const sources = await waitFor(async () => {
      const s = await status();
      return s.huge?.lastError && s.small?.lastSuccessAt ? s : undefined;
    }, 'the start-up polls');
    expect(sources.huge).toMatchObject({ items: 0, errorCount: 1, lastSuccessAt: null, lastError: { kind: 'worker', message: expect.stringMatching(/ran out of memory/) } });
    expect(Date.parse(sources.huge!.nextFetchAt!)).toBeGreaterThan(Date.parse(sources.huge!.lastFetchAt!));
    expect(sources.small).toMatchObject({ items: SMALL_ITEMS, errorCount: 0, lastError: null });
    const feed = await fetch(`${base}/feeds/all.rss`);
    expect(feed.status).toBe(200);
    const xml = await feed.text();
    expect(xml).toContain('small story 0');
    expect(xml).not.toContain('huge story');
  });

  it('answers /feeds/all.rss while a forced poll kills a worker, and polls on with a replacement', async () => {
    let pending = true;
    const forced = refresh('huge').finally(() => (pending = false));
    const answeredWhilePending: number[] = [];
    const statuses: number[] = [];
    while (pending) {
      const res = await fetch(`${base}/feeds/all.rss`);
      await res.arrayBuffer();
      statuses.push(res.status);
      if (pending) answeredWhilePending.push(res.status);
    }
    expect(await forced).toMatchObject({ status: 'error', kind: 'worker', message: expect.stringMatching(/ran out of memory/) });
    expect(answeredWhilePending.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set([200]));
    expect((await status()).huge).toMatchObject({ errorCount: 2, lastError: { kind: 'worker' } });
    expect(await refresh('small')).toEqual({ source: 'small', status: 'ok', items: SMALL_ITEMS });
    expect(child.exitCode).toBeNull();
  });

  it('`wirefeed ingest --once` polls through the pool too, prints each outcome and exits (no thread left running)', async () => {
    const cli = spawn(process.execPath, ['bin/wirefeed.mjs', 'ingest', '--once'], {
      env: { ...process.env, WIREFEED_CONFIG: join(dir, 'config.json'), WIREFEED_DB: join(dir, 'once.db') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    cli.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // A bound, not a measurement: a leaked thread would keep the process alive for ever.
    const killer = setTimeout(() => cli.kill('SIGKILL'), WAIT_TIMEOUT_MS);
    const code = await new Promise<number | null>((r) => cli.once('exit', (c) => r(c)));
    clearTimeout(killer);
    const outcomes = stdout.trim().split('\n').map((l) => JSON.parse(l) as { source: string; status: string; kind?: string });
    expect(code, stderr).toBe(1);
    expect(outcomes).toEqual(
      expect.arrayContaining([
        { source: 'small', status: 'ok', items: SMALL_ITEMS },
        expect.objectContaining({ source: 'huge', status: 'error', kind: 'worker', message: expect.stringMatching(/ran out of memory/) }),
      ]),
    );
    expect(outcomes).toHaveLength(2);
  });
});
