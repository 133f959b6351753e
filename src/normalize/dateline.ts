/**
 * Datelines opening a story's first paragraph: `WASHINGTON —`, `PALM BEACH, Fla. —`, `CITY (AP) —`,
 * `LONDON, March 16 (Reuters) -`, `Paris (AFP) –` (em dash, en dash, `--` or a spaced `-`).
 */
import { canonicalAgency } from './agency.ts';
import type { CompiledRules } from './matchers.ts';
import { cleanText, isAllCaps, words } from './text.ts';

/** A dateline found at the start of a paragraph. */
export interface Dateline {
  /** The place as written: "WASHINGTON", "PALM BEACH, Fla.", "KINGSTOWN, St. Vincent". */
  located: string;
  /** Canonical agency named in brackets ("(AP)"), or null. */
  agency: string | null;
  /** The date as written ("March 16"), or null. */
  date: string | null;
  /** The paragraph without the dateline. */
  rest: string;
}

// The separator: an em/en dash (spaces optional) or a spaced "--"/"-".
const SEPARATOR = /\s*[—–]\s*|\s+--?\s+/;
const MONTH = String.raw`(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?`;
const DATE_SUFFIX = new RegExp(String.raw`,?\s+(${MONTH}\s+\d{1,2}(?:,\s*\d{4})?)$`);
const AGENCY_SUFFIX = /\s*\(([^()]{1,40})\)$/;

/** Reads a dateline at the start of a paragraph; null when the paragraph has none. */
export function parseDateline(paragraph: string, rules: CompiledRules): Dateline | null {
  const text = cleanText(paragraph);
  const sep = SEPARATOR.exec(text.slice(0, 90));
  if (!sep || sep.index === 0) return null;
  const rest = text.slice(sep.index + sep[0].length).trim();
  if (!rest) return null;

  let prefix = text.slice(0, sep.index).trim();
  let agency: string | null = null;
  const a = AGENCY_SUFFIX.exec(prefix);
  if (a) {
    // An agency the rules do not know ("(Bloomberg)") is kept as written.
    agency = canonicalAgency(a[1]!, rules) ?? (/^\p{Lu}[\p{L} .&-]{1,30}$/u.test(a[1]!.trim()) ? a[1]!.trim() : null);
    if (!agency) return null;
    prefix = prefix.slice(0, a.index).trim();
  }
  let date: string | null = null;
  const d = DATE_SUFFIX.exec(prefix);
  if (d) {
    date = d[1]!;
    prefix = prefix.slice(0, d.index).trim();
  }
  if (!prefix) return null;

  const [city = '', ...regionParts] = prefix.split(',');
  const region = regionParts.join(',').trim();
  const cityName = city.trim();
  // A place in capitals stands alone; one in title case (AFP's "Paris (AFP)") needs an agency or a date beside it.
  if (!isPlace(cityName, isAllCaps(cityName) ? 'caps' : agency || date ? 'title' : 'none')) return null;
  if (regionParts.length > 0 && !isRegion(region)) return null;
  const located = region ? `${cityName}, ${region}` : cityName;
  return { located, agency, date, rest };
}

/** The first paragraph without its dateline, and the dateline; the paragraph unchanged when it has none. */
export function splitDateline(paragraph: string, rules: CompiledRules): { dateline: Dateline | null; text: string } {
  const dateline = parseDateline(paragraph, rules);
  return { dateline, text: dateline ? dateline.rest : paragraph };
}

function isPlace(city: string, casing: 'caps' | 'title' | 'none'): boolean {
  if (casing === 'none' || city.length < 2 || city.length > 40 || /\d/.test(city)) return false;
  const tokens = words(city);
  if (tokens.length > 5) return false;
  if (casing === 'caps') return /^[\p{Lu}][\p{Lu}\p{M} .'’/-]*$/u.test(city);
  return tokens.every((t) => /^(?:\p{Lu}[\p{L}\p{M}.'’-]*|de|la|le|du|des|am|an|upon|on)$/u.test(t));
}

function isRegion(region: string): boolean {
  if (!region || region.length > 32 || /\d/.test(region)) return false;
  const tokens = words(region);
  return tokens.length <= 4 && tokens.every((t) => /^(?:\p{Lu}[\p{L}\p{M}.'’-]*|of|and|the|de|du)$/u.test(t));
}
