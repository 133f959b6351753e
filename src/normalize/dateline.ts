/**
 * Datelines opening a story's first paragraph: `WASHINGTON —`, `PALM BEACH, Fla. —`, `CITY (AP) —`,
 * `LONDON, March 16 (Reuters) -`, `Paris (AFP) –`, `MADRID (EFE).-`, `BERLIN (dpa) -` (em dash, en dash, `--`
 * or a spaced `-`), and the agency alone (`AP - `). The place is checked against the gazetteer (and the
 * rules' places), so an agency or a shouted word is never taken for one.
 */
import { canonicalAgency, knownOrganisation } from './agency.ts';
import type { CompiledRules } from './matchers.ts';
import { cleanText, isAllCaps, words } from './text.ts';
import { ENGLISH_MONTHS, OTHER_MONTHS } from './vocabulary/dateline-months.ts';
import { lookupPlaces, placeKey } from './vocabulary/gazetteer.ts';

/** A dateline found at the start of a paragraph. */
export interface Dateline {
  /** The place as written: "WASHINGTON", "PALM BEACH, Fla.", "KINGSTOWN, St. Vincent"; null for an agency alone ("AP -"). */
  located: string | null;
  /** Canonical agency named in brackets ("(AP)"), or null. */
  agency: string | null;
  /** The date as written ("March 16"), or null. */
  date: string | null;
  /** The paragraph without the dateline. */
  rest: string;
}

// The separator: an em/en dash (spaces optional), a spaced "--"/"-", or EFE's ".-" after the agency's bracket.
const SEPARATOR = /\s*[—–]\s*|\s+--?\s+|(?<=\))\s*\.?-\s*/;
// Longest first, so "Sept" is not read as "Sep" and a dot after it.
const alternation = (names: readonly string[]): string =>
  [...new Set(names)].sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
const MONTH = String.raw`(?:${alternation(ENGLISH_MONTHS)})\.?`;
const ANY_MONTH = String.raw`(?:${alternation([...ENGLISH_MONTHS, ...Object.values(OTHER_MONTHS).flat()])})\.?`;
// "March 16", "Jan. 7, 2026" (English order); "24 set", "3 oct.", "12 janv. 2026", "5 de junio de 2026", "3. Okt.".
const DATE_SUFFIX = new RegExp(
  String.raw`,?\s+(${MONTH}\s+\d{1,2}(?:,\s*\d{4})?|\d{1,2}\.?\s+(?:de\s+)?${ANY_MONTH}(?:\s+(?:de\s+)?\d{4})?)$`,
  'iu',
);
const AGENCY_SUFFIX = /\s*\(([^()]{1,40})\)$/;

/** Reads a dateline at the start of a paragraph; null when the paragraph has none. */
export function parseDateline(paragraph: string, rules: CompiledRules): Dateline | null {
  const text = cleanText(paragraph);
  const head = text.slice(0, 90);
  // Every separator holds a dash: three one-character searches rule out most paragraphs cheaper than the regex.
  if (!head.includes('—') && !head.includes('–') && !head.includes('-')) return null;
  const sep = SEPARATOR.exec(head);
  if (!sep || sep.index === 0) return null;
  const rest = text.slice(sep.index + sep[0].length).trim();
  if (!rest) return null;

  let prefix = text.slice(0, sep.index).trim();
  // "AP - The Senate voted…": the agency alone, no place.
  const alone = canonicalAgency(prefix, rules);
  if (alone) return { located: null, agency: alone, date: null, rest };
  let agency: string | null = null;
  const a = AGENCY_SUFFIX.exec(prefix);
  if (a) {
    // An agency the rules do not know ("(Bloomberg)") is kept as written.
    agency = canonicalAgency(a[1]!, rules) ?? (/^\p{Lu}[\p{L} .&-]{1,30}$/u.test(a[1]!.trim()) ? a[1]!.trim() : null);
    if (!agency) return null;
    prefix = prefix.slice(0, a.index).trim();
    // "(AP) — The Senate…": the agency's tag with no place before it.
    if (!prefix && canonicalAgency(a[1]!, rules)) return { located: null, agency, date: null, rest };
  }
  let date: string | null = null;
  const d = DATE_SUFFIX.exec(prefix);
  if (d) {
    date = d[1]!;
    prefix = prefix.slice(0, d.index).trim();
  }
  if (!prefix) return null;

  // The city, then the region: all that follows the first comma.
  const comma = prefix.indexOf(',');
  const cityName = (comma < 0 ? prefix : prefix.slice(0, comma)).trim();
  const region = comma < 0 ? '' : prefix.slice(comma + 1).trim();
  // A place in capitals stands alone; one in title case (AFP's "Paris (AFP)") needs an agency or a date beside it.
  const placeShaped =
    isPlace(cityName, isAllCaps(cityName) ? 'caps' : agency || date ? 'title' : 'none') && (comma < 0 || isRegion(region));
  if (placeShaped && knownPlace(cityName, region, rules)) {
    return { located: region ? `${cityName}, ${region}` : cityName, agency, date, rest };
  }
  // An agency tag marks a dateline even when its place is unknown: the agency is kept, no place is made up.
  return agency ? { located: null, agency, date, rest } : null;
}

/**
 * True when a dateline's city (each of "NEW YORK/LONDON") or its region part is a place the gazetteer or the
 * rules' places know, and neither names an organisation ("AP").
 */
export function knownPlace(city: string, region: string, rules: CompiledRules): boolean {
  if (knownOrganisation(city, rules)) return false;
  const ruledKeys = placeRuleKeys(rules);
  if (!rules.rules.gazetteer) return true;
  if (region && (ruledKeys.has(placeKey(region)) || lookupPlaces(region).length > 0)) return true;
  for (const part of city.split('/')) if (!ruledKeys.has(placeKey(part)) && !lookupPlaces(part).some(isFullName)) return false;
  return true;
}

// A closure made per call would be named at each call (esbuild's keepNames, as tsx runs it).
function isFullName(place: { abbreviation?: boolean | undefined }): boolean {
  return !place.abbreviation;
}

const placeKeysCache = new WeakMap<CompiledRules, Set<string>>();

// The keys of every place the rules name, once per rules object.
function placeRuleKeys(rules: CompiledRules): Set<string> {
  let keys = placeKeysCache.get(rules);
  if (!keys) {
    keys = new Set(rules.rules.places.flatMap((r) => r.match.map((m) => placeKey(m))));
    placeKeysCache.set(rules, keys);
  }
  return keys;
}

/**
 * The item's `located`: the dateline's place as the wires set it, its city in capitals ("Nova York, 24 set
 * (EFE).-" → "NOVA YORK"; "Paris (AFP)" → "PARIS"), a region part as written ("PALM BEACH, Fla."). Null when
 * the dateline names no place.
 */
export function datelineLocated(dateline: Dateline | null): string | null {
  const place = dateline?.located;
  if (!place) return null;
  const comma = place.indexOf(',');
  return comma < 0 ? place.toUpperCase() : place.slice(0, comma).toUpperCase() + place.slice(comma);
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
  // Lowercase particles of place names: "Ciudad de México", "Rio de Janeiro", "Città del Vaticano", "Frankfurt am Main".
  return tokens.every((t) => /^(?:\p{Lu}[\p{L}\p{M}.'’-]*|de|del|della|di|do|da|dos|das|la|le|les|du|des|am|an|im|upon|on|sur|en)$/u.test(t));
}

function isRegion(region: string): boolean {
  if (!region || region.length > 32 || /\d/.test(region)) return false;
  const tokens = words(region);
  return tokens.length <= 4 && tokens.every((t) => /^(?:\p{Lu}[\p{L}\p{M}.'’-]*|of|and|the|de|du)$/u.test(t));
}
