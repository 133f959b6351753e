/**
 * Store benchmark: the listing queries the feeds run, timed as the store grows (10k → 100k → 1M items) in a
 * temp SQLite file whose schema comes from `openSqlite` (the real migrations). Items and their category rows
 * are bulk-inserted with better-sqlite3, one transaction per chunk, the way `savePoll` would leave them.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ALL_FEED } from '../src/http/app.ts';
import { collectPage, MAX_SCAN } from '../src/publish/collect.ts';
import { parseFeedRequest } from '../src/publish/filter.ts';
import { openSqlite } from '../src/runtime/sqlite.ts';
import { createStore, itemQuerySql, type ItemQuery, type Store } from '../src/store/store.ts';
import { hash64 } from '../src/util/hash.ts';
import { makeStory, rng, storyWrite, zipfCategories } from './fixtures.ts';
import { summarize } from './stats.ts';
import type Database from 'better-sqlite3';

export const CATEGORY_COUNT = 20;
const CATEGORIES = Array.from({ length: CATEGORY_COUNT }, (_v, i) => `cat-${i}`);
const SOURCES = Array.from({ length: 5 }, (_v, i) => `src-${i}`);
const CHUNK = 50_000;
/** Page cache while filling (KiB); the timed queries run with SQLite's default (2 MB), as the service does. */
const FILL_CACHE_KIB = 1_000_000;
/** Item k is published at START + k × 30 s (plus jitter below 30 s): 1M items span about eleven months. */
const START = Date.UTC(2025, 0, 1);
const STEP = 30_000;
/** A fixed "now" for the request parser, after the newest item. */
const NOW = Date.UTC(2026, 0, 1);

/** The oldest items also carry `cat-old`: a category that went quiet (an event that is over). */
const OLD_ITEMS = 2000;
/** Time budget of one timed case at one size (each round gets its share); each case also has a rep cap. */
const CASE_BUDGET_MS = 4000;
/** Rounds over all the cases at one size. */
const ROUNDS = 3;

/** One timed case: how the store is asked, and at most how many repetitions. */
interface Case {
  key: string;
  label: string;
  reps: number;
  run(store: Store): Promise<number>;
  /** The query whose plan is shown (for `collectPage`, the second page's: it carries the cursor). */
  plan: ItemQuery;
  /** Also time this query's SQL alone (better-sqlite3 `.all()`, no JSON decoding of the rows). */
  sqlOnly?: boolean;
  /**
   * Whether the store is big enough for the case's work to have reached its bound (the `q=` scan stops at
   * MAX_SCAN items looked at); sizes below are shown but not judged for flatness.
   */
  saturated?(cat3Count: number): boolean;
  /** A note printed under the table. */
  note?: string;
  /** Whether to warm up before sampling (default true). */
  warmup?: boolean;
  /** Rows the call reads or walks (measured once after the timing), to tell data from store size. */
  rows?(raw: Database.Database, store: Store): Promise<number>;
}

export interface Sample {
  median: number;
  p99: number;
  /** Samples taken. */
  n: number;
}

export interface CaseResult extends Sample {
  key: string;
  label: string;
  note?: string | undefined;
  /** Items the call returned (feed items for the `q=` cases). */
  returned: number;
  saturated: boolean;
  /** The SQL alone, when timed. */
  sql?: Sample;
  /** Rows the call reads (feed pages) or walks (the EXISTS plan), when known. */
  rows?: number;
}

export interface SizeResult {
  size: number;
  fillSeconds: number;
  fileMB: number;
  cat3Share: number;
  cases: CaseResult[];
  plans: Record<string, string>;
}

export interface StoreReport {
  sizes: SizeResult[];
  /** `savePoll` of one poll's items, at each size. */
  savePoll: { size: number; cases: SavePollResult[] }[];
  chunk: number;
  categories: number;
  oldItems: number;
  qWordShare: number;
}

const query = (...categories: string[]): ItemQuery => ({ categoryGroups: [categories], excludeCategories: [], sources: [], limit: 50 });

function listCase(key: string, label: string, q: ItemQuery, reps: number, extra: Partial<Case> = {}): Case {
  return { key, label, reps, run: async (s) => (await s.listItems(q)).length, plan: q, sqlOnly: true, ...extra };
}

/**
 * A multi-category case on the EXISTS plan (`SCAN i USING INDEX items_published`, newest first, until `limit`
 * match). Rows walked: every item at least as new as the last one returned, or the whole table when fewer match.
 */
function walkCase(key: string, label: string, q: ItemQuery, reps: number, extra: Partial<Case> = {}): Case {
  let lastPublished = Number.NEGATIVE_INFINITY;
  return listCase(key, label, q, reps, {
    run: async (s) => {
      const found = await s.listItems(q);
      lastPublished = found.length === q.limit ? found.at(-1)!.published : Number.NEGATIVE_INFINITY;
      return found.length;
    },
    rows: async (raw) => (raw.prepare('SELECT count(*) AS n FROM items WHERE published >= ?').get(lastPublished) as { n: number }).n,
    ...extra,
  });
}

function feedCase(key: string, label: string, search: string, reps: number, extra: Partial<Case> = {}, index = true): Case {
  const parsed = parseFeedRequest(ALL_FEED, new URLSearchParams(search), NOW);
  // Without the search index: the same request with no words for the store, so only the text test decides.
  const { words: _words, ...unindexed } = parsed.query;
  const request = index ? parsed : { ...parsed, query: unindexed };
  return {
    key,
    label,
    reps,
    run: async (store) => (await collectPage(store, request)).items.length,
    plan: { ...request.query, limit: 100, before: { key: NOW, id: 'urn:x' } },
    // Rows the pages bring back from the store: how much text the request looks at.
    rows: async (_raw, store) => {
      let read = 0;
      const counting: Store = { ...store, listItems: async (q) => {
        const rows = await store.listItems(q);
        read += rows.length;
        return rows;
      } };
      await collectPage(counting, request);
      return read;
    },
    ...extra,
  };
}

const CASES: Case[] = [
  listCase('one', 'one category (`cat-3`), newest 50', query('cat-3'), 400),
  walkCase('two', 'two categories (`cat-3` or `cat-7`), newest 50', query('cat-3', 'cat-7'), 200),
  walkCase('rare', 'two rare categories (`cat-18` or `cat-19`), newest 50', query('cat-18', 'cat-19'), 100),
  walkCase(
    'stale',
    'two categories, both quiet (`cat-old` or `cat-none`), newest 50',
    query('cat-old', 'cat-none'),
    2,
    {
      // Seconds per call at 1M: two samples, no warm-up (a scan of the whole index warms itself), and the
      // SQL alone is not timed apart (it is nearly all of it).
      sqlOnly: false,
      warmup: false,
      note: `\`cat-old\` is on the oldest ${OLD_ITEMS.toLocaleString('en-US')} items only and \`cat-none\` on none: a feed for two categories that went quiet (an event that is over). The same single-category feed \`cat-old\` walks its index range instead.`,
    },
  ),
  listCase('staleone', 'one quiet category (`cat-old`), newest 50', query('cat-old'), 200),
  feedCase('q', '`?category=cat-3&q=council` via `collectPage`', 'category=cat-3&q=council', 40),
  feedCase('qnone', `\`?category=cat-3&q=zeppelin\` (no match)`, 'category=cat-3&q=zeppelin', 6, {
    saturated: (cat3) => cat3 >= MAX_SCAN,
    note: `No item matches: the store's search index (migration 0010, FTS5 trigrams) has no candidate, so \`collectPage\` gets an empty page at once.`,
  }),
  feedCase(
    'qnonescan',
    `\`?category=cat-3&q=zeppelin\` (no match) without the index: the scan as before`,
    'category=cat-3&q=zeppelin',
    6,
    {
      saturated: (cat3) => cat3 >= MAX_SCAN,
      note: `The same request with its words kept from the store (as before migration 0010): \`collectPage\` looks at up to MAX_SCAN = ${MAX_SCAN} items, decoding each, then stops with a cursor. Below ${MAX_SCAN} cat-3 items (the 10k store) it looks at fewer, so only the larger sizes are judged.`,
    },
    false,
  ),
];

/** Distinct stories the fill draws its text from (generating a million from scratch takes too long). */
const POOL_SIZE = 4096;

/** Appends items `from`..`to-1` (and their category rows), one transaction per chunk. */
export function fill(raw: Database.Database, from: number, to: number): void {
  const insertItem = raw.prepare(
    `INSERT INTO items (id, source_id, link, published, first_seen, updated, version, content_hash, data, status, partial, fingerprint)
     VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, 0, NULL)`,
  );
  const insertCategory = raw.prepare('INSERT INTO item_categories (category, published, item_id) VALUES (?, ?, ?)');
  const poolRng = rng(42);
  // Two or three paragraphs: realistic text for the `q=` scans, and a 1M-item file of about 2 GB.
  // Each pooled story as the JSON `savePoll` stores (no version, firstCreated, versionCreated, altIds), minus
  // the fields every item has its own of; those are spliced in per item (building objects is too slow).
  const pool = Array.from({ length: POOL_SIZE }, (_v, n) => {
    const story = makeStory(poolRng, n, { source: 'pool', published: START, categories: [], paragraphs: 2 + (n % 2), picture: n % 5 === 0 });
    const { version: _v1, firstCreated: _f, versionCreated: _c, altIds: _a, uri: _u, contentCreated: _cc, subjects: _s, renditions: _r, ...rest } = story;
    return JSON.stringify(rest).slice(1);
  });
  const chunk = raw.transaction((start: number, end: number) => {
    const r = rng(start + 1);
    for (let k = start; k < end; k++) {
      const source = SOURCES[k % SOURCES.length]!;
      const published = START + k * STEP + Math.floor(r() * STEP);
      const categories = zipfCategories(r, CATEGORIES);
      if (k < OLD_ITEMS) categories.push('cat-old');
      const tail = pool[Math.floor(r() * POOL_SIZE)]!;
      const uri = `urn:wirefeed:${source}:${k.toString(36).padStart(7, '0')}`;
      const href = `https://news.example/${source}/story-${k}`;
      const subjects = categories.map((c) => `{"name":"${c}"}`).join(',');
      const data = `{"uri":"${uri}","contentCreated":"${new Date(published).toISOString()}","subjects":[${subjects}],"renditions":[{"name":"web","href":"${href}","contentType":"text/html"}],${tail}`;
      const seen = published + 60_000;
      const status = r() < 0.005 ? 'canceled' : 'usable';
      // content_hash only detects changes on re-ingest; a hash of the uri keeps the fill fast.
      insertItem.run(uri, source, href, published, seen, seen, hash64(uri), data, status);
      for (const c of categories) insertCategory.run(c, published, uri);
    }
  });
  for (let start = from; start < to; start += CHUNK) chunk(start, Math.min(to, start + CHUNK));
}

/** `EXPLAIN QUERY PLAN` of the store's own SQL for `query`, as an indented tree. */
export function queryPlan(raw: Database.Database, query: ItemQuery): string {
  const { sql, params } = itemQuerySql(query);
  // better-sqlite3 binds `?NNN` parameters by name: { 1: v1, 2: v2, … }.
  const rows = raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(Object.fromEntries(params.map((v, i) => [i + 1, v]))) as {
    id: number;
    parent: number;
    detail: string;
  }[];
  const depth = new Map<number, number>([[0, -1]]);
  return rows
    .map((row) => {
      const d = (depth.get(row.parent) ?? -1) + 1;
      depth.set(row.id, d);
      return `${'  '.repeat(d)}${row.detail}`;
    })
    .join('\n');
}

// A full collection before each batch of samples, so the fill's garbage does not land in them.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A timed call and its samples, filled over several rounds. */
class Timer<T> {
  readonly samples: number[] = [];
  last: T | undefined;
  constructor(
    readonly reps: number,
    readonly run: () => T | Promise<T>,
  ) {}

  /** Warm-up: up to 3 calls, but a slow call (a scan) is warm-up enough on its own. */
  async warm(): Promise<void> {
    const start = performance.now();
    this.last = await this.run();
    for (let i = 1; i < Math.min(3, this.reps) && performance.now() - start < 250; i++) this.last = await this.run();
  }

  /**
   * One round's share of the samples: up to reps/ROUNDS calls within budget/ROUNDS, at least one per round
   * unless the case has used its whole budget already (a call of several seconds is sampled once).
   */
  async round(): Promise<void> {
    const quota = Math.ceil(this.reps / ROUNDS);
    const spent = this.samples.reduce((a, b) => a + b, 0);
    if (this.samples.length > 0 && spent >= CASE_BUDGET_MS) return;
    const start = performance.now();
    for (let i = 0; i < quota && this.samples.length < this.reps && (i < 1 || performance.now() - start < CASE_BUDGET_MS / ROUNDS); i++) {
      const t0 = performance.now();
      this.last = await this.run();
      this.samples.push(performance.now() - t0);
    }
  }

  summary(): Sample {
    return summarize(this.samples);
  }
}

/**
 * Times every case at the current size: a warm-up each, then ROUNDS rounds over all the cases (a full GC before
 * each batch), so that a burst of background load spreads over the cases instead of landing on one.
 */
async function timeCases(raw: Database.Database, store: Store, cat3Count: number): Promise<CaseResult[]> {
  const timers = CASES.map((c) => {
    let sql: Timer<unknown> | null = null;
    if (c.sqlOnly) {
      const { sql: text, params } = itemQuerySql(c.plan);
      const stmt = raw.prepare(text);
      // better-sqlite3 binds `?NNN` parameters by name: { 1: v1, 2: v2, … }.
      const binds = Object.fromEntries(params.map((v, i) => [i + 1, v]));
      sql = new Timer<unknown>(c.reps, () => stmt.all(binds));
    }
    return { c, store: new Timer(c.reps, () => c.run(store)), sql };
  });
  for (const t of timers) {
    if (t.c.warmup === false) continue;
    await t.store.warm();
    await t.sql?.warm();
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const t of timers) {
      gc();
      await t.store.round();
      if (t.sql) {
        gc();
        await t.sql.round();
      }
    }
  }
  const results: CaseResult[] = [];
  for (const { c, store: s, sql } of timers) {
    results.push({
      key: c.key,
      label: c.label,
      note: c.note,
      returned: s.last ?? 0,
      saturated: c.saturated?.(cat3Count) ?? true,
      ...s.summary(),
      ...(sql ? { sql: sql.summary() } : {}),
      ...(c.rows ? { rows: await c.rows(raw, store) } : {}),
    });
  }
  return results;
}

/** Items of the timed `savePoll` (a large wire feed's window). */
export const SAVE_POLL_ITEMS = 300;
const SAVE_POLL_REPS = 12;
const SAVE_SOURCE = 'bench-save';

/** One timed `savePoll` case. */
export interface SavePollResult {
  key: string;
  label: string;
  median: number;
  p99: number;
  n: number;
}

/**
 * Times `store.savePoll` of one poll of SAVE_POLL_ITEMS stories (5 paragraphs, 3 categories, a fingerprint,
 * the service's default retention) on a source of its own, in the store as filled: every story new; the
 * same stories again, unchanged (what every poll wrote before entry hashes); and the poll as it is now when
 * 3 entries changed (3 items written, the other entries known by their hash). The source's items are
 * removed afterwards so the listing sizes stay as filled.
 */
async function timeSavePoll(raw: Database.Database, store: Store): Promise<SavePollResult[]> {
  const retention = { maxAgeMs: 30 * 86_400_000, maxItems: 2000 };
  const writesOf = (rep: number, edited = -1) => {
    const r = rng(1000 + rep);
    return Array.from({ length: SAVE_POLL_ITEMS }, (_v, i) => {
      const published = NOW - i * 60_000;
      const story = makeStory(r, rep * SAVE_POLL_ITEMS + i, { source: SAVE_SOURCE, published, categories: ['Politics', 'Alberta', `Topic ${i % 7}`], paragraphs: 5, picture: i % 3 === 0 });
      if (i < 3 && edited >= 0) story.headlines = [{ role: 'main', contentType: 'text/plain', value: `${story.headlines?.[0]?.value ?? ''} (update ${edited})` }];
      return { ...storyWrite(story, published), fingerprint: `fp1:bench:${rep}:${i}` };
    });
  };
  const entries = (rep: number, changed: number) =>
    Array.from({ length: SAVE_POLL_ITEMS }, (_v, i) => ({ hash: `h:${rep}:${i}:${i < changed ? 'x' : ''}`, gave: i < changed ? { uris: [`u${i}`], supersedes: [] } : null }));
  const state = (at: number) => ({ etag: null, lastModified: null, fetchedAt: NOW + at, nextFetchAt: 0 });
  const samples = { fresh: [] as number[], same: [] as number[], hashed: [] as number[] };
  const time = async (into: number[], f: () => Promise<unknown>) => {
    gc();
    const t0 = performance.now();
    await f();
    into.push(performance.now() - t0);
  };
  await store.syncSources([{ id: SAVE_SOURCE, url: 'https://bench-save.invalid/feed', title: SAVE_SOURCE, interval: 15, categories: [], allowPrivateNetwork: false }]);
  for (let rep = -1; rep < SAVE_POLL_REPS; rep++) {
    const sink = rep < 0 ? [] : undefined; // the first round warms up
    const writes = writesOf(rep + 1);
    await time(sink ?? samples.fresh, () => store.savePoll(SAVE_SOURCE, writes, state(rep * 3), retention));
    await time(sink ?? samples.same, () => store.savePoll(SAVE_SOURCE, writes, state(rep * 3 + 1), retention));
    const changed = writesOf(rep + 1, rep + 1).slice(0, 3);
    await time(sink ?? samples.hashed, () => store.savePoll(SAVE_SOURCE, changed, state(rep * 3 + 2), retention, entries(rep + 1, 3)));
    raw.prepare('DELETE FROM items WHERE source_id = ?').run(SAVE_SOURCE);
    raw.prepare('DELETE FROM entry_hashes WHERE source_id = ?').run(SAVE_SOURCE);
  }
  const n = SAVE_POLL_ITEMS;
  return [
    { key: 'fresh', label: `savePoll of ${n} items, all new`, ...summarize(samples.fresh) },
    { key: 'same', label: `savePoll of ${n} items, all unchanged (every poll before entry hashes)`, ...summarize(samples.same) },
    { key: 'hashed', label: `savePoll of a ${n}-entry poll with 3 changed (3 items written, ${n - 3} entries known by hash)`, ...summarize(samples.hashed) },
  ];
}

/** Runs the store benchmark over growing sizes; `log` gets progress lines. */
export async function runStoreBench(sizes: number[], log: (line: string) => void): Promise<StoreReport> {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-bench-store-'));
  const dbPath = join(dir, 'store.db');
  const handle = openSqlite(dbPath);
  try {
    const store = createStore(handle.db);
    await store.syncSources(SOURCES.map((id) => ({ id, url: `https://${id}.invalid/feed`, title: id, interval: 15, categories: [], allowPrivateNetwork: false })));
    const raw = handle.raw;
    const results: SizeResult[] = [];
    const savePoll: StoreReport['savePoll'] = [];
    let count = 0;
    for (const size of [...sizes].sort((a, b) => a - b)) {
      log(`store: filling to ${size.toLocaleString('en-US')} items…`);
      const t0 = performance.now();
      // A throwaway file: no need to survive a crash while filling, and a big page cache for the index
      // inserts. All four settings are put back to the service's before any query is timed.
      // temp_store = MEMORY: each insert fires the data-version trigger, so SQLite keeps a statement
      // journal, which on a temp file more than triples the fill time. journal_mode = MEMORY: the pages are
      // written once instead of to the WAL and then again at the checkpoint. The file ends up the same.
      raw.pragma('synchronous = OFF');
      raw.pragma('temp_store = MEMORY');
      raw.pragma(`cache_size = ${-FILL_CACHE_KIB}`);
      raw.pragma('journal_mode = MEMORY');
      fill(raw, count, size);
      raw.pragma('journal_mode = WAL');
      raw.pragma('cache_size = -2000');
      raw.pragma('temp_store = DEFAULT');
      raw.pragma('synchronous = NORMAL');
      raw.pragma('wal_checkpoint(TRUNCATE)');
      const fillSeconds = (performance.now() - t0) / 1000;
      count = size;
      const cat3 = (raw.prepare(`SELECT count(*) AS n FROM item_categories WHERE category = 'cat-3'`).get() as { n: number }).n;
      log(`store: ${size.toLocaleString('en-US')} items in ${fillSeconds.toFixed(1)} s; timing queries…`);
      const cases = await timeCases(raw, store, cat3);
      const plans: Record<string, string> = {};
      for (const c of CASES) plans[c.key] = queryPlan(raw, c.plan);
      results.push({ size, fillSeconds, fileMB: statSync(dbPath).size / 1e6, cat3Share: cat3 / size, cases, plans });
      log(`store: ${size.toLocaleString('en-US')} items; timing savePoll…`);
      savePoll.push({ size, cases: await timeSavePoll(raw, store) });
    }
    // How often the `q=council` text test matches: a sample of the newest cat-3 items.
    const newest = await store.listItems({ ...query('cat-3'), limit: 500 });
    const matcher = parseFeedRequest(ALL_FEED, new URLSearchParams('q=council'), NOW).predicate!;
    const qWordShare = newest.filter((s) => matcher(s.item)).length / Math.max(1, newest.length);
    return { sizes: results, savePoll, chunk: CHUNK, categories: CATEGORY_COUNT, oldItems: OLD_ITEMS, qWordShare };
  } finally {
    handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The SQLite library version better-sqlite3 was built with. */
export function sqliteVersion(): string {
  const h = openSqlite(':memory:');
  try {
    return (h.raw.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  } finally {
    h.close();
  }
}
