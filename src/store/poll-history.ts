import type { SqlDatabase, SqlStatement } from './sql.ts';

/** How long the poll history is kept. */
export const POLL_HISTORY_MS = 7 * 86_400_000;
const HOUR_MS = 3_600_000;
/** A poll longer than this (or negative: the store's clock and the poller's disagree) has no known duration. */
const MAX_POLL_MS = HOUR_MS;

/** One source's polls in one UTC hour. */
export interface PollHour {
  sourceId: string;
  /** The start of the hour, epoch ms. */
  hour: number;
  polls: number;
  notModified: number;
  failures: number;
  newItems: number;
  /** Polls whose duration is known, and their total and longest duration (ms). */
  timedPolls: number;
  totalMs: number;
  maxMs: number;
}

/** What one poll adds to its hour. */
export interface PollRecord {
  sourceId: string;
  /** When the poll started (epoch ms): its hour, and the start of its duration. */
  startedAt: number;
  /** When it was saved (epoch ms), by the store's clock. */
  savedAt: number;
  outcome: 'ok' | 'not-modified' | 'failure';
  /** Counted only while this claim (`claim_seq`) still holds the source's lease (no save of the poll freed it). */
  claim?: number | undefined;
}

/**
 * The statements that add one poll to its source's hour and drop the source's hours older than 7 days: put
 * them in the poll's own batch. For a successful poll, run them after the item writes: the new items are
 * counted as those of the source first seen at `startedAt`.
 */
export function pollHistoryStatements(db: SqlDatabase, poll: PollRecord): SqlStatement[] {
  const hour = Math.floor(poll.startedAt / HOUR_MS) * HOUR_MS;
  const duration = poll.savedAt - poll.startedAt;
  const timed = duration >= 0 && duration <= MAX_POLL_MS;
  const ms = timed ? Math.round(duration) : 0;
  return [
    db
      .prepare(
        `INSERT INTO poll_history (source_id, hour, polls, not_modified, failures, new_items, timed_polls, total_ms, max_ms)
         SELECT ?1, ?2, 1, ?3, ?4,
           CASE WHEN ?5 THEN (SELECT count(*) FROM items WHERE source_id = ?1 AND first_seen = ?6) ELSE 0 END, ?7, ?8, ?8
         WHERE EXISTS (SELECT 1 FROM sources WHERE id = ?1${poll.claim === undefined ? '' : ' AND claim_seq = ?9 AND claimed_until <> 0'})
         ON CONFLICT (source_id, hour) DO UPDATE SET
           polls = polls + 1, not_modified = not_modified + excluded.not_modified, failures = failures + excluded.failures,
           new_items = new_items + excluded.new_items, timed_polls = timed_polls + excluded.timed_polls,
           total_ms = total_ms + excluded.total_ms, max_ms = max(max_ms, excluded.max_ms)`,
      )
      .bind(
        poll.sourceId,
        hour,
        poll.outcome === 'not-modified' ? 1 : 0,
        poll.outcome === 'failure' ? 1 : 0,
        poll.outcome === 'ok' ? 1 : 0,
        poll.startedAt,
        timed ? 1 : 0,
        ms,
        ...(poll.claim === undefined ? [] : [poll.claim]),
      ),
    db.prepare(`DELETE FROM poll_history WHERE source_id = ?1 AND hour < ?2`).bind(poll.sourceId, hour - POLL_HISTORY_MS),
  ];
}

/** Every source's (or those of `ids`) hours from `since` (epoch ms) on, oldest first. */
export async function readPollHistory(db: SqlDatabase, since: number, ids?: string[]): Promise<PollHour[]> {
  const only = ids ? ' AND source_id IN (SELECT value FROM json_each(?2))' : '';
  const { results } = await db
    .prepare(`SELECT * FROM poll_history WHERE hour >= ?1${only} ORDER BY source_id, hour`)
    .bind(...(ids ? [since, JSON.stringify(ids)] : [since]))
    .all<{ source_id: string; hour: number; polls: number; not_modified: number; failures: number; new_items: number; timed_polls: number; total_ms: number; max_ms: number }>();
  return results.map((r) => ({
    sourceId: r.source_id,
    hour: r.hour,
    polls: r.polls,
    notModified: r.not_modified,
    failures: r.failures,
    newItems: r.new_items,
    timedPolls: r.timed_polls,
    totalMs: r.total_ms,
    maxMs: r.max_ms,
  }));
}
