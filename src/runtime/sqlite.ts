import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { StoreError } from '../errors.ts';
import type { SqlDatabase, SqlStatement, SqlValue } from '../store/sql.ts';
import { sqliteDriver } from './sqlite-driver.ts';

/** Where the numbered SQL migrations live (shared with `wrangler d1 migrations apply`). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../store/migrations/', import.meta.url));

/** An open SQLite database, D1-shaped, with a way to close it. */
export interface SqliteHandle {
  db: SqlDatabase;
  raw: Database.Database;
  close(): void;
}

/**
 * Opens (creating if needed) a SQLite file in WAL mode, applies pending migrations and returns it
 * behind the D1-shaped `SqlDatabase` interface.
 */
export function openSqlite(path: string): SqliteHandle {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let raw: Database.Database;
  try {
    raw = new (sqliteDriver())(path);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.pragma('busy_timeout = 5000');
    raw.pragma('foreign_keys = ON');
  } catch (err) {
    throw new StoreError(`cannot open database ${path}: ${(err as Error).message}`, { cause: err });
  }
  applyMigrations(raw, MIGRATIONS_DIR);
  return { db: wrapSqlite(raw), raw, close: () => raw.close() };
}

/**
 * Applies the `NNNN_name.sql` files of `dir` not yet recorded, each in its own transaction, recording them
 * in `d1_migrations` as wrangler does, so one database history serves both tools.
 */
export function applyMigrations(raw: Database.Database, dir: string): string[] {
  raw.exec(`CREATE TABLE IF NOT EXISTS d1_migrations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`);
  const applied = new Set(
    (raw.prepare('SELECT name FROM d1_migrations').all() as { name: string }[]).map((r) => r.name),
  );
  const pending = readdirSync(dir)
    .filter((f) => /^\d{4}_.+\.sql$/.test(f) && !applied.has(f))
    .sort();
  for (const file of pending) {
    const sql = readFileSync(join(dir, file), 'utf8');
    try {
      raw.transaction(() => {
        raw.exec(sql);
        raw.prepare('INSERT INTO d1_migrations (name) VALUES (?)').run(file);
      })();
    } catch (err) {
      throw new StoreError(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
    }
  }
  return pending;
}

/** Wraps a better-sqlite3 database in the D1-shaped interface; `batch` is one transaction. */
export function wrapSqlite(raw: Database.Database): SqlDatabase {
  const cache = new Map<string, Database.Statement>();
  const prepared = (sql: string): Database.Statement => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = raw.prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  };
  const numbered = new Map<string, boolean>();
  const statement = (sql: string, bound: SqlValue[]): SqlStatement & { exec(): unknown } => {
    // better-sqlite3 binds `?NNN` parameters (which D1 uses) only by name: pass { 1: v1, 2: v2, … }.
    let byNumber = numbered.get(sql);
    if (byNumber === undefined) numbered.set(sql, (byNumber = /\?\d/.test(sql)));
    let values: unknown[] = bound;
    if (byNumber) {
      const named: Record<number, SqlValue> = {};
      for (let i = 0; i < bound.length; i++) named[i + 1] = bound[i]!;
      values = [named];
    }
    return {
    bind: (...next: SqlValue[]) => statement(sql, next),
    exec() {
      const stmt = prepared(sql);
      return stmt.reader ? stmt.all(...values) : stmt.run(...values);
    },
    async all<T>() {
      return { results: prepared(sql).all(...values) as T[] };
    },
    async first<T>() {
      return (prepared(sql).get(...values) as T | undefined) ?? null;
    },
    async run() {
      return prepared(sql).run(...values);
    },
    };
  };
  return {
    prepare: (sql) => statement(sql, []),
    async batch(statements) {
      // BEGIN IMMEDIATE: the write lock is taken (or waited for, busy_timeout) before anything is read, so a
      // batch never fails on a snapshot another connection to the file (the poll thread) made stale.
      const run = raw.transaction(() => statements.map((s) => (s as ReturnType<typeof statement>).exec()));
      return run.immediate();
    },
  };
}
