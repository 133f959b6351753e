/**
 * Push delivery survives a SIGKILL of a real `wirefeed serve` process in the middle of a delivery.
 *
 * A subscriber's webhook (a receiver on loopback that records every event id it is sent and answers slowly)
 * gets the first poll's items in batches. When the third batch has arrived and is not answered yet, the server
 * is SIGKILLed. Then the upstream changes some stories and the server restarts on the same database; its
 * first POST after the restart is answered 500. In the end the receiver must have every event of the outbox,
 * none missing, none twice once deduped by event id (the unanswered batch does come twice: at least once), each
 * story's events in outbox order, every POST signed with the subscriber's secret.
 */
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { sqliteDriver } from '../../src/runtime/sqlite-driver.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killServer, startServer, type ServeProcess } from '../support/serve-process.ts';
import { waitFor } from '../support/wait-for.ts';

const STORIES = 30;
const BATCH = 5;
const CHANGED = 10;
const SECRET = 'whsec_push-crash-test-secret-0123456789';
/** How long the receiver takes to answer (the kill lands in this window). */
const SLOW_MS = 1500;
const WAIT_TIMEOUT_MS = 45_000;

function feedXml(version: 'v1' | 'v2'): string {
  const items = Array.from({ length: STORIES }, (_, i) => {
    const title = version === 'v2' && i < CHANGED ? `Story ${i}: council revises the plan` : `Story ${i}: council weighs a plan`;
    return (
      `<item><title>${title}</title><link>https://push.example/${i}</link><guid>push-${i}</guid>` +
      `<pubDate>${new Date(Date.UTC(2026, 10, 20, 12) + i * 60_000).toUTCString()}</pubDate>` +
      `<description>First paragraph of story ${i}, as filed.</description></item>`
    );
  });
  return `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Push upstream</title><link>https://push.example/</link><description>d</description>${items.join('\n')}</channel></rss>\n`;
}

interface Post {
  ids: string[];
  stories: string[];
  signatureOk: boolean;
}

function outboxEvents(dbPath: string): Array<{ event_id: string; item_id: string; seq: number; type: string }> {
  const db = new (sqliteDriver())(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT event_id, item_id, seq, type FROM outbox ORDER BY seq').all() as Array<{ event_id: string; item_id: string; seq: number; type: string }>;
  } finally {
    db.close();
  }
}

function deliveryStates(dbPath: string): Record<string, number> {
  const db = new (sqliteDriver())(dbPath, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`SELECT state, count(*) AS n FROM webhook_deliveries WHERE subscriber_id = 'cms' GROUP BY state`).all() as Array<{ state: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  } finally {
    db.close();
  }
}

describe('push delivery across a SIGKILL of wirefeed serve', () => {
  const dirs: string[] = [];
  const servers: Server[] = [];
  const children: ServeProcess[] = [];

  beforeAll(() => {
    expect(existsSync('bin/wirefeed.mjs'), 'run the tests from the repository root').toBe(true);
  });

  afterAll(async () => {
    for (const c of children) await killServer(c);
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'delivers every outbox event at least once, none lost, in order per story, after a kill mid-delivery and a 500',
    async () => {
      let version: 'v1' | 'v2' = 'v1';
      const upstream = createServer((req, res) => {
        res.setHeader('Connection', 'close');
        const etag = `"${version}"`;
        if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { ETag: etag }).end();
        res.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8', ETag: etag }).end(feedXml(version));
      });
      await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
      servers.push(upstream);

      const posts: Post[] = [];
      let onPost: (n: number) => void = () => {};
      const failNext: number[] = [];
      const receiver = createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (chunk: string) => (body += chunk));
        req.on('end', () => {
          const timestamp = String(req.headers['x-wirefeed-timestamp']);
          const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')}`;
          const events = (JSON.parse(body) as { events: Array<{ id: string; story: string }> }).events;
          posts.push({ ids: events.map((e) => e.id), stories: events.map((e) => e.story), signatureOk: req.headers['x-wirefeed-signature'] === expected });
          const status = failNext.shift() ?? 200;
          onPost(posts.length);
          setTimeout(() => {
            if (!res.destroyed) res.writeHead(status).end('ok');
          }, status === 200 ? SLOW_MS : 0);
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      servers.push(receiver);

      const dir = mkdtempSync(join(tmpdir(), 'wirefeed-push-crash-'));
      dirs.push(dir);
      const dbPath = join(dir, 'push.db');
      const configPath = join(dir, 'config.json');
      writeFileSync(
        configPath,
        JSON.stringify({
          sources: [{ id: 'up', url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/feed.xml`, title: 'Upstream', interval: 0.02, allowPrivateNetwork: true }],
          subscribers: [
            { id: 'cms', name: 'Newsroom CMS', webhook: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, allowPrivateNetwork: true, secret: SECRET } },
          ],
          schedule: { cron: '* * * * * *', workers: 0 },
          webhooks: { batchSize: BATCH, retryBaseSeconds: 1, intervalSeconds: 0.5 },
        }),
      );
      const env = { WIREFEED_CONFIG: configPath, WIREFEED_DB: dbPath };

      // Kill while the third batch is at the receiver, unanswered.
      const first = await startServer(env);
      children.push(first);
      await new Promise<void>((resolve) => {
        onPost = (n) => {
          if (n === 3) {
            first.child.kill('SIGKILL');
            resolve();
          }
        };
      });
      expect(await first.exited).toBe('SIGKILL');
      onPost = () => {};
      const killedAt = posts.length;
      expect(killedAt).toBe(3);
      const beforeRestart = deliveryStates(dbPath);
      // The two answered batches were recorded; the one in flight was not.
      expect(beforeRestart.delivered).toBe(2 * BATCH);
      expect(beforeRestart.pending).toBe(STORIES - 2 * BATCH);

      // Some stories change upstream; the first POST after the restart is answered 500.
      version = 'v2';
      failNext.push(500);
      const second = await startServer(env);
      children.push(second);
      const all = await waitFor(
        () => {
          const events = outboxEvents(dbPath);
          const states = deliveryStates(dbPath);
          return events.length === STORIES + CHANGED && !states.pending && states.delivered === events.length ? events : undefined;
        },
        'every outbox event to be delivered',
        250,
        WAIT_TIMEOUT_MS,
      );

      const received = posts.flatMap((p) => p.ids);
      const unique = new Set(received);
      // Nothing lost: every event of the outbox arrived; nothing else did.
      expect([...unique].sort()).toEqual(all.map((e) => e.event_id).sort());
      // At least once: the batch in flight at the kill came again, and so did the one answered 500.
      expect(received.length).toBe(unique.size + 2 * BATCH);
      expect(posts[killedAt]!.ids).toEqual(posts[killedAt - 1]!.ids);
      // The batch answered 500 is retried (after its backoff other stories' events may go first).
      const later = new Set(posts.slice(killedAt + 1).flatMap((p) => p.ids));
      expect(posts[killedAt]!.ids.every((id) => later.has(id))).toBe(true);
      expect(posts.every((p) => p.signatureOk)).toBe(true);
      expect(all.filter((e) => e.type === 'item.updated')).toHaveLength(CHANGED);
      // In order per story: each story's events first arrive in outbox order.
      const firstArrival = new Map<string, number>();
      received.forEach((id, i) => {
        if (!firstArrival.has(id)) firstArrival.set(id, i);
      });
      for (const story of new Set(all.map((e) => e.item_id))) {
        const arrivals = all.filter((e) => e.item_id === story).map((e) => firstArrival.get(e.event_id)!);
        expect(arrivals).toEqual([...arrivals].sort((a, b) => a - b));
      }

      const status = (await (await fetch(`${second.url}/status.json`)).json()) as { webhooks: Record<string, unknown> };
      expect(status.webhooks).toMatchObject({ subscribers: 1, pending: 0, failed: 0 });
      const output = first.output() + second.output();
      expect(output).toContain('"event":"webhook-failed"');
      expect(output).not.toContain(SECRET);
    },
    120_000,
  );
});
