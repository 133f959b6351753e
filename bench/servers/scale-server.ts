/**
 * Child process: the real wirefeed server (`startNodeServer`) for the scale bench, with N sources on the scale
 * upstream. The cron fires once a year; the parent runs each cycle with `cycle`: the chosen sources are made due
 * (their next poll time set to 0 in the database) and one tick drains them, timed here (wall, this process's CPU,
 * peak RSS sampled every 50 ms) while the parent's pollers read a cached feed over HTTP.
 */
import { statSync } from 'node:fs';
import type { WirefeedConfig } from '../../src/config.ts';
import { startNodeServer } from '../../src/runtime/node.ts';
import type { SqliteHandle } from '../../src/runtime/sqlite.ts';
import { logToParent, serveParent, type ChildRequest } from '../child.ts';

let server: Awaited<ReturnType<typeof startNodeServer>> | null = null;
let dbPath = '';
let stopping: Promise<void> | null = null;

/** What one cycle measured. */
export interface CycleResult {
  polls: number;
  ok: number;
  notModified: number;
  errors: number;
  /** Items the polls' documents carried. */
  items: number;
  wallMs: number;
  cpuMs: number;
  peakRssBytes: number;
  dbBytes: number;
  firstError: string | null;
}

const fileSize = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

serveParent(
  async (msg: ChildRequest) => {
    if (msg.type === 'start') {
      const start = msg as unknown as { config: WirefeedConfig; dbPath: string };
      dbPath = start.dbPath;
      server = await startNodeServer({ config: start.config, dbPath, port: 0, host: '127.0.0.1', log: () => {}, logLevel: 'warn' });
      return server.url;
    }
    if ((msg as { type: string }).type === 'settle') {
      // The start-up tick (the first fill of the store): joined, not timed.
      return (await server!.service.tick()).length;
    }
    if ((msg as { type: string }).type === 'cycle') {
      if (!server) throw new Error('not started');
      const { parity } = msg as unknown as { parity: 0 | 1 | null };
      const raw = (server.service as unknown as { sqlite: SqliteHandle }).sqlite.raw;
      // Sources are `s<n>`: a parity picks the feeds the upstream changed (or did not) in its last advance.
      if (parity === null) raw.prepare('UPDATE sources SET next_fetch_at = 0').run();
      else raw.prepare(`UPDATE sources SET next_fetch_at = 0 WHERE CAST(substr(id, 2) AS INTEGER) % 2 = ?`).run(parity);
      let peak = process.memoryUsage().rss;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 50);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const outcomes = await server.service.tick();
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      const firstError = outcomes.find((o) => o.status === 'error');
      return {
        polls: outcomes.length,
        ok: outcomes.filter((o) => o.status === 'ok').length,
        notModified: outcomes.filter((o) => o.status === 'not-modified').length,
        errors: outcomes.filter((o) => o.status === 'error').length,
        items: outcomes.reduce((sum, o) => sum + (o.status === 'ok' ? o.items : 0), 0),
        wallMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        peakRssBytes: peak,
        dbBytes: fileSize(dbPath) + fileSize(`${dbPath}-wal`),
        firstError: firstError && firstError.status === 'error' ? `${firstError.kind}: ${firstError.message}` : null,
      } satisfies CycleResult;
    }
    throw new Error(`unknown request ${msg.type}`);
  },
  () => (stopping ??= server ? server.close() : Promise.resolve()),
);
