import type { NewsItem, SourceConfig, SourceErrorRecord, SourceState } from '../model.ts';
import { hash64 } from '../util/hash.ts';
import type { SqlDatabase, SqlStatement, SqlValue } from './sql.ts';

/** An item ready to be stored: the normalized story plus what queries need beside it. */
export interface ItemWrite {
  item: NewsItem;
  /** Upstream publication time in epoch ms; null keeps the time the item was first seen. */
  published: number | null;
  link: string | null;
  categories: string[];
}

/** The poll state to save with a source (everything but its identity). */
export interface PollState {
  etag: string | null;
  lastModified: string | null;
  fetchedAt: number;
  nextFetchAt: number;
}

/** Which stored items to list, newest first. Category names compare case-insensitively. */
export interface ItemQuery {
  /** Each group is "any of these categories"; an item must match every group. */
  categoryGroups: string[][];
  excludeCategories: string[];
  sources: string[];
  limit: number;
}

/** A source's state with the number of items it has in the store. */
export interface SourceStatus extends SourceState {
  itemCount: number;
}

/** The store: sources with their poll state, and items. Built over any `SqlDatabase` (SQLite or D1). */
export interface Store {
  /** Adds configured sources that the store does not know yet and refreshes the url/title of known ones. */
  syncSources(sources: SourceConfig[]): Promise<void>;
  /** Sources (among `ids`) whose next poll time has come, most overdue first. */
  dueSources(ids: string[], now: number, limit: number): Promise<SourceState[]>;
  /** One source's state, or null. */
  getSource(id: string): Promise<SourceState | null>;
  /** Every known source with its item count. */
  listSources(): Promise<SourceStatus[]>;
  /** Saves a successful poll: its items and the source's new state, in one transaction. */
  savePoll(sourceId: string, items: ItemWrite[], state: PollState): Promise<void>;
  /** Saves a poll answered 304 Not Modified. */
  saveNotModified(sourceId: string, state: PollState): Promise<void>;
  /** Records a failed poll; the source's items are kept. */
  saveFailure(sourceId: string, error: SourceErrorRecord, nextFetchAt: number): Promise<void>;
  /** Stored items matching the query, newest first. */
  listItems(query: ItemQuery): Promise<NewsItem[]>;
  /** A number that changes whenever any item is added, changed or removed. */
  dataVersion(): Promise<number>;
}

interface SourceRow {
  id: string;
  url: string;
  title: string;
  etag: string | null;
  last_modified: string | null;
  last_fetch_at: number | null;
  next_fetch_at: number;
  error_count: number;
  last_error_kind: string | null;
  last_error_message: string | null;
  last_error_at: number | null;
  last_success_at: number | null;
  item_count?: number;
}

interface ItemRow {
  id: string;
  data: string;
  version: number;
  first_seen: number;
  updated: number;
}

/** Creates the store over a D1-shaped database whose migrations have been applied. */
export function createStore(db: SqlDatabase): Store {
  const stateStatement = (sourceId: string, state: PollState, success: boolean): SqlStatement =>
    db
      .prepare(
        `UPDATE sources SET etag = ?2, last_modified = ?3, last_fetch_at = ?4, next_fetch_at = ?5,
           error_count = 0, last_error_kind = NULL, last_error_message = NULL, last_error_at = NULL,
           last_success_at = CASE WHEN ?6 THEN ?4 ELSE last_success_at END
         WHERE id = ?1`,
      )
      .bind(sourceId, state.etag, state.lastModified, state.fetchedAt, state.nextFetchAt, success ? 1 : 0);

  return {
    async syncSources(sources) {
      if (sources.length === 0) return;
      await db.batch(
        sources.map((s) =>
          db
            .prepare(
              `INSERT INTO sources (id, url, title) VALUES (?1, ?2, ?3)
               ON CONFLICT (id) DO UPDATE SET
                 url = excluded.url, title = excluded.title,
                 etag = CASE WHEN sources.url = excluded.url THEN sources.etag END,
                 last_modified = CASE WHEN sources.url = excluded.url THEN sources.last_modified END
               WHERE sources.url <> excluded.url OR sources.title <> excluded.title`,
            )
            .bind(s.id, s.url, s.title),
        ),
      );
    },

    async dueSources(ids, now, limit) {
      if (ids.length === 0) return [];
      const { results } = await db
        .prepare(
          `SELECT * FROM sources WHERE next_fetch_at <= ?1 AND id IN (SELECT value FROM json_each(?2))
           ORDER BY next_fetch_at, id LIMIT ?3`,
        )
        .bind(now, JSON.stringify(ids), limit)
        .all<SourceRow>();
      return results.map(toSourceState);
    },

    async getSource(id) {
      const row = await db.prepare('SELECT * FROM sources WHERE id = ?1').bind(id).first<SourceRow>();
      return row ? toSourceState(row) : null;
    },

    async listSources() {
      const { results } = await db
        .prepare(
          `SELECT s.*, (SELECT count(*) FROM items i WHERE i.source_id = s.id) AS item_count
           FROM sources s ORDER BY s.id`,
        )
        .all<SourceRow>();
      return results.map((row) => ({ ...toSourceState(row), itemCount: row.item_count ?? 0 }));
    },

    async savePoll(sourceId, items, state) {
      const statements: SqlStatement[] = [];
      const seen = new Set<string>();
      for (const write of items) {
        // Feeds repeat entries; the first occurrence wins within one poll.
        if (seen.has(write.item.uri)) continue;
        seen.add(write.item.uri);
        const { version: _v, firstCreated: _f, versionCreated: _c, ...content } = write.item;
        const data = JSON.stringify(content);
        const contentHash = hash64(data);
        const categories = JSON.stringify([...new Set(write.categories.map((c) => c.toLowerCase()))]);
        statements.push(
          // A changed item gets its category rows rebuilt; an unchanged one is left alone.
          db
            .prepare(
              `DELETE FROM item_categories WHERE item_id = ?1
               AND NOT EXISTS (SELECT 1 FROM items WHERE id = ?1 AND content_hash = ?2)`,
            )
            .bind(write.item.uri, contentHash),
          db
            .prepare(
              `INSERT INTO items (id, source_id, link, published, first_seen, updated, version, content_hash, data)
               VALUES (?1, ?2, ?3, COALESCE(?4, ?5), ?5, ?5, 1, ?6, ?7)
               ON CONFLICT (id) DO UPDATE SET
                 source_id = excluded.source_id, link = excluded.link,
                 published = COALESCE(?4, items.published), updated = excluded.updated,
                 version = items.version + 1, content_hash = excluded.content_hash, data = excluded.data
               WHERE items.content_hash <> excluded.content_hash`,
            )
            .bind(write.item.uri, sourceId, write.link, write.published, state.fetchedAt, contentHash, data),
          db
            .prepare(
              `INSERT OR IGNORE INTO item_categories (category, published, item_id)
               SELECT value, (SELECT published FROM items WHERE id = ?1), ?1 FROM json_each(?2)`,
            )
            .bind(write.item.uri, categories),
        );
      }
      statements.push(stateStatement(sourceId, state, true));
      await db.batch(statements);
    },

    async saveNotModified(sourceId, state) {
      await stateStatement(sourceId, state, true).run();
    },

    async saveFailure(sourceId, error, nextFetchAt) {
      await db
        .prepare(
          `UPDATE sources SET last_fetch_at = ?2, next_fetch_at = ?3, error_count = error_count + 1,
             last_error_kind = ?4, last_error_message = ?5, last_error_at = ?2
           WHERE id = ?1`,
        )
        .bind(sourceId, error.at, nextFetchAt, error.kind, error.message)
        .run();
    },

    async listItems(query) {
      const { sql, params } = itemQuerySql(query);
      const { results } = await db.prepare(sql).bind(...params).all<ItemRow>();
      return results.map(toNewsItem);
    },

    async dataVersion() {
      const row = await db.prepare(`SELECT value FROM meta WHERE key = 'data_version'`).first<{ value: number }>();
      return row?.value ?? 0;
    },
  };
}

/** Builds the item listing query; exported for the benchmark's query plans. */
export function itemQuerySql(query: ItemQuery): { sql: string; params: SqlValue[] } {
  const params: SqlValue[] = [];
  const bind = (value: SqlValue): string => {
    params.push(value);
    return `?${params.length}`;
  };
  const where: string[] = [];
  const groups = query.categoryGroups.map(lowerUnique).filter((g) => g.length > 0);
  const exclude = lowerUnique(query.excludeCategories);
  let from = 'items i';
  let order = 'i.published DESC, i.id DESC';
  const [first, ...rest] = groups;
  if (first && first.length === 1) {
    // One category: walk the (category, published) index in order and stop after `limit` rows.
    from = 'item_categories c JOIN items i ON i.id = c.item_id';
    where.push(`c.category = ${bind(first[0]!)}`);
    order = 'c.published DESC, c.item_id DESC';
  } else if (first) {
    rest.unshift(first);
  }
  for (const group of rest) {
    where.push(
      `EXISTS (SELECT 1 FROM item_categories g WHERE g.item_id = i.id AND g.category IN (SELECT value FROM json_each(${bind(JSON.stringify(group))})))`,
    );
  }
  if (exclude.length > 0) {
    where.push(
      `NOT EXISTS (SELECT 1 FROM item_categories x WHERE x.item_id = i.id AND x.category IN (SELECT value FROM json_each(${bind(JSON.stringify(exclude))})))`,
    );
  }
  if (query.sources.length > 0) {
    where.push(`i.source_id IN (SELECT value FROM json_each(${bind(JSON.stringify(query.sources))}))`);
  }
  const limit = bind(query.limit);
  const sql = `SELECT i.id, i.data, i.version, i.first_seen, i.updated FROM ${from}
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${limit}`;
  return { sql, params };
}

function lowerUnique(values: string[]): string[] {
  return [...new Set(values.map((v) => v.toLowerCase()))];
}

function toNewsItem(row: ItemRow): NewsItem {
  const content = JSON.parse(row.data) as Omit<NewsItem, 'version' | 'firstCreated' | 'versionCreated'>;
  return {
    ...content,
    version: String(row.version),
    firstCreated: new Date(row.first_seen).toISOString(),
    versionCreated: new Date(row.updated).toISOString(),
  };
}

function toSourceState(row: SourceRow): SourceState {
  return {
    id: row.id,
    url: row.url,
    title: row.title,
    etag: row.etag,
    lastModified: row.last_modified,
    lastFetchAt: row.last_fetch_at,
    nextFetchAt: row.next_fetch_at,
    errorCount: row.error_count,
    lastError:
      row.last_error_kind !== null && row.last_error_at !== null
        ? { kind: row.last_error_kind, message: row.last_error_message ?? '', at: row.last_error_at }
        : null,
    lastSuccessAt: row.last_success_at,
  };
}
