/**
 * Full text, the running part: fetches the due article pages of `fullText` sources with the feed fetcher
 * (its deadline, address policy, the page byte cap; the validators of the page's last fetch), reads each with the
 * page step (a worker pool on Node), and stores the entry's items from it. A page that fails leaves the
 * feed's text in place; the reason is kept on its row (and shown on `/status`) and it is tried again later.
 */
import { describeError } from '../errors.ts';
import type { SourceConfig } from '../model.ts';
import type { NormalizedItem, NormalizeRules } from '../normalize/index.ts';
import type { PageFetchRow, PageFetchStore } from '../store/page-fetches.ts';
import type { EntryYield } from '../store/store.ts';
import type { FetchRequest, FetchResult } from './fetch.ts';
import { processPage, type PageEntry, type PageStep } from './full-text.ts';
import { MAX_PAGE_BYTES, type ArticlePage } from './page/extract.ts';
import { hostOf, mapBoundedPerKey } from './schedule.ts';

/** Attempts at one page before it is given up (its entry keeps the feed's text). */
export const MAX_PAGE_ATTEMPTS = 5;
const RETRY_BASE_MS = 5 * 60_000;
const RETRY_MAX_MS = 6 * 60 * 60_000;

/** When to try a page again after its `attempts`-th failed attempt: 5 minutes, ×4 each time, at most 6 hours; null when given up. */
export function nextPageAttempt(attempts: number, now: number): number | null {
  if (attempts >= MAX_PAGE_ATTEMPTS) return null;
  return now + Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 4 ** Math.max(0, attempts - 1));
}

/** What fetching pages needs. */
export interface PageFetchDeps {
  pages: PageFetchStore;
  /** The source's known entries (`Store.knownEntries`): a page's teaser never stands beside what they gave or replaced. */
  knownEntries: (sourceId: string) => Promise<Map<string, EntryYield>>;
  fetchFeed: (request: FetchRequest) => Promise<FetchResult>;
  sources: SourceConfig[];
  rules?: NormalizeRules | undefined;
  now?: () => number;
  /** Reads a page into its entry's items ({@link processPage} in this thread when absent; a worker pool on Node). */
  processPage?: PageStep | undefined;
  /** Pages larger than this are not read: the fetch stops at it (`limits.maxPageBytes`; `MAX_PAGE_BYTES` when absent). */
  maxPageBytes?: number | undefined;
}

/** How one page fetch ended. */
export type PageOutcome =
  | { source: string; url: string; status: 'fetched' | 'kept' | 'not-modified'; items: number }
  | { source: string; url: string; status: 'failed'; reason: string; nextAttemptAt: number | null };

/**
 * Fetches the pages due now of the given sources (those with `fullText`), at most `limit`, `concurrency` at
 * a time and `perHostConcurrency` per page host. The rest wait for the next call. Never throws for one page.
 */
export async function fetchDuePages(
  deps: PageFetchDeps,
  sourceIds: string[],
  options: { limit: number; concurrency: number; perHostConcurrency: number },
): Promise<PageOutcome[]> {
  const now = deps.now ?? Date.now;
  const byId = new Map(deps.sources.filter((s) => s.fullText && sourceIds.includes(s.id)).map((s) => [s.id, s]));
  if (byId.size === 0 || options.limit <= 0) return [];
  const due = await deps.pages.due([...byId.keys()], now(), options.limit);
  return mapBoundedPerKey(
    due,
    { concurrency: options.concurrency, perKey: options.perHostConcurrency, key: (row) => hostOf(row.url) },
    (row) => fetchPage(deps, byId.get(row.sourceId)!, row, now),
  );
}

/**
 * The items without the page's teasers of stories the source has already: those its feed carries (or whose
 * teasers they replaced), and any stored under the teaser's link (a summary-only entry's item, say).
 */
async function withoutKnownTeasers(deps: PageFetchDeps, sourceId: string, items: NormalizedItem[]): Promise<NormalizedItem[]> {
  const taken = new Set<string>();
  for (const entry of (await deps.knownEntries(sourceId)).values()) for (const uri of [...entry.uris, ...entry.supersedes]) taken.add(uri);
  const teaserLinks = items.flatMap((i) => (i.partial && i.link ? [i.link] : []));
  const stored = await deps.pages.storedLinks(sourceId, teaserLinks);
  return items.filter((i) => !i.partial || (!taken.has(i.item.uri) && !(i.link && stored.has(i.link))));
}

async function fetchPage(deps: PageFetchDeps, source: SourceConfig, row: PageFetchRow, now: () => number): Promise<PageOutcome> {
  const at = now();
  const entry = row.job as PageEntry;
  const earlier = row.page as ArticlePage | null;
  try {
    const result = await deps.fetchFeed({
      url: row.url,
      // Validators only with the page they stand for: a 304 reuses it.
      etag: earlier ? row.etag : null,
      lastModified: earlier ? row.lastModified : null,
      // A source's private-network permission covers its own host, never a host its entries link to.
      allowPrivateNetwork: source.allowPrivateNetwork,
      sourceUrl: source.url,
      // The page cap, not the feed cap: reading stops there.
      maxBytes: deps.maxPageBytes ?? MAX_PAGE_BYTES,
    });
    const step = deps.processPage ?? processPage;
    const read = await step({
      ...entry,
      source,
      now: at,
      rules: deps.rules,
      url: result.url,
      bytes: result.status === 'ok' ? result.bytes : null,
      contentType: result.status === 'ok' ? result.contentType : null,
      page: earlier,
      maxBytes: deps.maxPageBytes,
    });
    const validators = result.status === 'ok' ? { etag: result.etag, lastModified: result.lastModified } : { etag: result.etag ?? row.etag, lastModified: result.lastModified ?? row.lastModified };
    const status = read.used ? 'fetched' : 'kept';
    const items = read.items.length > 1 ? await withoutKnownTeasers(deps, source.id, read.items) : read.items;
    await deps.pages.saveSuccess(row, { status, ...validators, page: read.page }, items, at);
    return { source: source.id, url: row.url, status: result.status === 'not-modified' ? 'not-modified' : status, items: items.length };
  } catch (err) {
    const { kind, message } = describeError(err);
    const reason = `${kind}: ${message}`;
    const nextAttemptAt = nextPageAttempt(row.attempts + 1, at);
    try {
      await deps.pages.saveFailure(row, reason, nextAttemptAt, at);
    } catch (storeErr) {
      return { source: source.id, url: row.url, status: 'failed', reason: `${reason}; and recording it failed: ${describeError(storeErr).message}`, nextAttemptAt };
    }
    return { source: source.id, url: row.url, status: 'failed', reason, nextAttemptAt };
  }
}
