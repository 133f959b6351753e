/**
 * Load bench (the issue's "Load" item): 200 concurrent pollers against the real server for 30 s while ingests
 * run, reporting the status counts (the target: zero 5xx), latency percentiles, the server's memory before,
 * at its peak and after, and the ingests and data changes that happened under load. The same generator runs
 * three times in one invocation — the real server with no ingests, the real server while ingests run, and a
 * bare node:http server answering the real server's captured bytes — so the p99s can be compared.
 *
 * Four processes besides this one, all on 127.0.0.1:
 * - the real server (`servers/real.ts`: `startNodeServer`, the `wirefeed serve` code path) with the admin API on;
 * - the bare server (`servers/bare.ts`), with the real server's answers to every request of the mix;
 * - a local upstream (`servers/upstream.ts`) publishing a wire feed in RSS, Atom and JSON Feed (a few hundred
 *   stories each) that CHANGES on every fetch: new stories, one edited story;
 * - none for the pollers: they run here, one undici `Client` (one keep-alive connection, no pipelining) each,
 *   in a closed loop (the next request as soon as the last answer is read: no think time, the worst case).
 *
 * Ingests are forced through the admin API (`POST /admin/sources/:id/refresh`, round robin over the three
 * sources, a short gap between answers) rather than the cron: the cadence and the count are then the bench's,
 * not the scheduler's politeness rules' (interval, upstream max-age, posting cadence), and every refresh goes
 * through the same HTTP server the pollers load. The cron is set to once a year; the start-up tick fills the
 * store before the pollers start.
 *
 * Rate limiting stays ON with a bucket that never runs dry (as in the HTTP bench), so the limiter's per-request
 * work is in the measured path; and each poller connects from its own loopback address (127.0.0.2, .3, …), so
 * the limiter keeps one bucket per poller as it would for 200 real pollers. From one address all pollers would
 * share one bucket — with the default limits (burst 120, 2/s) that is a wall of 429s within a second.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';
import { validateConfig } from '../src/config.ts';
import { forkServer, type ChildMemory, type ChildServer, type LoopDelay } from './child.ts';
import { rng } from './fixtures.ts';
import { fetchRaw, header } from './http.ts';
import type { BareRoute, CapturedResponse } from './servers/bare.ts';
import type { UpstreamFormat, UpstreamOptions, UpstreamStats } from './servers/upstream.ts';
import { percentile } from './stats.ts';

export interface LoadBenchOptions {
  /** Seconds the pollers run. */
  seconds: number;
  /** Concurrent pollers (connections). */
  pollers: number;
  /** Pause between one refresh's answer and the next refresh, ms. */
  ingestGapMs: number;
  /** The real server's ingest worker threads (`schedule.workers`; 0: decode, parse and normalize on the serving thread). */
  workers: number;
  /** A directory: the server writes a V8 CPU profile there when it stops. */
  profileDir?: string | undefined;
}

/** One kind of request a poller subscribes to. */
export interface RequestKind {
  key: string;
  label: string;
  path: string;
  /** Relative share among subscriptions. */
  weight: number;
}

/** The mix: named feeds in every format, filtered feeds. Which headers a poller sends is its profile's. */
export const REQUEST_KINDS: readonly RequestKind[] = [
  { key: 'all.rss', label: 'named `/feeds/all.rss`', path: '/feeds/all.rss', weight: 20 },
  { key: 'politics.rss', label: 'named `/feeds/politics.rss`', path: '/feeds/politics.rss', weight: 15 },
  { key: 'alberta.atom', label: 'named `/feeds/alberta.atom`', path: '/feeds/alberta.atom', weight: 10 },
  { key: 'all.json', label: 'named `/feeds/all.json` (JSON Feed)', path: '/feeds/all.json', weight: 10 },
  { key: 'politics.ninjs', label: 'named `/feeds/politics.ninjs`', path: '/feeds/politics.ninjs', weight: 5 },
  { key: 'business?format', label: 'named `/feeds/business?format=atom`', path: '/feeds/business?format=atom', weight: 5 },
  { key: 'category', label: 'filtered `/feeds/all.rss?category=Health`', path: '/feeds/all.rss?category=Health', weight: 10 },
  { key: 'q', label: 'filtered `/feeds/all.json?q=council`', path: '/feeds/all.json?q=council', weight: 10 },
  { key: 'categories+q', label: 'filtered `/feeds/all.atom?category=Politics,Courts&q=budget`', path: '/feeds/all.atom?category=Politics,Courts&q=budget', weight: 5 },
  { key: 'located', label: 'filtered `/feeds/alberta.rss?located=Calgary&limit=20`', path: '/feeds/alberta.rss?located=Calgary&limit=20', weight: 5 },
];

/** How a poller asks. */
export type Profile = 'reader' | 'aggregator' | 'plain';
export const PROFILES: Record<Profile, { label: string; conditional: boolean; gzip: boolean }> = {
  reader: { label: 'feed reader: `If-None-Match` with the last ETag, `Accept-Encoding: gzip`', conditional: true, gzip: true },
  aggregator: { label: 'aggregator: `Accept-Encoding: gzip`, unconditional', conditional: false, gzip: true },
  plain: { label: 'plain client: identity, unconditional', conditional: false, gzip: false },
};
/** Poller i's profile: 3 of 5 are feed readers, 1 an aggregator, 1 a plain client. */
const profileOf = (i: number): Profile => (['reader', 'reader', 'reader', 'aggregator', 'plain'] as const)[i % 5]!;
/** Feeds each poller subscribes to (distinct, drawn by weight) and polls in turn. */
const SUBSCRIPTIONS = 3;

const FORMATS: readonly UpstreamFormat[] = ['rss', 'atom', 'json'];
const UPSTREAM: UpstreamOptions = { window: { rss: 300, atom: 150, json: 150 }, newPerFetch: 3 };

/** Bounds. */
const REQUEST_TIMEOUT_MS = 10_000; // headers, and then body, each
const CONNECT_TIMEOUT_MS = 5_000;
const ADMIN_TIMEOUT_MS = 30_000;
const READY_TIMEOUT_MS = 60_000;
/** Seconds each server serves the generator, unrecorded, before its first recorded run. */
const WARMUP_SECONDS = 3;
const SAMPLE_MS = 250;
/** Responses recorded at most (and then the pollers stop): a bound besides the duration. */
const MAX_RESPONSES = 4_000_000;
/** Stop early after this many client errors (the server is gone, or worse). */
const BAILOUT_ERRORS = 10_000;

export interface MemoryPoint {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** Memory of C++ objects bound to JS objects (Buffers included), as V8 counts it. */
  external: number;
}

export interface KindResult {
  key: string;
  label: string;
  subscribers: number;
  responses: number;
  statuses: Record<string, number>;
  p50: number;
  p99: number;
  meanBytes: number;
}

export interface ProfileResult {
  profile: Profile;
  label: string;
  pollers: number;
  responses: number;
  statuses: Record<string, number>;
}

export interface IngestRecord {
  source: string;
  /** `ok`, `not-modified`, `error` (the poll failed), or `http-NNN`/`failed` (the refresh request did). */
  status: string;
  items: number | null;
  message: string | null;
  /** Time from the refresh request to its answer, ms. */
  ms: number;
  /** When the answer came, ms since the pollers started (negative: before). */
  at: number;
  /** Whether the store's data version differed after it from the one before. */
  changed: boolean;
}

export interface WindowResult {
  from: number;
  to: number;
  responses: number;
  p99: number;
  fiveXx: number;
  errors: number;
  rss: number;
  heapUsed: number;
  dataVersion: number;
  ingests: number;
}

export interface LoadReport {
  /** The options, and whether ingests were forced during this run. */
  options: LoadBenchOptions & { ingests: boolean };
  /** Each poller had its own loopback address (else all shared 127.0.0.1). */
  distinctAddresses: boolean;
  /** Seconds from the first request to the last answer. */
  elapsed: number;
  responses: number;
  rps: number;
  statuses: Record<string, number>;
  fiveXx: number;
  errors: Record<string, number>;
  latency: { p50: number; p90: number; p99: number; max: number };
  capped: boolean;
  kinds: KindResult[];
  profiles: ProfileResult[];
  conditional: { sent: number; notModified: number; changed: number };
  gzip: { asked: number; got: number };
  memory: {
    source: 'proc' | 'ipc';
    before: MemoryPoint;
    peak: MemoryPoint;
    after: MemoryPoint;
    afterGc: MemoryPoint | null;
    /** VmHWM at the end: the highest RSS since the server started (start-up ingest included). */
    hwm: number | null;
    /** RssAnon and RssFile before and at the end (after the GC), from /proc. */
    split: { before: { anon: number; file: number }; end: { anon: number; file: number } } | null;
    samples: number;
  };
  timeline: WindowResult[];
  ingests: IngestRecord[];
  startup: { items: number; seconds: number };
  dataVersion: { before: number; after: number; sampledDistinct: number };
  /** ETag changes seen by pollers, summed over the request kinds (a changed representation). */
  etagChanges: number;
  cpu: { server: number; upstream: number; generator: number };
  loopDelay: LoopDelay | null;
  upstream: UpstreamStats;
  storeItems: number;
  serverLog: { polls: number; problems: string[] };
}

/**
 * VmRSS, VmHWM, RssAnon (heap, malloc) and RssFile (mapped files: code, libraries) of a process from /proc
 * (Linux), in bytes; null where there is no /proc.
 */
function procMemory(pid: number): { rss: number; hwm: number; anon: number; file: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024;
    const rss = kb('VmRSS');
    return Number.isFinite(rss) ? { rss, hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile') } : null;
  } catch {
    return null;
  }
}

/** Whether this host lets a socket use 127.0.0.2 as its source address (Linux routes all of 127/8 to lo). */
function canBindLoopbackAlias(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2', timeout: 2000 });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

/** Draws `n` distinct kinds by weight. */
function subscriptions(r: () => number, n: number): RequestKind[] {
  const chosen: RequestKind[] = [];
  const total = REQUEST_KINDS.reduce((a, k) => a + k.weight, 0);
  for (let guard = 0; chosen.length < n && guard < 100; guard++) {
    let x = r() * total;
    let pick = REQUEST_KINDS[0]!;
    for (const k of REQUEST_KINDS) {
      if (x < k.weight) {
        pick = k;
        break;
      }
      x -= k.weight;
    }
    if (!chosen.includes(pick)) chosen.push(pick);
  }
  return chosen;
}

const inc = (m: Record<string, number>, key: string, by = 1): void => void (m[key] = (m[key] ?? 0) + by);

/** Waits until the start-up tick has polled every source successfully; returns the store's item count. */
async function waitForStartupIngest(base: string, ids: string[]): Promise<number> {
  const until = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < until) {
    try {
      const res = await fetch(`${base}/status`, { signal: AbortSignal.timeout(5000) });
      const { sources } = (await res.json()) as { sources: { id: string; items: number; lastSuccessAt: string | null; lastError: { message: string } | null }[] };
      const ours = sources.filter((s) => ids.includes(s.id));
      if (ours.length === ids.length && ours.every((s) => s.lastSuccessAt !== null)) return ours.reduce((a, s) => a + s.items, 0);
      last = JSON.stringify(ours.map((s) => ({ id: s.id, items: s.items, error: s.lastError?.message ?? null })));
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`the start-up ingest did not complete within ${READY_TIMEOUT_MS / 1000} s: ${last}`);
}

async function storeItems(base: string): Promise<number> {
  const res = await fetch(`${base}/status`, { signal: AbortSignal.timeout(10_000) });
  const { sources } = (await res.json()) as { sources: { items: number }[] };
  return sources.reduce((a, s) => a + s.items, 0);
}

/** The three runs of one load bench, under the same generator. */
export interface LoadComparison {
  /** The real server, no ingests (the data does not change). */
  idle: LoadReport;
  /** The real server while ingests run: the issue's load test. */
  ingesting: LoadReport;
  /** A bare node:http server answering the real server's captured bytes (no ingests, no data). */
  bare: LoadReport;
}

/** Runs the load bench (three runs: see {@link LoadComparison}); `log` gets progress lines. */
export async function runLoadBench(o: LoadBenchOptions, log: (line: string) => void): Promise<LoadComparison> {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-bench-load-'));
  const dbPath = join(dir, 'load.db');
  const serverLog = { polls: 0, problems: [] as string[] };
  const onServerLog = (line: string): void => {
    // One JSON line per poll (event "poll"); a failed poll, or anything but the start-up line, is worth showing.
    const event = /^\[real\] (\{.*\})$/.exec(line)?.[1];
    let parsed: { event?: string; status?: string } | null = null;
    try {
      parsed = event ? (JSON.parse(event) as { event?: string; status?: string }) : null;
    } catch {
      parsed = null;
    }
    if (parsed?.event === 'poll' && parsed.status !== 'error') serverLog.polls++;
    else if (parsed?.event !== 'server-start' && serverLog.problems.length < 20) serverLog.problems.push(line);
  };
  const adminToken = randomBytes(24).toString('hex');
  const upstream = forkServer('upstream', new URL('./servers/upstream.ts', import.meta.url), (line) => {
    if (serverLog.problems.length < 20) serverLog.problems.push(line);
  });
  // --expose-gc: only so that the "after GC" memory figure can be taken; nothing else calls gc().
  const execArgv = ['--expose-gc', ...(o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : [])];
  const real = forkServer('real', new URL('./servers/real.ts', import.meta.url), onServerLog, execArgv, { WIREFEED_ADMIN_TOKEN: adminToken });
  const bare = forkServer('bare', new URL('./servers/bare.ts', import.meta.url), (line) => {
    if (serverLog.problems.length < 20) serverLog.problems.push(line);
  });
  const clients: Client[] = [];
  try {
    const upstreamUrl = await upstream.request<string>({ type: 'start', ...UPSTREAM });
    const ids = FORMATS.map((f) => `wire-${f}`);
    const config = validateConfig({
      sources: FORMATS.map((f) => ({ id: `wire-${f}`, url: `${upstreamUrl}/wire.${f}`, title: `Bench wire (${f})`, interval: 1, allowPrivateNetwork: true })),
      feeds: [
        { name: 'politics', title: 'Politics', filter: { categories: ['Politics'] } },
        { name: 'alberta', title: 'Alberta', filter: { categories: ['Alberta'], excludeCategories: ['Sports'] } },
        { name: 'business', title: 'Business', filter: { categories: ['Business'] } },
      ],
      server: { title: 'wirefeed load bench', baseUrl: 'http://127.0.0.1:8787' },
      storage: { path: dbPath },
      // 04:00:00 on January 1st: the scheduler does not fire during a run; the bench forces the polls.
      schedule: { cron: '0 0 4 1 1 *', workers: o.workers },
      // On, and never refusing: see the top of this file.
      rateLimit: { burst: 1e12, perSecond: 1e12, maxClients: 10_000 },
    });
    const startT = performance.now();
    const realBase = await real.request<string>({ type: 'start', config, dbPath }, 60_000);
    const startupItems = await waitForStartupIngest(realBase, ids);
    const startupSeconds = (performance.now() - startT) / 1000;
    log(`server ${realBase} (pid ${real.pid}) ready: start-up ingest stored ${startupItems} items in ${startupSeconds.toFixed(1)} s; upstream ${upstreamUrl}`);

    const port = Number(new URL(realBase).port);
    const distinctAddresses = await canBindLoopbackAlias(port);
    if (!distinctAddresses) log('cannot use 127.0.0.2… as source addresses here: every poller connects from 127.0.0.1 (one rate-limit bucket)');

    // The baseline server: a bare node:http server holding the real server's answers for every request of the mix
    // (identity, gzip and the 304), captured once here, after the start-up ingest.
    const bareRoutes: BareRoute[] = [];
    for (const kind of REQUEST_KINDS) {
      const identity = await fetchRaw(realBase, kind.path, {});
      const tag = header(identity, 'etag');
      const gzip = await fetchRaw(realBase, kind.path, { 'accept-encoding': 'gzip' });
      const notModified = tag ? await fetchRaw(realBase, kind.path, { 'if-none-match': tag }) : null;
      if (identity.status !== 200 || gzip.status !== 200 || notModified?.status !== 304 || !tag) {
        throw new Error(`unexpected answers for ${kind.path}: ${identity.status}/${gzip.status}/${notModified?.status}, ETag ${tag}`);
      }
      const plain = ({ status, headers, body }: CapturedResponse): CapturedResponse => ({ status, headers, body });
      bareRoutes.push({ path: kind.path, etag: tag, identity: plain(identity), gzip: plain(gzip), notModified: plain(notModified) });
    }
    const bareBase = await bare.request<string>({ type: 'start', routes: bareRoutes });

    const phase = async (server: ChildServer, base: string, withIngests: boolean, label: string, seconds = o.seconds): Promise<LoadReport> => {
      // Memory before: settled, after a GC (the start-up ingest's garbage is not the load's).
      await server.request({ type: 'gc' });
      await sleep(500);
      const memNow = async (): Promise<MemoryPoint> => {
        const m = await server.request<ChildMemory>({ type: 'memory' }, 10_000);
        const p = procMemory(server.pid);
        return { rss: p?.rss ?? m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
      };
      const before = await memNow();
      const splitBefore = procMemory(server.pid);
      const versionBefore = await server.request<number>({ type: 'dataVersion' }).catch(() => 0);
      await server.request({ type: 'loopDelay' }); // starts (and resets) the child's event-loop delay histogram

      // ---- the pollers ----
      const capacity = Math.min(MAX_RESPONSES, seconds * 40_000);
      const lat = new Float64Array(capacity);
      const at = new Float32Array(capacity);
      const kindOf = new Uint8Array(capacity);
      const statusOf = new Uint16Array(capacity);
      let n = 0;
      const statuses: Record<string, number> = {};
      const errors: Record<string, number> = {};
      const errorAt: number[] = [];
      let errorCount = 0;
      const conditional = { sent: 0, notModified: 0, changed: 0 };
      const gzip = { asked: 0, got: 0 };
      const etags = REQUEST_KINDS.map(() => new Set<string>());
      const kindBytes = REQUEST_KINDS.map(() => 0);
      const profileResults = new Map<Profile, ProfileResult>();
      const subscribers = REQUEST_KINDS.map(() => 0);
      let stop = false;
      let capped = false;

      const t0 = performance.now();
      const deadline = t0 + seconds * 1000;
      const cpu0 = { server: await server.cpuMicros(), upstream: await upstream.cpuMicros(), self: process.cpuUsage() };

      const poller = async (i: number): Promise<void> => {
        const profile = profileOf(i);
        const { conditional: isConditional, gzip: wantsGzip } = PROFILES[profile];
        const plan = subscriptions(rng(1000 + i), SUBSCRIPTIONS);
        for (const k of plan) subscribers[REQUEST_KINDS.indexOf(k)]!++;
        const pr = profileResults.get(profile) ?? { profile, label: PROFILES[profile].label, pollers: 0, responses: 0, statuses: {} };
        profileResults.set(profile, pr);
        pr.pollers++;
        const client = new Client(base, {
          pipelining: 1,
          headersTimeout: REQUEST_TIMEOUT_MS,
          bodyTimeout: REQUEST_TIMEOUT_MS,
          keepAliveTimeout: 30_000,
          connect: { timeout: CONNECT_TIMEOUT_MS },
          ...(distinctAddresses ? { localAddress: `127.0.0.${2 + i}` } : {}),
        });
        clients.push(client);
        const lastEtag = new Map<string, string>();
        // Pollers start spread over the first 100 ms, not in one burst of connects.
        await sleep(Math.floor((i / o.pollers) * 100));
        for (let step = 0; !stop && performance.now() < deadline; step++) {
          const kind = plan[step % plan.length]!;
          const k = REQUEST_KINDS.indexOf(kind);
          const headers: Record<string, string> = { 'user-agent': `wirefeed-load-bench/1 (${profile})`, accept: '*/*' };
          if (wantsGzip) headers['accept-encoding'] = 'gzip';
          const known = isConditional ? lastEtag.get(kind.key) : undefined;
          if (known) headers['if-none-match'] = known;
          const started = performance.now();
          try {
            const res = await client.request({ path: kind.path, method: 'GET', headers });
            let bytes = 0;
            for await (const chunk of res.body) bytes += (chunk as Buffer).length;
            const done = performance.now();
            const status = res.statusCode;
            inc(statuses, String(status));
            inc(pr.statuses, String(status));
            pr.responses++;
            kindBytes[k]! += bytes;
            if (known) {
              conditional.sent++;
              if (status === 304) conditional.notModified++;
            }
            if (wantsGzip && status === 200) {
              gzip.asked++;
              if (res.headers['content-encoding'] === 'gzip') gzip.got++;
            }
            const tag = res.headers.etag;
            if (status === 200 && typeof tag === 'string') {
              etags[k]!.add(tag);
              if (known && known !== tag) conditional.changed++;
              if (isConditional) lastEtag.set(kind.key, tag);
            }
            if (n < capacity) {
              lat[n] = done - started;
              at[n] = done - t0;
              kindOf[n] = k;
              statusOf[n] = status;
              n++;
            } else {
              capped = true;
              stop = true;
            }
          } catch (err) {
            const e = err as Error & { code?: string };
            inc(errors, e.code ?? e.name ?? 'Error');
            errorAt.push(performance.now() - t0);
            if (++errorCount >= BAILOUT_ERRORS) stop = true;
            await sleep(50); // no hot loop against a server that refuses
          }
        }
      };

      // ---- the sampler: /proc every 250 ms; heap and data version over IPC (skipped while one is pending) ----
      interface Sample {
        t: number;
        rss: number;
        heapUsed: number;
        heapTotal: number;
        external: number;
        dataVersion: number;
      }
      const samples: Sample[] = [];
      let lastHeap: ChildMemory | null = null;
      let lastVersion = versionBefore;
      let ipcPending = false;
      const versionsSeen = new Set<number>([versionBefore]);
      const sampler = setInterval(() => {
        const p = procMemory(server.pid);
        samples.push({
          t: performance.now() - t0,
          rss: p?.rss ?? lastHeap?.rss ?? Number.NaN,
          heapUsed: lastHeap?.heapUsed ?? Number.NaN,
          heapTotal: lastHeap?.heapTotal ?? Number.NaN,
          external: lastHeap?.external ?? Number.NaN,
          dataVersion: lastVersion,
        });
        if (ipcPending) return;
        ipcPending = true;
        void Promise.all([server.request<ChildMemory>({ type: 'memory' }, 5000), server.request<number>({ type: 'dataVersion' }, 5000)])
          .then(([m, v]) => {
            lastHeap = m;
            lastVersion = v;
            versionsSeen.add(v);
          })
          .catch(() => undefined)
          .finally(() => {
            ipcPending = false;
          });
      }, SAMPLE_MS);

      // ---- the ingests: admin refreshes, round robin, until the pollers' deadline ----
      const ingests: IngestRecord[] = [];
      const ingestLoop = async (): Promise<void> => {
        let version = versionBefore;
        for (let i = 0; !stop && performance.now() < deadline; i++) {
          const source = ids[i % ids.length]!;
          const s0 = performance.now();
          const rec: IngestRecord = { source, status: 'failed', items: null, message: null, ms: 0, at: 0, changed: false };
          try {
            const res = await fetch(`${base}/admin/sources/${source}/refresh`, {
              method: 'POST',
              headers: { authorization: `Bearer ${adminToken}` },
              signal: AbortSignal.timeout(ADMIN_TIMEOUT_MS),
            });
            const body = (await res.json()) as { outcome?: { status: string; items?: number; message?: string }; error?: string };
            if (res.status !== 200 || !body.outcome) {
              rec.status = `http-${res.status}`;
              rec.message = body.error ?? null;
            } else {
              rec.status = body.outcome.status;
              rec.items = body.outcome.items ?? null;
              rec.message = body.outcome.message ?? null;
            }
          } catch (err) {
            rec.message = (err as Error).message;
          }
          rec.ms = performance.now() - s0;
          rec.at = performance.now() - t0;
          const v = await server.request<number>({ type: 'dataVersion' }, 10_000).catch(() => version);
          rec.changed = v !== version;
          version = v;
          ingests.push(rec);
          const wait = Math.min(o.ingestGapMs, deadline - performance.now());
          if (wait > 0) await sleep(wait);
        }
      };

      // ---- progress every 5 s ----
      let reported = 0;
      const progress = setInterval(() => {
        const t = (performance.now() - t0) / 1000;
        const fiveXx = Object.entries(statuses).reduce((a, [c, v]) => a + (c.startsWith('5') ? v : 0), 0);
        const rss = samples.at(-1)?.rss ?? Number.NaN;
        log(
          `t=${t.toFixed(0)} s: ${n} responses (${Math.round((n - reported) / 5)}/s), 5xx ${fiveXx}, errors ${errorCount}, ` +
            `server RSS ${(rss / 2 ** 20).toFixed(0)} MiB, ingests ${ingests.length}, data version ${lastVersion}`,
        );
        reported = n;
      }, 5000);

      log(`${label}: ${o.pollers} pollers for ${seconds} s, ${withIngests ? `ingests every ~${o.ingestGapMs} ms` : 'NO ingests (baseline)'}…`);
      const pollers = Promise.all(Array.from({ length: o.pollers }, (_v, i) => poller(i)));
      const ingesting = withIngests ? ingestLoop() : Promise.resolve();
      // A watchdog: past the deadline plus the request timeout and a margin, the connections are torn down.
      let watchdogFired = false;
      const watchdog = setTimeout(() => {
        watchdogFired = true;
        stop = true;
        for (const c of clients) void c.destroy().catch(() => undefined);
      }, seconds * 1000 + REQUEST_TIMEOUT_MS * 2 + 5000);
      await pollers;
      const elapsed = (performance.now() - t0) / 1000;
      clearTimeout(watchdog);
      clearInterval(progress);
      if (watchdogFired) log('watchdog: pollers were still running past the deadline; connections destroyed');
      const self = process.cpuUsage(cpu0.self);
      const cpu1 = { server: await server.cpuMicros(), upstream: await upstream.cpuMicros() };
      const wallMicros = elapsed * 1e6;
      const loopDelay = await server.request<LoopDelay>({ type: 'loopDelay' }).catch(() => null);
      // Bounded waits whose timers must not keep the process alive once the work is done.
      await Promise.race([ingesting, sleep(ADMIN_TIMEOUT_MS + 5000, undefined, { ref: false })]);
      await Promise.allSettled(clients.map((c) => Promise.race([c.close(), sleep(5000, undefined, { ref: false }).then(() => c.destroy())])));
      clients.length = 0;

      // Memory after: 2 s after the last request, as it is; then after a GC (what is really retained).
      await sleep(2000);
      clearInterval(sampler);
      const after = await memNow();
      const collected = await server.request<boolean>({ type: 'gc' });
      await sleep(500);
      const afterGc = collected ? await memNow() : null;
      const endProc = procMemory(server.pid);
      const hwm = endProc?.hwm ?? null;
      const split = splitBefore && endProc ? { before: { anon: splitBefore.anon, file: splitBefore.file }, end: { anon: endProc.anon, file: endProc.file } } : null;
      const versionAfter = await server.request<number>({ type: 'dataVersion' }).catch(() => 0);
      versionsSeen.add(versionAfter);
      const items = await storeItems(realBase);
      const upstreamStats = await upstream.request<UpstreamStats>({ type: 'stats' });

      // ---- summaries ----
      const all = Float64Array.from(lat.subarray(0, n)).sort();
      const kinds: KindResult[] = REQUEST_KINDS.map((kind, k) => {
        const mine: number[] = [];
        const st: Record<string, number> = {};
        for (let j = 0; j < n; j++) {
          if (kindOf[j] !== k) continue;
          mine.push(lat[j]!);
          inc(st, String(statusOf[j]));
        }
        const sorted = Float64Array.from(mine).sort();
        return { key: kind.key, label: kind.label, subscribers: subscribers[k]!, responses: mine.length, statuses: st, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), meanBytes: mine.length ? kindBytes[k]! / mine.length : 0 };
      });
      const windowS = seconds <= 60 ? 5 : Math.ceil(seconds / 12);
      const timeline: WindowResult[] = [];
      for (let from = 0; from < elapsed - 0.001; from += windowS) {
        const to = Math.min(from + windowS, elapsed);
        const w: number[] = [];
        let fiveXx = 0;
        for (let j = 0; j < n; j++) {
          const t = at[j]! / 1000;
          if (t >= from && (t < to || (to === elapsed && t <= to))) {
            w.push(lat[j]!);
            if (statusOf[j]! >= 500) fiveXx++;
          }
        }
        const last = samples.filter((s) => s.t <= to * 1000).at(-1);
        timeline.push({
          from,
          to,
          responses: w.length,
          p99: percentile(Float64Array.from(w).sort(), 0.99),
          fiveXx,
          errors: errorAt.filter((t) => t / 1000 >= from && t / 1000 < to).length,
          rss: last?.rss ?? Number.NaN,
          heapUsed: last?.heapUsed ?? Number.NaN,
          dataVersion: last?.dataVersion ?? Number.NaN,
          ingests: ingests.filter((x) => x.at / 1000 >= from && x.at / 1000 < to).length,
        });
      }
      const finite = (xs: number[]): number[] => xs.filter((x) => Number.isFinite(x));
      const maxOf = (xs: number[]): number => (finite(xs).length ? Math.max(...finite(xs)) : Number.NaN);
      const peak: MemoryPoint = {
        rss: maxOf([before.rss, after.rss, ...samples.map((s) => s.rss)]),
        heapUsed: maxOf([before.heapUsed, after.heapUsed, ...samples.map((s) => s.heapUsed)]),
        heapTotal: maxOf([before.heapTotal, after.heapTotal, ...samples.map((s) => s.heapTotal)]),
        external: maxOf([before.external, after.external, ...samples.map((s) => s.external)]),
      };
      const fiveXx = Object.entries(statuses).reduce((a, [c, v]) => a + (c.startsWith('5') ? v : 0), 0);
      return {
        options: { ...o, seconds, ingests: withIngests },
        distinctAddresses,
        elapsed,
        responses: n,
        rps: n / elapsed,
        statuses,
        fiveXx,
        errors,
        latency: { p50: percentile(all, 0.5), p90: percentile(all, 0.9), p99: percentile(all, 0.99), max: all.length ? all[all.length - 1]! : Number.NaN },
        capped,
        kinds,
        profiles: (['reader', 'aggregator', 'plain'] as const).map((p) => profileResults.get(p)).filter((p): p is ProfileResult => p !== undefined),
        conditional,
        gzip,
        memory: { source: endProc ? 'proc' : 'ipc', before, peak, after, afterGc, hwm, split, samples: samples.length },
        timeline,
        ingests,
        startup: { items: startupItems, seconds: startupSeconds },
        dataVersion: { before: versionBefore, after: versionAfter, sampledDistinct: versionsSeen.size },
        etagChanges: etags.reduce((a, s) => a + Math.max(0, s.size - 1), 0),
        cpu: {
          server: ((cpu1.server - cpu0.server) / wallMicros) * 100,
          upstream: ((cpu1.upstream - cpu0.upstream) / wallMicros) * 100,
          generator: ((self.user + self.system) / wallMicros) * 100,
        },
        loopDelay,
        upstream: upstreamStats,
        storeItems: items,
        serverLog,
      };
    };

    // The three runs of one invocation, the same generator each time: the real server idle, the real server while
    // ingests run, the bare server. The real server's data only grows between its runs (the idle run goes first).
    // Each server first serves the same generator, unrecorded, for WARMUP_SECONDS (JIT, connections, caches).
    await phase(real, realBase, false, 'warm-up of the real server (not recorded)', WARMUP_SECONDS);
    const idle = await phase(real, realBase, false, 'real server, no ingests');
    const ingesting = await phase(real, realBase, true, 'real server, ingests running');
    await phase(bare, bareBase, false, 'warm-up of the bare server (not recorded)', WARMUP_SECONDS);
    const bareRun = await phase(bare, bareBase, false, 'bare node:http server');
    return { idle, ingesting, bare: bareRun };
  } finally {
    await Promise.allSettled(clients.map((c) => c.destroy()));
    await Promise.allSettled([real.stop(), bare.stop(), upstream.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
