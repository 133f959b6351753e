/**
 * Crash safety of a real `wirefeed serve` process: SIGKILL while it saves a large poll, then restart on the
 * same database.
 *
 * The scenario: the server ingests a small feed (v1, committed), then the upstream switches to a large one
 * (v2). Once the upstream has sent all of v2, the test watches the database's WAL file: when it grows, the
 * poll's single transaction is writing (SQLite spills the uncommitted pages of a large transaction to the
 * WAL), and the server is SIGKILLed right then. Read-only, after the kill, the database must pass
 * `PRAGMA integrity_check` and show exactly the state of the v1 poll (items, categories, source state, data
 * version): nothing of the interrupted poll. Restarted on the same file, the server polls again and the
 * whole of v2 appears in `/status`.
 *
 * If the kill lands after the commit (the poll finished first), that was not "in the middle": the attempt is
 * discarded (said on stderr) and repeated with a fresh database, up to MAX_ATTEMPTS.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { sqliteDriver } from '../../src/runtime/sqlite-driver.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killServer, startServer, type ServeProcess } from '../support/serve-process.ts';
import { waitFor } from '../support/wait-for.ts';

/** Items of the small first feed, and of the large one whose poll is killed. */
const V1_ITEMS = 40;
const V2_ITEMS = 10_000;
const MAX_ATTEMPTS = 2;
/** WAL growth past its size at the end of the download that shows the save transaction is writing. */
const WAL_GROWTH_TRIGGER = 256 * 1024;
/** Bound on each wait (the machine running the tests may be busy). */
const WAIT_TIMEOUT_MS = 45_000;

const FILLER =
  'Officials said the work would continue through the week, and residents were asked to follow updates. ';

/** An RSS 2.0 document with `count` distinct stories whose guids start with `prefix`. */
function feedXml(prefix: string, count: number): string {
  const parts = [
    '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Crash upstream</title>',
    '<link>https://crash.example/</link><description>large feed</description>\n',
  ];
  for (let i = 0; i < count; i++) {
    parts.push(
      `<item><title>${prefix} story ${i}: council weighs plan ${i % 97}</title><link>https://crash.example/${prefix}/${i}</link>` +
        `<guid>${prefix}-${i}</guid><category>Alberta</category><category>Topic ${i % 13}</category>` +
        `<pubDate>${new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString()}</pubDate>` +
        `<description><![CDATA[<p>First paragraph of ${prefix} story ${i}. ${FILLER.repeat(3)}</p><p>${FILLER.repeat(2)}</p>]]></description></item>\n`,
    );
  }
  parts.push('</channel></rss>\n');
  return parts.join('');
}

interface Upstream {
  server: Server;
  url: string;
  /** Which document a full (200) response sends now. */
  version: 'v1' | 'v2';
  /** Resolves when a 200 response of v2 has been handed entirely to the socket. */
  v2Sent: Promise<void>;
  v2Requests: number;
}

async function startUpstream(): Promise<Upstream> {
  const bodies = { v1: Buffer.from(feedXml('v1', V1_ITEMS)), v2: Buffer.from(feedXml('v2', V2_ITEMS)) };
  let markSent: () => void = () => {};
  const up = {
    version: 'v1',
    v2Requests: 0,
    v2Sent: new Promise<void>((r) => (markSent = r)),
  } as Omit<Upstream, 'server' | 'url'> & Partial<Upstream>;
  up.server = createServer((req, res) => {
    const version = up.version;
    const etag = `"${version}"`;
    // No keep-alive: the server's event loop is blocked for seconds while it ingests, and a pooled socket the
    // upstream closed meanwhile would fail the next poll ("other side closed"), which is not under test here.
    res.setHeader('Connection', 'close');
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ETag: etag }).end();
      return;
    }
    if (version === 'v2') up.v2Requests++;
    res.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8', ETag: etag, 'Content-Length': bodies[version].length });
    res.end(bodies[version], () => {
      if (version === 'v2') markSent();
    });
  });
  await new Promise<void>((r) => up.server!.listen(0, '127.0.0.1', r));
  up.url = `http://127.0.0.1:${(up.server.address() as AddressInfo).port}/feed.xml`;
  return up as Upstream;
}

interface SourceStatus {
  id: string;
  items: number;
  etag: string | null;
  lastSuccessAt: string | null;
  lastError: unknown;
}

async function sourceStatus(server: ServeProcess): Promise<SourceStatus | undefined> {
  try {
    const res = await fetch(`${server.url}/status`, { signal: AbortSignal.timeout(2_000) });
    const body = (await res.json()) as { sources: SourceStatus[] };
    return body.sources.find((s) => s.id === 'big');
  } catch {
    return undefined; // Busy ingesting: the event loop answers later.
  }
}

/** Everything a reader can see of the store, read from the file by a separate read-only connection. */
interface Snapshot {
  integrity: string;
  items: number;
  itemIds: string;
  categoryRows: number;
  itemsWithoutCategories: number;
  etag: string | null;
  lastSuccessAt: number | null;
  lastFetchAt: number | null;
  dataVersion: number;
}

function snapshot(dbPath: string): Snapshot {
  const db = new (sqliteDriver())(dbPath, { readonly: true, fileMustExist: true });
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('\n');
    const source = db.prepare(`SELECT etag, last_success_at, last_fetch_at FROM sources WHERE id = 'big'`).get() as
      | { etag: string | null; last_success_at: number | null; last_fetch_at: number | null }
      | undefined;
    const ids = (db.prepare(`SELECT id FROM items WHERE source_id = 'big' ORDER BY id`).all() as { id: string }[]).map((r) => r.id);
    return {
      integrity,
      items: ids.length,
      itemIds: ids.join('\n'),
      categoryRows: (db.prepare('SELECT count(*) AS n FROM item_categories').get() as { n: number }).n,
      itemsWithoutCategories: (
        db.prepare('SELECT count(*) AS n FROM items i WHERE NOT EXISTS (SELECT 1 FROM item_categories c WHERE c.item_id = i.id)').get() as { n: number }
      ).n,
      etag: source?.etag ?? null,
      lastSuccessAt: source?.last_success_at ?? null,
      lastFetchAt: source?.last_fetch_at ?? null,
      dataVersion: (db.prepare(`SELECT value FROM meta WHERE key = 'data_version'`).get() as { value: number }).value,
    };
  } finally {
    db.close();
  }
}

function walSize(dbPath: string): number {
  try {
    return statSync(`${dbPath}-wal`).size;
  } catch {
    return 0;
  }
}

describe('crash safety of wirefeed serve', () => {
  const dirs: string[] = [];
  const servers: ServeProcess[] = [];
  let upstream: Upstream | undefined;

  beforeAll(() => {
    expect(existsSync('bin/wirefeed.mjs'), 'run the tests from the repository root').toBe(true);
  });

  afterEach(async () => {
    for (const s of servers.splice(0)) await killServer(s);
    if (upstream) await new Promise<void>((r) => upstream!.server.close(() => r()));
    upstream = undefined;
  });

  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * One attempt: v1 committed, v2 downloaded, SIGKILL while the v2 transaction writes. Returns the states
   * before and after the kill, or null when the kill came after v2 had committed.
   */
  async function killDuringLargePoll(attempt: number): Promise<{ dbPath: string; configPath: string; before: Snapshot; after: Snapshot; walAtKill: number; walBaseline: number } | null> {
    upstream = await startUpstream();
    const dir = mkdtempSync(join(tmpdir(), 'wirefeed-crash-'));
    dirs.push(dir);
    const dbPath = join(dir, 'crash.db');
    const configPath = join(dir, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        // A short interval and a per-second tick, so the second poll (the large feed) comes soon after the first.
        sources: [{ id: 'big', url: upstream.url, title: 'Large upstream', interval: 0.02, allowPrivateNetwork: true }],
        schedule: { cron: '* * * * * *' },
        limits: { maxFeedBytes: 64 * 1024 * 1024, fetchTimeoutMs: 20_000 },
        // Retention large enough to keep both polls whole, so the counts below say exactly what was saved.
        retention: { maxAgeDays: 3650, maxItemsPerSource: 100_000 },
      }),
    );
    const server = await startServer({ WIREFEED_CONFIG: configPath, WIREFEED_DB: dbPath });
    servers.push(server);

    // v1: the poll at start-up commits V1_ITEMS items.
    await waitFor(
      async () => {
        const s = await sourceStatus(server);
        return s && s.items === V1_ITEMS && s.etag === '"v1"' ? s : undefined;
      },
      'the first (small) poll',
      100,
      WAIT_TIMEOUT_MS,
    );
    // v2: the next poll downloads the large feed; kill while its transaction writes.
    upstream.version = 'v2';
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      upstream.v2Sent,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the server did not fetch the large feed within ${WAIT_TIMEOUT_MS} ms:\n${server.output()}`)), WAIT_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    // What a reader sees now is the state before the large poll (polls of a source never overlap, so any
    // earlier 304 poll has been saved): the state the kill must leave as it is.
    const before = snapshot(dbPath);
    expect(before.integrity).toBe('ok');
    expect(before.items).toBe(V1_ITEMS);
    expect(before.etag).toBe('"v1"');
    const walBaseline = walSize(dbPath);
    const walAtKill = await waitFor(
      () => {
        if (server.child.exitCode !== null) throw new Error(`the server exited by itself:\n${server.output()}`);
        const size = walSize(dbPath);
        return size > walBaseline + WAL_GROWTH_TRIGGER ? size : undefined;
      },
      'the save transaction of the large poll to start writing (WAL growth)',
      2,
      WAIT_TIMEOUT_MS,
    );
    server.child.kill('SIGKILL');
    expect(await server.exited).toBe('SIGKILL');

    const after = snapshot(dbPath);
    // Only a whole committed v2 poll means the kill came too late; anything else is judged by the test.
    if (after.integrity === 'ok' && after.etag === '"v2"' && after.items === V1_ITEMS + V2_ITEMS) {
      process.stderr.write(
        `crash test, attempt ${attempt}: the large poll committed before the kill landed (${after.items} items); not "in the middle", trying again\n`,
      );
      await new Promise<void>((r) => upstream!.server.close(() => r()));
      upstream = undefined;
      return null;
    }
    return { dbPath, configPath, before, after, walAtKill, walBaseline };
  }

  it(
    'a SIGKILL in the middle of saving a large poll leaves an intact database with none of that poll; the restart completes it',
    async () => {
      let crash: Awaited<ReturnType<typeof killDuringLargePoll>> = null;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS && crash === null; attempt++) crash = await killDuringLargePoll(attempt);
      if (crash === null) throw new Error(`in ${MAX_ATTEMPTS} attempts the kill never landed before the large poll committed`);
      const { dbPath, configPath, before, after, walAtKill, walBaseline } = crash;

      // The kill came while the transaction had written uncommitted pages to the WAL…
      expect(walAtKill).toBeGreaterThan(walBaseline + WAL_GROWTH_TRIGGER);
      // …and none of them is visible: the database is intact and exactly as the v1 poll left it.
      expect(after.integrity).toBe('ok');
      expect(after).toEqual(before);
      expect(after.itemsWithoutCategories).toBe(0);
      expect(after.etag).toBe('"v1"');

      // Restarted on the same file, the server polls again (the source is due) and saves the whole large feed.
      const restarted = await startServer({ WIREFEED_CONFIG: configPath, WIREFEED_DB: dbPath });
      servers.push(restarted);
      const done = await waitFor(
        async () => {
          if (restarted.child.exitCode !== null) throw new Error(`the restarted server exited:\n${restarted.output()}`);
          const s = await sourceStatus(restarted);
          return s && s.etag === '"v2"' ? s : undefined;
        },
        'the large poll to complete after the restart',
        250,
        WAIT_TIMEOUT_MS,
      );
      // Nothing is deleted on refresh: the v1 stories stay beside the v2 ones.
      expect(done.items).toBe(V1_ITEMS + V2_ITEMS);
      expect(done.lastError).toBeNull();
      expect(upstream!.v2Requests).toBeGreaterThanOrEqual(2);

      await killServer(restarted);
      const final = snapshot(dbPath);
      expect(final.integrity).toBe('ok');
      expect(final.items).toBe(V1_ITEMS + V2_ITEMS);
      expect(final.itemsWithoutCategories).toBe(0);
      expect(final.dataVersion).toBeGreaterThan(before.dataVersion);
    },
    150_000,
  );
});
