import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { serve, type ServerType } from '@hono/node-server';
import cron from 'node-cron';
import type { WirefeedConfig } from '../config.ts';
import { createApp } from '../http/app.ts';
import { createFetcher } from '../ingest/fetch.ts';
import { ingestDue, ingestNow, type IngestDeps, type PollOutcome } from '../ingest/run.ts';
import { createStore, type Store } from '../store/store.ts';
import { openSqlite, type SqliteHandle } from './sqlite.ts';

/** The pieces of a running Node service. */
export interface NodeService {
  store: Store;
  deps: IngestDeps;
  /** Polls the due sources once (what each cron tick does); overlapping calls share one run. */
  tick(): Promise<PollOutcome[]>;
  close(): Promise<void>;
}

/** Opens the SQLite store for a config and wires ingestion with the Node fetcher (DNS checks, file: URLs). */
export async function openNodeService(config: WirefeedConfig, dbPath: string, log: (line: string) => void = console.log): Promise<NodeService & { sqlite: SqliteHandle }> {
  const sqlite = openSqlite(dbPath);
  const store = createStore(sqlite.db);
  await store.syncSources(config.sources);
  const fetchFeed = createFetcher({
    timeoutMs: config.limits.fetchTimeoutMs,
    maxBytes: config.limits.maxFeedBytes,
    maxRedirects: config.limits.maxRedirects,
    resolveHost: async (host) => (await lookup(host, { all: true })).map((a) => a.address),
    readFile: async (path) => new Uint8Array(await readFile(path)),
  });
  const deps: IngestDeps = { store, fetchFeed, sources: config.sources, log: (o) => log(formatOutcome(o)) };
  let running: Promise<PollOutcome[]> | null = null;
  const tick = (): Promise<PollOutcome[]> => {
    running ??= ingestDue(deps, { batchSize: config.schedule.batchSize, concurrency: config.schedule.concurrency }).finally(() => {
      running = null;
    });
    return running;
  };
  return {
    store,
    deps,
    sqlite,
    tick,
    async close() {
      await running;
      sqlite.close();
    },
  };
}

/**
 * Starts wirefeed on Node: store, an ingest at once and then on the cron schedule (no overlap), and the
 * HTTP server. Resolves when the server listens.
 */
export async function startNodeServer(options: {
  config: WirefeedConfig;
  dbPath: string;
  port: number;
  host: string;
  log?: (line: string) => void;
}): Promise<{ url: string; service: NodeService; close(): Promise<void> }> {
  const log = options.log ?? console.log;
  const service = await openNodeService(options.config, options.dbPath, log);
  const app = createApp({
    store: service.store,
    feeds: options.config.feeds,
    baseUrl: options.config.server.baseUrl,
    title: options.config.server.title,
  });
  const task = cron.schedule(options.config.schedule.cron, () => service.tick(), { noOverlap: true, name: 'wirefeed-ingest' });
  const server: ServerType = await new Promise((resolveServer) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, () => resolveServer(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  log(`wirefeed: serving ${url} (database ${options.dbPath}, ${options.config.sources.length} sources)`);
  void service.tick();
  return {
    url,
    service,
    async close() {
      await task.stop();
      await task.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await service.close();
    },
  };
}

/** Polls sources now (all, or the ones named), whether due or not. */
export async function ingestOnce(service: NodeService, config: WirefeedConfig, ids?: string[]): Promise<PollOutcome[]> {
  return ingestNow(service.deps, ids ?? config.sources.map((s) => s.id), config.schedule.concurrency);
}

function formatOutcome(o: PollOutcome): string {
  if (o.status === 'ok') return `wirefeed: ${o.source}: ${o.items} items`;
  if (o.status === 'not-modified') return `wirefeed: ${o.source}: not modified`;
  return `wirefeed: ${o.source}: ${o.kind} error: ${o.message} (next try ${new Date(o.nextFetchAt).toISOString()})`;
}
