/**
 * Subjects: upstream categories and the site's tag lines, plus rule-derived ones — keyword → subject and
 * dateline place → region (CALGARY → Alberta, Canada) — so a regional outlet can ask for "Alberta".
 */
import type { NinjsSubject } from '../model.ts';
import type { CompiledRules } from './matchers.ts';
import type { SubjectRule } from './rules.ts';
import { cleanText, fold, uniqueCaseless } from './text.ts';
import { resolvePlace } from './vocabulary/gazetteer.ts';

/** Everything subjects are drawn from. */
export interface SubjectSources {
  /** Upstream categories (kill markers already removed). */
  categories: string[];
  /** The site's tag lines. */
  tags: string[];
  /** The dateline place, if any. */
  located: string | null;
  /** Text the keyword rules look at (headline, summary, body). */
  texts: string[];
  /** Categories the source configuration gives every item. */
  sourceCategories: string[];
}

/** The subjects of an item, each name once (compared case-insensitively), upstream ones first. */
export function subjectsFor(sources: SubjectSources, rules: CompiledRules): NinjsSubject[] {
  const names = uniqueCaseless(
    [
      ...sources.categories,
      ...sources.tags,
      ...regionSubjects(sources.located, rules),
      ...placeSubjects(sources.located, rules),
      ...keywordSubjects(sources.texts, rules),
      ...sources.sourceCategories,
    ]
      .map((n) => cleanText(n))
      .filter((n) => n.length > 0 && n.length <= 100),
  );
  return names.map((name) => ({ name }));
}

/** Region subjects of a dateline place: a rule matches the whole place, its city or its region part. */
export function regionSubjects(located: string | null, rules: CompiledRules): string[] {
  if (!located) return [];
  const [city = '', ...region] = located.split(',');
  const candidates = new Set([placeKey(located), placeKey(city), placeKey(region.join(','))].filter(Boolean));
  return placeRuleKeys(rules.rules.places)
    .filter(({ keys }) => keys.some((k) => candidates.has(k)))
    .flatMap(({ rule }) => rule.subjects);
}

/**
 * The gazetteer's subjects for a dateline place: its region and country (CALGARY → Alberta, Canada;
 * "PALM BEACH, Fla." → Florida, United States), each city of "NEW YORK/LONDON" in turn. Empty when the
 * gazetteer is off or does not know the place.
 */
export function placeSubjects(located: string | null, rules: CompiledRules): string[] {
  if (!located || !rules.rules.gazetteer) return [];
  const [city = '', ...region] = located.split(',');
  return city.split('/').flatMap((part) => {
    const place = resolvePlace(part.trim(), region.join(',').trim());
    if (!place) return [];
    return place.kind === 'country' ? [place.country] : [place.region, place.country].filter(Boolean);
  });
}

/** Keyword subjects: a rule matches when one of its words or phrases appears as a whole word in the text. */
export function keywordSubjects(texts: string[], rules: CompiledRules): string[] {
  const text = texts.join('\n');
  if (!text) return [];
  return keywordMatchers(rules.rules.keywords)
    .filter(({ re }) => re.test(text))
    .flatMap(({ rule }) => rule.subjects);
}

function placeKey(place: string): string {
  return fold(place).replace(/\.+$/, '').trim();
}

const placeKeyCache = new WeakMap<SubjectRule[], { rule: SubjectRule; keys: string[] }[]>();

// The place rules' keys, computed once per rules object.
function placeRuleKeys(places: SubjectRule[]): { rule: SubjectRule; keys: string[] }[] {
  const hit = placeKeyCache.get(places);
  if (hit) return hit;
  const built = places.map((rule) => ({ rule, keys: rule.match.map((m) => placeKey(m)) }));
  placeKeyCache.set(places, built);
  return built;
}

const matcherCache = new WeakMap<SubjectRule[], { rule: SubjectRule; re: RegExp }[]>();

function keywordMatchers(keywords: SubjectRule[]): { rule: SubjectRule; re: RegExp }[] {
  const hit = matcherCache.get(keywords);
  if (hit) return hit;
  const built = keywords.map((rule) => {
    const alternatives = rule.match
      .map((m) => m.trim().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace(/['’]/g, "['’]").replace(/\s+/g, '\\s+'))
      .join('|');
    return { rule, re: new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`, 'iu') };
  });
  matcherCache.set(keywords, built);
  return built;
}
