import { describeError } from '../errors.ts';
import type { SourceConfig } from '../model.ts';
import type { SourceClaim } from '../store/store.ts';
import { fetchPagesOf, holdClaims, pollFeed, type IngestDeps, type PollOutcome } from './run.ts';
import { hostOf, mapBoundedPerKey, nextPollAfterFailure } from './schedule.ts';

/** The body of one queued poll: a source and the token of its claim (a few dozen bytes, far under 128 KB). */
export interface PollMessage {
  source: string;
  claim: number;
}

/** One message to send: its body and how long the queue holds it back. */
export interface OutgoingPoll {
  body: PollMessage;
  delaySeconds: number;
}

/** One delivered message: its body and its delivery attempt (1 on the first delivery). */
export interface DeliveredPoll {
  body: PollMessage;
  attempts: number;
}

/** Most messages one `sendBatch` call takes (a Queues limit). */
export const MAX_SEND_BATCH = 100;

/** Claim rounds (of ≤ 100 sources) one tick runs at most. */
export const MAX_CLAIM_ROUNDS = 300;

/** What one fan-out tick did. */
export interface FanOutResult {
  enqueued: number;
  /** Claims given back because their host had used its share of this tick (they stay due for the next). */
  deferred: number;
}

/**
 * The producer side of the Workers fan-out: claims the due sources (`leaseMs` covers the wait in the queue
 * and the poll) and sends them, at most {@link MAX_SEND_BATCH} per `send`, up to `maxMessages` per tick.
 *
 * Politeness per upstream host across consumers: a host's k-th message of the tick is held back
 * `floor(k / perHost) × hostSpacingSeconds`, so a host sees at most `perHost` new polls per spacing whichever
 * consumer runs them; a host's messages that would be held back `maxDelaySeconds` (the tick period) or more are
 * given back unsent, so one tick's spread never overlaps the next's.
 */
export async function enqueueDue(
  deps: Pick<IngestDeps, 'store' | 'sources' | 'now'>,
  options: {
    send: (messages: OutgoingPoll[]) => Promise<void>;
    leaseMs: number;
    perHost: number;
    hostSpacingSeconds: number;
    maxDelaySeconds: number;
    maxMessages: number;
  },
): Promise<FanOutResult> {
  const now = deps.now ?? Date.now;
  const byId = new Map(deps.sources.map((s) => [s.id, s]));
  const ids = [...byId.keys()];
  const perHostSent = new Map<string, number>();
  const result: FanOutResult = { enqueued: 0, deferred: 0 };
  // Deferred claims stay held until the tick ends, so that the walk goes past them to other hosts' sources.
  const deferred: SourceClaim[] = [];
  try {
    // Two queries a round: a tick stays far under D1's 1,000 queries per invocation however many are deferred.
    for (let round = 0; round < MAX_CLAIM_ROUNDS && result.enqueued < options.maxMessages; round++) {
      const claims = await deps.store.claimDue(ids, now(), Math.min(MAX_SEND_BATCH, options.maxMessages - result.enqueued), options.leaseMs);
      if (claims.length === 0) break;
      const outgoing: OutgoingPoll[] = [];
      for (const claim of claims) {
        const source = byId.get(claim.state.id);
        const host = source ? hostOf(source.url) : '';
        const k = perHostSent.get(host) ?? 0;
        const delaySeconds = Math.floor(k / Math.max(1, options.perHost)) * options.hostSpacingSeconds;
        if (!source || (delaySeconds >= options.maxDelaySeconds && delaySeconds > 0)) {
          deferred.push(claim);
          continue;
        }
        perHostSent.set(host, k + 1);
        outgoing.push({ body: { source: claim.state.id, claim: claim.claim }, delaySeconds });
      }
      if (outgoing.length > 0) {
        try {
          await options.send(outgoing);
        } catch (err) {
          // Unsent claims are given back at once rather than left to expire.
          await deps.store.releaseClaims(outgoing.map((m) => ({ id: m.body.source, claim: m.body.claim }))).catch(() => {});
          throw err;
        }
      }
      result.enqueued += outgoing.length;
    }
  } finally {
    result.deferred = deferred.length;
    await deps.store.releaseClaims(deferred.map((c) => ({ id: c.state.id, claim: c.claim })));
  }
  return result;
}

/** How one delivered message was handled. */
export type DeliveryOutcome =
  | { status: 'polled'; outcome: PollOutcome }
  /** Not this delivery's to poll: the claim is stale (a newer claim, or the poll was saved) or a duplicate. */
  | { status: 'stale' }
  /** The source is not (any more) configured; its claim was freed. */
  | { status: 'unknown' }
  /** The consumer could not handle it (the store failed): the message must be retried. */
  | { status: 'failed'; error: string };

/**
 * The consumer side: takes over each message's claim (see `SourceLeases.takeClaim`; the lease becomes
 * `leaseMs` from now) and polls the sources taken, `concurrency` at a time and `perHost` of one host at a
 * time. A failed poll is recorded on its source with its backoff like any other (the message is done); only a
 * failure to handle the message itself (`failed`) asks for a redelivery. Results keep the input order.
 */
export async function pollDelivered(
  deps: IngestDeps,
  messages: DeliveredPoll[],
  options: { leaseMs: number; concurrency: number; perHost: number },
): Promise<DeliveryOutcome[]> {
  const now = deps.now ?? Date.now;
  const byId = new Map(deps.sources.map((s) => [s.id, s]));
  // Taken claims are renewed while this invocation lives; if it dies, they expire within leaseMs.
  const hold = holdClaims(deps.store, [], options.leaseMs, now);
  try {
    const outcomes = await mapBoundedPerKey(
    messages,
    { concurrency: options.concurrency, perKey: options.perHost, key: (m) => (byId.has(m.body.source) ? hostOf(byId.get(m.body.source)!.url) : '') },
    async (message): Promise<DeliveryOutcome> => {
      const { source: id, claim } = message.body;
      try {
        const source = byId.get(id);
        if (!source) {
          await deps.store.releaseClaims([{ id, claim }]);
          return { status: 'unknown' };
        }
        const state = await deps.store.takeClaim(id, claim, message.attempts, now(), options.leaseMs);
        if (!state) return { status: 'stale' };
        hold.add(id, claim);
        const outcome = await pollFeed(deps, source, state);
        hold.done(id);
        return { status: 'polled', outcome };
      } catch (err) {
        hold.done(id);
        return { status: 'failed', error: describeError(err).message };
      }
    },
    );
    // Full text: the batch's due article pages, at most `pageFetchesPerTick` for the whole invocation.
    await fetchPagesOf(deps, [...new Set(messages.map((m) => m.body.source))], options.concurrency, options.perHost);
    return outcomes;
  } finally {
    hold.stop();
  }
}

/**
 * The dead-letter consumer: a message that failed every delivery is recorded on its source as a failure of
 * kind `dead-letter` (shown by `/status`), with the source's backoff, and its lease freed. Returns the ids
 * recorded (a message whose claim was since replaced records nothing).
 */
export async function recordDeadLetters(deps: Pick<IngestDeps, 'store' | 'sources' | 'now' | 'random'>, messages: DeliveredPoll[]): Promise<string[]> {
  const now = (deps.now ?? Date.now)();
  const byId = new Map<string, SourceConfig>(deps.sources.map((s) => [s.id, s]));
  const recorded: string[] = [];
  for (const message of messages) {
    const { source: id, claim } = message.body;
    const source = byId.get(id);
    const state = await deps.store.getSource(id);
    if (!source || !state) continue;
    const nextFetchAt = nextPollAfterFailure(source.interval, state.errorCount + 1, now, deps.random ? { random: deps.random } : {});
    const error = { kind: 'dead-letter', message: 'the queued poll failed on every delivery and was dead-lettered', at: now };
    if (await deps.store.recordDeadLetter(id, claim, error, nextFetchAt)) recorded.push(id);
  }
  return recorded;
}
