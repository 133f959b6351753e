import { feedMaxAge, type WirefeedConfig } from './config.ts';
import { ALL_FEED, type AppDeps } from './http/app.ts';
import type { FetchRequest, FetchResult } from './ingest/fetch.ts';
import type { PageEvent } from './ingest/log-event.ts';
import { DEFAULT_LEASE_MS, ingestBacklog, ingestDue, ingestNow, type IngestDeps, type PollOutcome } from './ingest/run.ts';
import { feedTopics, pingHub } from './publish/websub.ts';
import type { SourceConfig } from './model.ts';
import type { Store } from './store/store.ts';

/**
 * The service wired from a validated configuration, the same on every runtime: ingestion dependencies,
 * the scheduler tick (poll the due sources, then tell the WebSub hub when data changed), and the HTTP app's
 * settings. A runtime adds only what is its own (the store's driver, DNS and file access, compression…).
 */
export interface Service {
  deps: IngestDeps;
  /** Polls the due sources once (the whole backlog, or one batch); overlapping calls share one run. */
  tick(): Promise<PollOutcome[]>;
  /** Polls the named sources (all unpaused when absent) now, whether due or not. */
  pollNow(ids?: string[]): Promise<PollOutcome[]>;
  /**
   * Re-reads the sources from the store when they changed (one query when they did not): `deps.sources`
   * becomes a new snapshot of the unpaused ones. Run at the start of every tick and `pollNow`.
   */
  refreshSources(): Promise<void>;
  /** Every stored source with a configuration, paused ones too, as of the last refresh. */
  sources(): SourceConfig[];
  /** Tells the WebSub hub about every published feed when the data version is no longer `before`. */
  announce(before: number): Promise<void>;
  /** The config-derived part of `createApp`'s dependencies. */
  appDeps: Pick<AppDeps, 'store' | 'feeds' | 'baseUrl' | 'title' | 'language' | 'hubUrl' | 'maxAge'>;
}

/** Builds the service over a store and a fetcher. `concurrencyCap` bounds fetches at once (Workers: 6). */
export function createService(
  config: WirefeedConfig,
  parts: {
    store: Store;
    fetchFeed: (request: FetchRequest) => Promise<FetchResult>;
    /** How pings reach the hub. */
    fetch: typeof fetch;
    /** Poll outcomes (with the poll's duration), article page fetches (full text) and failed WebSub pings. */
    log: (event: PollOutcome | { event: 'websub-ping-failed'; url: string; error: string } | PageEvent, durationMs?: number) => void;
    concurrencyCap?: number;
    /**
     * `backlog` (Node): a tick polls every due source, in waves of twice the concurrency. `batch` (default; a
     * Workers invocation has bounded work): at most `schedule.batchSize`.
     */
    tickMode?: 'backlog' | 'batch';
  },
): Service {
  const { store } = parts;
  const deps: IngestDeps = {
    store,
    fetchFeed: parts.fetchFeed,
    sources: config.sources,
    rules: config.normalize,
    retention: { maxAgeMs: config.retention.maxAgeDays * 86_400_000, maxItems: config.retention.maxItemsPerSource },
    log: parts.log,
    // full text (src/ingest/full-text*.ts)
    pageFetchesPerTick: config.limits.pageFetchesPerTick,
    maxPageBytes: config.limits.maxPageBytes,
    logPage: (outcome) => parts.log({ event: 'page', ...outcome }),
  };
  const concurrency = Math.min(config.schedule.concurrency, parts.concurrencyCap ?? Infinity);
  const perHostConcurrency = Math.min(config.schedule.perHostConcurrency, concurrency);
  const wave = parts.tickMode === 'backlog' ? concurrency * 2 : config.schedule.batchSize;
  // Held while the polls run (renewed), so a dead holder's sources are free again within it.
  const leaseMs = DEFAULT_LEASE_MS;

  const announce = async (before: number): Promise<void> => {
    const { hub, baseUrl } = config.server;
    if (!hub || !baseUrl || (await store.dataVersion()) === before) return;
    const topics = feedTopics(baseUrl, [ALL_FEED.name, ...config.feeds.map((f) => f.name)]);
    for (const ping of await pingHub(parts.fetch, hub, topics)) {
      if (!ping.ok) parts.log({ event: 'websub-ping-failed', url: ping.url, error: ping.error ?? `HTTP ${ping.status}` });
    }
  };

  // Until the first refresh the configured sources stand in for the store's.
  let all: SourceConfig[] = config.sources;
  let known: number | null = null;
  let refreshing: Promise<void> | null = null;
  const refreshSources = (): Promise<void> =>
    (refreshing ??= (async () => {
      const version = await store.sources.version();
      if (version === known) return;
      const entries = await store.sources.catalogue();
      known = version;
      all = entries.map((e) => e.config);
      deps.sources = entries.filter((e) => !e.paused).map((e) => e.config);
    })().finally(() => {
      refreshing = null;
    }));

  let running: Promise<PollOutcome[]> | null = null;
  return {
    deps,
    refreshSources,
    sources: () => all,
    tick() {
      running ??= (async () => {
        await refreshSources();
        const before = await store.dataVersion();
        const outcomes =
          parts.tickMode === 'backlog'
            ? await ingestBacklog(deps, { waveSize: wave, concurrency, perHostConcurrency, leaseMs })
            : await ingestDue(deps, { batchSize: wave, concurrency, perHostConcurrency, leaseMs });
        await announce(before);
        return outcomes;
      })().finally(() => {
        running = null;
      });
      return running;
    },
    announce,
    async pollNow(ids) {
      await refreshSources();
      const before = await store.dataVersion();
      const outcomes = await ingestNow(deps, ids ?? deps.sources.map((s) => s.id), concurrency, perHostConcurrency, {
        leaseMs,
        waitMs: pollLeaseMs(config, 1, 1),
        waveSize: concurrency * 2,
      });
      await announce(before);
      return outcomes;
    },
    appDeps: {
      store,
      feeds: config.feeds,
      baseUrl: config.server.baseUrl,
      title: config.server.title,
      language: config.server.language,
      hubUrl: config.server.hub,
      maxAge: feedMaxAge(config),
    },
  };
}

/**
 * How long `count` polls run `perHost` at a time may take at worst: each poll's fetch deadline, its
 * decode/parse/normalize deadline and half a minute for the store, one after the other per slot.
 */
export function pollLeaseMs(config: WirefeedConfig, count: number, perHost: number): number {
  const pollBudgetMs = config.limits.fetchTimeoutMs + config.schedule.workerTimeoutMs + 30_000;
  return Math.ceil(Math.max(1, count) / Math.max(1, perHost)) * pollBudgetMs;
}
