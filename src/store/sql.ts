/**
 * The SQL surface the store needs, shaped after Cloudflare D1 so that a D1 binding satisfies it as is
 * and better-sqlite3 satisfies it through a thin adapter (`src/runtime/sqlite.ts`).
 */

/** A value that can be bound to a statement on both SQLite and D1. */
export type SqlValue = string | number | null;

/** A prepared statement; `bind` returns a bound copy. */
export interface SqlStatement {
  bind(...values: SqlValue[]): SqlStatement;
  all<T = Record<string, unknown>>(): Promise<{ results: T[] }>;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  run(): Promise<unknown>;
}

/** A database: prepared statements, and `batch`, which runs statements in one transaction (all or nothing). */
export interface SqlDatabase {
  prepare(sql: string): SqlStatement;
  batch(statements: SqlStatement[]): Promise<unknown[]>;
}
