/**
 * The better-sqlite3 release each Node loads (src/runtime/sqlite-driver.ts): 12 on Node 20, 13 (Node-API) from
 * Node 22 on, where 12's statements abort the process when a GC outside a JavaScript environment collects them.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sqliteDriver, sqliteDriverName } from '../../src/runtime/sqlite-driver.ts';

const require = createRequire(import.meta.url);
const SCRIPT = fileURLToPath(new URL('../support/sqlite-garbage-statements.ts', import.meta.url));

describe('sqliteDriver', () => {
  it('names 12 for Node 20 and 13 from Node 22 on', () => {
    expect(sqliteDriverName('20.20.2')).toBe('better-sqlite3');
    expect(sqliteDriverName('21.7.3')).toBe('better-sqlite3');
    expect(sqliteDriverName('22.0.0')).toBe('better-sqlite3-13');
    expect(sqliteDriverName('24.21.0')).toBe('better-sqlite3-13');
    expect(sqliteDriverName('not a version')).toBe('better-sqlite3');
  });

  it('loads the named release for the running Node, once, and it opens a database', () => {
    const Database = sqliteDriver();
    expect(Database).toBe(require(sqliteDriverName(process.versions.node)));
    expect(sqliteDriver()).toBe(Database);
    const db = new Database(':memory:');
    try {
      expect(db.prepare('SELECT 40 + 2 AS n').get()).toEqual({ n: 42 });
    } finally {
      db.close();
    }
  });

  it('lets the GC collect statements without aborting the process', () => {
    // Thousands of statements left to the GC: what aborted Node 24.19+ with better-sqlite3 12 (SIGABRT, status 134).
    const run = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).not.toContain('Assertion failed');
    expect({ status: run.status, signal: run.signal, stdout: run.stdout.trim() }).toEqual({ status: 0, signal: null, stdout: 'ok 0' });
  });
});
