import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/app.ts';
import { openAccess } from '../../src/licensing.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore } from '../../src/store/store.ts';
import { itemWrite, newsItem } from '../support/items.ts';

// Property: whatever the feeds, filters, formats and keys, a restricted item appears only in what a key
// entitled to it asks for, and a key's answer holds nothing the same request without entitlement limits
// would not (entitlements only narrow). Random stores, the real app, real SQLite.

const base = 'https://feeds.example.org';
const TOKEN = 'property-admin-token';
const SOURCES = ['s0', 's1', 's2', 's3'];
const PROVIDERS = ['The Associated Press', 'Local Desk'];
const CATEGORIES = ['News', 'Sports', 'Arts'];
const FORMATS = ['rss', 'atom', 'json', 'ninjs'];
// Restricted items leave the feeds after 30 days: the stories are recent.
const RECENT = Date.now() - 3_600_000;

const itemArb = fc.record({ source: fc.integer({ min: 0, max: 3 }), category: fc.constantFrom(...CATEGORIES), status: fc.constantFrom('usable', 'usable', 'canceled') });
const subsetOf = <T,>(values: T[]) => fc.option(fc.subarray(values, { minLength: 0 }), { nil: undefined });
const entitlementArb = fc.record({
  feeds: subsetOf(['all', 'sports', 'local']),
  categories: subsetOf(CATEGORIES),
  providers: subsetOf(PROVIDERS),
  sources: subsetOf(SOURCES),
});
const requestArb = fc.record({
  feed: fc.constantFrom('all', 'sports', 'local'),
  format: fc.constantFrom(...FORMATS),
  params: fc.subarray(['category=News', 'category=Sports,Arts', 'exclude_category=Arts', 'status=any', 'limit=3', 'q=story', 'provider=The%20Associated%20Press', 'filter_title=zq1']),
  key: fc.constantFrom('none', 'entitled', 'header', 'bad'),
});

describe('restricted items never leak (property)', () => {
  it('holds for random stores, licences, entitlements, filters, formats and keys', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(itemArb, { minLength: 1, maxLength: 14 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        entitlementArb,
        fc.array(requestArb, { minLength: 1, maxLength: 6 }),
        async (items, restrictedFlags, entitlements, requests) => {
          const config = validateConfig({
            sources: SOURCES.map((id, i) => ({ id, url: `https://${id}.example/feed`, title: id, provider: PROVIDERS[i % 2], license: restrictedFlags[i] ? 'restricted' : 'public' })),
            feeds: [
              { name: 'sports', title: 'Sports', filter: { categories: ['Sports'] } },
              { name: 'local', title: 'Local', filter: { sources: ['s1', 's3'] } },
            ],
          });
          const sqlite = openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-prop-')), 'w.db'));
          try {
            const store = createStore(sqlite.db);
            await store.syncSources(config.sources);
            const access = await openAccess(config, sqlite.db);
            const app = createApp({ store, feeds: config.feeds, baseUrl: base, access, admin: { token: TOKEN, refresh: async () => null } });
            for (const [s, source] of SOURCES.entries()) {
              const writes = items.flatMap((it, n) =>
                it.source !== s
                  ? []
                  : [itemWrite(newsItem(n, { headlines: [{ role: 'main', contentType: 'text/plain', value: `story zq${n}x` }], subjects: [{ name: it.category }], pubStatus: it.status as 'usable' }), { published: RECENT - n * 60_000, categories: [it.category] })],
              );
              await store.savePoll(source, writes, { etag: null, lastModified: null, fetchedAt: RECENT, nextFetchAt: 0 });
            }
            const created = await app.request(`${base}/admin/subscribers`, {
              method: 'POST',
              headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
              body: JSON.stringify({ id: 'sub', name: 'Sub', entitlements: Object.fromEntries(Object.entries(entitlements).filter(([, v]) => v !== undefined)) }),
            });
            const { key } = (await created.json()) as { key: string };
            const restricted = (n: number): boolean => restrictedFlags[items[n]!.source]!;
            const entitled = (n: number, feed: string): boolean => {
              const it = items[n]!;
              const e = entitlements;
              return (
                (!e.feeds || e.feeds.includes(feed)) &&
                (!e.sources || e.sources.includes(SOURCES[it.source]!)) &&
                (!e.providers || e.providers.includes(PROVIDERS[it.source % 2]!)) &&
                (!e.categories || e.categories.includes(it.category))
              );
            };
            // The widest answer a request can have: the same filter with every restricted item entitled.
            const everything = async (path: string): Promise<Set<number>> => {
              for (const id of SOURCES) await access.store.setLicense(id, 'public');
              // Unpaged: with more items visible a page would hold others.
              const unpaged = path.replace('limit=3', 'limit=500');
              const seen = shown(await (await app.request(`${base}${unpaged}`)).text());
              for (const id of SOURCES) await access.store.setLicense(id, null);
              return seen;
            };
            for (const r of requests) {
              const query = [...r.params, ...(r.key === 'entitled' ? [`key=${key}`] : r.key === 'bad' ? [`key=wf_${'Z'.repeat(43)}`] : [])].join('&');
              const path = `/feeds/${r.feed}.${r.format}${query ? `?${query}` : ''}`;
              const init = r.key === 'header' ? { headers: { Authorization: `Bearer ${key}` } } : {};
              const res = await app.request(`${base}${path}`, init);
              const body = await res.text();
              if (r.key === 'bad') {
                expect(res.status, path).toBe(401);
                expect(body).not.toContain('ZZZZ');
                continue;
              }
              expect(res.status, path).toBe(200);
              const seen = shown(body);
              const keyed = r.key !== 'none';
              for (const n of seen) {
                if (restricted(n)) expect(keyed && entitled(n, r.feed), `${path} (${r.key}) shows restricted item ${n}`).toBe(true);
              }
              const filterPath = path.replace(/[?&]key=[^&]*/, '').replace(/^([^?]*)&/, '$1?');
              const widest = await everything(filterPath);
              for (const n of seen) expect(widest.has(n), `${path}: item ${n} is outside what the filter asks for`).toBe(true);
              if (r.key === 'entitled' && r.format !== 'ninjs') expect(body).toContain(`key=${key}`);
              else expect(body).not.toContain(key);
              // The anonymous answer after a keyed one (a cache entry of its own) is still public only.
              const anon = shown(await (await app.request(`${base}${filterPath}`)).text());
              for (const n of anon) expect(restricted(n), `${filterPath} anonymously shows restricted item ${n}`).toBe(false);
            }
          } finally {
            sqlite.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});

function shown(body: string): Set<number> {
  return new Set([...body.matchAll(/zq(\d+)x/g)].map((m) => Number(m[1])));
}
