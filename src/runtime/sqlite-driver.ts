/**
 * Which better-sqlite3 the running Node loads. Releases up to 12 wrap their objects in Node's own `ObjectWrap`,
 * whose destructor Node 24.19 made assert that a JavaScript environment is current: a statement collected by a
 * GC that runs outside one (an idle GC task, a worker's teardown) aborts the whole process (SIGABRT,
 * "Assertion failed: (env) != nullptr" under `Statement::~Statement`; WiseLibs/better-sqlite3#1515). Release 13
 * is built on Node-API and has no such destructor, but it needs Node 22 and crashes on Node 20. So both are
 * installed (13 under the alias `better-sqlite3-13`) and each Node loads the one it can run.
 */
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';

/** The first Node major that loads better-sqlite3 13 (its `engines` field). */
const NODE_API_MAJOR = 22;

/** The package name of the better-sqlite3 release for a Node version ("20.20.2" → `better-sqlite3`). */
export function sqliteDriverName(nodeVersion: string): 'better-sqlite3' | 'better-sqlite3-13' {
  const major = Number.parseInt(nodeVersion, 10);
  return Number.isInteger(major) && major >= NODE_API_MAJOR ? 'better-sqlite3-13' : 'better-sqlite3';
}

let driver: typeof Database | undefined;

/** better-sqlite3's `Database` class for the running Node, loaded on first use. */
export function sqliteDriver(): typeof Database {
  driver ??= createRequire(import.meta.url)(sqliteDriverName(process.versions.node)) as typeof Database;
  return driver;
}
