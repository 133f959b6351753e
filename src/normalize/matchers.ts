/**
 * Rules compiled once into matchers: phrases and `/regex/` strings become tests on a line, organisation
 * aliases become one lookup table. Compiled rule sets are cached per rules object.
 */
import type { NormalizeRules } from './rules.ts';
import { StringMemo } from '../util/string-memo.ts';
import { fold, trimEndOf } from './text.ts';

/** An organisation found by one of its aliases. */
export interface KnownOrganisation {
  name: string;
  kind: 'agency' | 'outlet';
}

/** The rules ready to apply. */
export interface CompiledRules {
  rules: NormalizeRules;
  /** Whole-line furniture that is dropped. */
  isDropLine(line: string): boolean;
  /** The line that opens the list of sibling stories. */
  isTeaserStart(line: string): boolean;
  /** A heading of a list of links to other stories (counts only when linked lines follow). */
  isSiblingHeading(line: string): boolean;
  /** A copyright boilerplate line. */
  isCopyrightLine(line: string): boolean;
  /** An image address that is a tracking pixel or an ad server. */
  isTrackingImage(href: string): boolean;
  /** The line from which nothing belongs to the item. */
  isCut(line: string): boolean;
  /** The heading of a fact box the site appends (a company profile). */
  isFactBox(line: string): boolean;
  /** The line without its read-more marker, and whether it had one. */
  stripReadMore(line: string): { text: string; cut: boolean };
  /** A title without the site's suffixes and labels. */
  stripHeadlineAffixes(title: string): string;
  /** The kill/withdrawal marker a line starts with, or null. */
  killMarker(line: string): string | null;
  /** True for an upstream category that marks a killed story. */
  isKillCategory(category: string): boolean;
  /** The organisation an alias names (agency or outlet), or null. */
  organisation(name: string): KnownOrganisation | null;
  /** Every alias, longest first (for finding an organisation inside a credit). */
  aliases: string[];
}

const REGEX_LITERAL = /^\/(.+)\/([a-z]*)$/s;
// Names and lines are matched again by each rule that reads them; memos keep the work per text once.
const orgKeyMemo = new StringMemo<string>();
const cache = new WeakMap<NormalizeRules, CompiledRules>();

/** Compiles a rule set (cached: compiling the same object twice returns the same matchers). */
export function compileRules(rules: NormalizeRules): CompiledRules {
  const hit = cache.get(rules);
  if (hit) return hit;
  const drop = lineMatchers(rules.dropLines);
  const teaserStart = lineMatchers(rules.teaserSectionStart);
  const cut = lineMatchers(rules.cutAt);
  const factBox = lineMatchers(rules.factBoxes);
  const siblingHeading = lineMatchers(rules.siblingHeadings);
  const copyright = lineMatchers(rules.copyrightLines);
  const trackers = rules.trackingImages.map((p) => asRegex(p) ?? new RegExp(p.trim().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), 'i'));
  const readMore = rules.readMore.map((p) =>
    asRegex(p) ?? new RegExp(`\\s*(?:\\u2026|\\.{3})?\\s*\\[?${flexible(p)}\\]?\\s*(?:\\u2026|\\.{2,3})?\\s*(?:»|›|→|>>)?\\s*$`, 'iu'),
  );
  const suffixes = rules.headlineSuffixes.map(
    (p) => asRegex(p) ?? new RegExp(`\\s*[|\\-–—:·•]\\s*${flexible(p)}\\s*$`, 'iu'),
  );
  const prefixes = rules.headlinePrefixes.map(
    (p) => asRegex(p) ?? new RegExp(`^\\s*${flexible(p)}\\s*[:\\-–—]\\s+`, 'iu'),
  );
  const kills = rules.killMarkers.map((p) => asRegex(p) ?? new RegExp(`^\\s*${flexible(p)}\\b`, 'iu'));
  const affixes = [...suffixes, ...prefixes];
  const affixMemo = new StringMemo<string>();
  const killCategories = new Set(rules.killCategories.map((c) => fold(c)));

  const orgs = new Map<string, KnownOrganisation>();
  const add = (alias: string, org: KnownOrganisation): void => {
    const key = orgKey(alias);
    if (key && !orgs.has(key)) orgs.set(key, org);
  };
  for (const a of rules.agencies) {
    const org = { name: a.name, kind: 'agency' as const };
    add(a.name, org);
    a.aliases.forEach((alias) => add(alias, org));
  }
  for (const o of rules.outlets) {
    const org = { name: o.name, kind: 'outlet' as const };
    add(o.name, org);
    o.aliases.forEach((alias) => add(alias, org));
  }
  const aliases = [...new Set([...rules.agencies, ...rules.outlets].flatMap((o) => [o.name, ...o.aliases]))].sort(
    (a, b) => b.length - a.length,
  );

  const compiled: CompiledRules = {
    rules,
    isDropLine: (line) => drop(line),
    isTeaserStart: (line) => teaserStart(line),
    isCut: (line) => cut(line),
    isFactBox: (line) => factBox(line),
    isSiblingHeading: (line) => siblingHeading(line),
    isCopyrightLine: (line) => copyright(line),
    isTrackingImage: (href) => trackers.some((re) => re.test(href)),
    stripReadMore(line) {
      for (const re of readMore) {
        const m = re.exec(line);
        if (m && m[0].length > 0) return { text: (line.slice(0, m.index) + line.slice(m.index + m[0].length)).trim(), cut: true };
      }
      return { text: line, cut: false };
    },
    stripHeadlineAffixes(title) {
      const hit = affixMemo.get(title);
      if (hit !== undefined) return hit;
      let t = title;
      for (let pass = 0; pass < 2; pass++) {
        for (const re of affixes) t = t.replace(re, '').trim();
      }
      return affixMemo.set(title, t || title);
    },
    killMarker(line) {
      for (const re of kills) {
        const m = re.exec(line);
        if (m) return m[0];
      }
      return null;
    },
    isKillCategory: (category) => killCategories.has(fold(category)),
    organisation(name) {
      const key = orgKey(name);
      if (!key) return null;
      return orgs.get(key) ?? orgs.get(key.replace(/ (?:staff|photo|photos|file photo)$/, '')) ?? null;
    },
    aliases,
  };
  cache.set(rules, compiled);
  return compiled;
}

/** The lookup key of an organisation name: folded, without "The" and punctuation. */
function orgKey(name: string): string {
  const hit = orgKeyMemo.get(name);
  if (hit !== undefined) return hit;
  return orgKeyMemo.set(name, orgKeyOf(name));
}

function orgKeyOf(name: string): string {
  return fold(name)
    .replace(/[^\p{L}\p{N}&]+/gu, ' ')
    .trim()
    .replace(/^the /, '');
}

function lineMatchers(patterns: string[]): (line: string) => boolean {
  const phrases = new Set<string>();
  const regexes: RegExp[] = [];
  for (const p of patterns) {
    const re = asRegex(p);
    if (re) regexes.push(re);
    else phrases.add(phraseKey(p));
  }
  return (line) => phrases.has(phraseKey(line)) || regexes.some((re) => re.test(line));
}

// `fold` leaves no white space but single spaces, so trimming these characters is `.replace(/[\s.!:;,]+$/, '')`.
function phraseKey(text: string): string {
  return trimEndOf(fold(text), ' .!:;,');
}

function asRegex(pattern: string): RegExp | null {
  const m = REGEX_LITERAL.exec(pattern);
  if (!m) return null;
  // `g`/`y` make `test` stateful; rules are matched one line at a time without them.
  return new RegExp(m[1]!, m[2]!.replace(/[gy]/g, ''));
}

/** A phrase as a regex source: escaped, any run of spaces matching any white space, quotes either way. */
function flexible(phrase: string): string {
  return phrase
    .trim()
    .replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    .replace(/['’]/g, "['’]")
    .replace(/\s+/g, '\\s+');
}
