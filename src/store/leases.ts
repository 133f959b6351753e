import type { SourceErrorRecord, SourceState } from '../model.ts';
import type { SqlDatabase } from './sql.ts';
import { toSourceState, type SourceStateRow } from './sources.ts';

/** A claimed source: its state at the claim and the claim's token (`claim_seq`). */
export interface SourceClaim {
  state: SourceState;
  claim: number;
}

/**
 * Leases on sources (migration 0009): who may poll a source now. A claim is one atomic UPDATE … RETURNING,
 * so two ticks, two processes on one database or two Workers invocations never claim the same source; saving a
 * poll frees the lease, and a lease whose holder died expires.
 */
export interface SourceLeases {
  /**
   * Claims up to `limit` of the sources among `ids` that are due at `now` and not leased, most overdue first,
   * for `leaseMs`.
   */
  claimDue(ids: string[], now: number, limit: number, leaseMs: number): Promise<SourceClaim[]>;
  /** Claims the named sources whether due or not, those not leased at `now`, for `leaseMs`. */
  claimSources(ids: string[], now: number, leaseMs: number): Promise<SourceClaim[]>;
  /**
   * Takes over a queued claim for its poll: succeeds (with the source's state) only when `claim` is still the
   * source's claim, the lease has not been freed by a saved poll, and this delivery `attempt` is later than any
   * that took it before (a redelivery after a crash takes it; a duplicate delivery of the same attempt does
   * not). Extends the lease to `now + leaseMs`.
   */
  takeClaim(sourceId: string, claim: number, attempt: number, now: number, leaseMs: number): Promise<SourceState | null>;
  /** Extends the leases of claims still held (not freed by a save, not replaced) to `now + leaseMs`. */
  renewClaims(claims: { id: string; claim: number }[], now: number, leaseMs: number): Promise<void>;
  /** Frees the leases of claimed sources that will not be polled now (they stay due). */
  releaseClaims(claims: { id: string; claim: number }[]): Promise<void>;
  /**
   * Records on the source that its queue message dead-lettered (the consumer failed on every delivery), as a
   * failure of kind `dead-letter` that `/status` shows, and frees the lease; only while `claim` is still the
   * source's claim (a later claim's poll is not overwritten). Returns whether it was recorded.
   */
  recordDeadLetter(sourceId: string, claim: number, error: SourceErrorRecord, nextFetchAt: number): Promise<boolean>;
}

/** How many claims one statement takes at most (the rows come back in one result). */
export const MAX_CLAIMS_PER_STATEMENT = 500;

interface ClaimRow extends SourceStateRow {
  claim_seq: number;
}

const RETURNING = `RETURNING id, url, title, etag, last_modified, last_fetch_at, next_fetch_at, error_count,
  last_error_kind, last_error_message, last_error_at, last_success_at, claim_seq`;

/** The leases over a D1-shaped database whose migrations have been applied. Every statement binds ≤ 6 values. */
export function createLeases(db: SqlDatabase): SourceLeases {
  return {
    async claimDue(ids, now, limit, leaseMs) {
      if (ids.length === 0 || limit <= 0) return [];
      const wanted = idSet(ids);
      const claims: SourceClaim[] = [];
      let after: [number, string] = [-1, ''];
      while (claims.length < limit) {
        const take = Math.min(MAX_CLAIMS_PER_STATEMENT, limit - claims.length);
        // The walk reads the due range of the sources_due index alone, from where the last one stopped; the ids
        // are a filter here, so the cost follows the due sources, not the configured ones.
        const { results: due } = await db
          .prepare(
            `SELECT id, next_fetch_at FROM sources
             WHERE next_fetch_at <= ?1 AND claimed_until <= ?1 AND (next_fetch_at, id) > (?2, ?3)
             ORDER BY next_fetch_at, id LIMIT ?4`,
          )
          .bind(now, after[0], after[1], take)
          .all<{ id: string; next_fetch_at: number }>();
        if (due.length === 0) break;
        const last = due[due.length - 1]!;
        after = [last.next_fetch_at, last.id];
        const chosen = due.filter((row) => wanted.has(row.id)).map((row) => row.id);
        if (chosen.length > 0) {
          // The claim itself: only sources still due and free (another process may have taken some since).
          const { results } = await db
            .prepare(
              `UPDATE sources SET claimed_until = ?2, claim_seq = claim_seq + 1, claim_attempt = 0
               WHERE id IN (SELECT value FROM json_each(?3)) AND next_fetch_at <= ?1 AND claimed_until <= ?1
               ${RETURNING}`,
            )
            .bind(now, now + leaseMs, JSON.stringify(chosen))
            .all<ClaimRow>();
          claims.push(...sortClaims(results).map(toClaim));
        }
        if (due.length < take) break;
      }
      return claims;
    },

    async claimSources(ids, now, leaseMs) {
      const claims: SourceClaim[] = [];
      for (let i = 0; i < ids.length; i += MAX_CLAIMS_PER_STATEMENT) {
        const { results } = await db
          .prepare(
            `UPDATE sources SET claimed_until = ?2, claim_seq = claim_seq + 1, claim_attempt = 0
             WHERE id IN (SELECT value FROM json_each(?3)) AND claimed_until <= ?1
             ${RETURNING}`,
          )
          .bind(now, now + leaseMs, JSON.stringify(ids.slice(i, i + MAX_CLAIMS_PER_STATEMENT)))
          .all<ClaimRow>();
        claims.push(...results.map(toClaim));
      }
      return claims;
    },

    async takeClaim(sourceId, claim, attempt, now, leaseMs) {
      const row = await db
        .prepare(
          `UPDATE sources SET claimed_until = ?4, claim_attempt = ?3
           WHERE id = ?1 AND claim_seq = ?2 AND claimed_until <> 0 AND claim_attempt < ?3
           ${RETURNING}`,
        )
        .bind(sourceId, claim, attempt, now + leaseMs)
        .first<ClaimRow>();
      return row ? toClaim(row).state : null;
    },

    async renewClaims(claims, now, leaseMs) {
      if (claims.length === 0) return;
      await db
        .prepare(
          `UPDATE sources SET claimed_until = ?2 FROM json_each(?1) j
           WHERE sources.id = json_extract(j.value, '$[0]') AND sources.claim_seq = json_extract(j.value, '$[1]') AND sources.claimed_until <> 0`,
        )
        .bind(JSON.stringify(claims.map((c) => [c.id, c.claim])), now + leaseMs)
        .run();
    },

    async releaseClaims(claims) {
      if (claims.length === 0) return;
      await db
        .prepare(
          `UPDATE sources SET claimed_until = 0 FROM json_each(?1) j
           WHERE sources.id = json_extract(j.value, '$[0]') AND sources.claim_seq = json_extract(j.value, '$[1]')`,
        )
        .bind(JSON.stringify(claims.map((c) => [c.id, c.claim])))
        .run();
    },

    async recordDeadLetter(sourceId, claim, error, nextFetchAt) {
      const row = await db
        .prepare(
          `UPDATE sources SET claimed_until = 0, last_fetch_at = ?3, next_fetch_at = ?4, error_count = error_count + 1,
             last_error_kind = ?5, last_error_message = ?6, last_error_at = ?3
           WHERE id = ?1 AND claim_seq = ?2 AND claimed_until <> 0
           RETURNING id`,
        )
        .bind(sourceId, claim, error.at, nextFetchAt, error.kind, error.message)
        .first<{ id: string }>();
      return row !== null;
    },
  };
}

const idSets = new WeakMap<string[], Set<string>>();
// Ticks pass the same configured list again and again: its set is made once.
function idSet(ids: string[]): Set<string> {
  let set = idSets.get(ids);
  if (!set) idSets.set(ids, (set = new Set(ids)));
  return set;
}

// RETURNING gives rows in no promised order: most overdue first, as the claim chose them.
function sortClaims(rows: ClaimRow[]): ClaimRow[] {
  return rows.sort((a, b) => a.next_fetch_at - b.next_fetch_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function toClaim(row: ClaimRow): SourceClaim {
  return { claim: row.claim_seq, state: toSourceState(row) };
}
