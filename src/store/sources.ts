import { sourceLicense, unknownSourceNames, type WirefeedConfig } from '../config.ts';
import { ConfigError, WirefeedError } from '../errors.ts';
import type { SourceConfig, SourceState } from '../model.ts';
import { hash64 } from '../util/hash.ts';
import { stableJson } from '../util/stable-json.ts';
import { RESTRICTED_MAX_AGE_DAYS } from './rights.ts';
import type { SqlDatabase, SqlStatement } from './sql.ts';

/** Where a stored source came from: the configuration file (seeded at start) or the admin API / CLI. */
export type SourceOrigin = 'config' | 'api';

/** A source as the store keeps it: its poll state with its configuration, origin, paused flag, licence and item count. */
export interface SourceRecord extends SourceState {
  /** The whole configuration, or null for a source that left the configuration file (listed, never polled). */
  config: SourceConfig | null;
  origin: SourceOrigin;
  paused: boolean;
  license: 'public' | 'restricted';
  itemCount: number;
}

/** A polled-or-pausable source of the catalogue: its configuration and paused flag. */
export interface CatalogueEntry {
  config: SourceConfig;
  paused: boolean;
  origin: SourceOrigin;
}

/** One page of sources and the cursor of the next (null on the last). */
export interface SourcePage {
  sources: SourceRecord[];
  next: string | null;
}

/** Counts over every stored source, for summaries above a paged list. */
export interface SourceCounts {
  total: number;
  failing: number;
  paused: number;
}

/** The source catalogue: the sources stored with their configuration, managed at run time. */
export interface SourceStore {
  /** A number that changes whenever a source is added or removed, or its configuration or paused flag changes. */
  version(): Promise<number>;
  /** Every source that has a configuration (paused ones too), by id. */
  catalogue(): Promise<CatalogueEntry[]>;
  /** One source, or null. */
  get(id: string): Promise<SourceRecord | null>;
  /**
   * A page of at most `limit` sources after `cursor` (from a previous page): by id, or with `failingFirst`
   * the failing ones (polled, last poll failed) first and then by id. Walks an index: flat in the number of sources.
   */
  page(options: { limit: number; cursor?: string | null | undefined; failingFirst?: boolean }): Promise<SourcePage>;
  /** How many sources there are, failing and paused. */
  counts(): Promise<SourceCounts>;
  /** Every source's id with the number of items it has in the store, by id (`/metrics`); nothing else of it is read. */
  itemCounts(): Promise<Array<{ id: string; items: number }>>;
  /** Adds an API source, due at once. False when the id is taken (by a source with a configuration). */
  add(config: SourceConfig): Promise<boolean>;
  /** Replaces a source's configuration and paused flag (a changed URL forgets the validators and is due at once). False when absent. */
  update(id: string, config: SourceConfig, paused: boolean): Promise<boolean>;
  /** Removes a source with its items, entry hashes and poll history. False when absent. */
  remove(id: string): Promise<boolean>;
}

/** A source's licence and how long its items stay in the feeds (restricted: 30 days unless `maxAgeDays` says). */
export function sourceRights(source: SourceConfig): { id: string; license: 'public' | 'restricted'; maxAgeMs: number | null } {
  const license = sourceLicense(source);
  const days = source.maxAgeDays ?? (license === 'restricted' ? RESTRICTED_MAX_AGE_DAYS : null);
  return { id: source.id, license, maxAgeMs: days === null ? null : Math.round(days * 86_400_000) };
}

/**
 * Checks the sources that the configuration's feeds (`filter.sources`) and subscribers (`entitlements.sources`)
 * name against the stored ones (the configured and those added at run time), after seeding.
 * @throws ConfigError naming each unknown one.
 */
export async function checkSourceNames(config: Pick<WirefeedConfig, 'feeds' | 'subscribers'>, sources: SourceStore): Promise<void> {
  const problems = unknownSourceNames(config, new Set((await sources.catalogue()).map((e) => e.config.id)));
  if (problems.length > 0) throw new ConfigError(problems);
}

/** Sources per seeding statement (one JSON parameter each). */
const SEED_CHUNK = 1000;

/**
 * The statements that seed the configured sources: a source new to the store, or one whose configuration in
 * the file changed since it was last seeded, takes the file's version (marked `config`); one the file did not
 * change keeps what the store has (an edit made through the admin API survives a restart). Sources that
 * left the file keep their state and items but lose their configuration, so they are no longer polled.
 */
export function seedStatements(db: SqlDatabase, sources: SourceConfig[]): SqlStatement[] {
  // One statement per chunk of sources, their fields as one JSON parameter: a D1 invocation may run at most
  // 1,000 statements and bind under 100 parameters each, and configs list thousands of sources.
  const rows = sources.map((s) => {
    const config = stableJson(s);
    const rights = sourceRights(s);
    return [s.id, s.url, s.title, config, hash64(config), rights.license, rights.maxAgeMs];
  });
  const statements: SqlStatement[] = [];
  for (let i = 0; i < rows.length; i += SEED_CHUNK) {
    statements.push(
      db
        .prepare(
          `INSERT INTO sources (id, url, title, origin, config, seed_hash, license, max_age_ms)
           SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), 'config', json_extract(value, '$[3]'),
                  json_extract(value, '$[4]'), json_extract(value, '$[5]'), json_extract(value, '$[6]')
           FROM json_each(?1) WHERE true
           ON CONFLICT (id) DO UPDATE SET
             url = excluded.url, title = excluded.title, origin = 'config', config = excluded.config, seed_hash = excluded.seed_hash,
             license = excluded.license, max_age_ms = excluded.max_age_ms,
             etag = CASE WHEN sources.url = excluded.url THEN sources.etag END,
             last_modified = CASE WHEN sources.url = excluded.url THEN sources.last_modified END
           WHERE sources.seed_hash IS NOT excluded.seed_hash`,
        )
        .bind(JSON.stringify(rows.slice(i, i + SEED_CHUNK))),
    );
  }
  statements.push(
    db
      .prepare(`UPDATE sources SET config = NULL, seed_hash = NULL WHERE origin = 'config' AND config IS NOT NULL AND id NOT IN (SELECT value FROM json_each(?1))`)
      .bind(JSON.stringify(sources.map((s) => s.id))),
  );
  return statements;
}

/** The poll-state columns of a `sources` row. */
export interface SourceStateRow {
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
}

interface Row extends SourceStateRow {
  config: string | null;
  origin: string;
  paused: number;
  license: string;
  item_count: number;
  rank?: number;
}

const RANK = 'CASE WHEN last_fetch_at IS NOT NULL AND error_count > 0 THEN 0 ELSE 1 END';
const COLUMNS = `s.id, s.url, s.title, s.config, s.origin, s.paused, COALESCE(s.license_override, s.license) AS license, s.etag, s.last_modified,
  s.last_fetch_at, s.next_fetch_at, s.error_count, s.last_error_kind, s.last_error_message, s.last_error_at, s.last_success_at,
  (SELECT count(*) FROM items i WHERE i.source_id = s.id) AS item_count`;

/** Creates the source catalogue over a D1-shaped database whose migrations have been applied. */
export function createSourceStore(db: SqlDatabase): SourceStore {
  const writeConfig = (id: string, config: SourceConfig, paused: boolean): SqlStatement => {
    const rights = sourceRights(config);
    return db
      .prepare(
        `UPDATE sources SET url = ?2, title = ?3, config = ?4, paused = ?5, license = ?6, license_override = NULL, max_age_ms = ?7,
           etag = CASE WHEN url = ?2 THEN etag END, last_modified = CASE WHEN url = ?2 THEN last_modified END,
           next_fetch_at = CASE WHEN url = ?2 THEN next_fetch_at ELSE 0 END
         WHERE id = ?1`,
      )
      .bind(id, config.url, config.title, stableJson(config), paused ? 1 : 0, rights.license, rights.maxAgeMs);
  };
  return {
    async version() {
      const row = await db.prepare(`SELECT value FROM meta WHERE key = 'sources_version'`).first<{ value: number }>();
      return row?.value ?? 0;
    },

    async catalogue() {
      const { results } = await db
        .prepare(`SELECT config, paused, origin FROM sources WHERE config IS NOT NULL ORDER BY id`)
        .all<{ config: string; paused: number; origin: string }>();
      return results.map((r) => ({ config: JSON.parse(r.config) as SourceConfig, paused: r.paused === 1, origin: r.origin === 'api' ? 'api' : 'config' }));
    },

    async get(id) {
      const row = await db.prepare(`SELECT ${COLUMNS} FROM sources s WHERE s.id = ?1`).bind(id).first<Row>();
      return row ? toRecord(row) : null;
    },

    async page({ limit, cursor, failingFirst = false }) {
      const after = decodeCursor(cursor);
      // One index walk per rank (failing first), each a seek past the cursor: flat in the number of sources.
      const walk = async (rank: number | null, afterId: string | null, count: number): Promise<Row[]> => {
        const where = [rank === null ? null : `${RANK} = ${rank}`, afterId === null ? null : 's.id > ?2'].filter(Boolean);
        const { results } = await db
          .prepare(`SELECT ${COLUMNS}, ${RANK} AS rank FROM sources s ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY s.id LIMIT ?1`)
          .bind(...(afterId === null ? [count] : [count, afterId]))
          .all<Row>();
        return results;
      };
      let rows: Row[];
      if (!failingFirst) rows = await walk(null, after?.id ?? null, limit + 1);
      else {
        rows = after && after.rank === 1 ? [] : await walk(0, after?.id ?? null, limit + 1);
        if (rows.length <= limit) rows = rows.concat(await walk(1, after?.rank === 1 ? after.id : null, limit + 1 - rows.length));
      }
      const shown = rows.slice(0, limit);
      const last = shown[shown.length - 1];
      const next = rows.length > limit && last ? encodeCursor({ rank: failingFirst ? (last.rank ?? 1) : 1, id: last.id }) : null;
      return { sources: shown.map(toRecord), next };
    },

    async counts() {
      const row = await db
        .prepare(`SELECT count(*) AS total, coalesce(sum(${RANK} = 0), 0) AS failing, coalesce(sum(paused), 0) AS paused FROM sources`)
        .first<{ total: number; failing: number; paused: number }>();
      return { total: row?.total ?? 0, failing: row?.failing ?? 0, paused: row?.paused ?? 0 };
    },

    async itemCounts() {
      const { results } = await db
        .prepare('SELECT s.id, (SELECT count(*) FROM items i WHERE i.source_id = s.id) AS items FROM sources s ORDER BY s.id')
        .all<{ id: string; items: number }>();
      return results;
    },

    async add(config) {
      const rights = sourceRights(config);
      // One statement, so two adds of one id cannot both succeed: RETURNING gives a row only to the insert, or
      // to the adoption of a row without configuration (a source that left the config file, with its state and items).
      const added = await db
        .prepare(
          `INSERT INTO sources (id, url, title, origin, config, paused, license, max_age_ms, next_fetch_at) VALUES (?1, ?2, ?3, 'api', ?4, 0, ?5, ?6, 0)
           ON CONFLICT (id) DO UPDATE SET url = excluded.url, title = excluded.title, origin = 'api', config = excluded.config,
             seed_hash = NULL, paused = 0, license = excluded.license, license_override = NULL, max_age_ms = excluded.max_age_ms, next_fetch_at = 0,
             etag = CASE WHEN sources.url = excluded.url THEN sources.etag END,
             last_modified = CASE WHEN sources.url = excluded.url THEN sources.last_modified END
           WHERE sources.config IS NULL
           RETURNING id`,
        )
        .bind(config.id, config.url, config.title, stableJson(config), rights.license, rights.maxAgeMs)
        .first();
      return added !== null;
    },

    async update(id, config, paused) {
      if (!(await db.prepare('SELECT 1 AS found FROM sources WHERE id = ?1').bind(id).first())) return false;
      await writeConfig(id, config, paused).run();
      return true;
    },

    async remove(id) {
      if (!(await db.prepare('SELECT 1 AS found FROM sources WHERE id = ?1').bind(id).first())) return false;
      await db.batch([
        db.prepare('DELETE FROM items WHERE source_id = ?1').bind(id),
        db.prepare('DELETE FROM entry_hashes WHERE source_id = ?1').bind(id),
        db.prepare('DELETE FROM poll_history WHERE source_id = ?1').bind(id),
        db.prepare('DELETE FROM sources WHERE id = ?1').bind(id),
      ]);
      return true;
    },
  };
}

/** A source's poll state from its row. */
export function toSourceState(row: SourceStateRow): SourceState {
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

function toRecord(row: Row): SourceRecord {
  return {
    ...toSourceState(row),
    config: row.config === null ? null : (JSON.parse(row.config) as SourceConfig),
    origin: row.origin === 'api' ? 'api' : 'config',
    paused: row.paused === 1,
    license: row.license === 'restricted' ? 'restricted' : 'public',
    itemCount: row.item_count,
  };
}

/** A paging cursor: the last row's status rank and id, base64url JSON (opaque to clients). */
function encodeCursor(at: { rank: number; id: string }): string {
  return btoa(JSON.stringify([at.rank, at.id])).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decodeCursor(cursor: string | null | undefined): { rank: number; id: string } | null {
  if (!cursor) return null;
  try {
    const [rank, id] = JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))) as unknown[];
    if ((rank === 0 || rank === 1) && typeof id === 'string') return { rank, id };
  } catch {
    // Not base64 or not JSON: the same answer as a well-formed cursor of something else.
  }
  throw new CursorError('cursor: not a cursor of this list (pass the `next` of the previous page)');
}

/** A paging cursor that no page of this list gave. */
export class CursorError extends WirefeedError {
  constructor(message: string) {
    super('cursor', message);
  }
}

/** A poll saved for a source that was removed while it was polled: nothing of the poll is stored. */
export class SourceRemovedError extends WirefeedError {
  constructor(id: string) {
    super('removed', `source "${id}" was removed while it was polled: nothing of this poll was stored`);
  }
}
