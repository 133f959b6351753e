/**
 * What makes a filtered feed its own feed: the canonical form of its filter parameters (the same whatever
 * their order, case or repetition where the filter ignores those) and a label for its title.
 */
import { FILTER_PARAMETERS } from './filter.ts';

/** A filter in canonical form: `query` without `?` (empty when unfiltered) and a human `label`. */
export interface FilterIdentity {
  query: string;
  label: string;
}

/** Parameters that page, sort or size a feed: the same feed, so they are no part of its identity. */
const PRESENTATION = new Set<string>(['limit', 'sorted', 'before']);
/** Lists that match any of their values, case-insensitively. */
const LISTS = new Set<string>(['category', 'exclude_category', 'provider', 'located']);
/** Regular-expression filters, which the `filter_case_sensitive` switch governs. */
const PATTERNS = FILTER_PARAMETERS.filter((p) => p.startsWith('filter') && p !== 'filter_case_sensitive' && p !== 'filter_time');

const LABELS: Record<string, string> = {
  category: 'category',
  exclude_category: 'not category',
  provider: 'provider',
  located: 'located',
  by: 'by',
  q: 'matching',
  since: 'since',
  until: 'until',
  status: 'status',
  filter_time: 'last seconds',
};

/**
 * The canonical filter of a feed request's query: parameters in a fixed order; lists split on commas,
 * de-duplicated and sorted (case-folded: the filter compares them so); `q`'s words sorted; defaults
 * (`status=usable`, `filter_case_sensitive=true`) and presentation parameters (`limit`, `sorted`,
 * `before`) left out, as are parameters no filter reads.
 */
export function filterIdentity(params: URLSearchParams): FilterIdentity {
  const canonical: [string, string][] = [];
  const labels: string[] = [];
  const hasPattern = PATTERNS.some((p) => (params.get(p) ?? '') !== '');
  for (const name of [...FILTER_PARAMETERS].sort()) {
    if (PRESENTATION.has(name)) continue;
    const entry = canonicalValue(name, params);
    if (entry === null) continue;
    if (name === 'filter_case_sensitive' && !hasPattern) continue;
    canonical.push([name, entry.value]);
    labels.push(entry.label);
  }
  return { query: new URLSearchParams(canonical).toString(), label: labels.join(', ') };
}

function canonicalValue(name: string, params: URLSearchParams): { value: string; label: string } | null {
  const label = LABELS[name] ?? name;
  if (LISTS.has(name)) {
    const byKey = new Map<string, string>();
    for (const v of params.getAll(name).flatMap((s) => s.split(','))) {
      const shown = v.trim();
      if (shown !== '' && !byKey.has(fold(shown))) byKey.set(fold(shown), shown);
    }
    if (byKey.size === 0) return null;
    const keys = [...byKey.keys()].sort();
    return { value: keys.join(','), label: `${label} ${keys.map((k) => byKey.get(k)).join(' or ')}` };
  }
  const raw = (params.get(name) ?? '').trim();
  if (raw === '') return null;
  switch (name) {
    case 'by':
      return { value: fold(raw), label: `${label} ${raw}` };
    case 'q': {
      const words = [...new Set(fold(raw).split(/\s+/))].sort();
      return { value: words.join(' '), label: `${label} “${raw}”` };
    }
    case 'status': {
      const statuses = [...new Set(raw.split(',').map((s) => s.trim()))].sort();
      if (statuses.join(',') === 'usable') return null;
      return { value: statuses.join(','), label: `${label} ${statuses.join(' or ')}` };
    }
    case 'filter_case_sensitive':
      return raw === 'false' ? { value: 'false', label: 'case-insensitive' } : null;
    default:
      return { value: raw, label: `${label} ${raw}` };
  }
}

function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase().trim();
}
