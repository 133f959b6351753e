import type { NewsItem, SourceConfig, SourceErrorRecord, SourceState } from '../model.ts';
import { hash64 } from '../util/hash.ts';
import { createPageFetchStore, type PageFetchCounts, type PageFetchStore } from './page-fetches.ts';
import { pollHistoryStatements, readPollHistory, type PollHour } from './poll-history.ts';
import type { SqlDatabase, SqlStatement, SqlValue } from './sql.ts';
import { createLeases, type SourceLeases } from './leases.ts';
import { rightsColumnValues, rightsConditions } from './rights.ts';
import { createSourceStore, seedStatements, SourceRemovedError, toSourceState, type SourceStateRow, type SourceStore } from './sources.ts';
import { SEARCH_CANDIDATES, searchMatch } from './search.ts';
import { accessCondition, type ItemAccess } from './subscribers.ts';

export type { PollHour } from './poll-history.ts';
export type { SourceClaim, SourceLeases } from './leases.ts';

/** An item ready to be stored: the normalized story plus what queries need beside it. */
export interface ItemWrite {
  item: NewsItem;
  /** Upstream publication time in epoch ms; null keeps the time the item was first seen. */
  published: number | null;
  link: string | null;
  categories: string[];
  /** A teaser: never overwrites a full item with the same uri. */
  partial?: boolean;
  /** Content fingerprint: the same wire story from another source merges into the item already stored. */
  fingerprint?: string | null;
  /** uris of teasers this item replaces (deleted when they are still teasers). */
  supersedes?: string[];
}

/** What a saved poll left out. */
export interface SavedPoll {
  /** Uris of the items too large to store (a row over {@link MAX_ROW_BYTES}); the poll's other items were stored. */
  tooLarge: string[];
}

/** The poll state to save with a source (everything but its identity). */
export interface PollState {
  etag: string | null;
  lastModified: string | null;
  fetchedAt: number;
  nextFetchAt: number;
}

/**
 * How much of a source the store keeps. Items the current poll still carries are never removed, so a
 * story cannot vanish and come back on every refresh.
 */
export interface Retention {
  /** Items not changed for longer than this (ms) are removed. */
  maxAgeMs: number;
  /** The newest this many items of the source are kept. */
  maxItems: number;
}

/** Which stored items to list, newest first. Category names compare case-insensitively. */
export interface ItemQuery {
  /** Each group is "any of these categories"; an item must match every group. */
  categoryGroups: string[][];
  excludeCategories: string[];
  sources: string[];
  limit: number;
  /** Publication time bounds (epoch ms, inclusive). */
  since?: number | null;
  until?: number | null;
  /** Publication statuses to include; null for any. Default `['usable']`. */
  status?: string[] | null;
  /** `published` (default) or `ingested` (first seen), newest first. */
  order?: 'published' | 'ingested';
  /** Continue after this sort key and uri (a paging cursor). */
  before?: { key: number; id: string } | null;
  /** Restricted items the request is entitled to; absent: public items only. */
  access?: ItemAccess | null;
  /** The listing's time, for embargoes, expiries and maximum ages (absent: those rules are not applied). */
  now?: number | null;
  /** With the default status: stories killed since this time are listed too (as kill notices). */
  killNoticesSince?: number | null;
  /** Only these uris (push delivery asks which of its events' items a subscriber may receive). */
  ids?: string[] | null;
  /**
   * Words (case-folded) that must each occur in the headline, the main body or a summary, as substrings: the
   * store narrows the listing with its full-text index when the words are rare enough, and may still list
   * items that lack a word (words under three characters, escaped characters), so the caller tests them too.
   */
  words?: string[];
}

/** A stored item with its sort keys. */
export interface StoredItem {
  item: NewsItem;
  published: number;
  firstSeen: number;
}

/** What a known upstream entry gave when it was normalized: its items' uris and the teasers they replace. */
export interface EntryYield {
  uris: string[];
  supersedes: string[];
}

/**
 * One upstream entry a poll carried, by the hash of its raw form: what it gave when it was normalized in
 * this poll, or null when it was already known and skipped.
 */
export interface EntryRecord {
  hash: string;
  gave: EntryYield | null;
}

/** One stored item as the store keeps it: the item, its source, the upstream entry's link and its sort keys. */
export interface StoredItemRecord extends StoredItem {
  sourceId: string;
  /** The upstream entry's link, as the poll gave it. */
  link: string | null;
  /** A teaser ("Just Posted") that a full story may replace. */
  partial: boolean;
}

/** A source's state with the number of items it has in the store. */
export interface SourceStatus extends SourceState {
  itemCount: number;
  /** Full text: its article page fetches, when it has any. */
  pages?: PageFetchCounts | undefined;
}

/**
 * The store: sources with their poll state and leases, and items. Built over any `SqlDatabase` (SQLite or D1).
 * Saving a poll (`savePoll`, `saveNotModified`, `saveFailure`) frees the source's lease.
 */
export interface Store extends SourceLeases {
  /**
   * Seeds the configured sources (see `seedStatements`): new ones and those the file changed take the file's
   * configuration; the rest keep the store's (an admin API edit survives a restart).
   */
  syncSources(sources: SourceConfig[]): Promise<void>;
  /** The source catalogue: sources with their configuration, managed at run time. */
  sources: SourceStore;
  /** Sources (among `ids`) whose next poll time has come, most overdue first. */
  dueSources(ids: string[], now: number, limit: number): Promise<SourceState[]>;
  /** One source's state, or null. */
  getSource(id: string): Promise<SourceState | null>;
  /** Every known source with its item count. */
  listSources(): Promise<SourceStatus[]>;
  /**
   * Saves a successful poll: its items, the hashes of the entries it carried and the source's new state, in
   * one batch (all or nothing: a transaction, or a savepoint when a transaction is open, as in the poll
   * thread's group commits). Items of known (skipped) entries count as carried by the poll; without `entries`
   * the source's known hashes are forgotten.
   * @throws SourceRemovedError when the source was removed while it was polled (nothing of the poll is stored).
   */
  savePoll(sourceId: string, items: ItemWrite[], state: PollState, retention?: Retention, entries?: EntryRecord[]): Promise<SavedPoll>;
  /** The hashes of the entries the source's last poll carried, each with what it gave. */
  knownEntries(sourceId: string): Promise<Map<string, EntryYield>>;
  /** Saves a poll answered 304 Not Modified. */
  saveNotModified(sourceId: string, state: PollState): Promise<void>;
  /**
   * Records a failed poll; the source's items are kept. With `claim`, only while that claim still holds the
   * source's lease: a poll whose save (of any outcome) freed it, or a later claim, is left as it is, and the
   * answer is false.
   */
  saveFailure(sourceId: string, error: SourceErrorRecord, nextFetchAt: number, claim?: number): Promise<boolean>;
  /** Stored items matching the query, newest first. */
  listItems(query: ItemQuery): Promise<StoredItem[]>;
  /** When the newest `limit` full items of a source first arrived (epoch ms, newest first): its posting history. */
  recentArrivals(sourceId: string, limit: number): Promise<number[]>;
  /** One stored item by its uri, whatever its status, or null. */
  /**
   * One stored item by uri, as a public page may show it: null when it is missing, restricted (unless `access`
   * entitles it) or held back by the rights rules at `now` (advisory, embargoed, expired).
   */
  getItem(uri: string, options?: { access?: ItemAccess | null; now?: number }): Promise<StoredItemRecord | null>;
  /** Every source's (or those of `ids`) polls per UTC hour from `since` (epoch ms) on, oldest first (kept for 7 days). */
  pollHistory(since: number, ids?: string[]): Promise<PollHour[]>;
  /** A number that changes whenever any item is added, changed or removed. */
  dataVersion(): Promise<number>;
  /** Full text: the queue of article page fetches (`page-fetches.ts`), whose pages' items are stored as a poll's are. */
  pages: PageFetchStore;
}

interface SourceRow extends SourceStateRow {
  item_count?: number;
}

/** A listed row without its JSON: enough to find its parsed item (`ParsedItems.key`) and to order it. */
interface ItemKeyRow {
  id: string;
  alt_ids: string | null;
  version: number;
  published: number;
  first_seen: number;
  updated: number;
  content_hash: string;
}

interface ItemRow extends ItemKeyRow {
  data: string;
}

/** The columns of `ItemRow` on the items table `i`. */
const ITEM_ROW_COLUMNS = 'i.id, i.data, i.alt_ids, i.version, i.published, i.first_seen, i.updated, i.content_hash';

/** A source's posting history, read on every poll: from the covering index `items_source_arrivals` alone. */
export const RECENT_ARRIVALS_SQL = 'SELECT first_seen FROM items WHERE source_id = ?1 AND partial = 0 ORDER BY first_seen DESC LIMIT ?2';

/** Parsed items kept by a store (feeds re-list the same rows after every change of the data). */
const PARSED_ITEMS = 5000;

/**
 * Creates the store over a D1-shaped database whose migrations have been applied. `now` is the clock a
 * poll's save is timed by (its duration, in the poll history, runs from the poll's start to its save).
 */
export function createStore(db: SqlDatabase, options: { now?: () => number } = {}): Store {
  const now = options.now ?? Date.now;
  const parsed = new ParsedItems(PARSED_ITEMS);
  const pages = createPageFetchStore(db, async (sourceId, items, at) => (await itemWriteStatements(db, sourceId, uniqueByUri(items), at)).statements);
  const stateStatement = (sourceId: string, state: PollState, success: boolean): SqlStatement =>
    db
      .prepare(
        `UPDATE sources SET etag = ?2, last_modified = ?3, last_fetch_at = ?4, next_fetch_at = ?5,
           error_count = 0, last_error_kind = NULL, last_error_message = NULL, last_error_at = NULL,
           last_success_at = CASE WHEN ?6 THEN ?4 ELSE last_success_at END, claimed_until = 0
         WHERE id = ?1`,
      )
      .bind(sourceId, state.etag, state.lastModified, state.fetchedAt, state.nextFetchAt, success ? 1 : 0);

  return {
    ...createLeases(db),

    async syncSources(sources) {
      await db.batch(seedStatements(db, sources));
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
      const [{ results }, pageCounts] = await Promise.all([
        db
          .prepare(
            `SELECT s.*, (SELECT count(*) FROM items i WHERE i.source_id = s.id) AS item_count
             FROM sources s ORDER BY s.id`,
          )
          .all<SourceRow>(),
        pages.counts(),
      ]);
      return results.map((row) => {
        const counts = pageCounts.get(row.id);
        return { ...toSourceState(row), itemCount: row.item_count ?? 0, ...(counts ? { pages: counts } : {}) };
      });
    },

    async savePoll(sourceId, items, state, retention, entries) {
      const writes = uniqueByUri(items);
      // Read before the batch (polls of one source never overlap, and its uris are its own); in a group commit
      // these reads see what the group's earlier saves wrote.
      const { statements, tooLarge } = await itemWriteStatements(db, sourceId, writes, state.fetchedAt);
      statements.push(...entryStatements(db, sourceId, entries));
      if (retention) {
        // The poll carries the items it wrote and those of its known entries (still in entry_hashes now).
        const current = JSON.stringify(writes.map((w) => w.item.uri));
        const carried = `id NOT IN (SELECT value FROM json_each(?3))
          AND id NOT IN (SELECT j.value FROM entry_hashes e, json_each(e.uris) j WHERE e.source_id = ?1)`;
        statements.push(
          db
            .prepare(
              `DELETE FROM items WHERE source_id = ?1 AND updated < ?2 AND ${carried}`,
            )
            .bind(sourceId, state.fetchedAt - retention.maxAgeMs, current),
          db
            .prepare(
              // The rows past the newest maxItems, read off the index from the newest on: when the source has fewer,
              // the scan ends there and nothing else is looked at.
              `DELETE FROM items WHERE id IN (SELECT id FROM items WHERE source_id = ?1 ORDER BY published DESC, id DESC LIMIT -1 OFFSET ?2)
               AND ${carried}`,
            )
            .bind(sourceId, retention.maxItems, current),
        );
      }
      statements.push(stateStatement(sourceId, state, true));
      statements.push(...pollHistoryStatements(db, { sourceId, startedAt: state.fetchedAt, savedAt: now(), outcome: 'ok' }));
      await db.batch(statements);
      // Removed while it was polled: the batch's inserts were conditioned on its row and wrote nothing.
      if (!(await db.prepare('SELECT 1 AS found FROM sources WHERE id = ?1').bind(sourceId).first())) throw new SourceRemovedError(sourceId);
      return { tooLarge };
    },

    async knownEntries(sourceId) {
      const { results } = await db
        .prepare('SELECT hash, uris, supersedes FROM entry_hashes WHERE source_id = ?1')
        .bind(sourceId)
        .all<{ hash: string; uris: string; supersedes: string }>();
      return new Map(results.map((row) => [row.hash, { uris: JSON.parse(row.uris) as string[], supersedes: JSON.parse(row.supersedes) as string[] }]));
    },

    async saveNotModified(sourceId, state) {
      await db.batch([
        stateStatement(sourceId, state, true),
        ...pollHistoryStatements(db, { sourceId, startedAt: state.fetchedAt, savedAt: now(), outcome: 'not-modified' }),
      ]);
    },

    async saveFailure(sourceId, error, nextFetchAt, claim) {
      if (claim !== undefined) {
        const holds = await db.prepare('SELECT 1 AS held FROM sources WHERE id = ?1 AND claim_seq = ?2 AND claimed_until <> 0').bind(sourceId, claim).first();
        if (!holds) return false;
      }
      // Both writes are conditioned on the lease too (a claim lost after the check writes nothing), the history
      // first: the update frees the lease.
      const held = claim === undefined ? '' : ' AND claim_seq = ?6 AND claimed_until <> 0';
      await db.batch([
        ...pollHistoryStatements(db, { sourceId, startedAt: error.at, savedAt: now(), outcome: 'failure', claim }),
        db
          .prepare(
            `UPDATE sources SET last_fetch_at = ?2, next_fetch_at = ?3, error_count = error_count + 1,
               last_error_kind = ?4, last_error_message = ?5, last_error_at = ?2, claimed_until = 0
             WHERE id = ?1${held}`,
          )
          .bind(sourceId, error.at, nextFetchAt, error.kind, error.message, ...(claim === undefined ? [] : [claim])),
      ]);
      return true;
    },

    async listItems(query) {
      let candidates: number[] | null = null;
      const match = searchMatch(query.words);
      if (match) {
        // The index first: no candidate is an empty listing at once; few are the listing's only rows.
        const { results } = await db
          .prepare('SELECT rowid AS id FROM items_search WHERE items_search MATCH ?1 LIMIT ?2')
          .bind(match, SEARCH_CANDIDATES + 1)
          .all<{ id: number }>();
        if (results.length === 0) return [];
        if (results.length <= SEARCH_CANDIDATES) candidates = results.map((r) => r.id);
      }
      const { sql, params } = itemQuerySql(query, candidates);
      // The listing reads keys only, and the JSON of the rows not parsed yet: after a change of the data a feed
      // lists again hundreds of rows of which a few are new, and their bodies need not be read again.
      const { results } = await db.prepare(sql).bind(...params).all<ItemKeyRow>();
      const kept = results.map((row) => parsed.peek(row));
      const missing = results.filter((_, i) => kept[i] === undefined).map((row) => row.id);
      const fresh = new Map<string, ItemRow>();
      if (missing.length) {
        const rows = await db
          .prepare(`SELECT ${ITEM_ROW_COLUMNS} FROM items i WHERE i.id IN (SELECT value FROM json_each(?1))`)
          .bind(JSON.stringify(missing))
          .all<ItemRow>();
        for (const row of rows.results) fresh.set(row.id, row);
      }
      const listed: StoredItem[] = [];
      for (const [i, row] of results.entries()) {
        // A row read again is its state now: changed meanwhile, it is listed as it is; removed, it is left out.
        const current = kept[i] ? undefined : fresh.get(row.id);
        const item = kept[i] ?? (current && parsed.get(current));
        if (item) listed.push({ item, published: (current ?? row).published, firstSeen: (current ?? row).first_seen });
      }
      return listed;
    },

    async recentArrivals(sourceId, limit) {
      const { results } = await db
        .prepare(RECENT_ARRIVALS_SQL)
        .bind(sourceId, limit)
        .all<{ first_seen: number }>();
      return results.map((row) => row.first_seen);
    },

    async getItem(uri, options = {}) {
      const params: SqlValue[] = [uri];
      const bind = (value: SqlValue): string => {
        params.push(value);
        return `?${params.length}`;
      };
      const rules = [accessCondition(options.access, bind), ...rightsConditions(options.now ?? now(), bind)];
      const row = await db
        .prepare(`SELECT ${ITEM_ROW_COLUMNS}, i.source_id, i.link, i.partial FROM items i WHERE i.id = ?1 AND ${rules.join(' AND ')}`)
        .bind(...params)
        .first<ItemRow & { source_id: string; link: string | null; partial: number }>();
      if (!row) return null;
      return { item: parsed.get(row), published: row.published, firstSeen: row.first_seen, sourceId: row.source_id, link: row.link, partial: row.partial === 1 };
    },

    pollHistory: (since, ids) => readPollHistory(db, since, ids),

    sources: createSourceStore(db),

    pages,

    async dataVersion() {
      const row = await db.prepare(`SELECT value FROM meta WHERE key = 'data_version'`).first<{ value: number }>();
      return row?.value ?? 0;
    },
  };
}

/**
 * The statements that store items (deduplicated by uri), for a poll or an article page: each merged into a
 * syndicated copy stored from another source, else upserted. Reads first which incoming stories another
 * source already gave us in full, and what is stored under the incoming uris; the poll state is not touched.
 * The upserts are a few multi-row statements, not a few per item: SQLite's FTS5 writes out what the search
 * triggers gave it at every statement of the transaction, so statements per item made a segment per item.
 */
async function itemWriteStatements(db: SqlDatabase, sourceId: string, writes: ItemWrite[], at: number): Promise<{ statements: SqlStatement[]; tooLarge: string[] }> {
  const [merges, stored] = await Promise.all([findSyndicatedCopies(db, sourceId, writes), storedVersions(db, writes)]);
  const statements: SqlStatement[] = [];
  const tooLarge: string[] = [];
  const rows: EncodedRow[] = [];
  const superseded: string[] = [];
  for (const write of writes) {
    const copy = write.fingerprint ? merges.get(write.fingerprint) : undefined;
    if (copy) {
      const altIds = JSON.stringify([...new Set([...copy.altIds, ...(copy.link ? [copy.link] : []), ...(write.link ? [write.link] : [])])]);
      statements.push(db.prepare(`UPDATE items SET alt_ids = ?2, updated = ?3, version = version + 1 WHERE id = ?1 AND alt_ids IS NOT ?2`).bind(copy.id, altIds, at));
      // A kill of a syndicated copy kills the story wherever it was stored first.
      if (write.item.pubStatus === 'canceled') statements.push(killStatement(db, copy.id, at));
      continue;
    }
    const row = itemRowWrite(write, stored.get(write.item.uri));
    const encoded = row ? encodeRow(row) : null;
    // A story too large to store replaces nothing: its teasers stay (else the story would vanish from the feeds).
    if (encoded !== null && encoded.bytes + 2 > MAX_ROW_BYTES) {
      tooLarge.push(write.item.uri);
      continue;
    }
    for (const uri of write.supersedes ?? []) if (uri !== write.item.uri) superseded.push(uri);
    if (encoded !== null) rows.push(encoded);
  }
  // Rows with a publication time and rows without (which keep the stored one) are upserted apart.
  for (const dated of [true, false]) {
    for (const chunk of chunkRows(rows.filter((r) => (r.row[2] !== null) === dated))) statements.push(...itemRowStatements(db, sourceId, chunk, at, dated));
  }
  // The teasers the stored stories replace (still teasers: a full item under such a uri stays).
  if (superseded.length > 0) {
    statements.push(
      db.prepare(`DELETE FROM items WHERE partial = 1 AND id IN (SELECT value FROM json_each(?1))`).bind(JSON.stringify([...new Set(superseded)])),
    );
  }
  return { statements, tooLarge };
}

/** The statements that replace a source's known entry hashes with the poll's: drop the gone, add the new. */
function entryStatements(db: SqlDatabase, sourceId: string, entries: EntryRecord[] | undefined): SqlStatement[] {
  if (!entries) return [db.prepare('DELETE FROM entry_hashes WHERE source_id = ?1').bind(sourceId)];
  const fresh = entries.flatMap((e) => (e.gave ? [[e.hash, JSON.stringify(e.gave.uris), JSON.stringify(e.gave.supersedes)]] : []));
  const statements = [
    db
      .prepare('DELETE FROM entry_hashes WHERE source_id = ?1 AND hash NOT IN (SELECT value FROM json_each(?2))')
      .bind(sourceId, JSON.stringify(entries.map((e) => e.hash))),
  ];
  if (fresh.length > 0) {
    statements.push(
      db
        .prepare(
          `INSERT OR REPLACE INTO entry_hashes (source_id, hash, uris, supersedes)
           SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?2) WHERE EXISTS (SELECT 1 FROM sources WHERE id = ?1)`,
        )
        .bind(sourceId, JSON.stringify(fresh)),
    );
  }
  return statements;
}

/** The content hash and kind of what is stored under a uri. */
interface StoredVersion {
  hash: string;
  partial: boolean;
}

/** What is stored under the uris of the incoming writes. */
async function storedVersions(db: SqlDatabase, writes: ItemWrite[]): Promise<Map<string, StoredVersion>> {
  if (writes.length === 0) return new Map();
  const { results } = await db
    .prepare('SELECT id, content_hash, partial FROM items WHERE id IN (SELECT value FROM json_each(?1))')
    .bind(JSON.stringify(writes.map((w) => w.item.uri)))
    .all<{ id: string; content_hash: string; partial: number }>();
  return new Map(results.map((row) => [row.id, { hash: row.content_hash, partial: row.partial === 1 }]));
}

/** One item's row as a multi-row upsert reads it (a JSON array, see {@link itemRowStatements}). */
type ItemRowWrite = [uri: string, link: string | null, published: number | null, contentHash: string, data: string, status: string, partial: 0 | 1, fingerprint: string | null, categories: string[], replaces: 0 | 1];

/**
 * One item's row to upsert, or null when the write would change nothing given what is `stored`: the same
 * content, or a teaser that must not overwrite the full story.
 */
function itemRowWrite(write: ItemWrite, stored: StoredVersion | undefined): ItemRowWrite | null {
  const { version: _v, firstCreated: _f, versionCreated: _c, altIds: _a, ...content } = write.item;
  const data = JSON.stringify(content);
  const contentHash = hash64(data);
  const partial = write.partial ? 1 : 0;
  if (stored && (stored.hash === contentHash || (partial === 1 && !stored.partial))) return null;
  const categories = [...new Set(write.categories.map((c) => c.toLowerCase()))];
  return [write.item.uri, write.link, write.published, contentHash, data, write.item.pubStatus ?? 'usable', partial, write.fingerprint ?? null, categories, stored ? 1 : 0];
}

/**
 * Rows per upsert statement at most, and the UTF-8 bytes of their bound JSON at most: D1 binds a value of up to
 * 2,000,000 bytes (and stores a row of up to as much), so a chunk stays well under it.
 */
const ROWS_PER_STATEMENT = 100;
export const ROW_BYTES_PER_STATEMENT = 1_000_000;
/**
 * An item whose row alone binds more than this (D1's limit on a bound value and on a stored row) cannot be stored
 * there: it is left out of the poll's writes, on both runtimes, so that its source's save does not fail on every
 * poll; the poll's other items are stored.
 */
export const MAX_ROW_BYTES = 2_000_000;

/** A row to upsert with its JSON (as the statement binds it) and that JSON's UTF-8 length. */
interface EncodedRow {
  row: ItemRowWrite;
  json: string;
  bytes: number;
}

/** The UTF-8 length of `text`: one byte per ASCII character, two or three for others (a surrogate pair: four). */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    // 0x80–0x7ff: two bytes; a surrogate half: two of a pair's four; the rest of the BMP: three.
    bytes += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return bytes;
}

function encodeRow(row: ItemRowWrite): EncodedRow {
  const json = JSON.stringify(row);
  return { row, json, bytes: utf8Length(json) };
}

/** Chunks of rows, each under {@link ROWS_PER_STATEMENT} and {@link ROW_BYTES_PER_STATEMENT} (a larger row alone). */
function chunkRows(rows: EncodedRow[]): EncodedRow[][] {
  const chunks: EncodedRow[][] = [];
  let chunk: EncodedRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = row.bytes + 1; // and the comma between rows
    if (chunk.length > 0 && (chunk.length >= ROWS_PER_STATEMENT || bytes + size > ROW_BYTES_PER_STATEMENT)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(row);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * The statements that store a chunk of item rows: the category rows of the changed ones dropped, the upserts
 * by uri, and the category rows of what was stored. Each statement keeps the guards it had per item. Rows not
 * `dated` (no publication time) keep the stored item's.
 */
function itemRowStatements(db: SqlDatabase, sourceId: string, encoded: EncodedRow[], now: number, dated: boolean): SqlStatement[] {
  const json = `[${encoded.map((e) => e.json).join(',')}]`;
  const rows = encoded.map((e) => e.row);
  // The category statements read the rows without their data (each row's JSON is parsed again per row).
  const keys = JSON.stringify(rows.map((r) => [r[0], null, null, r[3], null, null, r[6], null, r[8], r[9]]));
  const statements: SqlStatement[] = [];
  if (rows.some((r) => r[9] === 1)) {
    statements.push(
      // A changed item gets its category rows rebuilt; an unchanged one, or a full one a teaser would overwrite, is left alone.
      db
        .prepare(
          `DELETE FROM item_categories WHERE item_id IN (
             SELECT json_extract(j.value, '$[0]') FROM json_each(?1) j
             WHERE json_extract(j.value, '$[9]') = 1 AND NOT EXISTS (
               SELECT 1 FROM items WHERE id = json_extract(j.value, '$[0]')
               AND (content_hash = json_extract(j.value, '$[3]') OR (json_extract(j.value, '$[6]') = 1 AND partial = 0))))`,
        )
        .bind(keys),
    );
  }
  statements.push(
    db
      .prepare(
        `INSERT INTO items (id, source_id, link, published, first_seen, updated, version, content_hash, data, status, partial, fingerprint, headline_start, embargoed, expires)
         SELECT json_extract(j.value, '$[0]'), ?2, json_extract(j.value, '$[1]'), COALESCE(json_extract(j.value, '$[2]'), ?3), ?3, ?3, 1,
           json_extract(j.value, '$[3]'), json_extract(j.value, '$[4]'), json_extract(j.value, '$[5]'), json_extract(j.value, '$[6]'), json_extract(j.value, '$[7]'),
           ${rightsColumnValues("json_extract(j.value, '$[4]')")}
         FROM json_each(?1) j WHERE EXISTS (SELECT 1 FROM sources WHERE id = ?2)
         ON CONFLICT (id) DO UPDATE SET
           source_id = excluded.source_id, link = excluded.link,
           published = ${dated ? 'excluded.published' : 'items.published'},
           updated = excluded.updated,
           version = items.version + 1, content_hash = excluded.content_hash, data = excluded.data,
           status = excluded.status, partial = excluded.partial, fingerprint = excluded.fingerprint,
           headline_start = excluded.headline_start, embargoed = excluded.embargoed, expires = excluded.expires
         WHERE items.content_hash <> excluded.content_hash AND (excluded.partial = 0 OR items.partial = 1)`,
      )
      .bind(json, sourceId, now),
    // Category rows follow the stored item only when it is this write's version.
    db
      .prepare(
        `INSERT OR IGNORE INTO item_categories (category, published, item_id)
         SELECT c.value, i.published, i.id FROM json_each(?1) j, items i, json_each(j.value, '$[8]') c
         WHERE i.id = json_extract(j.value, '$[0]') AND i.content_hash = json_extract(j.value, '$[3]')`,
      )
      .bind(keys),
  );
  return statements;
}

/** Marks a stored item killed (status and the ninjs `pubStatus` of its data), once. */
function killStatement(db: SqlDatabase, id: string, now: number): SqlStatement {
  return db
    .prepare(
      `UPDATE items SET status = 'canceled', data = json_set(data, '$.pubStatus', 'canceled'), updated = ?2, version = version + 1
       WHERE id = ?1 AND status <> 'canceled'`,
    )
    .bind(id, now);
}

function uniqueByUri(items: ItemWrite[]): ItemWrite[] {
  const byUri = new Map<string, ItemWrite>();
  for (const write of items) {
    const prior = byUri.get(write.item.uri);
    // Feeds repeat entries: the first occurrence wins, but a full story wins over a teaser.
    if (!prior || (prior.partial && !write.partial)) byUri.set(write.item.uri, write);
  }
  return [...byUri.values()];
}

interface SyndicatedCopy {
  id: string;
  link: string | null;
  altIds: string[];
}

/** Full items from other sources with the fingerprints of the incoming writes. */
async function findSyndicatedCopies(db: SqlDatabase, sourceId: string, writes: ItemWrite[]): Promise<Map<string, SyndicatedCopy>> {
  const prints = [...new Set(writes.map((w) => w.fingerprint).filter((f): f is string => !!f))];
  const found = new Map<string, SyndicatedCopy>();
  if (prints.length === 0) return found;
  const { results } = await db
    .prepare(
      `SELECT id, link, alt_ids, fingerprint FROM items
       WHERE fingerprint IN (SELECT value FROM json_each(?1)) AND source_id <> ?2 AND partial = 0
       ORDER BY first_seen`,
    )
    .bind(JSON.stringify(prints), sourceId)
    .all<{ id: string; link: string | null; alt_ids: string | null; fingerprint: string }>();
  for (const row of results) {
    if (!found.has(row.fingerprint)) {
      found.set(row.fingerprint, { id: row.id, link: row.link, altIds: row.alt_ids ? (JSON.parse(row.alt_ids) as string[]) : [] });
    }
  }
  return found;
}

/**
 * Builds the item listing query; exported for the benchmark's query plans. With `candidates` (rowids the
 * search index found), the listing reads those rows only, every category group a condition on them.
 */
export function itemQuerySql(query: ItemQuery, candidates: number[] | null = null): { sql: string; params: SqlValue[] } {
  const params: SqlValue[] = [];
  const bind = (value: SqlValue): string => {
    params.push(value);
    return `?${params.length}`;
  };
  const groups = query.categoryGroups.map(lowerUnique).filter((g) => g.length > 0);
  const ingested = query.order === 'ingested';
  const columns = 'i.id, i.alt_ids, i.version, i.published, i.first_seen, i.updated, i.content_hash';
  const limit = bind(query.limit);
  if (candidates) {
    const key = ingested ? 'i.first_seen' : 'i.published';
    const where = [`i.rowid IN (SELECT value FROM json_each(${bind(JSON.stringify(candidates))}))`, ...itemFilters(query, groups, key, 'i.id', bind)];
    return { sql: `SELECT ${columns} FROM items i ${whereClause(where)} ORDER BY ${key} DESC, i.id DESC LIMIT ${limit}`, params };
  }
  // Ingest order has no category index to walk: every group is then a condition.
  const first = ingested ? undefined : groups[0];
  const rest = ingested ? groups : groups.slice(1);

  if (!first) {
    const key = ingested ? 'i.first_seen' : 'i.published';
    const where = itemFilters(query, rest, key, 'i.id', bind);
    return { sql: `SELECT ${columns} FROM items i ${whereClause(where)} ORDER BY ${key} DESC, i.id DESC LIMIT ${limit}`, params };
  }
  // "Newest N in any of these categories": one walk of the (category, published) index per category, each
  // stopping after N matches, merged. The cost follows N, not the size of the store.
  const filters = itemFilters(query, rest, 'c.published', 'c.item_id', bind);
  const walk = (category: string): string =>
    `SELECT c.item_id AS item_id, c.published AS published FROM item_categories c JOIN items i ON i.id = c.item_id
     ${whereClause([`c.category = ${bind(category)}`, ...filters])} ORDER BY c.published DESC, c.item_id DESC LIMIT ${limit}`;
  if (first.length === 1) {
    const sql = `SELECT ${columns} FROM item_categories c JOIN items i ON i.id = c.item_id
      ${whereClause([`c.category = ${bind(first[0]!)}`, ...filters])} ORDER BY c.published DESC, c.item_id DESC LIMIT ${limit}`;
    return { sql, params };
  }
  const merged = first.map((category) => `SELECT * FROM (${walk(category)})`).join(' UNION ALL ');
  const sql = `SELECT ${columns} FROM (SELECT item_id, max(published) AS published FROM (${merged}) GROUP BY item_id) u
    JOIN items i ON i.id = u.item_id ORDER BY u.published DESC, u.item_id DESC LIMIT ${limit}`;
  return { sql, params };
}

/** The conditions every listing applies, on the walked table's sort key and tie-breaker. */
function itemFilters(query: ItemQuery, groups: string[][], key: string, tie: string, bind: (value: SqlValue) => string): string[] {
  const where: string[] = [accessCondition(query.access, bind), ...rightsConditions(query.now, bind)];
  for (const group of groups) {
    where.push(
      `EXISTS (SELECT 1 FROM item_categories g WHERE g.item_id = i.id AND g.category IN (SELECT value FROM json_each(${bind(JSON.stringify(group))})))`,
    );
  }
  const exclude = lowerUnique(query.excludeCategories);
  if (exclude.length > 0) {
    where.push(
      `NOT EXISTS (SELECT 1 FROM item_categories x WHERE x.item_id = i.id AND x.category IN (SELECT value FROM json_each(${bind(JSON.stringify(exclude))})))`,
    );
  }
  if (query.ids) where.push(`i.id IN (SELECT value FROM json_each(${bind(JSON.stringify(query.ids))}))`);
  if (query.sources.length > 0) {
    where.push(`i.source_id IN (SELECT value FROM json_each(${bind(JSON.stringify(query.sources))}))`);
  }
  const status = query.status === undefined ? ['usable'] : query.status;
  if (status !== null) {
    const listed = status.length === 1 ? `i.status = ${bind(status[0]!)}` : `i.status IN (SELECT value FROM json_each(${bind(JSON.stringify(status))}))`;
    where.push(query.killNoticesSince == null ? listed : `(${listed} OR (i.status = 'canceled' AND i.updated >= ${bind(query.killNoticesSince)}))`);
  }
  if (query.since != null) where.push(`${key} >= ${bind(query.since)}`);
  if (query.until != null) where.push(`${key} <= ${bind(query.until)}`);
  if (query.before) where.push(`(${key}, ${tie}) < (${bind(query.before.key)}, ${bind(query.before.id)})`);
  return where;
}

function whereClause(conditions: string[]): string {
  return conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
}

function lowerUnique(values: string[]): string[] {
  return [...new Set(values.map((v) => v.toLowerCase()))];
}

type StoredContent = Omit<NewsItem, 'version' | 'firstCreated' | 'versionCreated'>;

/**
 * The stored rows as items, by uri and the row's version, times and alternate ids (a row removed and stored
 * again has new times), least recently used out first. Items are deeply frozen: every listing shares them, so
 * the same row state is the same object (publishing keeps what it derives from an item by that identity).
 */
class ParsedItems {
  readonly #entries = new Map<string, NewsItem>();
  constructor(readonly max: number) {}

  /** Every write of a row's JSON bumps its version, and new content has a new hash: the key covers both. */
  static key(row: ItemKeyRow): string {
    return `${row.id}\u0000${row.version}\u0000${row.first_seen}\u0000${row.updated}\u0000${row.content_hash}\u0000${row.alt_ids ?? ''}`;
  }

  /** The parsed item of this row state, if kept (it becomes the most recently used, as with `get`). */
  peek(row: ItemKeyRow): NewsItem | undefined {
    const key = ParsedItems.key(row);
    const item = this.#entries.get(key);
    if (item !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, item);
    }
    return item;
  }

  get(row: ItemRow): NewsItem {
    const kept = this.peek(row);
    if (kept !== undefined) return kept;
    const item = deepFreeze(itemOf(row, JSON.parse(row.data) as StoredContent));
    if (this.#entries.size >= this.max) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(ParsedItems.key(row), item);
    return item;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

function itemOf(row: ItemRow, content: StoredContent): NewsItem {
  const altIds = row.alt_ids ? (JSON.parse(row.alt_ids) as string[]).map((value) => ({ role: 'link', value })) : undefined;
  return {
    ...content,
    ...(altIds ? { altIds } : {}),
    version: String(row.version),
    firstCreated: new Date(row.first_seen).toISOString(),
    versionCreated: new Date(row.updated).toISOString(),
  };
}

