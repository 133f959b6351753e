/**
 * Full text through pollSource: a real upstream on loopback serves a summary-only feed and its article pages
 * (test/support/full-text-site.ts, in our own words); the store is real SQLite on disk and the fetcher the
 * real one (deadline, byte cap, address policy, conditional GET).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig, workerTargetProblems } from '../../src/config.ts';
import { ConfigError } from '../../src/errors.ts';
import { createFetcher } from '../../src/ingest/fetch.ts';
import { isSummary, SUMMARY_MAX_CHARS } from '../../src/ingest/full-text.ts';
import { nextPageAttempt } from '../../src/ingest/full-text-run.ts';
import { pollSource, type IngestDeps } from '../../src/ingest/run.ts';
import type { RawEntry, SourceConfig } from '../../src/model.ts';
import { openSqlite, type SqliteHandle } from '../../src/runtime/sqlite.ts';
import { createStore, type Store, type StoredItemRecord } from '../../src/store/store.ts';
import { articlePage, siteFeed, story, type SiteStory } from '../support/full-text-site.ts';
import { waitFor } from '../support/wait-for.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 2, 13);
const MAX_PAGE_BYTES = 40_000;
/** What `/articles/endless` would send if read to the end: far more than any cap (the feed cap is 15 MiB). */
const ENDLESS_BYTES = 64 * 1024 * 1024;

/** The site: its stories (tests change them), the pages it refuses, and every request it got. */
const site = {
  stories: [] as SiteStory[],
  /** Slugs answered 404. */
  missing: new Set<string>(),
  /** Extra stories listed in every page's "Just Posted" but not in the feed. */
  siblingsOnly: [story(9)],
  log: [] as Array<{ path: string; ifNoneMatch: string | null; status: number }>,
  /** How far `/articles/endless` got: bytes written when its connection closed, and whether it sent them all. */
  endless: null as { written: number; finished: boolean } | null,
};
let server: Server;
let origin = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const ifNoneMatch = req.headers['if-none-match'] ?? null;
    const answer = (status: number, type: string, body: string, etag?: string): void => {
      site.log.push({ path, ifNoneMatch, status });
      res.writeHead(status, { 'Content-Type': type, ...(etag ? { ETag: etag } : {}) });
      res.end(status === 304 ? undefined : body);
    };
    if (path === '/feed.xml') return answer(200, 'application/rss+xml', siteFeed(origin, site.stories));
    if (path === '/articles/slow') {
      site.log.push({ path, ifNoneMatch, status: 0 });
      return; // never answers: the fetcher's deadline ends it
    }
    if (path === '/articles/endless') {
      site.log.push({ path, ifNoneMatch, status: 200 });
      // No Content-Length: the cap can only be applied while reading. Written as fast as the reader takes it.
      res.writeHead(200, { 'Content-Type': 'text/html' });
      const chunk = Buffer.alloc(64 * 1024, '<p>padding</p>\n');
      let written = 0;
      const push = (): void => {
        while (!res.destroyed && written < ENDLESS_BYTES) {
          written += chunk.byteLength;
          if (!res.write(chunk)) return void res.once('drain', push);
        }
        if (!res.destroyed) res.end();
      };
      res.on('close', () => (site.endless = { written, finished: res.writableFinished }));
      return push();
    }
    if (path === '/articles/huge') return answer(200, 'text/html', articlePage(origin, story(7), []).replace('<main>', `<main><p>${'padding '.repeat(8000)}</p>`));
    const slug = /^\/articles\/([\w-]+)$/.exec(path)?.[1];
    const s = site.stories.find((x) => x.slug === slug);
    if (!s || site.missing.has(s.slug)) return answer(404, 'text/plain', 'not found');
    // The page's ETag follows its text: an entry's new summary alone leaves the page as it was.
    const etag = `"${s.slug}-${s.paragraphs.join('').length}"`;
    if (ifNoneMatch === etag) return answer(304, 'text/html', '', etag);
    return answer(200, 'text/html; charset=utf-8', articlePage(origin, s, [...site.stories.filter((x) => x !== s).slice(0, 2), ...site.siblingsOnly]), etag);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const dirs: string[] = [];
const handles: SqliteHandle[] = [];
function openStore(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-fulltext-'));
  dirs.push(dir);
  const handle = openSqlite(join(dir, 'ft.db'));
  handles.push(handle);
  return createStore(handle.db);
}
afterEach(() => {
  for (const h of handles.splice(0)) h.close();
  site.log.length = 0;
  site.missing.clear();
  site.endless = null;
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const source = (fullText: boolean | 'auto'): SourceConfig => ({
  id: 'herald',
  url: `${origin}/feed.xml`,
  title: 'Harbour Herald',
  interval: 15,
  categories: [],
  allowPrivateNetwork: true,
  fullText,
});

function setup(fullText: boolean | 'auto'): { deps: IngestDeps; src: SourceConfig; clock: { now: number }; store: Store } {
  const store = openStore();
  const src = source(fullText);
  const clock = { now: T0 };
  const deps: IngestDeps = {
    store,
    sources: [src],
    now: () => clock.now,
    random: () => 0.5,
    fetchFeed: createFetcher({ timeoutMs: 1500 }),
    maxPageBytes: MAX_PAGE_BYTES,
  };
  return { deps, src, clock, store };
}

const pageRequests = (): string[] => site.log.filter((l) => l.path.startsWith('/articles/')).map((l) => l.path);

/** The stored item of a story's entry (full once its page is read; a summary-only entry's is partial). */
async function storyItem(store: Store, s: SiteStory): Promise<StoredItemRecord> {
  const items = await store.listItems({ categoryGroups: [], excludeCategories: [], sources: [], limit: 100 });
  const link = s.link ?? `${origin}/articles/${s.slug}`;
  const records = await Promise.all(items.map((i) => store.getItem(i.item.uri)));
  const found = records.filter((r) => r && r.link === link);
  expect(found, `one item for ${s.slug}`).toHaveLength(1);
  return found[0]!;
}

/** Every stored item's headline, sorted: no story twice. */
async function headlines(store: Store): Promise<string[]> {
  return (await store.listItems({ categoryGroups: [], excludeCategories: [], sources: [], limit: 100 })).map((i) => i.item.headlines[0]?.value ?? '').sort();
}
const bodyOf = (r: StoredItemRecord): string => r.item.bodies?.[0]?.value ?? '';

describe('fullText: true', () => {
  it("replaces the feed's summary with the page's story, and fetches each entry version's page once", async () => {
    const { deps, src, clock, store } = setup(true);
    await store.syncSources([src]);
    site.stories = [story(0), story(1), story(2)];

    expect(await pollSource(deps, src, await store.getSource(src.id))).toMatchObject({ status: 'ok' });
    expect(pageRequests().sort()).toEqual(['/articles/story-0', '/articles/story-1', '/articles/story-2']);
    const first = await storyItem(store, site.stories[0]!);
    // The page's story, its dateline, byline and lead picture; the feed's summary as the description.
    expect(bodyOf(first)).toContain('sent it back to staff for costing');
    expect(bodyOf(first)).toContain('A final vote is expected in April');
    expect(bodyOf(first)).not.toContain('SCRIPT_SHOULD_NOT_LEAK');
    expect(bodyOf(first)).not.toContain('Sign up here');
    expect(first.item.located).toBe('HALIFAX');
    expect(first.item.by).toContain('Ines Calloway');
    expect(first.item.associations?.[0]).toMatchObject({ type: 'picture' });
    expect(first.item.associations?.[0]?.renditions?.[0]?.href).toBe(`${origin}/images/story-0.jpg`);
    expect(first.item.descriptions?.[0]?.value).toBe(site.stories[0]!.summary);
    // The page's "Just Posted" siblings: a teaser for the story the feed does not carry, none for those it does.
    const teasers = (await store.listItems({ categoryGroups: [], excludeCategories: [], sources: [], limit: 100 })).filter((i) => i.item.representationType === 'partial');
    expect(teasers.map((t) => t.item.headlines[0]?.value)).toEqual([story(9).headline]);
    expect((await store.listSources())[0]!.pages).toMatchObject({ fetched: 3, failed: 0, pending: 0, lastFailure: null });

    // The same entries again: no page is fetched.
    site.log.length = 0;
    clock.now += 20 * MIN;
    await pollSource(deps, src, await store.getSource(src.id));
    expect(site.log.map((l) => l.path)).toEqual(['/feed.xml']);

    // An edited entry (a new summary): its page is asked for again, conditionally; unchanged (304), its story stays.
    site.log.length = 0;
    site.stories[1] = { ...site.stories[1]!, edition: 2 };
    clock.now += 20 * MIN;
    await pollSource(deps, src, await store.getSource(src.id));
    expect(site.log.filter((l) => l.path.startsWith('/articles/'))).toEqual([{ path: '/articles/story-1', ifNoneMatch: expect.stringMatching(/^"story-1-/), status: 304 }]);
    const edited = await storyItem(store, site.stories[1]);
    expect(bodyOf(edited)).toContain('sent it back to staff for costing');
    expect(edited.item.descriptions?.[0]?.value).toContain('edition 2');

    // An edited story: the page answers in full and the new text is stored.
    site.log.length = 0;
    site.stories[2] = { ...site.stories[2]!, edition: 3, paragraphs: [...site.stories[2]!.paragraphs, 'The meeting adjourned shortly before midnight, with the item carried over to the next agenda.'] };
    clock.now += 20 * MIN;
    await pollSource(deps, src, await store.getSource(src.id));
    expect(site.log.filter((l) => l.path.startsWith('/articles/')).map((l) => l.status)).toEqual([200]);
    expect(bodyOf(await storyItem(store, site.stories[2]))).toContain('adjourned shortly before midnight');
    expect((await store.listSources())[0]!.pages).toMatchObject({ fetched: 3, failed: 0, pending: 0 });
  });

  it('keeps the feed text of a page that fails (404, timeout, oversize, private address), shows why, and retries later', async () => {
    const { deps, src, clock, store } = setup(true);
    await store.syncSources([src]);
    const good = story(0);
    const gone = story(1);
    const slow = story(2, { link: `${origin}/articles/slow` });
    const huge = story(3, { link: `${origin}/articles/huge` });
    const internal = story(4, { link: 'http://10.255.0.1/articles/story-4' });
    site.stories = [good, gone, slow, huge, internal];
    site.missing.add(gone.slug);

    await pollSource(deps, src, await store.getSource(src.id));
    // The private address is refused before any connection: it never reaches the site.
    expect(pageRequests().sort()).toEqual(['/articles/huge', '/articles/slow', '/articles/story-0', '/articles/story-1']);
    expect(bodyOf(await storyItem(store, good))).toContain('sent it back to staff for costing');
    for (const s of [gone, slow, huge, internal]) {
      const kept = await storyItem(store, s);
      expect(kept.item.representationType).toBe('partial');
      expect(kept.item.descriptions?.[0]?.value ?? bodyOf(kept)).toContain(s.summary);
    }
    // The good page's "Just Posted" lists stories the feed carries: no second item for them.
    expect(await headlines(store)).toEqual([...site.stories, story(9)].map((s) => s.headline).sort());

    const { pages } = (await store.listSources())[0]!;
    expect(pages).toMatchObject({ fetched: 1, failed: 4, pending: 4 });
    const reasons = await failureReasons(store);
    expect(reasons.get(`${origin}/articles/story-1`)).toMatch(/^fetch: HTTP 404/);
    expect(reasons.get(`${origin}/articles/slow`)).toMatch(/^fetch: Timed out after 1500 ms/);
    expect(reasons.get(`${origin}/articles/huge`)).toMatch(/^fetch: Body of .* exceeds 40000 bytes/);
    expect(reasons.get('http://10.255.0.1/articles/story-4')).toMatch(/^fetch: Refusing to fetch/);

    // Polled again before the backoff has passed: nothing is retried.
    site.log.length = 0;
    clock.now += 2 * MIN;
    await pollSource(deps, src, await store.getSource(src.id));
    expect(pageRequests()).toEqual([]);

    // After it: retried; the page that is back gives its story, the others fail a second time.
    site.log.length = 0;
    site.missing.clear();
    clock.now += 4 * MIN;
    await pollSource(deps, src, await store.getSource(src.id));
    expect(pageRequests().sort()).toEqual(['/articles/huge', '/articles/slow', '/articles/story-1']);
    const back = await storyItem(store, gone);
    expect(back.item.representationType).toBe('full');
    expect(bodyOf(back)).toContain('A final vote is expected in April');
    expect((await store.listSources())[0]!.pages).toMatchObject({ fetched: 2, failed: 3, pending: 3, lastFailure: { attempts: 2 } });
  });
});

describe('a future-dated entry', () => {
  it('has its page fetched once while its date is ahead, keeps the story, and is asked for once more when the date passes', async () => {
    const { deps, src, clock, store } = setup(true);
    await store.syncSources([src]);
    // Dated 20 hours after the first poll: normalization cannot use the date yet.
    const ahead = story(0, { pubDate: 'Tue, 03 Mar 2026 09:00:00 GMT' });
    site.stories = [ahead];

    await pollSource(deps, src, await store.getSource(src.id));
    clock.now += 20 * MIN;
    await pollSource(deps, src, await store.getSource(src.id));
    clock.now += 20 * MIN;
    await pollSource(deps, src, await store.getSource(src.id));
    expect(site.log.map((l) => l.path)).toEqual(['/feed.xml', '/articles/story-0', '/feed.xml', '/feed.xml']);
    expect(bodyOf(await storyItem(store, ahead))).toContain('A final vote is expected in April');
    expect((await store.listSources())[0]!.pages).toMatchObject({ fetched: 1, pending: 0 });

    // Its date has passed: the entry is normalized again once, with its date, and its page asked for conditionally.
    site.log.length = 0;
    clock.now = Date.UTC(2026, 2, 3, 10);
    await pollSource(deps, src, await store.getSource(src.id));
    clock.now += 20 * MIN;
    await pollSource(deps, src, await store.getSource(src.id));
    expect(site.log.filter((l) => l.path.startsWith('/articles/'))).toEqual([{ path: '/articles/story-0', ifNoneMatch: expect.stringMatching(/^"story-0-/), status: 304 }]);
    expect(bodyOf(await storyItem(store, ahead))).toContain('A final vote is expected in April');
  });
});

describe('page byte cap', () => {
  it('stops reading a page at limits.maxPageBytes, not at the feed cap: the upstream sees the connection closed early', async () => {
    const { deps, src, store } = setup(true);
    await store.syncSources([src]);
    const endless = story(5, { link: `${origin}/articles/endless` });
    site.stories = [endless];

    await pollSource(deps, src, await store.getSource(src.id));
    expect(pageRequests()).toEqual(['/articles/endless']);
    expect((await failureReasons(store)).get(`${origin}/articles/endless`)).toMatch(/^fetch: Body of .* exceeds 40000 bytes/);
    expect((await storyItem(store, endless)).item.representationType).toBe('partial');
    // The server learns of the close a moment after the fetch gave up.
    const seen = await waitFor(async () => site.endless ?? undefined, 'the endless page to close');
    expect(seen.finished).toBe(false);
    // What the socket buffers took before the reader let go (about 4 MiB here), below the 15 MiB the feed cap reads.
    expect(seen.written).toBeLessThan(12 * 1024 * 1024);
  });
});

describe('fullText: "auto"', () => {
  it('fetches the pages of summaries only and leaves full bodies alone', async () => {
    const { deps, src, store } = setup('auto');
    await store.syncSources([src]);
    const summary = story(0);
    const full = story(1);
    site.stories = [summary, { ...full, summary: full.paragraphs.join(' ') }];

    await pollSource(deps, src, await store.getSource(src.id));
    expect(pageRequests()).toEqual(['/articles/story-0']);
    expect(bodyOf(await storyItem(store, summary))).toContain('A final vote is expected in April');
    // The feed's own text (its dateline read off the body, as for any entry).
    const kept = bodyOf(await storyItem(store, site.stories[1]!));
    expect(kept).toMatch(/^<p>Councillors heard a proposal on Monday night to rebuild the rink/);
    expect(kept).toContain(full.paragraphs[4]);
  });

  it.each<[string, Partial<RawEntry>, boolean]>([
    ['a one-line summary', { summary: 'Councillors heard a proposal on Monday.' }, true],
    ['a long body', { content: `<p>${'A sentence of the story, long enough to count. '.repeat(20)}</p>` }, false],
    ['a long body cut short with an ellipsis', { content: `<p>${'A sentence of the story, long enough to count. '.repeat(20)}…</p>` }, true],
    ['a long body with "Continue reading"', { content: `<p>${'A sentence of the story. '.repeat(40)}</p><p><a href="/x">Continue reading</a></p>` }, true],
    ['no body at all', {}, true],
  ])('reads %s as a summary: %s', (_what, over, expected) => {
    const entry: RawEntry = { id: null, title: 't', link: null, published: null, updated: null, author: null, categories: [], summary: null, content: null, enclosures: [], media: [], ...over };
    expect(isSummary(entry)).toBe(expected);
    expect(SUMMARY_MAX_CHARS).toBe(600);
  });
});

describe('page retries and limits', () => {
  it('backs off 5 minutes, then ×4, at most 6 hours, and gives up after the fifth attempt', () => {
    expect([1, 2, 3, 4].map((n) => (nextPageAttempt(n, 0) ?? 0) / MIN)).toEqual([5, 20, 80, 320]);
    expect(nextPageAttempt(5, 0)).toBeNull();
  });

  it('validates fullText and names the field; the worker target knows the subrequest budget', () => {
    const base = { id: 'herald', url: 'https://herald.example/feed.xml', title: 'Herald' };
    expect(validateConfig({ sources: [{ ...base, fullText: 'auto' }] }).sources[0]!.fullText).toBe('auto');
    expect(validateConfig({ sources: [base] }).limits.pageFetchesPerTick).toBe(20);
    expect(() => validateConfig({ sources: [{ ...base, fullText: 'yes' }] })).toThrow(ConfigError);
    try {
      validateConfig({ sources: [{ ...base, fullText: 'yes' }], limits: { pageFetchesPerTick: -1 } });
    } catch (err) {
      expect((err as ConfigError).problems).toEqual(['sources[0].fullText: must be true, false or "auto"', 'limits.pageFetchesPerTick: must be 0 or more']);
    }
    const busy = validateConfig({ sources: [{ ...base, fullText: true }], schedule: { batchSize: 40 }, limits: { pageFetchesPerTick: 20 } });
    expect(workerTargetProblems(busy)).toEqual([
      'limits.pageFetchesPerTick: schedule.batchSize (40) feeds and 20 article pages per tick exceed the 50 subrequests of one Workers invocation; lower limits.pageFetchesPerTick or schedule.batchSize',
    ]);
    // Without a full-text source the pages do not count.
    expect(workerTargetProblems(validateConfig({ sources: [base], schedule: { batchSize: 40 } }))).toEqual([]);
  });
});

/** The last failure of each page waiting for a retry, by URL (what the rows record, whenever they are due). */
async function failureReasons(store: Store): Promise<Map<string, string>> {
  const rows = await store.pages.due(['herald'], Number.MAX_SAFE_INTEGER, 100);
  return new Map(rows.map((row) => [row.url, row.lastError ?? '']));
}
