/**
 * The push outbox (migration 0006): item events written by triggers in the transaction of the item change,
 * one delivery row per webhook subscriber and event, and what the delivery loop records of each attempt.
 */
import type { SqlDatabase, SqlStatement } from './sql.ts';

/** What happened to an item: the `type` of a pushed event. */
export type OutboxEventType = 'item.created' | 'item.updated' | 'item.killed';

/** One event waiting for one subscriber. */
export interface PendingDelivery {
  seq: number;
  eventId: string;
  itemId: string;
  /** The item's version the event was written for. */
  version: number;
  type: OutboxEventType;
  /** When the item changed (epoch ms). */
  at: number;
  attempts: number;
  /** When the event became deliverable: the retry window runs from here. */
  enqueuedAt: number;
}

/** The push state of one subscriber, for `/status`, the admin API and usage. */
export interface DeliveryStats {
  subscriberId: string;
  pending: number;
  /** Pending events that have failed at least once. */
  retrying: number;
  delivered: number;
  failed: number;
  lastDeliveredAt: number | null;
  lastFailureAt: number | null;
  /** The last failure in words (a status or an error kind, never a secret). */
  lastError: string | null;
}

/** The outcome of one POST, to record. */
export interface AttemptRecord {
  subscriberId: string;
  /** The events the POST carried. */
  seqs: number[];
  /** Events that were not sent (not entitled, held back or gone). */
  skipped: number[];
  now: number;
  /** HTTP status of the answer, null when there was none. */
  status: number | null;
  /** 2xx: delivered; anything else is retried at `retryAt`, or failed once `giveUpBefore` has passed. */
  ok: boolean;
  error?: string | undefined;
  retryAt?: number | undefined;
  /** Events that became deliverable before this time are given up on failure. */
  giveUpBefore?: number | undefined;
}

/** The outbox over the D1-shaped database. */
export interface Outbox {
  /**
   * A subscriber's next due events in outbox order, at most `limit`: pending, due at `now`, and with no
   * earlier pending event of the same story still waiting (so a story's events arrive in order).
   */
  due(subscriberId: string, now: number, limit: number): Promise<PendingDelivery[]>;
  /** Records a POST (or only skips, with no `seqs`) and its usage, in one batch. */
  record(attempt: AttemptRecord): Promise<void>;
  /** Every subscriber's delivery counters (subscribers without rows are left out). */
  stats(): Promise<DeliveryStats[]>;
  /** Removes settled rows and events older than `before` (epoch ms), and rows of subscribers without a webhook. */
  prune(before: number): Promise<void>;
}

interface DueRow {
  seq: number;
  event_id: string;
  item_id: string;
  version: number;
  type: OutboxEventType;
  at: number;
  attempts: number;
  enqueued_at: number;
}

/** Creates the outbox over a database whose migrations (0006) have been applied. */
export function createOutbox(db: SqlDatabase): Outbox {
  return {
    async due(subscriberId, now, limit) {
      const { results } = await db
        .prepare(
          `SELECT d.seq, o.event_id, o.item_id, o.version, o.type, o.at, d.attempts, d.enqueued_at
           FROM webhook_deliveries d JOIN outbox o ON o.seq = d.seq
           WHERE d.subscriber_id = ?1 AND d.state = 'pending' AND d.due_at <= ?2
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
               WHERE e.subscriber_id = d.subscriber_id AND e.item_id = d.item_id AND e.seq < d.seq AND e.state = 'pending' AND e.due_at > ?2)
           ORDER BY d.seq LIMIT ?3`,
        )
        .bind(subscriberId, now, limit)
        .all<DueRow>();
      return results.map((r) => ({ seq: r.seq, eventId: r.event_id, itemId: r.item_id, version: r.version, type: r.type, at: r.at, attempts: r.attempts, enqueuedAt: r.enqueued_at }));
    },

    async record(a) {
      const statements: SqlStatement[] = [];
      const seqs = JSON.stringify(a.seqs);
      const mine = `subscriber_id = ?1 AND seq IN (SELECT value FROM json_each(?2)) AND state = 'pending'`;
      if (a.skipped.length > 0) {
        statements.push(
          db
            .prepare(`UPDATE webhook_deliveries SET state = 'skipped', done_at = ?3 WHERE ${mine}`)
            .bind(a.subscriberId, JSON.stringify(a.skipped), a.now),
        );
      }
      let failed = 0;
      if (a.seqs.length > 0) {
        if (a.ok) {
          statements.push(
            db
              .prepare(`UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, last_status = ?3, last_error = NULL, done_at = ?4 WHERE ${mine}`)
              .bind(a.subscriberId, seqs, a.status, a.now),
          );
        } else {
          // Counted before the update: the events of this POST that leave the retry window now.
          const row = await db
            .prepare(`SELECT count(*) AS n FROM webhook_deliveries WHERE ${mine} AND enqueued_at < ?3`)
            .bind(a.subscriberId, seqs, a.giveUpBefore ?? 0)
            .first<{ n: number }>();
          failed = row?.n ?? 0;
          statements.push(
            db
              .prepare(
                `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = ?3, last_error = ?4,
                   state = CASE WHEN enqueued_at < ?5 THEN 'failed' ELSE 'pending' END,
                   done_at = CASE WHEN enqueued_at < ?5 THEN ?6 END,
                   due_at = ?7
                 WHERE ${mine}`,
              )
              .bind(a.subscriberId, seqs, a.status, a.error ?? null, a.giveUpBefore ?? 0, a.now, a.retryAt ?? a.now),
          );
        }
        const day = new Date(a.now).toISOString().slice(0, 10);
        statements.push(
          db
            .prepare(
              `INSERT INTO subscriber_usage (subscriber_id, day, key_id, requests, ok, not_modified, items, last_pull, failed)
               VALUES (?1, ?2, 'webhook', 1, ?3, 0, ?4, ?5, ?6)
               ON CONFLICT (subscriber_id, day, key_id) DO UPDATE SET
                 requests = requests + 1, ok = ok + excluded.ok, items = items + excluded.items,
                 last_pull = max(COALESCE(last_pull, 0), excluded.last_pull), failed = failed + excluded.failed`,
            )
            .bind(a.subscriberId, day, a.ok ? 1 : 0, a.ok ? a.seqs.length : 0, a.now, failed),
        );
      }
      if (statements.length > 0) await db.batch(statements);
    },

    async stats() {
      const { results } = await db
        .prepare(
          `SELECT subscriber_id,
             sum(state = 'pending') AS pending, sum(state = 'pending' AND attempts > 0) AS retrying,
             sum(state = 'delivered') AS delivered, sum(state = 'failed') AS failed,
             max(CASE WHEN state = 'delivered' THEN done_at END) AS last_delivered_at,
             max(CASE WHEN last_error IS NOT NULL THEN COALESCE(done_at, due_at) END) AS last_failure_at,
             (SELECT e.last_error FROM webhook_deliveries e WHERE e.subscriber_id = d.subscriber_id AND e.last_error IS NOT NULL
              ORDER BY e.seq DESC LIMIT 1) AS last_error
           FROM webhook_deliveries d GROUP BY subscriber_id ORDER BY subscriber_id`,
        )
        .all<{ subscriber_id: string; pending: number; retrying: number; delivered: number; failed: number; last_delivered_at: number | null; last_failure_at: number | null; last_error: string | null }>();
      return results.map((r) => ({
        subscriberId: r.subscriber_id,
        pending: r.pending,
        retrying: r.retrying,
        delivered: r.delivered,
        failed: r.failed,
        lastDeliveredAt: r.last_delivered_at,
        lastFailureAt: r.last_failure_at,
        lastError: r.last_error,
      }));
    },

    async prune(before) {
      await db.batch([
        db.prepare(`DELETE FROM webhook_deliveries WHERE state <> 'pending' AND done_at < ?1`).bind(before),
        db.prepare(`DELETE FROM webhook_deliveries WHERE subscriber_id NOT IN (SELECT id FROM subscribers WHERE webhook_url IS NOT NULL)`),
        db.prepare(`DELETE FROM outbox WHERE at < ?1 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.seq = outbox.seq)`).bind(before),
      ]);
    },
  };
}
