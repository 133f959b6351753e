import type { FeedSpec } from '../model.ts';
import type { ItemQuery } from '../store/store.ts';

/** Default and largest number of items a feed carries. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/** A filter request that cannot be honoured; the HTTP edge turns it into a 400. */
export class FilterError extends Error {}

/**
 * The store query for a published feed narrowed by request parameters. A named feed's own filter always
 * applies; `?category=` (repeatable or comma-separated: any of) narrows it further, as do
 * `?exclude_category=` and `?limit=`.
 */
export function feedQuery(spec: FeedSpec, params: URLSearchParams): ItemQuery {
  const groups: string[][] = [];
  if (spec.filter.categories?.length) groups.push(spec.filter.categories);
  const requested = listParam(params, 'category');
  if (requested.length) groups.push(requested);
  return {
    categoryGroups: groups,
    excludeCategories: [...(spec.filter.excludeCategories ?? []), ...listParam(params, 'exclude_category')],
    sources: spec.filter.sources ?? [],
    limit: limitParam(params.get('limit')),
  };
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
  if (!/^\d+$/.test(value)) throw new FilterError(`limit must be a whole number from 1 to ${MAX_LIMIT}, not "${value.slice(0, 40)}"`);
  const n = Number(value);
  if (n < 1 || n > MAX_LIMIT) throw new FilterError(`limit must be from 1 to ${MAX_LIMIT}, not ${n}`);
  return n;
}
