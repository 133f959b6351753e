import { RE2JS } from 're2js';
import type { FeedSpec, NewsItem } from '../model.ts';
import type { ItemQuery } from '../store/store.ts';
import { htmlToText } from '../util/html-text.ts';

/** Default and largest number of items a feed carries. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
/** Longest regular expression accepted in a filter parameter. */
export const MAX_PATTERN_LENGTH = 500;

/** How long a killed story stays in the default listings as a kill notice. */
export const KILL_NOTICE_MS = 86_400_000;

/** A filter request that cannot be honoured; the HTTP edge turns it into a 400 with this message. */
export class FilterError extends Error {}

/** What a feed request asks for: a store query, plus the tests the store cannot run (text, regex). */
export interface FeedRequest {
  query: ItemQuery;
  /** Tests run on each stored item after the store query; null when there are none. */
  predicate: ((item: NewsItem) => boolean) | null;
}

/** The parameters `parseFeedRequest` understands (anything else is ignored, as feed readers add their own). */
export const FILTER_PARAMETERS = [
  'category', 'exclude_category', 'provider', 'located', 'by', 'q', 'since', 'until', 'status', 'limit', 'sorted', 'before',
  'filter', 'filter_title', 'filter_description', 'filter_author', 'filter_category',
  'filterout', 'filterout_title', 'filterout_description', 'filterout_author', 'filterout_category',
  'filter_case_sensitive', 'filter_time',
] as const;

/**
 * Reads a published feed's request: the named feed's own filter always applies and query parameters
 * narrow it. Structured: `category` (repeatable or comma list: any of), `exclude_category`, `provider`,
 * `located`, `by`, `q` (every word in headline or body), `since`/`until` (ISO time or ISO duration such as
 * `P2D`), `status` (`usable` by default, `canceled`, `withheld`, `any`), `limit`, `sorted=false`
 * (ingest order), `before` (paging cursor). RSSHub-compatible, with its semantics: `filter`,
 * `filter_title|description|author|category`, `filterout…`, `filter_case_sensitive` (default true),
 * `filter_time` (seconds). Patterns run on RE2 (linear time, no backtracking).
 * @throws FilterError naming the parameter and what is wrong.
 */
export function parseFeedRequest(spec: FeedSpec, params: URLSearchParams, now: number): FeedRequest {
  const groups: string[][] = [];
  if (spec.filter.categories?.length) groups.push(spec.filter.categories);
  const requested = listParam(params, 'category');
  if (requested.length) groups.push(requested);

  const since = timeParam(params, 'since', now);
  const filterTime = params.get('filter_time');
  let sinceMs = since;
  if (filterTime !== null && filterTime !== '') {
    if (!/^\d+$/.test(filterTime)) throw new FilterError(`filter_time must be a number of seconds, not "${clip(filterTime)}"`);
    const cutoff = now - Number(filterTime) * 1000;
    sinceMs = sinceMs === null ? cutoff : Math.max(sinceMs, cutoff);
  }

  const query: ItemQuery = {
    categoryGroups: groups,
    excludeCategories: [...(spec.filter.excludeCategories ?? []), ...listParam(params, 'exclude_category')],
    sources: spec.filter.sources ?? [],
    limit: limitParam(params.get('limit')),
    since: sinceMs,
    until: timeParam(params, 'until', now),
    status: statusParam(params.get('status')),
    order: params.get('sorted') === 'false' ? 'ingested' : 'published',
    before: cursorParam(params.get('before')),
    now,
    // A kill is delivered, not a silent disappearance: a day of kill notices in the default listing.
    killNoticesSince: params.get('status') ? null : now - KILL_NOTICE_MS,
  };
  const q = params.get('q');
  // The store narrows by these words through its search index; the predicate still tests each item.
  if (q) query.words = [...new Set(fold(q).split(/\s+/).filter(Boolean))];
  return { query, predicate: buildPredicate(params) };
}

/** Encodes the paging cursor that continues after `item` (RFC 5005 `next`). */
export function encodeCursor(sortKey: number, uri: string): string {
  return base64url(`${sortKey}~${uri}`);
}

type Test = (item: NewsItem) => boolean;

function buildPredicate(params: URLSearchParams): Test | null {
  const tests: Test[] = [];
  const providers = listParam(params, 'provider').map(fold);
  if (providers.length) {
    tests.push((item) => {
      const names = [...(item.infoSources ?? []).map((s) => s.name), item.copyrightHolder ?? ''].map(fold);
      return providers.some((p) => names.includes(p));
    });
  }
  const located = listParam(params, 'located').map(fold);
  if (located.length) {
    // "CALGARY" matches "Calgary" and "CALGARY, Alta.": the place before any region suffix.
    tests.push((item) => {
      const place = fold(item.located ?? '');
      return located.some((l) => place === l || place.startsWith(`${l},`));
    });
  }
  const by = params.get('by');
  if (by) {
    const needle = fold(by);
    tests.push((item) => fold(item.by ?? '').includes(needle));
  }
  const q = params.get('q');
  if (q) {
    const words = fold(q).split(/\s+/).filter(Boolean);
    tests.push((item) => {
      const text = fold(`${headline(item)} ${description(item)}`);
      return words.every((w) => text.includes(w));
    });
  }

  const insensitive = params.get('filter_case_sensitive') === 'false';
  const regex = (name: string): RE2JS | null => compilePattern(name, params.get(name), insensitive);
  const filter = regex('filter');
  if (filter) {
    tests.push((item) => {
      const f = fields(item);
      return find(filter, f.title) || find(filter, f.description) || find(filter, f.author) || f.categories.some((c) => find(filter, c));
    });
  } else {
    // As in RSSHub: the per-field filters apply only without `filter`, and all given must match.
    const title = regex('filter_title');
    const desc = regex('filter_description');
    const author = regex('filter_author');
    const category = regex('filter_category');
    if (title || desc || author || category) {
      tests.push((item) => {
        const f = fields(item);
        return (
          (!title || find(title, f.title)) &&
          (!desc || find(desc, f.description)) &&
          (!author || find(author, f.author)) &&
          (!category || f.categories.some((c) => find(category, c)))
        );
      });
    }
  }
  const out = regex('filterout');
  const outTitle = regex('filterout_title') ?? out;
  const outDesc = regex('filterout_description') ?? out;
  const outAuthor = regex('filterout_author');
  const outCategory = regex('filterout_category');
  if (outTitle || outDesc || outAuthor || outCategory) {
    tests.push((item) => {
      const f = fields(item);
      return (
        !(outTitle && find(outTitle, f.title)) &&
        !(outDesc && find(outDesc, f.description)) &&
        !(outAuthor && find(outAuthor, f.author)) &&
        !(outCategory && f.categories.some((c) => find(outCategory, c)))
      );
    });
  }
  if (tests.length === 0) return null;
  return (item) => tests.every((t) => t(item));
}

function compilePattern(name: string, value: string | null, insensitive: boolean): RE2JS | null {
  if (value === null || value === '') return null;
  if (value.length > MAX_PATTERN_LENGTH) throw new FilterError(`${name}: pattern longer than ${MAX_PATTERN_LENGTH} characters`);
  try {
    return RE2JS.compile(value, insensitive ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (err) {
    // RE2 refuses what it cannot run in linear time (backreferences, lookaround) with a syntax error.
    throw new FilterError(`${name}: invalid or unsupported regular expression "${clip(value)}": ${(err as Error).message}`);
  }
}

function find(re: RE2JS, text: string): boolean {
  return re.matcher(text).find();
}

function fields(item: NewsItem): { title: string; description: string; author: string; categories: string[] } {
  const title = headline(item);
  return {
    title,
    description: description(item) || title,
    author: item.by ?? '',
    categories: (item.subjects ?? []).map((s) => s.name),
  };
}

function headline(item: NewsItem): string {
  return item.headlines.find((h) => h.role === 'main')?.value ?? item.headlines[0]?.value ?? '';
}

function description(item: NewsItem): string {
  const body = item.bodies?.[0]?.value;
  if (body) return htmlToText(body);
  return item.descriptions?.map((d) => d.value).join(' ') ?? '';
}

function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase().trim();
}

function listParam(params: URLSearchParams, name: string): string[] {
  return params
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

function limitParam(value: string | null): number {
  if (value === null || value === '') return DEFAULT_LIMIT;
  if (!/^\d+$/.test(value)) throw new FilterError(`limit must be a whole number from 1 to ${MAX_LIMIT}, not "${clip(value)}"`);
  const n = Number(value);
  if (n < 1 || n > MAX_LIMIT) throw new FilterError(`limit must be from 1 to ${MAX_LIMIT}, not ${n}`);
  return n;
}

const STATUSES = ['usable', 'withheld', 'canceled'];

function statusParam(value: string | null): string[] | null {
  if (value === null || value === '') return ['usable'];
  if (value === 'any') return null;
  const wanted = value.split(',').map((s) => s.trim());
  const bad = wanted.filter((s) => !STATUSES.includes(s));
  if (bad.length) throw new FilterError(`status must be one of ${[...STATUSES, 'any'].join(', ')}, not "${clip(bad[0]!)}"`);
  return wanted;
}

/** `since`/`until`: an ISO-8601 time with a zone, or an ISO-8601 duration counted back from now. */
function timeParam(params: URLSearchParams, name: string, now: number): number | null {
  const raw = params.get(name);
  if (raw === null || raw === '') return null;
  // An unencoded "+02:00" arrives as " 02:00" (a query string's "+" is a space).
  const value = raw.replace(/ (\d{2}:?\d{2})$/, '+$1');
  const duration = parseDuration(value);
  if (duration !== null) return now - duration;
  if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value)) {
    const t = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
    if (!Number.isNaN(t)) return t;
  }
  throw new FilterError(`${name} must be an ISO-8601 time with a zone (2026-11-25T08:00:00Z) or a duration (PT6H, P2D), not "${clip(value)}"`);
}

/** ISO-8601 duration (`P2D`, `PT6H30M`, `P1W`) in milliseconds; years and months are refused as inexact. */
export function parseDuration(value: string): number | null {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value);
  if (!m || value === 'P' || value.endsWith('T')) return null;
  const [, w, d, h, min, s] = m;
  return ((Number(w ?? 0) * 7 + Number(d ?? 0)) * 86_400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0)) * 1000;
}

function cursorParam(value: string | null): { key: number; id: string } | null {
  if (value === null || value === '') return null;
  const decoded = unbase64url(value);
  const sep = decoded?.indexOf('~') ?? -1;
  const key = decoded && sep > 0 ? Number(decoded.slice(0, sep)) : Number.NaN;
  if (!decoded || !Number.isFinite(key)) throw new FilterError('before: not a cursor this service issued (take it from a rel="next" link)');
  return { key, id: decoded.slice(sep + 1) };
}

function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function unbase64url(value: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(value) || value.length > 2000) return null;
  try {
    const bin = atob(value.replace(/-/g, '+').replace(/_/g, '/'));
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
