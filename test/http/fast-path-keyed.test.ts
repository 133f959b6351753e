import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/app.ts';
import type { AccessControl } from '../../src/http/auth.ts';
import { createFastPath, type FastRequest } from '../../src/http/fast-path.ts';
import { openAccess } from '../../src/licensing.ts';
import { createRepresentations } from '../../src/publish/representation.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore, type Store } from '../../src/store/store.ts';
import { itemWrite, newsItem } from '../support/items.ts';

// The fast path and keys: an anonymous poll never gets an entitled representation, a keyed poll gets
// its own (by entitlement; with ?key=, the one whose links carry that key), and usage counts it.

const base = 'https://feeds.example.org';
const TOKEN = 'fast-path-admin-token';
// Restricted items leave the feeds after 30 days: the stories are an hour old.
const RECENT = Date.now() - 3_600_000;
const config = validateConfig({
  sources: [
    { id: 'local', url: 'https://local.example/feed', title: 'Local' },
    { id: 'wire', url: 'https://wire.example/feed', title: 'Wire', provider: 'AP' },
  ],
});

/** A store with local and wire stories, the app and its fast path, and one subscriber's key. */
async function withSubscriber() {
  const sqlite = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-fpk-')), 'w.db'));
  const store = createStore(sqlite.db);
  await store.syncSources(config.sources);
  const access = await openAccess(config, sqlite.db);
  await saveStories(store, ['local', 'wire']);
  const { app, serve } = await appAndFastPath(store, access);
  const created = (await (await app.request(`${base}/admin/subscribers`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ id: 's', name: 'S' }) })).json()) as { key: string; keyId: string };
  return { app, serve, created };
}

describe('the fast path with keys', () => {
  it('serves keyed polls their own representation and anonymous polls the public one', async () => {
    const { app, serve, created } = await withSubscriber();
    const text = (body: Uint8Array | null) => new TextDecoder().decode(body ?? new Uint8Array());

    // Rendered once by the full route for each of: anonymous, keyed by header, keyed in the URL.
    expect((await app.request(`${base}/feeds/all.rss`)).status).toBe(200);
    expect((await app.request(`${base}/feeds/all.rss`, { headers: { Authorization: `Bearer ${created.key}` } })).status).toBe(200);
    expect((await app.request(`${base}/feeds/all.rss?key=${created.key}`)).status).toBe(200);

    const anon = serve({ method: 'GET', url: '/feeds/all.rss', headers: {} })!;
    expect(text(anon.body)).not.toContain('wire story');
    const byHeader = serve({ method: 'GET', url: '/feeds/all.rss', headers: { authorization: `Bearer ${created.key}` } })!;
    expect(byHeader.status).toBe(200);
    expect(text(byHeader.body)).toContain('wire story');
    expect(text(byHeader.body)).not.toContain(created.key);
    expect(byHeader.headers[byHeader.headers.indexOf('Cache-Control') + 1]).toMatch(/^private/);
    const byUrl = serve({ method: 'GET', url: `/feeds/all.rss?key=${created.key}`, headers: {} })!;
    expect(text(byUrl.body)).toContain(`key=${created.key}`);
    const etag = byHeader.headers[byHeader.headers.indexOf('ETag') + 1]!;
    expect(serve({ method: 'GET', url: '/feeds/all.rss', headers: { authorization: `Bearer ${created.key}`, 'if-none-match': etag } })!.status).toBe(304);
    // The anonymous answer stays public after keyed ones.
    expect(text(serve({ method: 'GET', url: '/feeds/all.rss', headers: {} })!.body)).not.toContain('wire story');
    // A bad key is left to the full route (which answers 401), as is a revoked one.
    expect(serve({ method: 'GET', url: `/feeds/all.rss?key=wf_${'N'.repeat(43)}`, headers: {} })).toBeNull();
    await app.request(`${base}/admin/subscribers/s/keys/${created.keyId}`, { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(serve({ method: 'GET', url: '/feeds/all.rss', headers: { authorization: `Bearer ${created.key}` } })).toBeNull();
    const usage = (await (await app.request(`${base}/admin/subscribers/s/usage`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as { usage: Array<{ requests: number; ok: number; notModified: number }> };
    expect(usage.usage).toEqual([expect.objectContaining({ requests: 5, ok: 4, notModified: 1 })]);
  });

  it('reads a percent-encoded key parameter as a key: a bearer answer beside one carries it nowhere, in body or Link', async () => {
    const { app, serve, created } = await withSubscriber();
    const target = `/feeds/all.rss?%6Bey=${created.key}`;
    const full = await app.request(`${base}${target}`, { headers: { Authorization: `Bearer ${created.key}` } });
    expect(full.status).toBe(200);
    expect(await full.text()).not.toContain(created.key);
    expect(full.headers.get('Link') ?? '').not.toContain(created.key);
    const fast = serve({ method: 'GET', url: target, headers: { authorization: `Bearer ${created.key}` } })!;
    expect(fast.status).toBe(200);
    expect(new TextDecoder().decode(fast.body ?? new Uint8Array())).toContain('wire story');
    expect(new TextDecoder().decode(fast.body ?? new Uint8Array())).not.toContain(created.key);
    expect(fast.headers.join('\n')).not.toContain(created.key);
    // Without the header the encoded key is the request's key: never an anonymous answer.
    expect(serve({ method: 'GET', url: `/feeds/all.rss?%6Bey=wf_${'N'.repeat(43)}`, headers: {} })).toBeNull();
  });

  it('follows a change of the sources: a provider entitlement that no longer covers a source stops serving its items', async () => {
    const sqlite = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-fpk-')), 'p.db'));
    const store = createStore(sqlite.db);
    const licensed = validateConfig({
      sources: [
        { id: 'wire', url: 'https://wire.example/feed', title: 'Wire', provider: 'AP', license: 'restricted' },
        { id: 'other', url: 'https://other.example/feed', title: 'Other', provider: 'Reuters', license: 'restricted' },
      ],
    });
    await store.syncSources(licensed.sources);
    // The service's snapshot of the stored sources: an admin edit of a source makes a new one.
    let snapshot = licensed.sources;
    const access = await openAccess(licensed, sqlite.db, { sources: () => snapshot });
    await saveStories(store, ['wire', 'other']);
    const { app, serve } = await appAndFastPath(store, access);
    const body = JSON.stringify({ id: 'ap-only', name: 'AP only', entitlements: { providers: ['ap'] } });
    const created = (await (await app.request(`${base}/admin/subscribers`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` }, body })).json()) as { key: string };
    const keyed = { authorization: `Bearer ${created.key}` };
    const text = (body: Uint8Array | null | undefined) => new TextDecoder().decode(body ?? new Uint8Array());

    expect(await (await app.request(`${base}/feeds/all.rss`, { headers: keyed })).text()).toContain('wire story');
    expect(text(serve({ method: 'GET', url: '/feeds/all.rss', headers: keyed })?.body)).toContain('wire story');
    // The wire source is now another provider's (its licence unchanged, so the data version stays).
    snapshot = licensed.sources.map((s) => (s.id === 'wire' ? { ...s, provider: 'Reuters' } : s));
    const full = await (await app.request(`${base}/feeds/all.rss`, { headers: keyed })).text();
    expect(full).not.toContain('wire story');
    const fast = serve({ method: 'GET', url: '/feeds/all.rss', headers: keyed });
    expect(text(fast?.body)).not.toContain('wire story');
    sqlite.close();
  });
});

/** One recent story per source ("<source> story"), saved as a poll of that source. */
async function saveStories(store: Store, sources: string[]): Promise<void> {
  for (const source of sources) {
    const story = newsItem(source, { headlines: [{ role: 'main', contentType: 'text/plain', value: `${source} story` }] });
    await store.savePoll(source, [itemWrite(story, { published: RECENT })], { etag: null, lastModified: null, fetchedAt: RECENT, nextFetchAt: 0 });
  }
}

/** The Hono app and the fast path over one representation cache, the fast path reading keys as Bearer or `?key=`. */
async function appAndFastPath(store: Store, access: AccessControl) {
  const representations = createRepresentations();
  const app = createApp({ store, feeds: [], baseUrl: base, access, representations, admin: { token: TOKEN, refresh: async () => null } });
  const version = await store.dataVersion();
  const serve = createFastPath<FastRequest>({
    representations,
    peekVersion: () => version,
    baseUrl: base,
    access,
    resolveGrant: (req) => {
      const auth = req.headers.authorization;
      const bearer = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
      const key = bearer ?? new URLSearchParams((req.url ?? '').split('?')[1] ?? '').get('key');
      return key ? access.peek(createHash('sha256').update(key).digest('hex'), !bearer) : null;
    },
  });
  return { app, serve };
}
