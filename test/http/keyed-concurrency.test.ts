import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { createAccessControl } from '../../src/http/auth.ts';
import { createKey } from '../../src/http/subscribers.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore } from '../../src/store/store.ts';
import { createSubscriberStore } from '../../src/store/subscribers.ts';

// Only failed key attempts cost a client tokens: many good requests of one client at once (a reader's
// burst, or every poll arriving while the key index reloads) are never answered 429.

const config = validateConfig({ sources: [{ id: 'local', url: 'https://local.example/feed', title: 'Local' }] });

describe('keyed requests at once from one client', () => {
  it('answers 40 concurrent good keys while the index loads, and still limits failures', async () => {
    const sqlite = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-keyconc-')), 'k.db'));
    await createStore(sqlite.db).syncSources(config.sources);
    const subscribers = createSubscriberStore(sqlite.db);
    await subscribers.create({ id: 'outlet', name: 'Outlet', entitlements: {} }, Date.now());
    const { key } = await createKey(subscribers, 'outlet', undefined, Date.now());
    const access = createAccessControl({ subscribers, sources: config.sources, failures: { burst: 10, perSecond: 0.001 } });

    const results = await Promise.allSettled(Array.from({ length: 40 }, () => access.authenticate({ authorization: `Bearer ${key}`, keyParam: null, client: '10.0.0.1' })));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(results.every((r) => r.status === 'fulfilled' && r.value?.subscriber.id === 'outlet')).toBe(true);

    // Ten failures empty the bucket; the eleventh attempt is refused before any lookup, good key or not.
    const bad = `wf_${'A'.repeat(43)}`;
    for (let i = 0; i < 10; i++) await expect(access.authenticate({ authorization: `Bearer ${bad}`, keyParam: null, client: '10.0.0.2' })).rejects.toMatchObject({ status: 401 });
    await expect(access.authenticate({ authorization: `Bearer ${bad}`, keyParam: null, client: '10.0.0.2' })).rejects.toMatchObject({ status: 429 });
    await expect(access.authenticate({ authorization: `Bearer ${key}`, keyParam: null, client: '10.0.0.2' })).rejects.toMatchObject({ status: 429 });
    sqlite.close();
  });
});
