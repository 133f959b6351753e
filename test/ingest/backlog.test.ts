import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetcher } from '../../src/ingest/fetch.ts';
import { ingestBacklog, type IngestDeps } from '../../src/ingest/run.ts';
import type { SourceConfig } from '../../src/model.ts';
import { openSqlite, type SqliteHandle } from '../../src/runtime/sqlite.ts';
import { createStore } from '../../src/store/store.ts';

const SOURCES = 240;
const hits = new Map<string, number>();
let inFlight = 0;
let maxInFlight = 0;
let server: Server;
let base = '';
const dir = mkdtempSync(join(tmpdir(), 'wirefeed-backlog-'));
const handles: SqliteHandle[] = [];

beforeAll(async () => {
  // Each feed answers after a short wait, so that the two runs below overlap in time.
  server = createServer((req, res) => {
    const id = (req.url ?? '').slice(1);
    hits.set(id, (hits.get(id) ?? 0) + 1);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight--;
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
      res.end(`<?xml version="1.0"?><rss version="2.0"><channel><title>${id}</title><item><title>Story of ${id}</title><guid>${id}-1</guid></item></channel></rss>`);
    }, 3);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  for (const h of handles) h.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the Node tick drains the due backlog, leased', () => {
  it('two processes on one database poll every due source exactly once, in waves bounded by the concurrency', async () => {
    const sources: SourceConfig[] = Array.from({ length: SOURCES }, (_, i) => ({
      id: `b${i}`,
      url: `${base}/b${i}`,
      title: `B ${i}`,
      interval: 15,
      categories: [],
      allowPrivateNetwork: true,
    }));
    const path = join(dir, 'shared.db');
    const deps = (): IngestDeps => {
      const handle = openSqlite(path);
      handles.push(handle);
      return { store: createStore(handle.db), sources, fetchFeed: createFetcher({ timeoutMs: 10_000 }) };
    };
    const [a, b] = [deps(), deps()];
    await a.store.syncSources(sources);
    const options = { waveSize: 8, concurrency: 4, perHostConcurrency: 4, leaseMs: 60_000 };
    const [fromA, fromB] = await Promise.all([ingestBacklog(a, options), ingestBacklog(b, options)]);
    // Far more than one batch (schedule.batchSize is 20), shared between the two, none twice.
    expect(fromA.length + fromB.length).toBe(SOURCES);
    expect(fromA.length).toBeGreaterThan(0);
    expect(fromB.length).toBeGreaterThan(0);
    expect([...fromA, ...fromB].every((o) => o.status === 'ok')).toBe(true);
    expect(sources.filter((s) => hits.get(s.id) !== 1).map((s) => s.id)).toEqual([]);
    expect(maxInFlight).toBeLessThanOrEqual(2 * options.concurrency);
    // Every lease was freed by its save; nothing is due any more.
    const state = await a.store.listSources();
    expect(state.every((s) => s.itemCount === 1 && s.nextFetchAt > Date.now())).toBe(true);
    expect(await ingestBacklog(a, options)).toEqual([]);
  });
});
