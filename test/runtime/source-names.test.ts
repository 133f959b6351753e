import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/errors.ts';
import type { Grant } from '../../src/http/auth.ts';
import { openNodeService } from '../../src/runtime/node.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore } from '../../src/store/store.ts';

// A feed's filter.sources and a subscriber's entitlements.sources may name a source added at run time: the
// file alone cannot know it, so the start checks the names against the stored sources (real SQLite on disk).
const config = validateConfig({
  sources: [{ id: 'desk', url: 'https://desk.example/feed.xml', title: 'Desk' }],
  feeds: [{ name: 'metro-desk', title: 'Metro desk', filter: { sources: ['metro'] } }],
  subscribers: [{ id: 'paper', name: 'Paper', entitlements: { sources: ['metro', 'desk'] } }],
});

describe('source names of the configuration, checked at start against the stored sources', () => {
  it('refuses to start while "metro" is unknown, naming both places; starts once it was added at run time', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'wirefeed-source-names-')), 'n.db');
    const refused = await openNodeService(config, dbPath, () => {}).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems).toEqual([
      'feeds[0].filter.sources[0]: names no source "metro" (neither in the configuration nor added at run time)',
      'subscribers[0].entitlements.sources[0]: names no source "metro" (neither in the configuration nor added at run time)',
    ]);

    // `wirefeed sources add metro …` on the same database.
    const sqlite = openSqlite(dbPath);
    expect(await createStore(sqlite.db).sources.add({ id: 'metro', url: 'https://metro.example/feed.xml', title: 'Metro', interval: 15, categories: [], allowPrivateNetwork: false })).toBe(true);
    sqlite.close();

    const service = await openNodeService(config, dbPath, () => {});
    try {
      await service.refreshSources();
      const grant: Grant = {
        subscriber: { id: 'paper', name: 'Paper', contact: null, entitlements: { sources: ['metro', 'desk'] }, webhook: null, suspended: false, fromConfig: true, createdAt: 0 },
        keyId: 'k',
        inUrl: false,
      };
      // The subscriber's entitlement covers the API source; the feed filters by it.
      const { access } = service.access.feedAccess(grant, 'all');
      expect(access?.sources).toEqual(['desk', 'metro']);
      expect(service.appDeps.feeds.find((f) => f.name === 'metro-desk')?.filter.sources).toEqual(['metro']);
    } finally {
      await service.close();
    }
  });
});
