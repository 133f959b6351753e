import { describeError } from '../errors.ts';
import { FetchError } from '../errors.ts';
import type { SourceConfig, SourceState } from '../model.ts';
import type { NormalizeRules } from '../normalize/index.ts';
import type { Retention, Store } from '../store/store.ts';
import type { FetchRequest, FetchResult } from './fetch.ts';
import { fetchDuePages, type PageOutcome } from './full-text-run.ts';
import type { PageStep } from './full-text.ts';
import { processFeed, type ProcessStep } from './process.ts';
import {
  hostOf,
  mapBoundedPerKey,
  nextPollAfterFailure,
  nextPollAfterSuccess,
  POSTING_HISTORY,
} from './schedule.ts';

/** What ingestion needs from the outside world. */
export interface IngestDeps {
  store: Store;
  fetchFeed: (request: FetchRequest) => Promise<FetchResult>;
  sources: SourceConfig[];
  /** Normalization rules (site furniture, agencies, places); the shipped defaults when absent. */
  rules?: NormalizeRules | undefined;
  /** How much of each source the store keeps; everything when absent. */
  retention?: Retention | undefined;
  now?: () => number;
  random?: () => number;
  /** Told how each poll ended and how long it took (fetch to stored, by `now`). */
  log?: (event: PollOutcome, durationMs: number) => void;
  /**
   * Decode, parse and normalize of one fetched document ({@link processFeed} in this thread when absent; a
   * worker pool on Node). Given `rules` per job; a pool that was given them at start may ignore them.
   */
  process?: ProcessStep | undefined;
  // --- full text (src/ingest/full-text*.ts) ---
  /** Reads an article page into its entry's items (`processPage` in this thread when absent; the worker pool on Node). */
  processPage?: PageStep | undefined;
  /** Article pages fetched per tick at most, over all sources (`limits.pageFetchesPerTick`); the rest wait. Default 20. */
  pageFetchesPerTick?: number | undefined;
  /** Pages larger than this are not read (`limits.maxPageBytes`). */
  maxPageBytes?: number | undefined;
  /** Told how each page fetch ended. */
  logPage?: ((event: PageOutcome) => void) | undefined;
  // --- end full text ---
}

/** How one poll of one source ended. */
export type PollOutcome =
  | { source: string; status: 'ok'; /** Items the document carries (those of skipped, unchanged entries too). */ items: number }
  | { source: string; status: 'not-modified' }
  | { source: string; status: 'error'; kind: string; message: string; nextFetchAt: number };

/**
 * Polls one source: conditional fetch, decode, parse, normalize (of the entries the source's last poll did
 * not carry as they are), and one transaction that saves the items with the source's new state; then, for a
 * `fullText` source, fetches its due article pages (see {@link fetchPagesOf}). Never throws: a failure is
 * recorded on the source, whose items are kept.
 */
export async function pollSource(deps: IngestDeps, source: SourceConfig, state: SourceState | null): Promise<PollOutcome> {
  const outcome = await pollFeed(deps, source, state);
  await fetchPagesOf(deps, [source.id], 1, 1);
  return outcome;
}

/** The feed part of {@link pollSource}. */
async function pollFeed(deps: IngestDeps, source: SourceConfig, state: SourceState | null): Promise<PollOutcome> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  let outcome: PollOutcome;
  try {
    const result = await deps.fetchFeed({
      url: source.url,
      etag: state?.etag ?? null,
      lastModified: state?.lastModified ?? null,
      allowPrivateNetwork: source.allowPrivateNetwork,
    });
    // The posting history is read before this poll's items are saved: they count from the next poll on.
    const arrivals = await deps.store.recentArrivals(source.id, POSTING_HISTORY).catch(() => null);
    const hints = { cacheControl: result.headers.cacheControl, expires: result.headers.expires, arrivals };
    if (result.status === 'not-modified') {
      await deps.store.saveNotModified(source.id, {
        etag: result.etag ?? state?.etag ?? null,
        lastModified: result.lastModified ?? state?.lastModified ?? null,
        fetchedAt: startedAt,
        nextFetchAt: nextPollAfterSuccess(source.interval, startedAt, hints),
      });
      outcome = { source: source.id, status: 'not-modified' };
    } else {
      const knownEntries = await deps.store.knownEntries(source.id);
      const { items, refreshMinutes, entries, carried, pages } = await (deps.process ?? processFeed)({
        bytes: result.bytes,
        contentType: result.contentType,
        url: result.url,
        source,
        now: startedAt,
        rules: deps.rules,
        knownEntries,
      });
      const pollState = {
        etag: result.etag,
        lastModified: result.lastModified,
        fetchedAt: startedAt,
        nextFetchAt: nextPollAfterSuccess(source.interval, startedAt, { ...hints, refreshMinutes }),
      };
      // Full text: queued before the poll is saved, so that no saved entry version misses its page.
      if (source.fullText && entries) await deps.store.pages.queue(source.id, pages ?? [], entries.map((e) => e.hash), startedAt);
      await deps.store.savePoll(source.id, items, pollState, deps.retention, entries);
      outcome = { source: source.id, status: 'ok', items: carried ?? items.length };
    }
  } catch (err) {
    const { kind, message } = describeError(err);
    const errorCount = (state?.errorCount ?? 0) + 1;
    const nextFetchAt = nextPollAfterFailure(source.interval, errorCount, startedAt, {
      retryAfterSeconds: err instanceof FetchError ? err.retryAfter : null,
      ...(deps.random ? { random: deps.random } : {}),
    });
    try {
      await deps.store.saveFailure(source.id, { kind, message, at: startedAt }, nextFetchAt);
    } catch (storeErr) {
      const failure = describeError(storeErr);
      outcome = { source: source.id, status: 'error', kind: failure.kind, message: `${message}; and recording it failed: ${failure.message}`, nextFetchAt };
      deps.log?.(outcome, now() - startedAt);
      return outcome;
    }
    outcome = { source: source.id, status: 'error', kind, message, nextFetchAt };
  }
  deps.log?.(outcome, now() - startedAt);
  return outcome;
}

/**
 * Polls the sources the store says are due: at most `batchSize`, `concurrency` at a time, and at most
 * `perHostConcurrency` of one upstream host at a time (the host of the configured URL; no per-host bound
 * when absent). One source's failure never stops the others.
 */
export async function ingestDue(
  deps: IngestDeps,
  options: { batchSize: number; concurrency: number; perHostConcurrency?: number | undefined; only?: string[] },
): Promise<PollOutcome[]> {
  const now = (deps.now ?? Date.now)();
  const byId = new Map(deps.sources.map((s) => [s.id, s]));
  const ids = options.only ?? [...byId.keys()];
  const due = (await deps.store.dueSources(ids, now, options.batchSize)).filter((state) => byId.has(state.id));
  const outcomes = await mapBoundedPerKey(
    due,
    { concurrency: options.concurrency, perKey: options.perHostConcurrency ?? options.concurrency, key: (state) => hostOf(byId.get(state.id)!.url) },
    (state) => pollFeed(deps, byId.get(state.id)!, state),
  );
  await fetchPagesOf(deps, ids, options.concurrency, options.perHostConcurrency ?? options.concurrency);
  return outcomes;
}

/**
 * Full text: fetches the due article pages of the given sources, at most `pageFetchesPerTick`, after the
 * tick's feed polls and with the same bounds (so that feeds and pages of one host never exceed the per-host
 * limit together). Never throws: a store that cannot list the due pages leaves them for the next tick.
 */
async function fetchPagesOf(deps: IngestDeps, ids: string[], concurrency: number, perHostConcurrency: number): Promise<void> {
  if (!deps.sources.some((s) => s.fullText && ids.includes(s.id))) return;
  const outcomes = await fetchDuePages(
    { pages: deps.store.pages, knownEntries: (id) => deps.store.knownEntries(id), fetchFeed: deps.fetchFeed, sources: deps.sources, rules: deps.rules, now: deps.now, processPage: deps.processPage, maxPageBytes: deps.maxPageBytes },
    ids,
    { limit: deps.pageFetchesPerTick ?? 20, concurrency, perHostConcurrency },
  ).catch(() => []);
  for (const outcome of outcomes) deps.logPage?.(outcome);
}

/**
 * Polls the given sources now, whether due or not (`wirefeed ingest --once`, admin refresh), with the same
 * bounds as {@link ingestDue}.
 */
export async function ingestNow(
  deps: IngestDeps,
  ids: string[],
  concurrency: number,
  perHostConcurrency: number = concurrency,
): Promise<PollOutcome[]> {
  const targets = deps.sources.filter((s) => ids.includes(s.id));
  const outcomes = await mapBoundedPerKey(
    targets,
    { concurrency, perKey: perHostConcurrency, key: (source) => hostOf(source.url) },
    async (source) => pollFeed(deps, source, await deps.store.getSource(source.id)),
  );
  await fetchPagesOf(deps, ids, concurrency, perHostConcurrency);
  return outcomes;
}
