/**
 * Subjects: upstream categories and the site's tag lines, plus rule-derived ones — keyword → subject and
 * dateline place → region (CALGARY → Alberta, Canada) — so a regional outlet can ask for "Alberta".
 */
import type { NinjsSubject } from '../model.ts';
import type { CompiledRules } from './matchers.ts';
import type { SubjectRule } from './rules.ts';
import { cleanText, fold, uniqueCaseless } from './text.ts';
import { resolvePlace } from './vocabulary/gazetteer.ts';
import { StringMemo } from '../util/string-memo.ts';

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
      ...locatedSubjects(sources.located, rules),
      ...keywordSubjects(sources.texts, rules),
      ...sources.sourceCategories,
    ]
      .map((n) => cleanText(n))
      .filter((n) => n.length > 0 && n.length <= 100),
  );
  return names.map((name) => ({ name }));
}

const locatedCache = new WeakMap<CompiledRules, StringMemo<string[]>>();

// The rules' and the gazetteer's subjects of a dateline place; a feed names the same few places again and again.
function locatedSubjects(located: string | null, rules: CompiledRules): string[] {
  if (!located) return [];
  let memo = locatedCache.get(rules);
  if (!memo) locatedCache.set(rules, (memo = new StringMemo(1 << 16)));
  const hit = memo.get(located);
  if (hit) return hit;
  return memo.set(located, [...regionSubjects(located, rules), ...placeSubjects(located, rules)]);
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
  const matchers = keywordMatchers(rules.rules.keywords);
  // A rule's phrase matches only where each of its words does: most texts hold none of the words at all.
  const anyWord = anyWordOf(rules.rules.keywords);
  if (anyWord && !texts.some((t) => anyWord.test(t))) return [];
  const text = texts.join('\n');
  if (!text) return [];
  // Without the two characters that fold to ASCII letters (ſ, the Kelvin sign), a rule can only match where
  // the lower-case text holds the first ASCII word of one of its phrases.
  const foldsToAscii = /[\u017f\u212a]/.test(text);
  let lower: string | null = null;
  const mayMatch = (needles: string[] | null): boolean =>
    needles === null || foldsToAscii || needles.some((n) => (lower ??= text.toLowerCase()).includes(n));
  const out: string[] = [];
  for (const { rule, re, needles } of matchers) if (mayMatch(needles) && re.test(text)) out.push(...rule.subjects);
  return out;
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

const matcherCache = new WeakMap<SubjectRule[], { rule: SubjectRule; re: RegExp; needles: string[] | null }[]>();

// What every match of a phrase holds, lower case: its first word when that is ASCII; null when unknown.
function needleOf(phrase: string): string | null {
  const first = phrase.trim().split(/[\s'’]/)[0] ?? '';
  return /^[\x00-\x7f]*$/.test(first) ? first.toLowerCase() : null;
}

const anyWordCache = new WeakMap<SubjectRule[], RegExp | null>();

/**
 * One pattern for "the text holds a word of a phrase": each phrase's longest word, matched as the phrase
 * patterns match it (case-insensitively, `u`), so a text it does not match cannot match any phrase. Words hold
 * no white space or quote, so a word cannot span two texts joined by a line break. Null when some phrase has
 * no word.
 */
function anyWordOf(keywords: SubjectRule[]): RegExp | null {
  const hit = anyWordCache.get(keywords);
  if (hit !== undefined) return hit;
  const longest = keywords.flatMap((rule) =>
    rule.match.map((m) => m.trim().split(/[\s'’]+/).reduce((a, b) => (b.length > a.length ? b : a), '')),
  );
  const re =
    longest.length > 0 && longest.every((w) => w.length > 0)
      ? new RegExp(longest.map((w) => w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'iu')
      : null;
  anyWordCache.set(keywords, re);
  return re;
}

function keywordMatchers(keywords: SubjectRule[]): { rule: SubjectRule; re: RegExp; needles: string[] | null }[] {
  const hit = matcherCache.get(keywords);
  if (hit) return hit;
  const built = keywords.map((rule) => {
    const alternatives = rule.match
      .map((m) => m.trim().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace(/['’]/g, "['’]").replace(/\s+/g, '\\s+'))
      .join('|');
    const needles = rule.match.map(needleOf);
    return {
      rule,
      re: new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`, 'iu'),
      needles: needles.every((n): n is string => n !== null) ? needles : null,
    };
  });
  matcherCache.set(keywords, built);
  return built;
}
