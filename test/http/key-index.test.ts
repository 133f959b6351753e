import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/app.ts';
import { createAccessControl } from '../../src/http/auth.ts';
import { createKey } from '../../src/http/subscribers.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore } from '../../src/store/store.ts';
import { createSubscriberStore } from '../../src/store/subscribers.ts';
import { sha256Hex } from '../../src/util/secret-keys.ts';

// The in-memory key index of the fast path (`peek`): read again in the background before it goes stale, so
// a steady poller never leaves the fast path; a key revoked by another process stops working within the TTL;
// a read started before a change made here is never installed after it, nor answers the calls waiting on it.

const config = validateConfig({ sources: [{ id: 'local', url: 'https://local.example/feed', title: 'Local' }] });
const settle = () => new Promise((resolve) => setImmediate(resolve));

async function setup() {
  const sqlite = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-keyindex-')), 'k.db'));
  await createStore(sqlite.db).syncSources(config.sources);
  const subscribers = createSubscriberStore(sqlite.db);
  await subscribers.create({ id: 'outlet', name: 'Outlet', entitlements: {} }, 0);
  const { key, keyId } = await createKey(subscribers, 'outlet', undefined, 1);
  let clock = 1_000_000;
  const access = createAccessControl({ subscribers, sources: config.sources, ttlMs: 5000, now: () => clock });
  const hash = await sha256Hex(key);
  // The first keyed request takes the full route, which reads the index.
  await access.authenticate({ authorization: `Bearer ${key}`, keyParam: null, client: '10.0.0.1' });
  return { sqlite, subscribers, access, key, keyId, hash, tick: (ms: number) => (clock += ms), now: () => clock };
}

describe('the key index of the fast path', () => {
  it('is read again before it goes stale, so a steady poller always finds its grant', async () => {
    const { sqlite, access, hash, tick } = await setup();
    for (let s = 0; s < 30; s++) {
      expect(access.peek(hash, false)?.subscriber.id, `second ${s}`).toBe('outlet');
      await settle();
      tick(1000);
    }
    sqlite.close();
  });

  it('stops a key revoked by another process within the TTL', async () => {
    const { sqlite, subscribers, access, hash, keyId, tick } = await setup();
    expect(access.peek(hash, false)).not.toBeNull();
    // Another process (the CLI) revokes the key: this one is not told.
    expect(await subscribers.revokeKey('outlet', keyId, 2)).toBe(true);
    tick(2000);
    expect(access.peek(hash, false)).not.toBeNull();
    tick(2999);
    // Past half the TTL a poll starts a background read; until it lands the old index answers.
    access.peek(hash, false);
    await settle();
    expect(access.peek(hash, false)).toBeNull();
    sqlite.close();
  });

  it('answers null once the index is as old as the TTL, whatever else happens', async () => {
    const { sqlite, access, hash, tick } = await setup();
    tick(5000);
    expect(access.peek(hash, false)).toBeNull();
    sqlite.close();
  });

  it('never installs a read that started before invalidate()', async () => {
    const { sqlite, subscribers, access, key, hash, keyId, tick } = await setup();
    tick(5000);
    // A full-route request starts a read of the index (the key still live in it)…
    const pending = access.authenticate({ authorization: `Bearer ${key}`, keyParam: null, client: '10.0.0.1' });
    // …then the admin API revokes the key here, before that read lands (no await in between).
    const revoked = subscribers.revokeKey('outlet', keyId, 3);
    access.invalidate();
    expect(await revoked).toBe(true);
    await expect(pending).rejects.toMatchObject({ status: 401 });
    expect(access.peek(hash, false)).toBeNull();
    await expect(access.authenticate({ authorization: `Bearer ${key}`, keyParam: null, client: '10.0.0.1' })).rejects.toMatchObject({ status: 401 });
    sqlite.close();
  });

  it('answers the calls waiting on a read that started before invalidate() from a read started after it', async () => {
    const { sqlite, subscribers, key, keyId, tick, now } = await setup();
    // A store whose key reads are taken at once but come back only when released (a slow round trip).
    let reads = 0;
    const gates: Array<() => void> = [];
    const held = {
      ...subscribers,
      liveKeys: async () => {
        reads++;
        const rows = await subscribers.liveKeys();
        await new Promise<void>((resolve) => gates.push(resolve));
        return rows;
      },
    };
    const access = createAccessControl({ subscribers: held, sources: config.sources, ttlMs: 5000, now });
    const ask = () => access.authenticate({ authorization: `Bearer ${key}`, keyParam: null, client: '10.0.0.1' });
    // Three requests wait on one read, which has taken the rows with the key still live…
    const waiting = [ask(), ask(), ask()].map((p) => p.then((g) => g?.keyId ?? null, (err: { status?: number }) => err.status));
    await settle();
    expect(reads).toBe(1);
    // …when the admin API revokes the key and invalidates the index.
    expect(await subscribers.revokeKey('outlet', keyId, 3)).toBe(true);
    access.invalidate();
    gates.shift()!();
    await settle();
    // The old read's callers now wait on one new read (not one per request), which no longer has the key.
    expect(reads).toBe(2);
    gates.shift()!();
    expect(await Promise.all(waiting)).toEqual([401, 401, 401]);
    tick(1);
    await expect(ask()).rejects.toMatchObject({ status: 401 });
    expect(reads).toBe(2);
    sqlite.close();
  });

  it('hands out one grant object per key and way of sending it while the index stands', async () => {
    const { sqlite, access, hash } = await setup();
    const header = access.peek(hash, false);
    const url = access.peek(hash, true);
    expect(header).not.toBeNull();
    expect(access.peek(hash, false)).toBe(header);
    expect(access.peek(hash, true)).toBe(url);
    expect(url).not.toBe(header);
    expect(url?.inUrl).toBe(true);
    expect(header?.inUrl).toBe(false);
    sqlite.close();
  });
});

describe('a keyed poll on the full route', () => {
  it('asks the data version beside the key, not after it (the fast path waits for that memo)', async () => {
    const sqlite = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-keyindex-')), 'v.db'));
    const store = createStore(sqlite.db);
    await store.syncSources(config.sources);
    let asked = 0;
    const counted = { ...store, dataVersion: () => (asked++, store.dataVersion()) };
    const subscribers = createSubscriberStore(sqlite.db);
    const real = createAccessControl({ subscribers, sources: config.sources });
    // A key lookup that has not come back yet (a slow hash, an index read).
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const access = { ...real, authenticate: async () => (await held, null) };
    const app = createApp({ store: counted, feeds: [], access });
    const answer = app.request('http://feeds.example.org/feeds/all.rss', { headers: { Authorization: `Bearer wf_${'A'.repeat(43)}` } });
    await settle();
    expect(asked).toBe(1);
    release();
    expect((await answer).status).toBe(200);
    sqlite.close();
  });
});
