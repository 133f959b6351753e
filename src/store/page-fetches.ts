/**
 * Full text, the stored part: the article page of each entry version of a `fullText` source (migration
 * 0007), queued with the poll that first carries the version, fetched once, retried with backoff when it
 * fails. The store keeps what the page step needs as opaque JSON (`job`, `page`): their shapes are ingest's.
 */
import type { SqlDatabase, SqlStatement } from './sql.ts';
import type { ItemWrite } from './store.ts';

/** One entry version to fetch the page of. */
export interface PageFetchRequest {
  hash: string;
  url: string;
  uri: string;
  /** What normalizing the entry with its page needs, as JSON-ready data. */
  job: unknown;
}

/** A queued page fetch, as stored. */
export interface PageFetchRow {
  sourceId: string;
  hash: string;
  url: string;
  uri: string;
  job: unknown;
  attempts: number;
  /** Why the last attempt failed, if it did. */
  lastError: string | null;
  /** The validators of the page as last fetched (this version's or an earlier version's, same URL). */
  etag: string | null;
  lastModified: string | null;
  /** The page as last read, when there is one (a 304 reuses it). */
  page: unknown;
}

/** How a page fetch ended: its page stored with the entry (`fetched`), or read and not used (`kept`). */
export interface PageFetchSuccess {
  status: 'fetched' | 'kept';
  etag: string | null;
  lastModified: string | null;
  page: unknown;
}

/** The page fetches of one source, for `/status`. */
export interface PageFetchCounts {
  /** Pages fetched and read (their story stored, or in `"auto"` mode not longer than the feed's body). */
  fetched: number;
  /** Pages whose last attempt failed (awaiting a retry, or given up). */
  failed: number;
  /** Pages waiting for a first attempt or a retry. */
  pending: number;
  /** The latest failure: the page, the item it was for, and why. */
  lastFailure: { url: string; uri: string; reason: string; attempts: number; at: number } | null;
}

/** The queue of article page fetches. */
export interface PageFetchStore {
  /**
   * Queues the page of each new entry version (a version queued already is left as it is) and forgets the
   * rows of versions the poll no longer carries (`carried`: every entry hash of the poll). A version whose
   * URL an earlier version's page came from starts with that page's validators.
   */
  queue(sourceId: string, requests: PageFetchRequest[], carried: string[], at: number): Promise<void>;
  /** The page fetches due at `now` of the given sources, oldest due first (in feed order), at most `limit`. */
  due(sourceIds: string[], now: number, limit: number): Promise<PageFetchRow[]>;
  /** Saves a page that was read: the entry's items from it (none when kept) and the row's outcome, in one batch. */
  saveSuccess(row: PageFetchRow, outcome: PageFetchSuccess, items: ItemWrite[], at: number): Promise<void>;
  /** Records a failed attempt and when to try again (null: given up). */
  saveFailure(row: PageFetchRow, reason: string, nextAttemptAt: number | null, at: number): Promise<void>;
  /** Every source's page fetch counts, or those of `ids` (sources without any are absent). */
  counts(ids?: string[]): Promise<Map<string, PageFetchCounts>>;
  /** Which of `links` a stored item of the source has as its link (a page's teaser of a story already stored is left out). */
  storedLinks(sourceId: string, links: string[]): Promise<Set<string>>;
}

interface Row {
  source_id: string;
  hash: string;
  url: string;
  uri: string;
  job: string;
  attempts: number;
  last_error: string | null;
  etag: string | null;
  last_modified: string | null;
  page: string | null;
}

/**
 * The page fetch queue over a D1-shaped database whose migrations have been applied (`createStore` makes
 * it: `Store.pages`). `writeItems` gives the statements that store a page's items as a poll's are stored.
 */
export function createPageFetchStore(
  db: SqlDatabase,
  writeItems: (sourceId: string, items: ItemWrite[], at: number) => Promise<SqlStatement[]>,
): PageFetchStore {
  return {
    async queue(sourceId, requests, carried, at) {
      const statements: SqlStatement[] = [];
      if (requests.length > 0) {
        const earlier = (column: string): string =>
          `(SELECT p.${column} FROM page_fetches p WHERE p.source_id = ?1 AND p.url = json_extract(value, '$.url') AND p.page IS NOT NULL ORDER BY p.updated_at DESC LIMIT 1)`;
        statements.push(
          db
            .prepare(
              `INSERT INTO page_fetches (source_id, hash, url, uri, job, status, attempts, next_attempt_at, etag, last_modified, page, updated_at, seq)
               SELECT ?1, json_extract(value, '$.hash'), json_extract(value, '$.url'), json_extract(value, '$.uri'), json_extract(value, '$.job'),
                 'pending', 0, ?2, ${earlier('etag')}, ${earlier('last_modified')}, ${earlier('page')}, ?2, key
               FROM json_each(?3) WHERE true
               ON CONFLICT (source_id, hash) DO NOTHING`,
            )
            .bind(sourceId, at, JSON.stringify(requests.map((r) => ({ hash: r.hash, url: r.url, uri: r.uri, job: JSON.stringify(r.job) })))),
        );
      }
      statements.push(
        db
          .prepare('DELETE FROM page_fetches WHERE source_id = ?1 AND hash NOT IN (SELECT value FROM json_each(?2))')
          .bind(sourceId, JSON.stringify(carried)),
      );
      await db.batch(statements);
    },

    async due(sourceIds, now, limit) {
      if (sourceIds.length === 0 || limit <= 0) return [];
      const { results } = await db
        .prepare(
          `SELECT source_id, hash, url, uri, job, attempts, last_error, etag, last_modified, page FROM page_fetches
           WHERE status = 'pending' AND next_attempt_at <= ?1 AND source_id IN (SELECT value FROM json_each(?2))
           ORDER BY next_attempt_at, source_id, seq, hash LIMIT ?3`,
        )
        .bind(now, JSON.stringify(sourceIds), limit)
        .all<Row>();
      return results.map((r) => ({
        sourceId: r.source_id,
        hash: r.hash,
        url: r.url,
        uri: r.uri,
        job: JSON.parse(r.job) as unknown,
        attempts: r.attempts,
        lastError: r.last_error,
        etag: r.etag,
        lastModified: r.last_modified,
        page: r.page === null ? null : (JSON.parse(r.page) as unknown),
      }));
    },

    async saveSuccess(row, outcome, items, at) {
      const statements = await writeItems(row.sourceId, items, at);
      statements.push(
        db
          .prepare(
            `UPDATE page_fetches SET status = ?3, attempts = attempts + 1, last_error = NULL, etag = ?4, last_modified = ?5, page = ?6, updated_at = ?7
             WHERE source_id = ?1 AND hash = ?2`,
          )
          .bind(row.sourceId, row.hash, outcome.status, outcome.etag, outcome.lastModified, JSON.stringify(outcome.page), at),
      );
      await db.batch(statements);
    },

    async saveFailure(row, reason, nextAttemptAt, at) {
      await db
        .prepare(
          `UPDATE page_fetches SET status = ?3, attempts = attempts + 1, last_error = ?4, next_attempt_at = COALESCE(?5, next_attempt_at), updated_at = ?6
           WHERE source_id = ?1 AND hash = ?2`,
        )
        .bind(row.sourceId, row.hash, nextAttemptAt === null ? 'failed' : 'pending', reason, nextAttemptAt, at)
        .run();
    },

    async storedLinks(sourceId, links) {
      if (links.length === 0) return new Set();
      const { results } = await db
        .prepare('SELECT DISTINCT link FROM items WHERE source_id = ?1 AND link IN (SELECT value FROM json_each(?2))')
        .bind(sourceId, JSON.stringify(links))
        .all<{ link: string }>();
      return new Set(results.map((r) => r.link));
    },

    async counts(ids) {
      const statement = db
        .prepare(
          `SELECT source_id,
             sum(status IN ('fetched', 'kept')) AS fetched,
             sum(last_error IS NOT NULL) AS failed,
             sum(status = 'pending') AS pending,
             (SELECT json_array(f.url, f.uri, f.last_error, f.attempts, f.updated_at) FROM page_fetches f
              WHERE f.source_id = p.source_id AND f.last_error IS NOT NULL ORDER BY f.updated_at DESC, f.hash LIMIT 1) AS last_failure
           FROM page_fetches p ${ids ? 'WHERE source_id IN (SELECT value FROM json_each(?1))' : ''} GROUP BY source_id ORDER BY source_id`,
        );
      const { results } = await (ids ? statement.bind(JSON.stringify(ids)) : statement)
        .all<{ source_id: string; fetched: number; failed: number; pending: number; last_failure: string | null }>();
      return new Map(
        results.map((r) => {
          const f = r.last_failure === null ? null : (JSON.parse(r.last_failure) as [string, string, string, number, number]);
          return [
            r.source_id,
            {
              fetched: r.fetched,
              failed: r.failed,
              pending: r.pending,
              lastFailure: f ? { url: f[0], uri: f[1], reason: f[2], attempts: f[3], at: f[4] } : null,
            },
          ];
        }),
      );
    },
  };
}
