/**
 * Scale bench (`BENCH_ONLY=scale`, issue 14): the real Node server (`servers/scale-server.ts`, `startNodeServer`)
 * with N sources on a local upstream (`servers/scale-upstream.ts`, N feeds of 30 items, half of the feeds
 * changing 15 of their 30 entries per cycle, the other half answering 200 with the same entries), for each N:
 *
 * 1. the first fill (the start-up tick: every source new), not timed;
 * 2. a cached feed's p99 with the server idle (pollers in this process, one keep-alive connection each), after a
 *    warm-up of the same pollers that is not counted (the feed's first render, the JIT, the fill's garbage);
 * 3. one full cycle (every source due, one tick drains them) with the same pollers running: wall time, the
 *    server's CPU, its peak RSS, the database size, and the cached feed's p99 during the cycle;
 *    beside it, the same number of pollers read the same bytes from a bare `node:http` server (`servers/bare.ts`,
 *    another child) in the same windows: the reference for what the machine alone does to a p99 while the cycle runs;
 * 4. CPU per poll, measured apart without pollers: a tick over the unchanged-entries half only, then one over
 *    the changed half only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';
import { validateConfig } from '../src/config.ts';
import { forkServer, type ChildServer, type LoopDelay } from './child.ts';
import { captureBareRoute } from './http.ts';
import type { CycleResult } from './servers/scale-server.ts';
import { percentile } from './stats.ts';

/** Polling before the idle window, not counted. */
const WARM_UP_MS = 3000;

export interface ScaleOptions {
  sizes: number[];
  /** Concurrent polls of the service (`schedule.concurrency`, and per host: every feed is on 127.0.0.1). */
  concurrency: number;
  /** Pollers of the cached feed. */
  pollers: number;
  /** Seconds of idle polling for the idle p99. */
  idleSeconds: number;
}

export interface ScaleRun {
  sources: number;
  fill: { polls: number; ms: number };
  cycle: CycleResult;
  unchanged: CycleResult;
  changed: CycleResult;
  idle: LatencySummary;
  during: LatencySummary;
  /** Idle again, right after the cycle: a second look at the idle figure (other load on the machine moves it). */
  idleAfter: LatencySummary;
  /** The bare server's answers of the same bytes, polled beside ours in the same three windows. */
  bare: { idle: LatencySummary; during: LatencySummary; idleAfter: LatencySummary };
  /** The server's event-loop delay while the pollers ran idle, then during the cycle. */
  idleLoop: LoopDelay;
  duringLoop: LoopDelay;
  /** CPU the local upstream (a stand-in for the newsroom's remote feeds) used during the cycle, ms. */
  upstreamCpuMs: number;
}

/** A poller's latencies, in ms. */
export interface LatencySummary {
  requests: number;
  p50: number;
  p99: number;
  max: number;
}

export interface ScaleReport {
  options: ScaleOptions;
  runs: ScaleRun[];
}

/** Polls `path` from `pollers` keep-alive connections until `stop` resolves; latencies in ms. */
async function poll(origin: string, path: string, pollers: number, stop: Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  let done = false;
  void stop.then(() => {
    done = true;
  });
  await Promise.all(
    Array.from({ length: pollers }, async () => {
      const client = new Client(origin, { keepAliveTimeout: 30_000 });
      try {
        while (!done) {
          const t0 = performance.now();
          const res = await client.request({ path, method: 'GET', headers: { 'accept-encoding': 'gzip' } });
          await res.body.dump();
          if (res.statusCode !== 200) throw new Error(`${path}: HTTP ${res.statusCode}`);
          latencies.push(performance.now() - t0);
          // A little think time: pollers, not a load generator that would take a core of its own.
          await sleep(5);
        }
      } finally {
        await client.close();
      }
    }),
  );
  return latencies;
}

const summary = (latencies: number[]): LatencySummary => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { requests: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? NaN };
};

async function runOne(sources: number, options: ScaleOptions, onLog: (line: string) => void): Promise<ScaleRun> {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-scale-'));
  const children: ChildServer[] = [];
  try {
    const upstream = forkServer('scale-upstream', new URL('./servers/scale-upstream.ts', import.meta.url), onLog);
    children.push(upstream);
    const upstreamUrl = await upstream.request<string>({ type: 'start', feeds: sources });
    const config = validateConfig({
      sources: Array.from({ length: sources }, (_, i) => ({ id: `s${i}`, url: `${upstreamUrl}/f/${i}.xml`, title: `Scale ${i}`, interval: 15, allowPrivateNetwork: true })),
      schedule: { cron: '0 0 0 1 1 *', concurrency: options.concurrency, perHostConcurrency: options.concurrency },
      rateLimit: null,
    });
    const server = forkServer('scale-server', new URL('./servers/scale-server.ts', import.meta.url), onLog, (process.env.BENCH_SCALE_SERVER_ARGV ?? '').split(' ').filter(Boolean));
    children.push(server);
    const origin = await server.request<string>({ type: 'start', config, dbPath: join(dir, 'scale.db') }, 60_000);
    const t0 = performance.now();
    const filled = await server.request<number>({ type: 'settle' } as never, 30 * 60_000);
    const fill = { polls: filled, ms: performance.now() - t0 };

    const path = '/feeds/all.rss';
    // Not counted: the feed's first render after the fill, and both processes' first requests, would be idle figures.
    await poll(origin, path, options.pollers, sleep(WARM_UP_MS));
    const bare = forkServer('scale-bare', new URL('./servers/bare.ts', import.meta.url), onLog);
    children.push(bare);
    const bareOrigin = await bare.request<string>({ type: 'start', routes: [(await captureBareRoute(origin, path)).route] });
    await poll(bareOrigin, path, options.pollers, sleep(WARM_UP_MS));
    // Ours and the bare server's pollers in the same window; `stop` ends both.
    const both = async (stop: Promise<void>): Promise<[LatencySummary, LatencySummary]> => {
      const [a, b] = await Promise.all([poll(origin, path, options.pollers, stop), poll(bareOrigin, path, options.pollers, stop)]);
      return [summary(a), summary(b)];
    };
    // The first ask starts the server's histogram; each later one answers since the one before.
    await server.request<LoopDelay>({ type: 'loopDelay' });
    const [idle, bareIdle] = await both(sleep(options.idleSeconds * 1000));
    const idleLoop = await server.request<LoopDelay>({ type: 'loopDelay' });
    await upstream.request({ type: 'advance' } as never);
    let release: () => void = () => {};
    const stop = new Promise<void>((resolve) => (release = resolve));
    const upstreamCpu0 = await upstream.cpuMicros();
    const pollers = both(stop);
    const cycle = await server.request<CycleResult>({ type: 'cycle', parity: null } as never, 30 * 60_000);
    const upstreamCpuMs = ((await upstream.cpuMicros()) - upstreamCpu0) / 1000;
    release();
    const [during, bareDuring] = await pollers;
    const duringLoop = await server.request<LoopDelay>({ type: 'loopDelay' });
    const [idleAfter, bareIdleAfter] = await both(sleep(options.idleSeconds * 1000));
    const bareRun = { idle: bareIdle, during: bareDuring, idleAfter: bareIdleAfter };

    // The upstream's next advance changes one parity; the other half answers with the same entries.
    const changedParity = await upstream.request<number>({ type: 'advance' } as never);
    const unchanged = await server.request<CycleResult>({ type: 'cycle', parity: 1 - changedParity } as never, 30 * 60_000);
    const changed = await server.request<CycleResult>({ type: 'cycle', parity: changedParity } as never, 30 * 60_000);
    return { sources, fill, cycle, unchanged, changed, idle, during, idleAfter, bare: bareRun, idleLoop, duringLoop, upstreamCpuMs };
  } finally {
    for (const child of children.reverse()) await child.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the scale bench for each size, one after the other. */
export async function runScaleBench(options: ScaleOptions, onLog: (line: string) => void = () => {}): Promise<ScaleReport> {
  const runs: ScaleRun[] = [];
  for (const n of options.sizes) {
    onLog(`scale: ${n} sources…`);
    const run = await runOne(n, options, onLog);
    // Each size's figures as soon as they are known (the table is printed at the end).
    onLog(
      `scale: ${n} sources: cycle ${(run.cycle.wallMs / 1000).toFixed(1)} s, CPU/poll unchanged ${(run.unchanged.cpuMs / run.unchanged.polls).toFixed(2)} ms, ` +
        `changed ${(run.changed.cpuMs / run.changed.polls).toFixed(2)} ms, p99 idle ${run.idle.p99.toFixed(1)} ms, during ${run.during.p99.toFixed(1)} ms ` +
        `(bare server: ${run.bare.idle.p99.toFixed(1)} / ${run.bare.during.p99.toFixed(1)} ms)`,
    );
    runs.push(run);
  }
  return { options, runs };
}

/** Targets from the issue. */
const UNCHANGED_CPU_TARGET_MS = 2;
const CHANGED_CPU_TARGET_MS = 5;
const P99_TARGET = 2;

/** Prints the report as Markdown, one line per `out` call. */
export function printScale(report: ScaleReport, out: (line?: string) => void): void {
  const o = report.options;
  const f = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : '—');
  const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MiB`;
  out('## Scale: one full cycle of N sources on one Node process');
  out();
  out(
    `The real server (\`startNodeServer\`, ${o.concurrency} polls at once, in the poll thread and its one parse worker thread) with N sources on a local upstream: ` +
      `30 items a feed, half of the feeds changing 15 of their 30 entries per cycle, the other half answering 200 with the same ` +
      `entries and a new \`lastBuildDate\`. A cycle makes every source due and one tick drains the backlog (leased waves). ` +
      `${o.pollers} pollers read the cached \`/feeds/all.rss\` for ${WARM_UP_MS / 1000} s not counted (a warm-up), then ${o.idleSeconds} s idle, then during the full cycle, then idle again; ` +
      `${o.pollers} more read the same bytes from a bare \`node:http\` server (another process) in the same windows, the reference for what the machine's load alone does. CPU is the ` +
      `server process's (all threads), per poll; each kind of poll is measured on its own tick, without pollers.`,
  );
  out();
  out('| sources | full cycle wall | polls/s | CPU per poll (full cycle) | CPU per unchanged-entries poll | CPU per changed poll | peak RSS | database | `/feeds/all.rss` p99 idle | p99 during the cycle |');
  out('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of report.runs) {
    out(
      `| ${r.sources} | ${f(r.cycle.wallMs / 1000)} s | ${f(r.cycle.polls / (r.cycle.wallMs / 1000), 0)} | ${f(r.cycle.cpuMs / r.cycle.polls, 2)} ms | ` +
        `${f(r.unchanged.cpuMs / r.unchanged.polls, 2)} ms | ${f(r.changed.cpuMs / r.changed.polls, 2)} ms | ${mib(Math.max(r.cycle.peakRssBytes, r.unchanged.peakRssBytes, r.changed.peakRssBytes))} | ` +
        `${mib(r.changed.dbBytes)} | ${f(r.idle.p99, 2)} ms | ${f(r.during.p99, 2)} ms |`,
    );
  }
  out();
  out('Targets (the idle p99 is the one before the cycle; the one after it, in the notes below, shows how much other load moved it):');
  for (const r of report.runs) {
    const u = r.unchanged.cpuMs / r.unchanged.polls;
    const c = r.changed.cpuMs / r.changed.polls;
    const ratio = r.during.p99 / r.idle.p99;
    const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT MET');
    out(
      `- ${r.sources} sources: unchanged-entries poll ${f(u, 2)} ms CPU (target ≤ ${UNCHANGED_CPU_TARGET_MS} ms: ${verdict(u <= UNCHANGED_CPU_TARGET_MS)}); ` +
        `changed poll ${f(c, 2)} ms (target ≤ ${CHANGED_CPU_TARGET_MS} ms: ${verdict(c <= CHANGED_CPU_TARGET_MS)}); cached feed p99 during the cycle ` +
        `${f(ratio, 2)}× idle (target ≤ ${P99_TARGET}×: ${verdict(ratio <= P99_TARGET)}); the bare server's in the same windows ${f(r.bare.during.p99 / r.bare.idle.p99, 2)}×`,
    );
    const failures = [r.cycle, r.unchanged, r.changed].reduce((n, x) => n + x.errors, 0);
    out(
      `  - polls: first fill ${r.fill.polls} in ${f(r.fill.ms / 1000)} s; full cycle ${r.cycle.polls} (${r.cycle.ok} ok, ${r.cycle.errors} failed); ` +
        `unchanged ${r.unchanged.polls}, changed ${r.changed.polls}; ${failures} failed in all${failures > 0 ? ` (first: ${r.cycle.firstError ?? r.unchanged.firstError ?? r.changed.firstError})` : ''}; ` +
        `cached-feed requests ${r.idle.requests} idle, ${r.during.requests} during the cycle`,
    );
    out(
      `  - cached feed p50 / p99 / max: ${f(r.idle.p50, 2)} / ${f(r.idle.p99, 2)} / ${f(r.idle.max, 1)} ms idle, ${f(r.during.p50, 2)} / ${f(r.during.p99, 2)} / ${f(r.during.max, 1)} ms during the cycle, ` +
        `${f(r.idleAfter.p50, 2)} / ${f(r.idleAfter.p99, 2)} / ${f(r.idleAfter.max, 1)} ms idle again after it; ` +
        `bare server p50 / p99 / max: ${f(r.bare.idle.p50, 2)} / ${f(r.bare.idle.p99, 2)} / ${f(r.bare.idle.max, 1)} ms idle, ${f(r.bare.during.p50, 2)} / ${f(r.bare.during.p99, 2)} / ${f(r.bare.during.max, 1)} ms during, ` +
        `${f(r.bare.idleAfter.p50, 2)} / ${f(r.bare.idleAfter.p99, 2)} / ${f(r.bare.idleAfter.max, 1)} ms after; ` +
        `server event-loop delay p50 / p99 / max: ${f(r.idleLoop.p50, 2)} / ${f(r.idleLoop.p99, 2)} / ${f(r.idleLoop.max, 1)} ms idle, ${f(r.duringLoop.p50, 2)} / ${f(r.duringLoop.p99, 2)} / ${f(r.duringLoop.max, 1)} ms during the cycle; ` +
        `CPU during the cycle: server ${f(r.cycle.cpuMs / 1000, 1)} s, local upstream ${f(r.upstreamCpuMs / 1000, 1)} s (of ${f((availableParallelism() * r.cycle.wallMs) / 1000, 1)} core-seconds on ${availableParallelism()} cores)`,
    );
  }
  out();
}
