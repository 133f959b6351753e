/**
 * Run as a script (see test/runtime/sqlite-driver.test.ts): prepares thousands of statements and drops them,
 * allocates enough to make the GC collect them, waits a little for idle-time collection, then prints `ok`.
 * Under Node 24.19+ with better-sqlite3 12 this aborted the process (status 134) within a fraction of a second.
 */
import { sqliteDriver } from '../../src/runtime/sqlite-driver.ts';

const db = new (sqliteDriver())(':memory:');
for (let i = 0; i < 5000; i++) db.prepare(`SELECT ${i}`).get();
let junk: { i: number; s: string }[] = [];
for (let i = 0; i < 200_000; i++) junk.push({ i, s: `x${i}` });
junk = [];
setTimeout(() => {
  db.close();
  console.log(`ok ${junk.length}`);
}, 2000);
