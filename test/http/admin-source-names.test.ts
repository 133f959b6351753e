import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourcesCommand } from '../../src/cli/sources-command.ts';
import { sourceNamedBy, validateConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/app.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore } from '../../src/store/store.ts';

// An API source that the configuration file names (a feed's filter, a subscriber's entitlements) is not
// removed: the next start would refuse the file (real SQLite on disk, the real app and the CLI command).
const config = validateConfig({
  sources: [{ id: 'desk', url: 'https://desk.example/feed.xml', title: 'Desk' }],
  feeds: [{ name: 'metro-desk', title: 'Metro desk', filter: { sources: ['metro'] } }],
  subscribers: [{ id: 'paper', name: 'Paper', entitlements: { sources: ['metro'] } }],
});
const source = (id: string) => ({ id, url: `https://${id}.example/feed.xml`, title: id, interval: 15, categories: [], allowPrivateNetwork: false });

describe('removing an API source the configuration names', () => {
  it('DELETE /admin/sources/:id and `wirefeed sources remove` answer 409 / exit 1 naming the paths; an unnamed one goes', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'wirefeed-named-')), 'n.db');
    const sqlite = openSqlite(dbPath);
    const store = createStore(sqlite.db);
    await store.syncSources(config.sources);
    for (const id of ['metro', 'spare', 'other']) expect(await store.sources.add(source(id))).toBe(true);
    const app = createApp({ store, feeds: [], baseUrl: 'http://127.0.0.1', admin: { token: 'admin-token-0123456789', refresh: async () => null, namedBy: (id) => sourceNamedBy(config, id) } });
    const auth = { Authorization: 'Bearer admin-token-0123456789' };

    const refused = await app.request('http://127.0.0.1/admin/sources/metro', { method: 'DELETE', headers: auth });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toContain('named by feeds[0].filter.sources[0], subscribers[0].entitlements.sources[0] of the configuration file');
    expect((await app.request('http://127.0.0.1/admin/sources/spare', { method: 'DELETE', headers: auth })).status).toBe(204);

    const errors: string[] = [];
    expect(await sourcesCommand(['remove', 'metro'], dbPath, () => {}, (t) => errors.push(t), (id) => sourceNamedBy(config, id))).toBe(1);
    expect(errors.join('')).toContain('"metro" is named by feeds[0].filter.sources[0]');
    expect(await sourcesCommand(['remove', 'other'], dbPath, () => {}, (t) => errors.push(t), (id) => sourceNamedBy(config, id))).toBe(0);
    expect((await store.sources.catalogue()).map((e) => e.config.id)).toEqual(['desk', 'metro']);
    sqlite.close();
  });
});
