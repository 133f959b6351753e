import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Miniflare, type Request as MiniflareRequest } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import workerConfigInput from '../config/worker.config.ts';
import { workerConfig } from '../src/runtime/worker-handlers.ts';
import { createUpstream, UPSTREAM_ORIGIN } from './worker/upstream.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');
const BUDGET_GZIP_BYTES = 1024 * 1024;
const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
const tomlString = (key: string): string => toml.match(new RegExp(`^${key} = "([^"]+)"`, 'm'))![1]!;

/** Runs wrangler offline (no telemetry, no cf fetch) from the project root. */
function wrangler(args: string[]): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the Workers build (wrangler deploy --dry-run)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-worker-build-'));
  const outdir = join(dir, 'dist');
  let mf: Miniflare | undefined;
  let queued: Miniflare | undefined;

  afterAll(async () => {
    await mf?.dispose();
    await queued?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeAll(() => {
    const build = wrangler(['deploy', '--dry-run', '--outdir', outdir]);
    if (build.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${build.output}`);
  }, 120_000);

  it('bundles to less than 1 MiB gzip', () => {
    const scripts = readdirSync(outdir).filter((f) => f.endsWith('.js') || f.endsWith('.mjs'));
    expect(scripts).toContain('worker.js');
    let raw = 0;
    let gzip = 0;
    for (const file of scripts) {
      const bytes = readFileSync(join(outdir, file));
      raw += bytes.byteLength;
      gzip += gzipSync(bytes, { level: 9 }).byteLength;
    }
    console.log(`wirefeed worker bundle: ${(raw / 1024).toFixed(1)} KiB, gzip ${(gzip / 1024).toFixed(1)} KiB (budget ${BUDGET_GZIP_BYTES / 1024} KiB gzip)`);
    expect(gzip).toBeLessThan(BUDGET_GZIP_BYTES);
  });

  it('the bundle runs in workerd: D1 migrated by wrangler, a scheduled poll, feeds served', async () => {
    const state = join(dir, 'state');
    const migrate = wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state]);
    expect(migrate.status, migrate.output).toBe(0);

    // Every source of the bundled config is answered with the test wire feed: no network here.
    const config = workerConfig(workerConfigInput);
    const upstream = createUpstream();
    const sourceUrls = new Set(config.sources.map((s) => s.url));
    mf = new Miniflare({
      modules: true,
      scriptPath: join(outdir, 'worker.js'),
      // Module names are taken relative to this root; the default (the working directory) is not above a tmp dir.
      modulesRoot: outdir,
      compatibilityDate: tomlString('compatibility_date'),
      compatibilityFlags: ['nodejs_compat'],
      d1Databases: { DB: tomlString('database_id') },
      d1Persist: join(state, 'v3', 'd1'),
      outboundService: async (request: MiniflareRequest) => {
        const url = sourceUrls.has(request.url) ? `${UPSTREAM_ORIGIN}/wire.xml` : request.url;
        return upstream(new Request(url, { headers: request.headers as unknown as HeadersInit }));
      },
    });
    const get = async (path: string, headers: Record<string, string> = {}) => mf!.dispatchFetch(`https://wirefeed.test${path}`, { headers });

    expect(await (await get('/healthz')).text()).toBe('ok');
    // The Fetcher typing of miniflare comes from @cloudflare/workers-types, which is not installed here.
    const worker = (await mf.getWorker()) as unknown as { scheduled(o: { cron: string; scheduledTime: Date }): Promise<{ outcome: string }> };
    const result = await worker.scheduled({ cron: '*/5 * * * *', scheduledTime: new Date() });
    expect(result.outcome).toBe('ok');

    const status = (await (await get('/status')).json()) as { sources: { id: string; items: number; errorCount: number }[] };
    expect(status.sources).toEqual(config.sources.map((s) => expect.objectContaining({ id: s.id, items: 4, errorCount: 0 })));
    const rss = await get('/feeds/all.rss');
    expect(rss.status).toBe(200);
    expect(rss.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const body = await rss.text();
    expect(body).toContain('Province sets date for rural broadband spectrum auction');
    expect(body).not.toContain('trackReader');
    expect((await get('/feeds/all.rss', { 'If-None-Match': rss.headers.get('etag')! })).status).toBe(304);
  }, 120_000);

  it('the bundle fans out through a real local queue: the Cron Trigger enqueues, queue() polls, the leases are freed', async () => {
    const state = join(dir, 'state-queued');
    const migrate = wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state]);
    expect(migrate.status, migrate.output).toBe(0);
    const config = workerConfig(workerConfigInput);
    const upstream = createUpstream();
    const sourceUrls = new Set(config.sources.map((s) => s.url));
    const consumer = (key: string): number => Number(toml.split('[[queues.consumers]]')[1]!.match(new RegExp(`^${key} = (\\d+)`, 'm'))![1]);
    queued = new Miniflare({
      modules: true,
      scriptPath: join(outdir, 'worker.js'),
      modulesRoot: outdir,
      compatibilityDate: tomlString('compatibility_date'),
      compatibilityFlags: ['nodejs_compat'],
      d1Databases: { DB: tomlString('database_id') },
      d1Persist: join(state, 'v3', 'd1'),
      // The queues of wrangler.toml; a short batch timeout so the test does not wait the production 5 s.
      queueProducers: { INGEST_QUEUE: { queueName: 'wirefeed-ingest' } },
      queueConsumers: {
        'wirefeed-ingest': { maxBatchSize: consumer('max_batch_size'), maxBatchTimeout: 1, maxRetries: consumer('max_retries'), deadLetterQueue: 'wirefeed-ingest-dlq' },
        'wirefeed-ingest-dlq': { maxBatchSize: 100, maxBatchTimeout: 1 },
      },
      outboundService: async (request: MiniflareRequest) => {
        const url = sourceUrls.has(request.url) ? `${UPSTREAM_ORIGIN}/wire.xml` : request.url;
        return upstream(new Request(url, { headers: request.headers as unknown as HeadersInit }));
      },
    });
    const get = async (path: string) => queued!.dispatchFetch(`https://wirefeed.test${path}`);
    const worker = (await queued.getWorker()) as unknown as { scheduled(o: { cron: string; scheduledTime: Date }): Promise<{ outcome: string }> };
    expect((await worker.scheduled({ cron: '*/5 * * * *', scheduledTime: new Date() })).outcome).toBe('ok');
    const db = (await queued.getD1Database('DB')) as unknown as { prepare(sql: string): { first<T>(): Promise<T | null> } };
    // The tick only enqueued: the polls arrive through the queue consumer.
    let polled = false;
    for (let i = 0; i < 240 && !polled; i++) {
      const status = (await (await get('/status')).json()) as { sources: { id: string; items: number; errorCount: number }[] };
      polled = status.sources.length === config.sources.length && status.sources.every((s) => s.items === 4 && s.errorCount === 0);
      if (!polled) await new Promise((r) => setTimeout(r, 250));
    }
    expect(polled).toBe(true);
    const leases = await db.prepare('SELECT count(*) AS n, max(claim_seq) AS seq FROM sources WHERE claimed_until <> 0').first<{ n: number; seq: number | null }>();
    expect(leases!.n).toBe(0);
    // Claimed once by the tick, taken over once by a first delivery (only the queue consumer sets claim_attempt).
    const claimed = await db.prepare('SELECT min(claim_seq) AS seq, min(claim_attempt) AS attempt, max(claim_attempt) AS last FROM sources').first<{ seq: number; attempt: number; last: number }>();
    expect(claimed).toEqual({ seq: 1, attempt: 1, last: 1 });
  }, 120_000);
});
