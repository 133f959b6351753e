import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { sqliteDriver } from '../../src/runtime/sqlite-driver.ts';
import { applyMigrations, MIGRATIONS_DIR } from '../../src/runtime/sqlite.ts';

/**
 * A SQLite database on disk as the release before migration `first` (e.g. `0013_`) left it: every migration
 * before it applied, none from it on. `later` names those still to apply, oldest first; the caller closes `raw`.
 */
export function databaseBefore(first: string): { raw: Database.Database; later: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-before-'));
  const before = join(dir, 'migrations');
  cpSync(MIGRATIONS_DIR, before, { recursive: true });
  const later = readdirSync(before).filter((f) => f >= first).sort();
  for (const f of later) rmSync(join(before, f));
  const raw = new (sqliteDriver())(join(dir, 'w.db'));
  applyMigrations(raw, before);
  return { raw, later };
}
