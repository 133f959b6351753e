import { createServer, type IncomingMessage, type RequestListener, type ServerOptions, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import cron from 'node-cron';
import { sourceNamedBy, type WirefeedConfig } from '../config.ts';
import type { SourceConfig } from '../model.ts';
import { createApp } from '../http/app.ts';
import { createFastPath } from '../http/fast-path.ts';
import type { Metrics } from '../http/metrics.ts';
import { SANE_REQUEST_ID } from '../http/request-log.ts';
import { logServiceEvent } from '../ingest/log-event.ts';
import { RateLimiter } from '../http/rate-limit.ts';
import type { IngestDeps, PollOutcome } from '../ingest/run.ts';
import { createRepresentations, type Compressor } from '../publish/representation.ts';
import { openAccess } from '../licensing.ts';
import type { AccessControl } from '../http/auth.ts';
import { createService, type Service } from '../service.ts';
import { checkSourceNames } from '../store/sources.ts';
import { createStore, type Store } from '../store/store.ts';
import { createWebhookPoster } from '../ingest/webhook-post.ts';
import { openPushDelivery, type PushDelivery } from '../push.ts';
import { createGuardedFetch } from './guarded-fetch.ts';
import { createGrantResolver } from './key-credentials.ts';
import { createNodeFetcher, resolveHostNode } from './node-fetcher.ts';
import { createIngestPool } from './ingest-pool.ts';
import { createPollWorker } from './poll-worker.ts';
import { readerSignal, type ReaderSignal } from './ingest-pace.ts';
import { memoizeDataVersion } from '../store/version-memo.ts';
import { openSqlite, type SqliteHandle } from './sqlite.ts';
import { ingestThreadNice } from './thread-priority.ts';
import type { Logger, LogLevel } from '../util/log.ts';
import { createNodeLogger } from './node-log.ts';
import { createPromMetrics } from './prom-metrics.ts';

/** The pieces of a running Node service. */
export interface NodeService {
  store: Store;
  deps: IngestDeps;
  /** Polls the due sources once (what each cron tick does); overlapping calls share one run. */
  tick(): Promise<PollOutcome[]>;
  /** Polls the named sources (all unpaused when absent) now, whether due or not. */
  pollNow(ids?: string[]): Promise<PollOutcome[]>;
  /** Re-reads the stored sources when they changed (see `Service.refreshSources`). */
  refreshSources(): Promise<void>;
  /** Every stored source with a configuration, paused ones too, as of the last refresh. */
  sources(): SourceConfig[];
  appDeps: Service['appDeps'];
  /** The data version while it is remembered (see `memoizeDataVersion`), for the HTTP fast path. */
  peekVersion(): number | null;
  /** This service's metrics (a prom-client registry of its own), exported by the app at `/metrics`. */
  metrics: Metrics;
  logger: Logger;
  /** Subscribers' keys, entitlements and usage. */
  access: AccessControl;
  /** Push delivery: `run` POSTs the due outbox events to the subscribers' webhooks. */
  push: PushDelivery;
  /** The server tells it of every request it answers; while requests come, polls give way (`schedule.ingestShare`). */
  readers: ReaderSignal;
  close(): Promise<void>;
}

/**
 * Opens the SQLite store for a config and wires ingestion with the Node fetcher (DNS checks, file: URLs).
 * `log` is a logger, or where its JSON lines go (one per call; stdout when absent).
 */
export async function openNodeService(
  config: WirefeedConfig,
  dbPath: string,
  log?: ((line: string) => void) | Logger,
  /** `onPoll`: told of every finished poll (the CLI's progress line). */
  hooks: { onPoll?: (outcome: PollOutcome) => void } = {},
): Promise<NodeService & { sqlite: SqliteHandle }> {
  const logger = typeof log === 'object' ? log : createNodeLogger({ write: log });
  const sqlite = openSqlite(dbPath);
  const store = createStore(sqlite.db);
  const metrics = createPromMetrics({ itemCounts: () => store.sources.itemCounts() });
  await store.syncSources(config.sources);
  // Feeds and subscribers may name sources added at run time: checked against the stored ones.
  await checkSourceNames(config, store.sources).catch((err: unknown) => {
    sqlite.close();
    throw err;
  });
  // Entitlements by provider follow the service's snapshot of the stored sources (read at call time).
  const access = await openAccess(config, sqlite.db, { sources: () => service.sources() });
  const guarded = createGuardedFetch();
  const fetchFeed = createNodeFetcher(config.limits, guarded);
  const push = openPushDelivery(config, {
    db: sqlite.db,
    store,
    logger,
    post: createWebhookPoster({
      publicFetch: guarded,
      resolveHost: resolveHostNode,
      timeoutMs: config.webhooks.timeoutMs,
    }),
  });
  const service = createService(config, {
    store,
    fetchFeed,
    fetch,
    log: (event, durationMs) => {
      logServiceEvent(logger, event, durationMs);
      if (!('event' in event) && durationMs !== undefined) metrics.pollFinished(event, durationMs);
      if (!('event' in event)) hooks.onPoll?.(event);
    },
    tickMode: 'backlog',
  });
  const { workers, workerTimeoutMs, workerMemoryMb } = config.schedule;
  // The ingest threads run at a lower CPU priority than this (serving) thread: on 2 busy cores a poll waits, a reader does not.
  const nice = ingestThreadNice(config.schedule.ingestNice);
  const pool = workers > 0 ? createIngestPool({ size: workers, rules: config.normalize, jobTimeoutMs: workerTimeoutMs, maxHeapMb: workerMemoryMb, nice }) : null;
  if (pool) {
    service.deps.process = pool.process;
    service.deps.processPage = pool.processPage;
  }
  // Whole polls (fetch, decode, parse, normalize, save) run in a poll thread with its own connection to the
  // file, which starts its own parse/normalize workers: the serving thread only claims the due sources and is
  // told how each poll ended. Article pages (full text) are still fetched here after the tick, through `pool`.
  // Every request the server answers is counted where the poll thread reads it: polls give way while readers come.
  const readers = readerSignal();
  const polls = workers > 0 && dbPath !== ':memory:'
    ? createPollWorker({
        dbPath,
        limits: config.limits,
        rules: config.normalize,
        retention: service.deps.retention,
        pool: { size: workers, jobTimeoutMs: workerTimeoutMs, maxHeapMb: workerMemoryMb },
        nice,
        pace: { share: config.schedule.ingestShare, readers: readers.buffer },
        onPaced: metrics.pollPaced,
      })
    : null;
  if (polls) service.deps.pollElsewhere = polls.poll;
  await service.refreshSources();
  // Polls of cached feeds skip the database: the data version is remembered for a second, and forgotten
  // as soon as an ingest of this process ends.
  const memo = memoizeDataVersion(store, 1000);
  let running: Promise<unknown> = Promise.resolve();
  let pushing: Promise<unknown> = Promise.resolve();
  const track = <T>(work: Promise<T>): Promise<T> => {
    const done = work.finally(memo.invalidate);
    running = Promise.allSettled([running, done]);
    return done;
  };
  return {
    ...service,
    appDeps: { ...service.appDeps, store: memo.store },
    access,
    // A push run changes no item (the data version memo stays), but close() waits for it.
    push: {
      run: () => {
        const work = push.run();
        pushing = Promise.allSettled([pushing, work]);
        return work;
      },
      stats: push.stats,
    },
    peekVersion: memo.peek,
    metrics,
    readers,
    logger,
    store,
    sqlite,
    tick: () => track(service.tick()),
    // After an admin change of the sources (items removed, a licence changed) cached feeds must be re-checked at once.
    refreshSources: () => track(service.refreshSources()),
    pollNow: (ids) => track(service.pollNow(ids)),
    async close() {
      await running;
      await pushing;
      await access.flush().catch(() => {});
      await polls?.close();
      await pool?.close();
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
  /** Bearer token of the admin API (`WIREFEED_ADMIN_TOKEN`); the API is off without one. Never logged. */
  adminToken?: string | undefined;
  /** Where the JSON log lines go, one per call (stdout when absent). */
  log?: (line: string) => void;
  /** The least severe level logged (`LOG_LEVEL`; default info). */
  logLevel?: LogLevel | undefined;
}): Promise<{ url: string; service: NodeService; close(): Promise<void> }> {
  const logger = createNodeLogger({ level: options.logLevel, write: options.log });
  const service = await openNodeService(options.config, options.dbPath, logger);
  const { metrics } = service;
  // The Hono app and the fast path share one publishing pipeline and one set of token buckets.
  const representations = createRepresentations({ compress: compressNode });
  const limiter = options.config.rateLimit ? new RateLimiter(options.config.rateLimit) : null;
  const app = createApp({
    ...service.appDeps,
    representations,
    limiter,
    access: service.access,
    webhooks: service.push,
    // A render of many new items (every second while a cycle stores them) gives way to the polls of cached feeds.
    pause: () => new Promise<void>((resolve) => setImmediate(resolve)),
    clientKey: (c) => getConnInfo(c).remote.address ?? 'unknown',
    peerAddress: (c) => getConnInfo(c).remote.address,
    metrics,
    logger,
    admin: options.adminToken
      ? {
          token: options.adminToken,
          refresh: async (id) => (await service.pollNow([id]))[0] ?? null,
          changed: () => service.refreshSources(),
          namedBy: (id) => sourceNamedBy(options.config, id),
        }
      : undefined,
  });
  const serveCached = createFastPath<IncomingMessage, Buffer>({
    representations,
    limiter,
    peekVersion: service.peekVersion,
    clientKey: (req) => peerOf(req.socket),
    baseUrl: service.appDeps.baseUrl,
    defaultHost: options.host,
    maxAge: service.appDeps.maxAge,
    hubUrl: service.appDeps.hubUrl,
    toBody: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    metrics,
    // A keyed poll of a cached feed: the key's SHA-256 in the in-memory index (runtime/key-credentials).
    access: service.access,
    resolveGrant: createGrantResolver((hash, inUrl) => service.access.peek(hash, inUrl)),
  });
  // Push delivery: after each ingest tick, and on its own short timer for retries and embargoes.
  const deliver = (): void => void service.push.run().catch((err: unknown) => logger.error({ event: 'webhook-run-failed', err }, 'wirefeed: push delivery failed'));
  const tick = (): Promise<unknown> => service.tick().finally(deliver);
  const task = cron.schedule(options.config.schedule.cron, tick, { noOverlap: true, name: 'wirefeed-ingest' });
  const pushTimer = setInterval(deliver, options.config.webhooks.intervalSeconds * 1000);
  pushTimer.unref();
  const server: ServerType = await new Promise((resolveServer) => {
    // Header limits: 8 KiB of headers, and a request must arrive whole within 10 s (slowloris).
    const s = serve(
      {
        fetch: app.fetch,
        port: options.port,
        hostname: options.host,
        serverOptions: { maxHeaderSize: 8192, requestTimeout: 10_000, headersTimeout: 10_000 },
        // Polls of cached feeds are answered before a Request is built; everything else goes to Hono.
        createServer: ((serverOptions: ServerOptions, listener: RequestListener) =>
          createServer(serverOptions, (req, res) => {
            service.readers.arrived();
            const fast = serveCached(req);
            if (fast === null) return listener(req, res);
            const requestId = req.headers['x-request-id'];
            if (requestId !== undefined) echoRequestId(res, requestId);
            res.writeHead(fast.status, fast.headers);
            if (fast.body === null) res.end();
            else res.end(fast.body);
          })) as typeof createServer,
      },
      () => resolveServer(s),
    );
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  logger.info(
    { event: 'server-start', url, database: options.dbPath, sources: service.sources().length, admin: options.adminToken !== undefined },
    `wirefeed: serving ${url} (database ${options.dbPath}, ${service.sources().length} sources, admin API ${options.adminToken ? 'on' : 'off'})`,
  );
  void tick();
  return {
    url,
    service,
    async close() {
      await task.stop();
      await task.destroy();
      clearInterval(pushTimer);
      await new Promise<void>((r) => server.close(() => r()));
      await service.close();
    },
  };
}

// A keep-alive connection keeps its peer: ask the socket once, not on every request.
const peers = new WeakMap<Socket, string>();
function peerOf(socket: Socket): string {
  let peer = peers.get(socket);
  if (peer === undefined) {
    peer = socket.remoteAddress ?? 'unknown';
    peers.set(socket, peer);
  }
  return peer;
}

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** gzip and Brotli copies of a representation, made once per change of the data (quality 5: fast, small). */
export const compressNode: Compressor = async (body) => {
  const [gz, br] = await Promise.all([
    gzipAsync(body, { level: 6 }),
    brotliAsync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.byteLength } }),
  ]);
  return { gzip: new Uint8Array(gz), br: new Uint8Array(br) };
};

// The fast path answers without a request id of its own (it logs nothing); a client's sane one is echoed, as the Hono app does.
function echoRequestId(res: ServerResponse, value: string | string[]): void {
  if (typeof value === 'string' && SANE_REQUEST_ID.test(value)) res.setHeader('X-Request-Id', value);
}
