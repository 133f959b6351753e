/**
 * Profiling driver for the scale bench (not part of `npm run bench`): the real Node server in this process,
 * N sources on the scale upstream (a child process), the first fill, then `PROFILE_CYCLES` ticks of the kind
 * `PROFILE_KIND` names (`unchanged`: every source due, upstream unchanged; `changed`: the upstream advanced
 * before each tick and only its changed half due). Run it under the profiler, e.g.
 * `PROFILE_N=1000 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/scale-profile.ts`
 * (worker threads inherit `--cpu-prof` and write their own profile); each tick's CPU per poll is printed.
 * `bench/scale-profile-summary.ts` aggregates the profiles by self time and by module.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { sqliteDriver } from '../src/runtime/sqlite-driver.ts';
import { validateConfig } from '../src/config.ts';
import { startNodeServer } from '../src/runtime/node.ts';
import type { SqliteHandle } from '../src/runtime/sqlite.ts';
import { forkServer } from './child.ts';

const n = Number(process.env.PROFILE_N ?? 1000);
const kind = process.env.PROFILE_KIND === 'changed' ? 'changed' : 'unchanged';
const cycles = Number(process.env.PROFILE_CYCLES ?? 3);
// PROFILE_SQL=1: each statement's time (run/all/get) summed by its SQL, printed after the ticks.
const sqlTimes = new Map<string, { calls: number; ms: number }>();
if (process.env.PROFILE_SQL) {
  const probe = new (sqliteDriver())(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, (...args: unknown[]) => unknown>;
  probe.close();
  for (const method of ['run', 'all', 'get']) {
    const original = proto[method]!;
    proto[method] = function (this: { source: string }, ...args: unknown[]) {
      const t0 = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const entry = sqlTimes.get(this.source) ?? { calls: 0, ms: 0 };
        entry.calls++;
        entry.ms += performance.now() - t0;
        sqlTimes.set(this.source, entry);
      }
    };
  }
}
// PROFILE_THREADS=1: each thread's CPU (user+system, from /proc) over each tick, by thread.
const threadTimes = (): Map<string, [number, number]> => {
  const out = new Map<string, [number, number]>();
  if (!process.env.PROFILE_THREADS) return out;
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      out.set(`${tid} ${name}`, [Number(fields[11]) * 10, Number(fields[12]) * 10]);
    } catch {
      // the thread ended
    }
  }
  return out;
};
const dir = mkdtempSync(join(tmpdir(), 'wirefeed-prof-'));
const upstream = forkServer('scale-upstream', new URL('./servers/scale-upstream.ts', import.meta.url), (l) => console.error(l));
try {
  const upstreamUrl = await upstream.request<string>({ type: 'start', feeds: n });
  const config = validateConfig({
    sources: Array.from({ length: n }, (_, i) => ({ id: `s${i}`, url: `${upstreamUrl}/f/${i}.xml`, title: `Scale ${i}`, interval: 15, allowPrivateNetwork: true })),
    schedule: { cron: '0 0 0 1 1 *', concurrency: 16, perHostConcurrency: 16, workers: Number(process.env.PROFILE_WORKERS ?? 1) },
    rateLimit: null,
  });
  const server = await startNodeServer({ config, dbPath: join(dir, 'p.db'), port: 0, host: '127.0.0.1', log: () => {}, logLevel: 'warn' });
  try {
    const fill = await server.service.tick();
    // The monotonic clock of the profiles' timestamps (µs): the summary can skip the fill with PROFILE_FROM.
    console.log(`fill: ${fill.length} polls; PROFILE_FROM=${process.hrtime.bigint() / 1000n}`);
    sqlTimes.clear();
    const raw = (server.service as unknown as { sqlite: SqliteHandle }).sqlite.raw;
    // PROFILE_INDEX=1: a covering index for the posting history (`recentArrivals`), to measure what it would save.
    if (process.env.PROFILE_INDEX) raw.exec('CREATE INDEX IF NOT EXISTS items_source_arrivals ON items (source_id, partial, first_seen DESC)');
    // PROFILE_NOFTS=1: without the search index's triggers, to measure what indexing costs a poll.
    if (process.env.PROFILE_NOFTS) for (const t of ['insert', 'update', 'delete']) raw.exec(`DROP TRIGGER IF EXISTS items_search_${t}`);
    for (let c = 0; c < cycles; c++) {
      if (kind === 'changed') {
        const parity = await upstream.request<number>({ type: 'advance' } as never);
        raw.prepare(`UPDATE sources SET next_fetch_at = 0 WHERE CAST(substr(id, 2) AS INTEGER) % 2 = ?`).run(parity);
      } else raw.prepare('UPDATE sources SET next_fetch_at = 0').run();
      const threads0 = threadTimes();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const outcomes = await server.service.tick();
      const cpu = process.cpuUsage(cpu0);
      for (const [thread, [user, system]] of threadTimes()) {
        const [user0, system0] = threads0.get(thread) ?? [0, 0];
        const d = user - user0 + system - system0;
        if (d >= 20) console.log(`  thread ${thread}: ${d} ms (system ${system - system0}), ${(d / outcomes.length).toFixed(2)} ms/poll`);
      }
      const errors = outcomes.filter((o) => o.status === 'error').length;
      console.log(`${kind} tick ${c}: ${outcomes.length} polls (${errors} failed), ${((performance.now() - t0) / 1000).toFixed(1)} s, CPU/poll ${((cpu.user + cpu.system) / 1000 / outcomes.length).toFixed(2)} ms`);
    }
    for (const [sql, t] of [...sqlTimes].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
      console.log(`${t.ms.toFixed(0).padStart(6)} ms ${String(t.calls).padStart(6)} calls  ${sql.replace(/\s+/g, ' ').slice(0, 150)}`);
    }
  } finally {
    await server.close();
  }
} finally {
  await upstream.stop();
  rmSync(dir, { recursive: true, force: true });
}
