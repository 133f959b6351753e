import { describeError } from '../errors.ts';
import { FetchError } from '../errors.ts';
import type { SourceConfig, SourceState } from '../model.ts';
import type { NormalizeRules } from '../normalize/index.ts';
import type { Retention, SourceClaim, Store } from '../store/store.ts';
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
  /**
   * The feed part of a poll ({@link pollFeed}) run elsewhere, with deps of its own (Node: a worker thread with
   * its own connection to the database), answering how it ended and how long it took; `log` is told here. A
   * rejection (the thread died) is recorded as the poll's failure. {@link pollFeed} in this thread when absent.
   */
  pollElsewhere?: ((source: SourceConfig, state: SourceState | null) => Promise<{ outcome: PollOutcome; durationMs: number }>) | undefined;
}

/** How one poll of one source ended. */
export type PollOutcome =
  | {
      source: string;
      status: 'ok';
      /** Items the document carries (those of skipped, unchanged entries too). */
      items: number;
      /** Uris of the items left out because each is too large to store; absent when none was. */
      tooLarge?: string[];
    }
  | { source: string; status: 'not-modified' }
  | { source: string; status: 'error'; kind: string; message: string; nextFetchAt: number };

/**
 * Polls one source: conditional fetch, decode, parse, normalize (of the entries the source's last poll did
 * not carry as they are), and one transaction that saves the items with the source's new state; then, for a
 * `fullText` source, fetches its due article pages (see {@link fetchPagesOf}). Never throws: a failure is
 * recorded on the source, whose items are kept.
 */
export async function pollSource(deps: IngestDeps, source: SourceConfig, state: SourceState | null): Promise<PollOutcome> {
  const outcome = await pollOne(deps, source, state);
  await fetchPagesOf(deps, [source.id], 1, 1);
  return outcome;
}

/** The feed part of {@link pollSource}. */
/** {@link pollSource} without the article pages: callers that poll many sources fetch pages once after them. */
export async function pollFeed(deps: IngestDeps, source: SourceConfig, state: SourceState | null): Promise<PollOutcome> {
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
      const { tooLarge } = await deps.store.savePoll(source.id, items, pollState, deps.retention, entries);
      outcome = { source: source.id, status: 'ok', items: carried ?? items.length, ...(tooLarge.length > 0 ? { tooLarge } : {}) };
    }
  } catch (err) {
    return pollFailed(deps, source, state, startedAt, err);
  }
  deps.log?.(outcome, now() - startedAt);
  return outcome;
}

/**
 * Records a failed poll on the source (its next time by the backoff) and logs it; never throws. With `claim`,
 * only while the claim still holds the source: a poll that saved (and so freed it) before it failed is left
 * as it saved itself.
 */
async function pollFailed(deps: IngestDeps, source: SourceConfig, state: SourceState | null, startedAt: number, err: unknown, claim?: number): Promise<PollOutcome> {
  const now = deps.now ?? Date.now;
  const { kind, message } = describeError(err);
  const errorCount = (state?.errorCount ?? 0) + 1;
  const nextFetchAt = nextPollAfterFailure(source.interval, errorCount, startedAt, {
    retryAfterSeconds: err instanceof FetchError ? err.retryAfter : null,
    ...(deps.random ? { random: deps.random } : {}),
  });
  let outcome: PollOutcome;
  try {
    if (await deps.store.saveFailure(source.id, { kind, message, at: startedAt }, nextFetchAt, claim)) {
      outcome = { source: source.id, status: 'error', kind, message, nextFetchAt };
    } else {
      const saved = await deps.store.getSource(source.id);
      outcome = { source: source.id, status: 'error', kind, message: `${message} (after its poll was saved: not recorded)`, nextFetchAt: saved?.nextFetchAt ?? nextFetchAt };
    }
  } catch (storeErr) {
    const failure = describeError(storeErr);
    outcome = { source: source.id, status: 'error', kind: failure.kind, message: `${message}; and recording it failed: ${failure.message}`, nextFetchAt };
  }
  deps.log?.(outcome, now() - startedAt);
  return outcome;
}

/**
 * The feed part of a poll: {@link pollFeed} here, or `deps.pollElsewhere`. Never throws. `claim` is the lease
 * the caller holds on the source: when the poll elsewhere dies, its failure is recorded only while that claim
 * still holds (the poll may have saved before it died).
 */
export async function pollOne(deps: IngestDeps, source: SourceConfig, state: SourceState | null, claim?: number): Promise<PollOutcome> {
  if (!deps.pollElsewhere) return pollFeed(deps, source, state);
  const startedAt = (deps.now ?? Date.now)();
  try {
    const { outcome, durationMs } = await deps.pollElsewhere(source, state);
    deps.log?.(outcome, durationMs);
    return outcome;
  } catch (err) {
    return pollFailed(deps, source, state, startedAt, err, claim);
  }
}

/**
 * How long a claim of a running poll holds: a live holder renews it every third of this, so a holder that died
 * (a crash, a restart in the middle of a tick) lets another take the source within this time.
 */
export const DEFAULT_LEASE_MS = 20_000;

/**
 * Keeps the given claims (and those `add`ed) leased while their polls run: renews them every third of `leaseMs`
 * until each is `done` (its save freed the lease) or `stop` is called.
 */
export function holdClaims(
  store: Store,
  claims: { id: string; claim: number }[],
  leaseMs: number,
  now: () => number = Date.now,
): { add(id: string, claim: number): void; done(id: string): void; stop(): void } {
  const held = new Map(claims.map((c) => [c.id, c.claim]));
  const timer = setInterval(() => {
    if (held.size === 0) return;
    // A failed renewal is not fatal: the lease then expires as a dead holder's would.
    store.renewClaims([...held].map(([id, claim]) => ({ id, claim })), now(), leaseMs).catch(() => {});
  }, Math.max(10, Math.floor(leaseMs / 3)));
  return {
    add: (id, claim) => void held.set(id, claim),
    done: (id) => void held.delete(id),
    stop: () => clearInterval(timer),
  };
}

/**
 * Polls the sources the store says are due: claims at most `batchSize` of them (a lease of `leaseMs`, so an
 * overlapping tick or another process takes others), polls them `concurrency` at a time and at most
 * `perHostConcurrency` of one upstream host at a time (the host of the configured URL; no per-host bound
 * when absent). One source's failure never stops the others; each save frees its lease.
 */
export async function ingestDue(
  deps: IngestDeps,
  options: { batchSize: number; concurrency: number; perHostConcurrency?: number | undefined; only?: string[]; leaseMs?: number | undefined },
): Promise<PollOutcome[]> {
  const now = (deps.now ?? Date.now)();
  const byId = new Map(deps.sources.map((s) => [s.id, s]));
  const ids = options.only ?? [...byId.keys()];
  const claims = await deps.store.claimDue(ids, now, options.batchSize, options.leaseMs ?? DEFAULT_LEASE_MS);
  const outcomes = await pollClaims(deps, byId, claims, options.concurrency, options.perHostConcurrency ?? options.concurrency, options.leaseMs ?? DEFAULT_LEASE_MS);
  await fetchPagesOf(deps, ids, options.concurrency, options.perHostConcurrency ?? options.concurrency);
  return outcomes;
}

/**
 * Polls the whole due backlog: claims waves of `waveSize` due sources (a lease of `leaseMs` each) and polls
 * each wave with the bounds of {@link ingestDue}, until no source is due. Memory follows the wave, not the
 * number of sources (but for the outcomes returned, one small object per poll); a source is polled at most
 * once per call.
 */
export async function ingestBacklog(
  deps: IngestDeps,
  options: { waveSize: number; concurrency: number; perHostConcurrency?: number | undefined; leaseMs: number },
): Promise<PollOutcome[]> {
  const byId = new Map(deps.sources.map((s) => [s.id, s]));
  const ids = [...byId.keys()];
  const seen = new Set<string>();
  const outcomes: PollOutcome[] = [];
  for (;;) {
    const claims = await deps.store.claimDue(ids, (deps.now ?? Date.now)(), Math.max(1, options.waveSize), options.leaseMs);
    if (claims.length === 0) break;
    // A source due again within this call (its poll could not save its next time) waits for the next tick.
    const fresh = claims.filter((c) => !seen.has(c.state.id));
    await deps.store.releaseClaims(claims.filter((c) => seen.has(c.state.id)).map((c) => ({ id: c.state.id, claim: c.claim })));
    if (fresh.length === 0) break;
    for (const c of fresh) seen.add(c.state.id);
    outcomes.push(...(await pollClaims(deps, byId, fresh, options.concurrency, options.perHostConcurrency ?? options.concurrency, options.leaseMs)));
  }
  await fetchPagesOf(deps, ids, options.concurrency, options.perHostConcurrency ?? options.concurrency);
  return outcomes;
}

/** Polls claimed sources with the bounds of {@link ingestDue}; claims of sources not in `byId` are freed. */
async function pollClaims(
  deps: IngestDeps,
  byId: Map<string, SourceConfig>,
  claims: SourceClaim[],
  concurrency: number,
  perHostConcurrency: number,
  leaseMs: number,
): Promise<PollOutcome[]> {
  const unknown = claims.filter((c) => !byId.has(c.state.id));
  if (unknown.length > 0) await deps.store.releaseClaims(unknown.map((c) => ({ id: c.state.id, claim: c.claim })));
  const due = claims.filter((c) => byId.has(c.state.id));
  const hold = holdClaims(deps.store, due.map((c) => ({ id: c.state.id, claim: c.claim })), leaseMs, deps.now);
  try {
    return await mapBoundedPerKey(
      due,
      { concurrency, perKey: perHostConcurrency, key: ({ state }) => hostOf(byId.get(state.id)!.url) },
      async ({ state, claim }) => {
        const outcome = await pollOne(deps, byId.get(state.id)!, state, claim);
        hold.done(state.id);
        return outcome;
      },
    );
  } finally {
    hold.stop();
  }
}

/**
 * Full text: fetches the due article pages of the given sources, at most `pageFetchesPerTick`, after the
 * tick's feed polls and with the same bounds (so that feeds and pages of one host never exceed the per-host
 * limit together). Never throws: a store that cannot list the due pages leaves them for the next tick.
 */
export async function fetchPagesOf(deps: IngestDeps, ids: string[], concurrency: number, perHostConcurrency: number): Promise<void> {
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
 * bounds as {@link ingestDue}, claiming them `waveSize` at a time (all at once when absent). A source another
 * poll holds (its lease) is waited for, up to `waitMs`, then left out of the outcomes.
 */
export async function ingestNow(
  deps: IngestDeps,
  ids: string[],
  concurrency: number,
  perHostConcurrency: number = concurrency,
  options: { leaseMs?: number; waitMs?: number; waveSize?: number } = {},
): Promise<PollOutcome[]> {
  const targets = deps.sources.filter((s) => ids.includes(s.id));
  const wave = Math.max(1, options.waveSize ?? targets.length);
  const outcomes: PollOutcome[] = [];
  for (let i = 0; i < targets.length; i += wave) {
    outcomes.push(...(await pollNowWave(deps, targets.slice(i, i + wave), concurrency, perHostConcurrency, options)));
  }
  await fetchPagesOf(deps, ids, concurrency, perHostConcurrency);
  return outcomes;
}

async function pollNowWave(
  deps: IngestDeps,
  targets: SourceConfig[],
  concurrency: number,
  perHostConcurrency: number,
  options: { leaseMs?: number; waitMs?: number },
): Promise<PollOutcome[]> {
  const now = deps.now ?? Date.now;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const claims = new Map<string, SourceClaim>();
  // A source the store does not know yet has no lease to take: it is polled without state, as before.
  const unknown = new Set<string>();
  let pending = targets.map((s) => s.id);
  for (let step = 0; ; step++) {
    for (const claim of await deps.store.claimSources(pending, now(), leaseMs)) claims.set(claim.state.id, claim);
    pending = pending.filter((id) => !claims.has(id));
    if (pending.length === 0 || step * LEASE_WAIT_STEP_MS >= (options.waitMs ?? leaseMs)) break;
    const states = await Promise.all(pending.map((id) => deps.store.getSource(id)));
    for (const [i, state] of states.entries()) if (state === null) unknown.add(pending[i]!);
    pending = pending.filter((id) => !unknown.has(id));
    if (pending.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, LEASE_WAIT_STEP_MS));
  }
  const hold = holdClaims(deps.store, [...claims.values()].map((c) => ({ id: c.state.id, claim: c.claim })), leaseMs, now);
  try {
    return await mapBoundedPerKey(
      targets.filter((s) => claims.has(s.id) || unknown.has(s.id)),
      { concurrency, perKey: perHostConcurrency, key: (source) => hostOf(source.url) },
      async (source) => {
        const claimed = claims.get(source.id);
        const outcome = await pollOne(deps, source, claimed?.state ?? null, claimed?.claim);
        hold.done(source.id);
        return outcome;
      },
    );
  } finally {
    hold.stop();
  }
}

/** How often `ingestNow` looks again at a source another poll holds. */
const LEASE_WAIT_STEP_MS = 50;
