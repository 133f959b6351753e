import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { createKey } from '../../src/http/subscribers.ts';
import { createWorker, type WorkerEnv } from '../../src/runtime/worker-handlers.ts';
import { createStore } from '../../src/store/store.ts';
import { createSubscriberStore } from '../../src/store/subscribers.ts';
import { itemWrite, newsItem } from '../support/items.ts';

// Licensed distribution on D1 inside workerd, through the worker's fetch handler and its edge cache.

const SITE = 'https://licensed.wirefeed.test';
const NOW = Date.now();
const config = validateConfig({
  sources: [
    { id: 'lic-local', url: 'https://upstream.wirefeed.test/lic-local.xml', title: 'Local' },
    { id: 'lic-wire', url: 'https://upstream.wirefeed.test/lic-wire.xml', title: 'Agency wire', provider: 'AFP' },
  ],
});

async function call(worker: ReturnType<typeof createWorker>, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${SITE}${path}`, init), env as unknown as WorkerEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe('licensed feeds on Workers (D1)', () => {
  it('shows restricted items to an entitled key only, refuses a bad key with 401, and never caches a keyed answer at the edge', async () => {
    const db = env as unknown as WorkerEnv;
    const store = createStore(db.DB);
    await store.syncSources(config.sources);
    const subscribers = createSubscriberStore(db.DB);
    for (const source of ['lic-local', 'lic-wire']) {
      await store.savePoll(source, [itemWrite(newsItem(`${source}-1`, { headlines: [{ role: 'main', contentType: 'text/plain', value: `${source} story` }] }), { published: NOW - 60_000 })], {
        etag: null,
        lastModified: null,
        fetchedAt: NOW,
        nextFetchAt: NOW + 3_600_000,
      });
    }
    await subscribers.create({ id: 'edge-sub', name: 'Edge subscriber', entitlements: { providers: ['AFP'] } }, NOW);
    const { key } = await createKey(subscribers, 'edge-sub', undefined, NOW);
    const worker = createWorker(config, { log: () => {} });

    const keyed = await call(worker, '/feeds/all.rss', { headers: { Authorization: `Bearer ${key}` } });
    expect(keyed.status).toBe(200);
    const keyedBody = await keyed.text();
    expect(keyedBody).toContain('lic-wire story');
    expect(keyedBody).toContain('lic-local story');

    const viaUrl = await (await call(worker, `/feeds/all.atom?key=${key}`)).text();
    expect(viaUrl).toContain('lic-wire story');
    expect(viaUrl).toContain(`key=${key}`);

    // Twice: the second anonymous poll may come from the edge cache, and must not be a keyed answer.
    for (let i = 0; i < 2; i++) {
      const anon = await (await call(worker, '/feeds/all.rss')).text();
      expect(anon).toContain('lic-local story');
      expect(anon).not.toContain('lic-wire story');
      const anonAtom = await (await call(worker, '/feeds/all.atom')).text();
      expect(anonAtom).not.toContain('lic-wire story');
      expect(anonAtom).not.toContain(key);
    }

    const bad = `wf_${'X'.repeat(43)}`;
    const refused = await call(worker, `/feeds/all.rss?key=${bad}`);
    expect(refused.status).toBe(401);
    const text = await refused.text();
    expect(text).not.toContain(bad);
    expect(JSON.parse(text)).toMatchObject({ status: 401 });
  });
});
