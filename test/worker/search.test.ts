import { env } from 'cloudflare:test';
import { describe } from 'vitest';
import { createStore } from '../../src/store/store.ts';
import { searchCases } from '../support/search-cases.ts';

// D1 in workerd, migrated by apply-migrations.ts; each case clears the items it stored before.
describe('search over D1 (migration 0010)', () => {
  searchCases(async () => {
    const db = env.DB;
    await db.batch([db.prepare('DELETE FROM items'), db.prepare('DELETE FROM entry_hashes')]);
    return { store: createStore(db), db };
  });
});
