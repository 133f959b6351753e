/**
 * HTTP benchmark: the real server (`startNodeServer`, child process) against a bare `node:http` server
 * (another child process) that holds the very bytes and headers the real one answered, both driven by the
 * same load generator with the same connections, pipelining and duration: wrk (`/usr/bin/wrk`, one thread)
 * when it is installed, else autocannon in this process. autocannon, being JavaScript, tops out before a Node
 * server does; wrk, in C, leaves the server as the bottleneck, which is what a ratio against a bare server needs.
 *
 * Why child processes: in-process, autocannon and the server would share one event loop and one core, and every
 * request the generator parses would be time taken from the server (and the other way round). In their own
 * processes each server gets a core of its own while autocannon uses the other, as a real client would.
 */
import { spawn, spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { accessSync, constants as fsConstants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { validateConfig, type WirefeedConfig } from '../src/config.ts';
import { openSqlite } from '../src/runtime/sqlite.ts';
import { createStore } from '../src/store/store.ts';
import { createKey } from '../src/http/subscribers.ts';
import { createSubscriberStore } from '../src/store/subscribers.ts';
import { forkServer, type ChildServer } from './child.ts';
import { HTTP_CATEGORIES, makeStory, rng, storyWrite } from './fixtures.ts';
import type { BareRoute, CapturedResponse } from './servers/bare.ts';
import { percentile } from './stats.ts';

export interface LoadOptions {
  connections: number;
  pipelining: number;
  /** Measured seconds per run (one request on one server in one round). */
  duration: number;
  /** Rounds; each runs every request on both servers, in reversed order every other round. */
  rounds: number;
  /** Unmeasured seconds per request and server before the rounds. */
  warmup: number;
}

/** One benchmarked request. */
export interface RouteSpec {
  key: 'named' | 'filtered' | '304' | 'gzip' | 'keyed-url' | 'keyed-bearer' | 'keyed-304';
  /** A keyed poll: the anonymous route of the same feed it is compared with in the same round. */
  anonymous?: 'named' | '304';
  label: string;
  path: string;
  headers: Record<string, string>;
  status: number;
}

export interface LoadResult {
  /** Median of the rounds' requests per second. */
  rps: number;
  rpsRounds: number[];
  /**
   * Latency percentiles in ms: autocannon's per-response timings over all rounds, or with wrk (which reports
   * percentiles, not timings) the median of the rounds' percentiles.
   */
  p50: number;
  p99: number;
  responses: number;
  /** Responses with another status than expected, errors and timeouts. */
  unexpected: number;
  errors: number;
  bytesPerResponse: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
  /**
   * The server's CPU time per response, in µs: unlike req/s it hardly moves when other processes take the
   * cores, so it compares the two servers' work per request even on a busy machine.
   */
  serverMicrosPerResponse: number;
  /** CPU use during the measured runs, in % of one core. */
  serverCpu: number;
  loadgenCpu: number;
  /** The generator, not the server, set the rate: its CPU near a full core while the server's was not. */
  generatorBound: boolean;
}

/** The load generator that drove the runs. */
export interface Generator {
  name: 'wrk' | 'autocannon';
  version: string;
  /** How it was run, for the report (`wrk -t1 -c32 …`). */
  command: string;
}

export interface RouteResult {
  route: RouteSpec;
  bodyBytes: number;
  items: number;
  real: LoadResult;
  bare: LoadResult;
  /** Median of the per-round ratios wirefeed/bare (both runs of a ratio in the same round). */
  ratio: number;
}

export interface HttpReport {
  options: LoadOptions;
  generator: Generator;
  seededItems: number;
  routes: RouteResult[];
  fairness: string[];
  dataVersion: { before: number; after: number };
  etagStable: boolean;
  serverLog: string[];
}

const SOURCE_ID = 'bench-wire';
const SEED_ITEMS = 150;
/** Fixed times, so every run renders the same bytes. */
const NEWEST = Date.UTC(2026, 10, 20, 12, 0, 0);
const FAR_FUTURE = Date.UTC(2100, 0, 1);
/** The most requests one measured run may make (a bound besides the duration). */
const MAX_REQUESTS_PER_RUN = 1_000_000;
/** Per-response latencies of the current run (reused: runs are sequential). */
const LATENCIES = new Float64Array(MAX_REQUESTS_PER_RUN);
/** CPU use (% of one core) from which a generator counts as the bottleneck, when the server stays below it. */
export const GENERATOR_BOUND = 85;
const WRK = '/usr/bin/wrk';
/** BENCH_GENERATOR=autocannon forces autocannon even where wrk is installed. */
const WANTED_GENERATOR = process.env.BENCH_GENERATOR;

/**
 * The four requests the issue asks for (the 304 and gzip ones ask for the named feed), and the same feed
 * polled with a subscriber's key (issue 12): in the URL (`?key=`, 200), as a Bearer token (200), and as a
 * Bearer token with the keyed answer's ETag (304).
 */
function routeSpecs(etagOfNamed: string, key: string, etagOfKeyed: string): RouteSpec[] {
  const bearer = { authorization: `Bearer ${key}` };
  return [
    { key: 'named', label: 'named feed `/feeds/politics.rss` (200)', path: '/feeds/politics.rss', headers: {}, status: 200 },
    {
      key: 'filtered',
      label: 'filtered `/feeds/all.rss?category=alberta&q=council` (200)',
      path: '/feeds/all.rss?category=alberta&q=council',
      headers: {},
      status: 200,
    },
    { key: '304', label: 'named feed, `If-None-Match` (304)', path: '/feeds/politics.rss', headers: { 'if-none-match': etagOfNamed }, status: 304 },
    { key: 'gzip', label: 'named feed, `Accept-Encoding: gzip` (200)', path: '/feeds/politics.rss', headers: { 'accept-encoding': 'gzip' }, status: 200 },
    { key: 'keyed-url', label: 'named feed, `?key=` (200)', path: `/feeds/politics.rss?key=${key}`, headers: {}, status: 200, anonymous: 'named' },
    { key: 'keyed-bearer', label: 'named feed, `Authorization: Bearer` (200)', path: '/feeds/politics.rss', headers: bearer, status: 200, anonymous: 'named' },
    { key: 'keyed-304', label: 'named feed, Bearer and `If-None-Match` (304)', path: '/feeds/politics.rss', headers: { ...bearer, 'if-none-match': etagOfKeyed }, status: 304, anonymous: '304' },
  ];
}

/** The subscriber whose key the keyed routes send (entitled to everything; the feed is the same as anonymous). */
const SUBSCRIBER_ID = 'bench-outlet';

/** Seeds a fresh store through `createStore(...).savePoll`, as ingestion would, and a subscriber with a key. */
async function seed(dbPath: string, config: WirefeedConfig): Promise<{ items: number; key: string }> {
  const handle = openSqlite(dbPath);
  try {
    const subscribers = createSubscriberStore(handle.db);
    await subscribers.create({ id: SUBSCRIBER_ID, name: 'Bench outlet', entitlements: {} }, NEWEST);
    const { key } = await createKey(subscribers, SUBSCRIBER_ID, undefined, NEWEST);
    const store = createStore(handle.db);
    await store.syncSources(config.sources);
    const r = rng(20261120);
    const writes = [];
    for (let n = 0; n < SEED_ITEMS; n++) {
      const published = NEWEST - n * 20 * 60_000;
      const categories = new Set<string>();
      if (r() < 0.4) categories.add('Politics');
      if (r() < 0.35) categories.add('Alberta');
      if (r() < 0.6 || categories.size === 0) categories.add(HTTP_CATEGORIES[2 + Math.floor(r() * (HTTP_CATEGORIES.length - 2))]!);
      const item = makeStory(r, n, { source: SOURCE_ID, published, categories: [...categories], paragraphs: 3 + Math.floor(r() * 3), picture: n % 3 === 0 });
      writes.push(storyWrite(item, published));
    }
    await store.savePoll(SOURCE_ID, writes, { etag: null, lastModified: null, fetchedAt: NEWEST + 3_600_000, nextFetchAt: FAR_FUTURE });
    return { items: writes.length, key };
  } finally {
    handle.close();
  }
}

/**
 * What the bare server needs to answer `path` (with `authorization`, when given) as the real server at `realUrl`
 * does: its cached plain, gzip and 304 answers, as captured (the first request of a URL renders it through the
 * Hono route, so it is not one of them). @throws when a status or the gzip variant is not what a cached feed gives.
 */
export async function captureBareRoute(
  realUrl: string,
  path: string,
  authorization?: string | undefined,
): Promise<{ route: BareRoute } & Record<'identity' | 'gzip' | 'notModified', CapturedResponse & { bytes: Buffer }>> {
  const auth: Record<string, string> = authorization ? { authorization } : {};
  await fetchRaw(realUrl, path, auth);
  const identity = await fetchRaw(realUrl, path, auth);
  const tag = header(identity, 'etag')!;
  const gzip = await fetchRaw(realUrl, path, { ...auth, 'accept-encoding': 'gzip' });
  const notModified = await fetchRaw(realUrl, path, { ...auth, 'if-none-match': tag });
  if (identity.status !== 200 || gzip.status !== 200 || notModified.status !== 304) {
    throw new Error(`unexpected statuses for ${path}: ${identity.status}/${gzip.status}/${notModified.status}`);
  }
  if (header(gzip, 'content-encoding') !== 'gzip') throw new Error(`no gzip variant for ${path}`);
  const plain = ({ status, headers, body }: CapturedResponse): CapturedResponse => ({ status, headers, body });
  const route: BareRoute = { path, authorization, etag: tag, identity: plain(identity), gzip: plain(gzip), notModified: plain(notModified) };
  return { route, identity, gzip, notModified };
}

/** One GET with node:http, keeping the raw headers (case and order as sent). */
/** One request with `agent: false`; the answer's status, headers (less the HTTP layer's own) and body. */
export function fetchRaw(base: string, path: string, headers: Record<string, string>): Promise<CapturedResponse & { bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { headers, agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const kept: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          // Date and the connection headers are the HTTP layer's own; node:http adds them on both servers.
          if (!/^(date|connection|keep-alive|transfer-encoding)$/i.test(res.rawHeaders[i]!)) kept.push(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        }
        resolve({ status: res.statusCode ?? 0, headers: kept, body: bytes.toString('base64'), bytes });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout fetching ${path}`)));
    req.on('error', reject);
    req.end();
  });
}

/** A header of a captured answer (name in lower case). */
export function header(c: CapturedResponse, name: string): string | undefined {
  for (let i = 0; i < c.headers.length; i += 2) if (c.headers[i]!.toLowerCase() === name) return c.headers[i + 1];
  return undefined;
}

/** What one measured run of either generator reports. */
interface RunResult {
  responses: number;
  seconds: number;
  /** Responses with the route's status (wrk: responses below 400, as it counts no finer). */
  expected: number;
  errors: number;
  bytes: number;
  statuses: Record<string, number>;
  /** Per-response latencies in ms (autocannon), or null when the generator reports percentiles only. */
  latencies: Float64Array | null;
  p50: number;
  p99: number;
  /** The generator's own CPU time during the run, in microseconds. */
  cpuMicros: number;
}

type RunLoad = (url: string, headers: Record<string, string>, o: LoadOptions, seconds: number, record: boolean) => Promise<RunResult>;

/** wrk when it is installed (and not overridden by BENCH_GENERATOR=autocannon), else autocannon. */
export function pickGenerator(o: LoadOptions, scratch: string): { generator: Generator; run: RunLoad } {
  let wrkVersion: string | null = null;
  if (WANTED_GENERATOR !== 'autocannon') {
    try {
      accessSync(WRK, fsConstants.X_OK);
      // `wrk -v` prints its banner and exits 1.
      const banner = spawnSync(WRK, ['-v'], { encoding: 'utf8' });
      wrkVersion = /wrk\s+(\S+)/.exec(`${banner.stdout}${banner.stderr}`)?.[1] ?? '?';
    } catch {
      wrkVersion = null;
    }
  }
  if (wrkVersion !== null) {
    const script = join(scratch, 'report.lua');
    writeFileSync(script, WRK_REPORT);
    return {
      generator: { name: 'wrk', version: wrkVersion, command: `wrk -t1 -c${o.connections} -d${o.duration}s (one thread, in its own process)` },
      run: (url, headers, opts, seconds) => runWrk(script, url, headers, opts, seconds),
    };
  }
  return {
    generator: { name: 'autocannon', version: pkgVersion('autocannon'), command: `autocannon, ${o.connections} connections, pipelining ${o.pipelining} (in the bench process)` },
    run: runAutocannon,
  };
}

function pkgVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

// wrk's summary as one JSON line; latencies in µs. Only `done` is defined: a `response` hook would make wrk
// call Lua on every response and slow it down.
const WRK_REPORT = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"duration":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%.1f,"p99":%.1f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

/** CPU time (user + system) of a running process from /proc, in microseconds; null once it is gone. */
function procCpuMicros(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), counted from the state field (3) here; clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return null;
  }
}

/** One wrk run in its own process; its CPU is sampled from /proc while it runs (the last sample counts). */
function runWrk(script: string, url: string, headers: Record<string, string>, o: LoadOptions, seconds: number): Promise<RunResult> {
  const args = ['-t1', `-c${o.connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn(WRK, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let cpu = 0;
    const sampler = setInterval(() => {
      const v = procCpuMicros(child.pid!);
      if (v !== null) cpu = v;
    }, 100);
    const watchdog = setTimeout(() => child.kill('SIGKILL'), (seconds + 15) * 1000);
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sampler);
      clearTimeout(watchdog);
      const line = /WRK_JSON (\{.*\})/.exec(out)?.[1];
      if (!line) return reject(new Error(`wrk exited with ${code} and no summary: ${err.trim() || out.trim()}`));
      const w = JSON.parse(line) as Record<'requests' | 'duration' | 'bytes' | 'connect' | 'read' | 'write' | 'status' | 'timeout' | 'p50' | 'p99', number>;
      const errors = w.connect + w.read + w.write + w.timeout;
      resolve({
        responses: w.requests,
        seconds: w.duration / 1e6,
        expected: w.requests - w.status,
        errors,
        bytes: w.bytes,
        statuses: { '< 400': w.requests - w.status, '≥ 400': w.status },
        latencies: null,
        p50: w.p50 / 1000,
        p99: w.p99 / 1000,
        cpuMicros: cpu,
      });
    });
  });
}

/**
 * One autocannon run, bounded by its duration, the request cap and a watchdog. With `record`, per-response
 * latencies are kept (in the shared buffer: copied before the next run).
 */
async function runAutocannon(url: string, headers: Record<string, string>, o: LoadOptions, seconds: number, record: boolean): Promise<RunResult> {
  const latencies = record ? LATENCIES : new Float64Array(0);
  let n = 0;
  const self0 = process.cpuUsage();
  const instance = autocannon({
    url,
    headers,
    connections: o.connections,
    pipelining: o.pipelining,
    duration: seconds,
    maxOverallRequests: MAX_REQUESTS_PER_RUN,
    bailout: 1000,
    timeout: 10,
    renderProgressBar: false,
    renderResultsTable: false,
  });
  if (record) {
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      if (n < latencies.length) latencies[n++] = responseTime;
    });
  }
  // A watchdog besides autocannon's own duration: no run outlives its time by more than 15 s.
  const watchdog = setTimeout(() => instance.stop(), (seconds + 15) * 1000);
  try {
    const result: Result = await instance;
    const self = process.cpuUsage(self0);
    const responses = Object.values(result.statusCodeStats).reduce((a, x) => a + x.count, 0);
    const statuses: Record<string, number> = {};
    for (const [code, v] of Object.entries(result.statusCodeStats)) statuses[code] = v.count;
    const own = Float64Array.from(latencies.subarray(0, n));
    const sorted = Float64Array.from(own).sort();
    return {
      responses,
      seconds: result.duration,
      expected: -1,
      errors: result.errors + result.timeouts,
      bytes: result.throughput.total,
      statuses,
      latencies: own,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      cpuMicros: self.user + self.system,
    };
  } finally {
    clearTimeout(watchdog);
  }
}

/** What the rounds of one server add up to. */
class Tally {
  rpsRounds: number[] = [];
  latencies: Float64Array[] = [];
  p50Rounds: number[] = [];
  p99Rounds: number[] = [];
  responses = 0;
  expected = 0;
  errors = 0;
  bytes = 0;
  statuses: Record<string, number> = {};
  serverCpu = 0;
  selfCpu = 0;
  wall = 0;

  result(): LoadResult {
    const median = (v: number[]): number => percentile(Float64Array.from(v).sort(), 0.5);
    let p50 = median(this.p50Rounds);
    let p99 = median(this.p99Rounds);
    if (this.latencies.length) {
      const all = new Float64Array(this.latencies.reduce((n, l) => n + l.length, 0));
      let at = 0;
      for (const l of this.latencies) {
        all.set(l, at);
        at += l.length;
      }
      all.sort();
      p50 = percentile(all, 0.5);
      p99 = percentile(all, 0.99);
    }
    const serverCpu = (this.serverCpu / this.wall) * 100;
    const loadgenCpu = (this.selfCpu / this.wall) * 100;
    return {
      rps: median(this.rpsRounds),
      rpsRounds: this.rpsRounds,
      p50,
      p99,
      responses: this.responses,
      unexpected: this.responses - this.expected + this.errors,
      errors: this.errors,
      bytesPerResponse: this.responses ? this.bytes / this.responses : 0,
      serverMicrosPerResponse: this.responses ? this.serverCpu / this.responses : 0,
      statuses: this.statuses,
      serverCpu,
      loadgenCpu,
      generatorBound: loadgenCpu >= GENERATOR_BOUND && serverCpu < GENERATOR_BOUND,
    };
  }
}

/** One measured round against one server, added to its tally; returns the round's requests per second. */
async function round(run: RunLoad, server: ChildServer, base: string, route: RouteSpec, o: LoadOptions, tally: Tally): Promise<number> {
  const cpu0 = await server.cpuMicros();
  const t0 = performance.now();
  const r = await run(`${base}${route.path}`, route.headers, o, o.duration, true);
  const wallMicros = (performance.now() - t0) * 1000;
  const cpu1 = await server.cpuMicros();
  const rps = r.responses / r.seconds;
  tally.rpsRounds.push(rps);
  if (r.latencies) tally.latencies.push(r.latencies);
  tally.p50Rounds.push(r.p50);
  tally.p99Rounds.push(r.p99);
  tally.responses += r.responses;
  tally.expected += r.expected >= 0 ? r.expected : (r.statuses[String(route.status)] ?? 0);
  tally.errors += r.errors;
  tally.bytes += r.bytes;
  for (const [code, n] of Object.entries(r.statuses)) tally.statuses[code] = (tally.statuses[code] ?? 0) + n;
  tally.serverCpu += cpu1 - cpu0;
  tally.selfCpu += r.cpuMicros;
  tally.wall += wallMicros;
  return rps;
}

/**
 * Every request on both servers: a warm-up each, then `rounds` rounds in which every (request, server) pair runs
 * once, in reversed order every other round. All the ratios come from runs of the same round (a window of some
 * 16 s), so a change in background load hits both sides of a ratio.
 */
async function measureAll(
  run: RunLoad,
  servers: Record<'real' | 'bare', { server: ChildServer; url: string }>,
  routes: RouteSpec[],
  o: LoadOptions,
  log: (line: string) => void,
): Promise<{ real: LoadResult; bare: LoadResult; ratio: number }[]> {
  const pairs = routes.flatMap((route, r) => (['real', 'bare'] as const).map((name) => ({ r, route, name, tally: new Tally() })));
  log(`warming up ${pairs.length} request/server pairs, ${o.warmup} s each…`);
  for (const p of pairs) if (o.warmup > 0) await run(`${servers[p.name].url}${p.route.path}`, p.route.headers, o, o.warmup, false);
  const ratios = routes.map(() => [] as number[]);
  for (let i = 0; i < o.rounds; i++) {
    log(`round ${i + 1} of ${o.rounds}: ${pairs.length} runs of ${o.duration} s…`);
    const order = i % 2 === 0 ? pairs : [...pairs].reverse();
    const rps = new Map<string, number>();
    for (const p of order) rps.set(`${p.r}|${p.name}`, await round(run, servers[p.name].server, servers[p.name].url, p.route, o, p.tally));
    routes.forEach((_route, r) => ratios[r]!.push(rps.get(`${r}|real`)! / rps.get(`${r}|bare`)!));
  }
  return routes.map((_route, r) => ({
    real: pairs.find((p) => p.r === r && p.name === 'real')!.tally.result(),
    bare: pairs.find((p) => p.r === r && p.name === 'bare')!.tally.result(),
    ratio: percentile(Float64Array.from(ratios[r]!).sort(), 0.5),
  }));
}

/** Runs the HTTP benchmark; `log` gets progress lines. */
export async function runHttpBench(o: LoadOptions, log: (line: string) => void): Promise<HttpReport> {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-bench-http-'));
  const dbPath = join(dir, 'bench.db');
  const serverLog: string[] = [];
  const config = validateConfig({
    // `.invalid` never resolves (RFC 2606); the source is not due before 2100 anyway.
    sources: [{ id: SOURCE_ID, url: 'https://wire.invalid/feed.xml', title: 'Bench wire', interval: 15 }],
    feeds: [
      { name: 'politics', title: 'Politics', filter: { categories: ['Politics'] } },
      { name: 'alberta', title: 'Alberta', filter: { categories: ['Alberta'], excludeCategories: ['Sports'] } },
    ],
    server: { title: 'wirefeed bench', baseUrl: 'http://127.0.0.1:8787' },
    storage: { path: dbPath },
    // 04:00:00 on January 1st: the scheduler does not fire during a run.
    schedule: { cron: '0 0 4 1 1 *' },
    // One client (127.0.0.1) makes every request: the default per-client bucket (burst 120, 2/s) would
    // answer 429. A bucket that never runs dry keeps the limiter's per-request work in the measured path.
    rateLimit: { burst: 1e12, perSecond: 1e12 },
  });
  const { items: seededItems, key } = await seed(dbPath, config);
  log(`seeded ${seededItems} items into ${dbPath}`);
  const { generator, run } = pickGenerator(o, dir);
  log(`load generator: ${generator.name} ${generator.version}`);

  // BENCH_PROFILE=DIR: V8 CPU profiles of both servers, written to DIR when they stop (for finding the hot spots).
  const profileDir = process.env.BENCH_PROFILE;
  const real = forkServer('real', new URL('./servers/real.ts', import.meta.url), (l) => serverLog.push(l), profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
  // The bare server is profiled too, so that the two profiles can be compared function by function.
  const bare = forkServer('bare', new URL('./servers/bare.ts', import.meta.url), (l) => serverLog.push(l), profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
  if (profileDir) log(`CPU profiles in ${profileDir}: real server pid ${real.pid}, bare server pid ${bare.pid}`);
  try {
    const realUrl = await real.request<string>({ type: 'start', config, dbPath });
    const versionBefore = await real.request<number>({ type: 'dataVersion' });

    // Capture the real server's answers once: identity, gzip, and the 304 for each distinct path.
    const named = await fetchRaw(realUrl, '/feeds/politics.rss', {});
    const etag = header(named, 'etag');
    if (!etag) throw new Error('the real server sent no ETag for /feeds/politics.rss');
    const keyed = await fetchRaw(realUrl, '/feeds/politics.rss', { authorization: `Bearer ${key}` });
    const keyedEtag = header(keyed, 'etag');
    if (keyed.status !== 200 || !keyedEtag) throw new Error(`the keyed poll answered ${keyed.status}${keyedEtag ? '' : ' without an ETag'}`);
    // BENCH_HTTP_ROUTES=304,named: only those requests (for profiling one path).
    const only = (process.env.BENCH_HTTP_ROUTES ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    const routes = routeSpecs(etag, key, keyedEtag).filter((r) => only.length === 0 || only.includes(r.key));
    if (routes.length === 0) throw new Error(`BENCH_HTTP_ROUTES names none of named, filtered, 304, gzip, keyed-url, keyed-bearer, keyed-304: "${process.env.BENCH_HTTP_ROUTES}"`);
    const bareRoutes: BareRoute[] = [];
    const captured = new Map<string, Record<'identity' | 'gzip' | 'notModified', CapturedResponse & { bytes: Buffer }>>();
    // One bare route per path and Authorization header (a Bearer poll is answered as the key's, not as anonymous).
    const variants = new Map(routes.map((r) => [`${r.path}|${r.headers.authorization ?? ''}`, { path: r.path, authorization: r.headers.authorization }]));
    for (const [id, { path, authorization }] of variants) {
      const { route, ...answers } = await captureBareRoute(realUrl, path, authorization);
      captured.set(id, answers);
      bareRoutes.push(route);
    }
    const bareUrl = await bare.request<string>({ type: 'start', routes: bareRoutes });

    // Fairness check: the bare server answers every benchmarked request with the same status, headers and bytes.
    const fairness: string[] = [];
    for (const route of routes) {
      const a = await fetchRaw(realUrl, route.path, route.headers);
      const b = await fetchRaw(bareUrl, route.path, route.headers);
      const same = a.status === b.status && a.bytes.equals(b.bytes) && JSON.stringify(a.headers) === JSON.stringify(b.headers);
      fairness.push(
        `${route.key}: ${same ? 'identical' : 'DIFFERENT'} (status ${a.status}, ${a.bytes.length} body bytes, ${a.headers.length / 2} headers${
          same ? '' : `; bare: status ${b.status}, ${b.bytes.length} bytes, headers ${JSON.stringify(b.headers)} vs ${JSON.stringify(a.headers)}`
        })`,
      );
    }

    const measured = await measureAll(run, { real: { server: real, url: realUrl }, bare: { server: bare, url: bareUrl } }, routes, o, log);
    const results: RouteResult[] = routes.map((route, r) => {
      const c = captured.get(`${route.path}|${route.headers.authorization ?? ''}`)!;
      const body = route.status === 304 ? 0 : route.key === 'gzip' ? c.gzip.bytes.length : c.identity.bytes.length;
      const items = (c.identity.bytes.toString('utf8').match(/<item>/g) ?? []).length;
      return { route, bodyBytes: body, items, ...measured[r]! };
    });

    const versionAfter = await real.request<number>({ type: 'dataVersion' });
    const again = await fetchRaw(realUrl, '/feeds/politics.rss', {});
    return {
      options: o,
      generator,
      seededItems,
      routes: results,
      fairness,
      dataVersion: { before: versionBefore, after: versionAfter },
      etagStable: header(again, 'etag') === etag,
      serverLog,
    };
  } finally {
    await Promise.allSettled([real.stop(), bare.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
