/**
 * The Cloudflare Workers adapter: the same core as `src/runtime/node.ts`, over D1 (the `DB` binding of
 * `wrangler.toml`) instead of SQLite, a Cron Trigger instead of node-cron, and the Workers Cache API in
 * front of the rendered feeds. `src/runtime/worker.ts` (the entry point) builds it from the bundled config.
 */
import { configSubscribers } from '../licensing.ts';
import { sourceNamedBy, validateConfig, workerTargetProblems, type WirefeedConfig } from '../config.ts';
import { createAccessControl, type AccessControl } from '../http/auth.ts';
import { createSubscriberStore } from '../store/subscribers.ts';
import { ConfigError } from '../errors.ts';
import { createApp } from '../http/app.ts';
import { createFetcher, type FetchRequest, type FetchResult } from '../ingest/fetch.ts';
import { DEFAULT_LEASE_MS, type PollOutcome } from '../ingest/run.ts';
import { enqueueDue, pollDelivered, recordDeadLetters, type DeliveredPoll, type PollMessage } from '../ingest/fan-out.ts';
import { createService, pollLeaseMs, type Service } from '../service.ts';
import type { SqlDatabase } from '../store/sql.ts';
import { checkSourceNames } from '../store/sources.ts';
import { createStore, type Store } from '../store/store.ts';
import { logServiceEvent } from '../ingest/log-event.ts';
import { createJsonLogger } from '../util/log.ts';
import { createWebhookPoster } from '../ingest/webhook-post.ts';
import { openPushDelivery, type PushDelivery } from '../push.ts';
import { isEdgeCacheable, serveFromEdgeCache, type EdgeCache } from './worker-cache.ts';

/** The part of a Queues producer binding the worker uses. */
export interface PollQueue {
  sendBatch(messages: { body: PollMessage; delaySeconds?: number }[]): Promise<unknown>;
}

/** The part of a delivered Queues message the worker uses. */
export interface QueueMessage {
  readonly body: unknown;
  readonly attempts: number;
  ack(): void;
  retry(): void;
}

/** The part of a Queues `MessageBatch` the worker uses. */
export interface QueueBatch {
  readonly queue: string;
  readonly messages: readonly QueueMessage[];
}

/**
 * The bindings the worker reads (see `wrangler.toml`); a D1 binding satisfies `SqlDatabase` as is. With
 * `INGEST_QUEUE` bound, the Cron Trigger claims every due source and enqueues it, and the `queue()` handler
 * polls; without it, the tick polls at most `schedule.batchSize` sources itself.
 */
export interface WorkerEnv {
  DB: SqlDatabase;
  /** Bearer token of the admin API (`wrangler secret put WIREFEED_ADMIN_TOKEN`); the API is off without one. */
  WIREFEED_ADMIN_TOKEN?: string | undefined;
  INGEST_QUEUE?: PollQueue;
}

/** The part of the Workers `ExecutionContext` the worker uses. */
export interface WorkerContext {
  waitUntil(work: Promise<unknown>): void;
}

/** The part of the Workers `ScheduledController` the worker uses. */
export interface WorkerScheduledController {
  scheduledTime: number;
  cron: string;
}

/** Seams for tests and embedding; every field has a default. */
export interface WorkerOptions {
  /** The `fetch` used for upstreams; defaults to the runtime's global `fetch`, looked up per call. */
  fetch?: typeof fetch;
  /** The edge cache; defaults to `caches.default`. `null` turns edge caching off. */
  cache?: EdgeCache | null;
  /** Where poll outcomes and failures are written (one JSON object a line, as pino writes on Node); defaults to `console.log`. */
  log?: (line: string) => void;
  /** The fan-out's politeness and bounds (see `enqueueDue`); every field has a default. */
  fanOut?: Partial<FanOutOptions>;
}

/** How the Cron Trigger spreads the due sources over the queue. */
export interface FanOutOptions {
  /** Seconds between a host's successive `perHostConcurrency` messages of one tick (default 1). */
  hostSpacingSeconds: number;
  /** The tick period: a host's messages held back this long or more wait for the next tick (default 300). */
  maxDelaySeconds: number;
  /** Messages one tick sends at most (default 10,000: 100 claims, 100 `sendBatch` calls and ≤ 100 releases). */
  maxMessages: number;
}

/** The dead-letter queue is the one whose name ends in `-dlq` (`wirefeed-ingest-dlq` in wrangler.toml). */
export const isDeadLetterQueue = (name: string): boolean => name.endsWith('-dlq');

/** How long a queued claim holds: the longest hold-back, a quarter hour of queue backlog, and the poll itself. */
const queuedLeaseMs = (config: WirefeedConfig, fanOut: FanOutOptions): number =>
  fanOut.maxDelaySeconds * 1000 + 15 * 60_000 + pollLeaseMs(config, 1, 1);

/** The worker's handlers, in the shape `export default` must have on Workers. */
export interface WirefeedWorker {
  fetch(request: Request, env: WorkerEnv, ctx: WorkerContext): Promise<Response>;
  scheduled(controller: WorkerScheduledController, env: WorkerEnv, ctx: WorkerContext): Promise<void>;
  queue(batch: QueueBatch, env: WorkerEnv, ctx: WorkerContext): Promise<void>;
}

/** Workers allow six simultaneous outgoing connections per invocation; more would only queue. */
export const WORKER_MAX_CONCURRENCY = 6;
/** Webhook POSTs one cron invocation makes at most (subrequests are bounded per invocation); the rest wait for the next tick. */
export const WORKER_MAX_WEBHOOK_POSTS = 10;

/**
 * Validates a configuration for the Workers target: the schema of `validateConfig`, then what cannot run
 * on Workers (`workerTargetProblems`, the checks of `wirefeed check-config --target worker`).
 * @throws ConfigError with one line per problem.
 */
export function workerConfig(input: unknown): WirefeedConfig {
  const config = validateConfig(input);
  const problems = workerTargetProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * Builds the worker for a validated configuration. `fetch` serves the Hono app of `src/http/app.ts` (feeds
 * through the edge cache; the admin API behind `WIREFEED_ADMIN_TOKEN`); `scheduled` enqueues every due source
 * (with `INGEST_QUEUE` bound) or polls at most `schedule.batchSize` of them, then drains the push outbox (at
 * most WORKER_MAX_WEBHOOK_POSTS POSTs); `queue` polls the enqueued sources and records the dead-lettered ones.
 */
export function createWorker(config: WirefeedConfig, options: WorkerOptions = {}): WirefeedWorker {
  const logger = createJsonLogger(options.log ?? ((line: string) => console.log(line)));
  const upstreamFetch = options.fetch ?? ((input, init) => fetch(input, init));
  // No DNS on Workers: only literal IP addresses (and localhost) are checked against the private ranges.
  const fetchFeed: (request: FetchRequest) => Promise<FetchResult> = createFetcher({
    fetch: upstreamFetch,
    timeoutMs: config.limits.fetchTimeoutMs,
    maxBytes: config.limits.maxFeedBytes,
    maxRedirects: config.limits.maxRedirects,
  });
  const postWebhook = createWebhookPoster({ fetch: upstreamFetch, timeoutMs: config.webhooks.timeoutMs });
  const perEnv = new WeakMap<WorkerEnv, { store: Store; app: ReturnType<typeof createApp>; service: Service; access: AccessControl; push: PushDelivery; synced?: Promise<void> }>();
  // Usage counters are flushed in the background of the request that finds them due.
  let currentCtx: WorkerContext | null = null;
  const forEnv = (env: WorkerEnv) => {
    let entry = perEnv.get(env);
    if (!entry) {
      const store = createStore(env.DB);
      const service = createService(config, {
        store,
        fetchFeed,
        fetch: upstreamFetch,
        log: (event, durationMs) => logServiceEvent(logger, event, durationMs),
        concurrencyCap: WORKER_MAX_CONCURRENCY,
      });
      // Keys: a short-TTL index over D1 (another isolate's admin change is seen within the TTL).
      const access = createAccessControl({
        subscribers: createSubscriberStore(env.DB),
        sources: () => service.sources(),
        background: (work) => (currentCtx ? currentCtx.waitUntil(work.catch(() => {})) : void work.catch(() => {})),
      });
      const push = openPushDelivery(config, { db: env.DB, store, post: postWebhook, logger, maxPosts: WORKER_MAX_WEBHOOK_POSTS });
      // No `compress`: Cloudflare compresses responses at the edge.
      // The admin API (sources at run time): a source added here is polled from the next Cron Trigger on.
      const token = env.WIREFEED_ADMIN_TOKEN;
      const admin = token
        ? { token, refresh: async (id: string) => (await service.pollNow([id]))[0] ?? null, changed: () => service.refreshSources(), namedBy: (id: string) => sourceNamedBy(config, id) }
        : undefined;
      const app = createApp({ ...service.appDeps, logger, access, admin, webhooks: push, clientKey: (c) => c.req.header('CF-Connecting-IP') ?? 'unknown' });
      entry = { store, service, access, push, app };
      perEnv.set(env, entry);
    }
    return entry;
  };
  const syncSources = (env: WorkerEnv): Promise<void> => {
    const entry = forEnv(env);
    entry.synced ??= (async () => {
      await entry.store.syncSources(config.sources);
      await checkSourceNames(config, entry.store.sources);
      await entry.access.store.syncSubscribers(configSubscribers(config));
    })().catch((err: unknown) => {
      entry.synced = undefined;
      throw err;
    });
    return entry.synced;
  };

  const fanOut: FanOutOptions = { hostSpacingSeconds: 1, maxDelaySeconds: 300, maxMessages: 10_000, ...options.fanOut };
  const perHost = Math.min(config.schedule.perHostConcurrency, config.schedule.concurrency, WORKER_MAX_CONCURRENCY);

  async function ingest(env: WorkerEnv): Promise<PollOutcome[]> {
    await syncSources(env);
    const outcomes = await forEnv(env).service.tick();
    // The outbox is drained by the same tick, within WORKER_MAX_WEBHOOK_POSTS.
    await forEnv(env).push.run();
    return outcomes;
  }

  async function enqueue(env: WorkerEnv, queue: PollQueue): Promise<void> {
    await syncSources(env);
    const { service, push } = forEnv(env);
    await service.refreshSources();
    const result = await enqueueDue(service.deps, {
      send: async (messages) => {
        await queue.sendBatch(messages);
      },
      leaseMs: queuedLeaseMs(config, fanOut),
      perHost,
      ...fanOut,
    });
    logger.info({ event: 'fan-out', enqueued: result.enqueued, deferred: result.deferred }, `wirefeed: enqueued ${result.enqueued} polls`);
    // The outbox is drained by the cron tick in both modes, within WORKER_MAX_WEBHOOK_POSTS.
    await push.run();
  }

  async function consume(batch: QueueBatch, env: WorkerEnv): Promise<void> {
    await syncSources(env);
    const { service, store } = forEnv(env);
    await service.refreshSources();
    const messages = batch.messages.filter((m) => isPollMessage(m.body));
    // Not ours to read: acknowledged, or they would be redelivered forever.
    for (const m of batch.messages) if (!isPollMessage(m.body)) m.ack();
    const delivered: DeliveredPoll[] = messages.map((m) => ({ body: m.body as PollMessage, attempts: m.attempts }));
    if (isDeadLetterQueue(batch.queue)) {
      const recorded = await recordDeadLetters(service.deps, delivered);
      for (const id of recorded) logger.warn({ event: 'dead-letter', source: id }, `wirefeed: the queued poll of ${id} was dead-lettered`);
      for (const m of messages) m.ack();
      return;
    }
    const before = await store.dataVersion();
    const outcomes = await pollDelivered(service.deps, delivered, {
      leaseMs: DEFAULT_LEASE_MS,
      concurrency: Math.min(config.schedule.concurrency, WORKER_MAX_CONCURRENCY),
      perHost,
    });
    outcomes.forEach((outcome, i) => {
      // A failed poll was recorded with its backoff (next_fetch_at retries it): only an unhandled message is retried.
      if (outcome.status === 'failed') messages[i]!.retry();
      else messages[i]!.ack();
    });
    await service.announce(before);
  }

  return {
    async fetch(request, env, ctx) {
      const { app } = forEnv(env);
      currentCtx = ctx;
      // The admin API manages the stored sources: the configured ones are seeded first (once per isolate).
      if (env.WIREFEED_ADMIN_TOKEN && new URL(request.url).pathname.startsWith('/admin/')) await syncSources(env);
      const cache = options.cache === undefined ? defaultCache() : options.cache;
      const origin = async (req: Request): Promise<Response> => app.fetch(req);
      if (cache && isEdgeCacheable(request)) {
        return serveFromEdgeCache(request, cache, origin, (work) => ctx.waitUntil(work));
      }
      return origin(request);
    },

    async scheduled(controller, env, ctx) {
      const queue = env.INGEST_QUEUE;
      ctx.waitUntil(
        (queue ? enqueue(env, queue) : ingest(env)).catch((err: unknown) => {
          logger.error({ event: 'tick-failed', cron: controller.cron, message: err instanceof Error ? err.message : String(err) }, 'wirefeed: scheduled ingest failed');
          throw err;
        }),
      );
    },

    async queue(batch, env) {
      await consume(batch, env);
    },
  };
}

function isPollMessage(body: unknown): body is PollMessage {
  return typeof body === 'object' && body !== null && typeof (body as PollMessage).source === 'string' && Number.isInteger((body as PollMessage).claim);
}

function defaultCache(): EdgeCache | null {
  // `caches.default` is Workers-only: the DOM typing of `caches` does not know it.
  return (globalThis as { caches?: { default?: EdgeCache } }).caches?.default ?? null;
}
