/**
 * Run as its own process (`node --import tsx`): starts a real pool, runs one job of each outcome, closes it,
 * and prints one JSON line. The process must then exit on its own: a thread left running would keep it alive.
 */
import { readFileSync } from 'node:fs';
import { createIngestPool } from '../../../src/runtime/ingest-pool.ts';

const pool = createIngestPool({ size: 2, jobTimeoutMs: 20_000, maxHeapMb: 64, script: new URL('./faulty-ingest-worker.ts', import.meta.url) });
const source = { id: 'ok', url: 'https://example.com/feed.xml', title: 'OK', interval: 15, categories: [], allowPrivateNetwork: false };
const bytes = (): Uint8Array => new Uint8Array(readFileSync(new URL('../../fixtures/parse/rss20-full.xml', import.meta.url)));
const job = (id: string) => pool.process({ bytes: bytes(), contentType: null, url: source.url, source: { ...source, id }, now: Date.UTC(2026, 8, 1) });
const [ok, failed] = await Promise.allSettled([job('ok'), job('exit'), job('ok')]);
const threadsBefore = pool.threads();
await pool.close();
process.stdout.write(
  `${JSON.stringify({
    ok: ok.status === 'fulfilled' ? ok.value.items.length : null,
    failed: failed.status === 'rejected' ? (failed.reason as { kind?: string }).kind : null,
    threadsBefore,
    threadsAfter: pool.threads(),
  })}\n`,
);
