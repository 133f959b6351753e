/**
 * Upstream URLs: resolved against the entry's page, kept only when http(s), and reduced to a canonical
 * form (tracking parameters, fragment and trailing slash dropped) for identity.
 */

import { StringMemo } from '../util/string-memo.ts';
import { trimEndOf } from './text.ts';

// Parameters that only track the click; two links differing in them are the same page.
const TRACKING = /^(?:utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|cmpid|ocid|ref|ref_src|src|share|sh|igshid|_ga|yclid)$/i;

// An RFC 3986 host (reg-name or IP literal; WHATWG has already lower-cased and punycoded it) with its port.
const RFC3986_HOST = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]+|\[[0-9A-Fa-f:.]+\])(?::\d+)?$/;

/** An absolute http(s) URL for `href` (resolved against `base`), or null. */
export function resolveHttpUrl(href: string | null | undefined, base?: string | null): string | null {
  const value = href?.trim();
  if (!value) return null;
  // The same links (the entry's, the feed's, as base) are resolved many times per entry; parsing a URL is not cheap.
  // An absolute http(s) address does not depend on the base (a base only counts for "http:path" without "//").
  if (ABSOLUTE.test(value)) {
    if (PLAIN_ABSOLUTE.test(value)) return value;
    const hit = absoluteMemo.get(value);
    return hit !== undefined ? hit : absoluteMemo.set(value, resolveUncached(value, null));
  }
  let memo = resolvedMemo.get(base || '');
  if (!memo) {
    if (resolvedMemo.size >= 64) resolvedMemo.clear();
    memo = new StringMemo<string | null>(1 << 14);
    resolvedMemo.set(base || '', memo);
  }
  const hit = memo.get(value);
  return hit !== undefined ? hit : memo.set(value, resolveUncached(value, base));
}

const ABSOLUTE = /^https?:\/\//i;

// An absolute address that parsing (WHATWG, then RFC 3986's escapes) gives back unchanged, as most links are:
// lower-case scheme and host whose last label is not a number (no IPv4 to rewrite) and holds no punycode to check;
// no port, credentials or fragment; a path without dot segments (nor an escaped dot, %2e); a query, if any, not
// empty; and no character either standard escapes (WHATWG escapes `'` in a query; every `%` starts an escape).
const PLAIN_ABSOLUTE =
  /^https?:\/\/(?![^/]*xn--)(?:[a-z0-9-]+\.)*[a-z][a-z0-9-]*(?:\/(?!\.\.?(?:[/?]|$))(?:[A-Za-z0-9\-._~:@!$&()*+,;=]|%(?!2[eE])[0-9A-Fa-f]{2})*)+(?:\?(?:[A-Za-z0-9\-._~:@!$&()*+,;=/?]|%[0-9A-Fa-f]{2})+)?$/;
const absoluteMemo = new StringMemo<string | null>(1 << 20);

// One memo per base (the feed's or the entry's link), a few bases at a time.
const resolvedMemo = new Map<string, StringMemo<string | null>>();

function resolveUncached(value: string, base: string | null | undefined): string | null {
  try {
    const url = base ? new URL(value, safeBase(base)) : new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    // WHATWG accepts hosts RFC 3986 does not (`a}b`, `x"y`); no such host resolves, and ninjs wants `format: uri`.
    if (!RFC3986_HOST.test(url.host)) return null;
    return rfc3986(url);
  } catch {
    return null;
  }
}

/**
 * The canonical form of a page link for identity: http(s) only, host lower case, default port, fragment and
 * tracking parameters dropped, remaining parameters sorted, no trailing slash on the path. Null when unusable.
 */
export function canonicalLink(href: string | null | undefined, base?: string | null): string | null {
  const resolved = resolveHttpUrl(href, base);
  if (!resolved) return null;
  // Without a query or fragment, only trailing slashes can go (what the pathname setter below would leave).
  if (!resolved.includes('?') && !resolved.includes('#')) return withoutTrailingSlash(resolved);
  const hit = canonicalMemo.get(resolved);
  return hit !== undefined ? hit : canonicalMemo.set(resolved, canonicalOf(resolved));
}

// A story's link is made canonical for its own key and again for each teaser and page that names it.
const canonicalMemo = new StringMemo<string>(1 << 16);

function canonicalOf(resolved: string): string {
  const url = new URL(resolved);
  url.hash = '';
  const kept = [...url.searchParams.entries()].filter(([k]) => !TRACKING.test(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  url.search = kept.length ? `?${new URLSearchParams(kept).toString()}` : '';
  if (url.pathname.length > 1) url.pathname = url.pathname.replace(/\/+$/, '') || '/';
  return url.href;
}

function withoutTrailingSlash(resolved: string): string {
  const trimmed = trimEndOf(resolved, '/');
  if (trimmed === resolved) return resolved;
  const path = pathStart(resolved);
  return trimmed.length > path ? trimmed : `${resolved.slice(0, path)}/`;
}

// Where the path of a resolved link starts: the first "/" after the host (a resolved link always has one).
function pathStart(resolved: string): number {
  return resolved.indexOf('/', resolved.indexOf('//') + 2);
}

/** The path of a link `resolveHttpUrl` gave (what `new URL(resolved).pathname` is): up to its query or fragment. */
export function resolvedPath(resolved: string): string {
  return resolved.slice(pathStart(resolved), resolved.search(/[?#]|$/));
}

/**
 * A parsed URL written so that RFC 3986 accepts it (ninjs `format: uri`): WHATWG URLs leave characters such
 * as `[`, `|`, `^` or a bare `%` in paths and queries; they are percent-encoded here. Credentials are dropped.
 */
function rfc3986(url: URL): string {
  const encode = (part: string, allowHash: boolean): string =>
    part
      .replace(/%(?![0-9A-Fa-f]{2})/g, '%25')
      .replace(allowHash ? /[^A-Za-z0-9\-._~:/?@!$&'()*+,;=%#]/g : /[^A-Za-z0-9\-._~:/?@!$&'()*+,;=%]/g, (ch) =>
        [...new TextEncoder().encode(ch)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
      );
  const hash = url.hash ? `#${encode(url.hash.slice(1), false)}` : '';
  return `${url.protocol}//${url.host}${encode(url.pathname, false)}${encode(url.search, false)}${hash}`;
}

function safeBase(base: string): string | undefined {
  try {
    return new URL(base).href;
  } catch {
    return undefined;
  }
}
