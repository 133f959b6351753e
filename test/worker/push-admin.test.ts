import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { createWorker, WORKER_MAX_WEBHOOK_POSTS, type WorkerEnv } from '../../src/runtime/worker-handlers.ts';
import { createStore } from '../../src/store/store.ts';
import { itemWrite, newsItem } from '../support/items.ts';
import { UPSTREAM_ORIGIN, type HookEntry } from './upstream.ts';

// The admin API and push delivery on Workers (D1), inside workerd: the token comes from the
// WIREFEED_ADMIN_TOKEN secret binding; the cron tick ingests, then drains the outbox to the webhook (the test
// upstream's `/__hook`), within WORKER_MAX_WEBHOOK_POSTS POSTs per invocation.

const SITE = 'https://admin.wirefeed.test';
const TOKEN = 'worker-admin-token-0123456789abcdef';
const config = validateConfig({
  sources: [
    { id: 'wire', url: `${UPSTREAM_ORIGIN}/wire.xml`, title: 'Prairie Wire', interval: 15 },
    { id: 'desk', url: `${UPSTREAM_ORIGIN}/desk.atom`, title: 'City Desk', interval: 15 },
  ],
  webhooks: { batchSize: 1, retryBaseSeconds: 1 },
});
// One env object for the whole file: the worker keeps its app per env.
const workerEnv: WorkerEnv = { DB: (env as unknown as WorkerEnv).DB, WIREFEED_ADMIN_TOKEN: TOKEN };

async function call(worker: ReturnType<typeof createWorker>, method: string, path: string, body?: unknown, token: string | null = TOKEN): Promise<Response> {
  const ctx = createExecutionContext();
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await worker.fetch(new Request(`${SITE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }), workerEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function tick(worker: ReturnType<typeof createWorker>): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: '*/5 * * * *' }), workerEnv, ctx);
  await waitOnExecutionContext(ctx);
}

async function hooks(subscriber: string): Promise<HookEntry[]> {
  const all = (await (await fetch(`${UPSTREAM_ORIGIN}/__control/hooks`)).json()) as HookEntry[];
  return all.filter((h) => (JSON.parse(h.body) as { subscriber: string }).subscriber === subscriber);
}

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return [...new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(message)))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

describe('admin API and push delivery on Workers (D1)', () => {
  it('mounts the admin routes behind the WIREFEED_ADMIN_TOKEN secret, and 404s them without it', async () => {
    const worker = createWorker(config, { log: () => {}, cache: null });
    expect((await call(worker, 'GET', '/admin/subscribers', undefined, null)).status).toBe(401);
    expect((await call(worker, 'GET', '/admin/subscribers', undefined, 'wrong-token')).status).toBe(401);
    const off = createWorker(config, { log: () => {}, cache: null });
    const ctx = createExecutionContext();
    const res = await off.fetch(new Request(`${SITE}/admin/subscribers`, { headers: { Authorization: `Bearer ${TOKEN}` } }), { DB: workerEnv.DB }, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(404);

    const created = await call(worker, 'POST', '/admin/subscribers', { id: 'edge-admin', name: 'Edge admin', entitlements: { sources: ['wire'] } });
    expect(created.status).toBe(201);
    const sub = (await created.json()) as { id: string; key: string; keyId: string };
    expect(sub.key).toMatch(/^wf_/);
    const list = (await (await call(worker, 'GET', '/admin/subscribers')).json()) as { subscribers: Array<{ id: string }> };
    expect(list.subscribers.map((s) => s.id)).toContain('edge-admin');
    expect(JSON.stringify(list)).not.toContain(sub.key);

    expect((await call(worker, 'PATCH', '/admin/subscribers/edge-admin', { name: 'Edge admin, renamed' })).status).toBe(200);
    const key2 = await call(worker, 'POST', '/admin/subscribers/edge-admin/keys', {});
    expect(key2.status).toBe(201);
    expect((await call(worker, 'DELETE', `/admin/subscribers/edge-admin/keys/${sub.keyId}`)).status).toBe(204);
    // A restricted source's items leave the feeds after 30 days unless it says otherwise; the fixture's are from April 2026.
    expect((await call(worker, 'PATCH', '/admin/sources/wire', { license: 'restricted', maxAgeDays: 3650 })).status).toBe(200);
    const refreshed = (await (await call(worker, 'POST', '/admin/sources/wire/refresh')).json()) as { outcome: { status: string } };
    expect(refreshed.outcome.status).toBe('ok');
    // The wire is restricted now: anonymous feeds leave it out, the subscriber's (new) key sees it.
    const newKey = ((await key2.json()) as { key: string }).key;
    const keyed = await call(worker, 'GET', '/feeds/all.json', undefined, newKey);
    const anonymous = await call(worker, 'GET', '/feeds/all.json', undefined, null);
    const count = async (r: Response) => ((await r.json()) as { items: unknown[] }).items.length;
    expect(await count(keyed)).toBeGreaterThan(await count(anonymous));
    expect((await call(worker, 'GET', '/admin/subscribers/edge-admin/usage')).status).toBe(200);
    expect((await call(worker, 'GET', '/admin/sources')).status).toBe(200);
    expect((await call(worker, 'DELETE', '/admin/subscribers/edge-admin')).status).toBe(204);
    expect((await call(worker, 'GET', '/admin/subscribers/edge-admin')).status).toBe(404);
  });

  it('drains the outbox on the cron tick: signed ninjs POSTs, bounded per invocation, retried after a 500', async () => {
    const worker = createWorker(config, { log: () => {}, cache: null });
    const created = (await (await call(worker, 'POST', '/admin/subscribers', { id: 'edge-hook', name: 'Edge hook', webhook: { url: `${UPSTREAM_ORIGIN}/__hook` } })).json()) as { secret: string };
    expect(created.secret).toMatch(/^whsec_/);
    // A 500 first: the tick's first POST fails, and the subscriber's run stops there.
    await fetch(`${UPSTREAM_ORIGIN}/__control/fail?path=/__hook&status=500`, { method: 'POST' });
    const store = createStore(workerEnv.DB);
    const now = Date.now();
    await store.savePoll('desk', Array.from({ length: 12 }, (_, i) => itemWrite(newsItem(`edge-hook-${i}`), { published: now - i * 60_000 })), {
      etag: null,
      lastModified: null,
      fetchedAt: now,
      nextFetchAt: now + 3_600_000,
    });
    const events = (await (await call(worker, 'GET', '/status.json', undefined, null)).json()) as { webhooks: { pending: number } };
    const total = events.webhooks.pending;
    expect(total).toBe(12);
    await tick(worker);
    const failed = await hooks('edge-hook');
    expect(failed.map((h) => h.status)).toEqual([500]);

    await fetch(`${UPSTREAM_ORIGIN}/__control/fail?path=/__hook&status=200`, { method: 'POST' });
    await new Promise((r) => setTimeout(r, 1100));
    await tick(worker);
    const afterOne = await hooks('edge-hook');
    // One event a POST (batchSize 1): at most WORKER_MAX_WEBHOOK_POSTS this invocation.
    expect(afterOne.length - 1).toBe(Math.min(total, WORKER_MAX_WEBHOOK_POSTS));
    for (let i = 0; i < 5 && (await hooks('edge-hook')).length - 1 < total; i++) await tick(worker);
    const all = await hooks('edge-hook');
    const delivered = all.filter((h) => h.status === 200);
    const ids = delivered.flatMap((h) => (JSON.parse(h.body) as { events: Array<{ id: string }> }).events.map((e) => e.id));
    expect(new Set(ids).size).toBe(total);
    // The failed event came again with the same id.
    const firstFailed = (JSON.parse(all[0]!.body) as { events: Array<{ id: string }> }).events[0]!.id;
    expect(ids).toContain(firstFailed);
    for (const h of all) {
      const timestamp = h.headers['x-wirefeed-timestamp']!;
      expect(h.headers['x-wirefeed-signature']).toBe(`sha256=${await hmacHex(created.secret, `${timestamp}.${h.body}`)}`);
    }
    const status = (await (await call(worker, 'GET', '/status.json', undefined, null)).json()) as { webhooks: Record<string, unknown> };
    expect(status.webhooks).toMatchObject({ pending: 0, failed: 0 });
    expect(JSON.stringify(status)).not.toContain(created.secret);
  });
});
