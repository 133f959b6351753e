import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/app.ts';
import { addSubscriber } from '../../src/http/subscribers.ts';
import { createWebhookPoster } from '../../src/ingest/webhook-post.ts';
import { openAccess } from '../../src/licensing.ts';
import type { NewsItem } from '../../src/model.ts';
import { retryDelayMs, RETRY_WINDOW_MS, signWebhook, type DeliveryLogEvent } from '../../src/publish/webhooks.ts';
import { openPushDelivery, type PushDelivery } from '../../src/push.ts';
import { openSqlite, type SqliteHandle } from '../../src/runtime/sqlite.ts';
import { createStore, type Store } from '../../src/store/store.ts';
import { createSubscriberStore, type SubscriberStore } from '../../src/store/subscribers.ts';
import { createJsonLogger } from '../../src/util/log.ts';
import { itemUri, itemWrite, newsItem } from '../support/items.ts';

// Push delivery over real SQLite on disk to a real receiver on loopback, with a clock the test moves.

const T0 = Date.UTC(2026, 10, 20, 12, 0);
const config = validateConfig({
  sources: [
    { id: 'local', url: 'https://local.example/feed', title: 'Local' },
    { id: 'wire', url: 'https://wire.example/feed', title: 'Wire', provider: 'Reuters', license: 'restricted' },
  ],
  feeds: [{ name: 'politics', title: 'Politics', filter: { categories: ['Politics'] } }],
  webhooks: { batchSize: 10, retryBaseSeconds: 1 },
});

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A receiver on loopback: records every POST and answers with the next status of `statuses` (then 200). */
async function receiver(statuses: number[] = []): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(statuses.shift() ?? 200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

function events(r: Received): Array<{ id: string; type: string; story: string; item: NewsItem }> {
  return (JSON.parse(r.body) as { events: Array<{ id: string; type: string; story: string; item: NewsItem }> }).events;
}

describe('push delivery', () => {
  let dir: string;
  let sqlite: SqliteHandle;
  let store: Store;
  let subscribers: SubscriberStore;
  let now: number;
  let logged: DeliveryLogEvent[];
  let lines: string[];
  let push: PushDelivery;
  const servers: Server[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wirefeed-push-'));
    sqlite = openSqlite(join(dir, 'push.db'));
    store = createStore(sqlite.db);
    await store.syncSources(config.sources);
    await openAccess(config, sqlite.db);
    subscribers = createSubscriberStore(sqlite.db);
    now = T0;
    logged = [];
    lines = [];
    push = openPushDelivery(config, {
      db: sqlite.db,
      store,
      now: () => now,
      logger: createJsonLogger((line) => {
        lines.push(line);
        logged.push(JSON.parse(line) as DeliveryLogEvent);
      }),
      post: createWebhookPoster({ timeoutMs: 5000 }),
    });
  });

  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const save = (source: string, items: Array<[string, Partial<NewsItem>, string[]]>) =>
    store.savePoll(
      source,
      items.map(([key, over, categories]) => itemWrite(newsItem(key, { headlines: [{ role: 'main', contentType: 'text/plain', value: `Story ${key}` }], ...over }), { categories, published: now - 60_000 })),
      { etag: null, lastModified: null, fetchedAt: now, nextFetchAt: now + 60_000 },
    );
  const subscribe = async (id: string, url: string, entitlements = {}, allowPrivateNetwork = true) => {
    const created = await addSubscriber(subscribers, { id, name: id, entitlements, webhook: { url, allowPrivateNetwork } }, now);
    return created.secret!;
  };

  it('POSTs new, updated and killed items as signed ninjs, in order per story, with stable event ids', async () => {
    const r = await receiver();
    servers.push(r.server);
    const secret = await subscribe('herald', r.url);
    await save('local', [['a', {}, ['Politics']], ['b', {}, ['Sports']]]);
    now += 1000;
    await save('local', [['a', { headlines: [{ role: 'main', contentType: 'text/plain', value: 'Story a, updated' }] }, ['Politics']]]);
    now += 1000;
    await save('local', [['a', { pubStatus: 'canceled' }, ['Politics']]]);

    const report = await push.run();
    expect(report).toMatchObject({ posts: 1, delivered: 4, failedPosts: 0 });
    expect(r.received).toHaveLength(1);
    const [post] = r.received;
    const timestamp = post!.headers['x-wirefeed-timestamp'] as string;
    expect(timestamp).toBe(String(Math.floor(now / 1000)));
    const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${post!.body}`).digest('hex')}`;
    expect(post!.headers['x-wirefeed-signature']).toBe(expected);
    expect(await signWebhook(secret, timestamp, post!.body)).toBe(expected);
    // A signature over another timestamp does not verify: the timestamp is signed against replay.
    expect(createHmac('sha256', secret).update(`${Number(timestamp) + 1}.${post!.body}`).digest('hex')).not.toBe(expected.slice(7));

    const got = events(post!);
    expect(got.map((e) => [e.story, e.type])).toEqual([
      [itemUri('a'), 'item.created'],
      [itemUri('b'), 'item.created'],
      [itemUri('a'), 'item.updated'],
      [itemUri('a'), 'item.killed'],
    ]);
    expect(new Set(got.map((e) => e.id)).size).toBe(4);
    expect(got.at(-1)!.item.pubStatus).toBe('canceled');
    const ids = (sqlite.raw.prepare('SELECT event_id FROM outbox ORDER BY seq').all() as { event_id: string }[]).map((e) => e.event_id);
    expect(got.map((e) => e.id)).toEqual(ids);

    // Delivered once: a second run has nothing to send.
    expect(await push.run()).toMatchObject({ posts: 0 });
    expect(r.received).toHaveLength(1);
    const usage = await subscribers.usage('herald');
    expect(usage.find((u) => u.keyId === 'webhook')).toMatchObject({ requests: 1, ok: 1, items: 4 });
    // The secret is in no log line.
    expect(lines.join('\n')).not.toContain(secret);
  });

  it('pushes only what the subscriber is entitled to, under the rights rules of the pull path', async () => {
    const r = await receiver();
    servers.push(r.server);
    await subscribe('wire-politics', r.url, { providers: ['Reuters'], feeds: ['politics'] });
    await save('wire', [['w-pol', {}, ['Politics']], ['w-sport', {}, ['Sports']], ['w-adv', {}, ['Politics', 'Advisory']]]);
    await save('local', [['l-pol', {}, ['Politics']], ['l-sport', {}, ['Sports']]]);
    const report = await push.run();
    expect(report.skipped).toBe(3);
    expect(r.received.flatMap(events).map((e) => e.story).sort()).toEqual([itemUri('l-pol'), itemUri('w-pol')]);

    // What the pull path shows the same subscriber's key is the same set.
    const access = await openAccess(config, sqlite.db);
    const { key } = await import('../../src/http/subscribers.ts').then((m) => m.createKey(subscribers, 'wire-politics', undefined, now));
    const app = createApp({ store, feeds: config.feeds, access, now: () => now });
    const res = await app.request('https://x.example/feeds/politics.json', { headers: { Authorization: `Bearer ${key}` } });
    const pulled = ((await res.json()) as { items: Array<{ id: string }> }).items.map((i) => i.id).sort();
    expect(pulled).toEqual([itemUri('l-pol'), itemUri('w-pol')]);
  });

  it('retries after a 500 with exponential backoff, the same event ids, and reports the failure', async () => {
    const r = await receiver([500, 503]);
    servers.push(r.server);
    await subscribe('herald', r.url);
    await save('local', [['a', {}, []]]);

    expect(await push.run()).toMatchObject({ posts: 1, failedPosts: 1, delivered: 0 });
    expect(logged.find((e) => e.event === 'webhook-failed')).toMatchObject({ subscriber: 'herald', status: 500, error: 'HTTP 500' });
    // Not due again before the backoff: 1 s, then 2 s.
    expect(await push.run()).toMatchObject({ posts: 0 });
    now += retryDelayMs(1, 1000);
    expect(await push.run()).toMatchObject({ posts: 1, failedPosts: 1 });
    now += retryDelayMs(2, 1000) - 1;
    expect(await push.run()).toMatchObject({ posts: 0 });
    const app = createApp({ store, feeds: config.feeds, access: await openAccess(config, sqlite.db), webhooks: push, now: () => now });
    const status = (await (await app.request('https://x.example/status.json')).json()) as { webhooks: Record<string, unknown> };
    expect(status.webhooks).toMatchObject({ subscribers: 1, pending: 1, retrying: 1, failed: 0 });
    now += 1;
    expect(await push.run()).toMatchObject({ posts: 1, delivered: 1 });
    expect(r.received).toHaveLength(3);
    expect(new Set(r.received.map((p) => events(p)[0]!.id)).size).toBe(1);
    expect(retryDelayMs(1)).toBe(30_000);
    expect(retryDelayMs(3)).toBe(120_000);
    expect(retryDelayMs(30)).toBe(3_600_000);
  });

  it('marks events failed after 24 h of failures, visible in /status and in usage', async () => {
    const r = await receiver(new Array(100).fill(500));
    servers.push(r.server);
    const secret = await subscribe('herald', r.url);
    await save('local', [['a', {}, []], ['b', {}, []]]);
    await push.run();
    now += RETRY_WINDOW_MS + 1;
    await push.run();
    expect(logged.at(-1)).toMatchObject({ event: 'webhook-failed', gaveUp: 2, retryAt: null });
    expect(await push.run()).toMatchObject({ posts: 0 });
    const access = await openAccess(config, sqlite.db);
    const app = createApp({ store, feeds: config.feeds, access, webhooks: push, admin: { token: 't'.repeat(32), refresh: async () => null }, now: () => now });
    const statusText = await (await app.request('https://x.example/status.json')).text();
    expect(JSON.parse(statusText).webhooks).toMatchObject({ subscribers: 1, pending: 0, failed: 2 });
    expect(statusText).not.toContain(secret);
    expect(statusText).not.toContain(r.url);
    const usage = (await (await app.request('https://x.example/admin/subscribers/herald/usage', { headers: { Authorization: `Bearer ${'t'.repeat(32)}` } })).json()) as {
      usage: Array<{ keyId: string; failed?: number; requests: number }>;
      webhook: { failed: number; lastError: string };
    };
    expect(usage.webhook).toMatchObject({ failed: 2, lastError: 'HTTP 500' });
    expect(usage.usage.filter((u) => u.keyId === 'webhook').reduce((n, u) => n + (u.failed ?? 0), 0)).toBe(2);
  });

  it('refuses a private-address webhook unless the subscriber allows it', async () => {
    const r = await receiver();
    servers.push(r.server);
    await subscribe('lan', r.url, {}, false);
    await save('local', [['a', {}, []]]);
    expect(await push.run()).toMatchObject({ posts: 1, failedPosts: 1, delivered: 0 });
    expect(r.received).toHaveLength(0);
    expect(logged.find((e) => e.event === 'webhook-failed')).toMatchObject({ error: expect.stringContaining('Refusing to post to 127.0.0.1') });

    await subscribers.update('lan', { webhook: { url: r.url, allowPrivateNetwork: true } });
    now += 60_000;
    expect(await push.run()).toMatchObject({ delivered: 1 });
    expect(r.received).toHaveLength(1);
  });

  it('holds an embargoed item until its embargo, and pushes nothing while no subscriber has a webhook', async () => {
    await save('local', [['before', {}, []]]);
    expect((sqlite.raw.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n).toBe(0);
    const r = await receiver();
    servers.push(r.server);
    await subscribe('herald', r.url);
    await save('local', [['held', { embargoed: new Date(now + 3_600_000).toISOString() }, []], ['free', {}, []]]);
    await push.run();
    expect(r.received.flatMap(events).map((e) => e.story)).toEqual([itemUri('free')]);
    now += 3_600_000;
    await push.run();
    expect(r.received.flatMap(events).map((e) => e.story)).toEqual([itemUri('free'), itemUri('held')]);
  });
});
