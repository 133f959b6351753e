/**
 * Rules compiled once into matchers: phrases and `/regex/` strings become tests on a line, organisation
 * aliases become one lookup table. Compiled rule sets are cached per rules object.
 */
import type { NormalizeRules } from './rules.ts';
import { StringMemo } from '../util/string-memo.ts';
import { byFirstChar, mayMatch, regexShape, type RegexShape } from './regex-shape.ts';
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
  /**
   * Every whole-line rule list a line matches, as {@link LineRule} bits: the lists asked at once (one phrase key,
   * one walk of the patterns the line's first character allows), for a reader that asks them all of each line.
   */
  lineRules(line: string): number;
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
  /**
   * False when no text ending as `text` does (in its last word) can name an organisation: a quick test before
   * each of a line's tails is looked up with {@link organisation}.
   */
  mayEndOrganisation(text: string): boolean;
  /** Every alias, longest first (for finding an organisation inside a credit). */
  aliases: string[];
}

/** The whole-line rule lists, as the bits of {@link CompiledRules.lineRules}. */
export const LineRule = {
  cut: 1,
  factBox: 2,
  teaserStart: 4,
  siblingHeading: 8,
  copyright: 16,
  drop: 32,
} as const;

const REGEX_LITERAL = /^\/(.+)\/([a-z]*)$/s;
// Longer texts given as titles are paragraphs compared with the headline: not remembered.
const MEMO_TITLE_LENGTH = 200;
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
  const lineRules = allLineMatchers([
    [LineRule.cut, rules.cutAt],
    [LineRule.factBox, rules.factBoxes],
    [LineRule.teaserStart, rules.teaserSectionStart],
    [LineRule.siblingHeading, rules.siblingHeadings],
    [LineRule.copyright, rules.copyrightLines],
    [LineRule.drop, rules.dropLines],
  ]);
  const trackers = rules.trackingImages.map((p) => asRegex(p) ?? new RegExp(p.trim().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), 'i'));
  const readMore = readMoreMatcher(rules.readMore);
  const suffixes = rules.headlineSuffixes.map((p): Affix => {
    const literal = asRegex(p);
    if (literal) return affix(literal, null);
    return affix(new RegExp(`\\s*[|\\-–—:·•]\\s*${flexible(p)}\\s*$`, 'iu'), endsWith(p.trim().split(/\s+/).at(-1)!));
  });
  const prefixes = rules.headlinePrefixes.map((p) => affix(asRegex(p) ?? new RegExp(`^\\s*${flexible(p)}\\s*[:\\-–—]\\s+`, 'iu'), null));
  const kills = rules.killMarkers.map((p) => shaped(asRegex(p) ?? new RegExp(`^\\s*${flexible(p)}\\b`, 'iu')));
  const affixes = [...suffixes, ...prefixes];
  const affixMemo = new StringMemo<string>();
  const stripAffixes = (title: string): string => {
    let t = title;
    for (let pass = 0; pass < 2; pass++) {
      for (const { re, shape, tail } of affixes) t = ((tail === null || tail(t)) && mayMatch(shape, t) ? t.replace(re, '') : t).trim();
    }
    return t || title;
  };
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
  // The last word of every key, and the words `organisation` drops from a key's end before its second lookup.
  const lastWords = new Set(['staff', 'photo', 'photos']);
  for (const key of orgs.keys()) lastWords.add(key.slice(key.lastIndexOf(' ') + 1));
  const mayEnd = (name: string): boolean => {
    const last = asciiLastKeyWord(name);
    return last === null || lastWords.has(last);
  };
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
    lineRules,
    isTrackingImage: (href) => trackers.some((re) => re.test(href)),
    stripReadMore: readMore,
    stripHeadlineAffixes(title) {
      // Titles repeat (a feed's items, their copies in the body); the paragraphs compared with them do not, and
      // looking one up costs more than ruling the affixes out on it.
      if (title.length > MEMO_TITLE_LENGTH) return stripAffixes(title);
      const hit = affixMemo.get(title);
      if (hit !== undefined) return hit;
      return affixMemo.set(title, stripAffixes(title));
    },
    killMarker(line) {
      for (const { re, shape } of kills) {
        const m = mayMatch(shape, line) ? re.exec(line) : null;
        if (m) return m[0];
      }
      return null;
    },
    isKillCategory: (category) => killCategories.has(fold(category)),
    organisation(name) {
      if (!mayEnd(name)) return null;
      const key = orgKey(name);
      if (!key) return null;
      return orgs.get(key) ?? orgs.get(key.replace(/ (?:staff|photo|photos|file photo)$/, '')) ?? null;
    },
    mayEndOrganisation: mayEnd,
    aliases,
  };
  cache.set(rules, compiled);
  return compiled;
}

/** A headline affix, and for a suffix phrase the test its title must pass for the phrase to have a chance. */
interface Affix {
  re: RegExp;
  shape: RegexShape;
  tail: ((title: string) => boolean) | null;
}

function affix(re: RegExp, tail: Affix['tail']): Affix {
  return { re, shape: regexShape(re), tail };
}

function shaped(re: RegExp): { re: RegExp; shape: RegexShape } {
  return { re, shape: regexShape(re) };
}

/**
 * Whether a line, without white space at its end, ends with `word` (compared as the phrase patterns compare:
 * case-insensitive, quotes either way). A suffix phrase followed by white space only needs its last word there.
 */
function endsWith(word: string): (line: string) => boolean {
  const re = new RegExp(`${flexible(word)}$`, 'iu');
  const length = 2 * word.length + 2;
  return (line) => {
    let end = line.length;
    while (end > 0 && WHITE_SPACE.test(line[end - 1]!)) end--;
    return re.test(line.slice(Math.max(0, end - length), end));
  };
}

const WHITE_SPACE = /\s/;

// What may follow a read-more phrase to the end of the line: `]`, ellipses, arrows and white space.
const AFTER_READ_MORE = /[\s.\u2026»›→>\]]/u;

/** `AFTER_READ_MORE.test(line[i])`, without the regex for ASCII. */
function isAfterReadMore(line: string, i: number): boolean {
  const c = line.charCodeAt(i);
  if (c >= 0x80) return AFTER_READ_MORE.test(line[i]!);
  return c === 0x2e || c === 0x5d || c === 0x3e || c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * The read-more markers as one test, in list order (the first that matches cuts). A phrase matches only
 * where the line, without the characters that may follow it, ends with the phrase's last word: one test of
 * all the last words on the line's tail rules out every phrase at once on nearly every line.
 */
function readMoreMatcher(patterns: string[]): (line: string) => { text: string; cut: boolean } {
  const all: { re: RegExp; shape: RegexShape }[] = [];
  const literals: { re: RegExp; shape: RegexShape }[] = [];
  const lastWords: string[] = [];
  let anyPhraseUnfiltered = false;
  for (const p of patterns) {
    const literal = asRegex(p);
    if (literal) {
      all.push(shaped(literal));
      literals.push(shaped(literal));
      continue;
    }
    all.push(shaped(new RegExp(`\\s*(?:\\u2026|\\.{3})?\\s*\\[?${flexible(p)}\\]?\\s*(?:\\u2026|\\.{2,3})?\\s*(?:»|›|→|>>)?\\s*$`, 'iu')));
    const core = [...p.trim()];
    while (core.length > 0 && AFTER_READ_MORE.test(core.at(-1)!)) core.pop();
    const last = core.join('').split(/\s+/).at(-1) ?? '';
    if (last) lastWords.push(last);
    else anyPhraseUnfiltered = true;
  }
  const tailLength = 2 * Math.max(0, ...lastWords.map((w) => w.length)) + 2;
  const tail = lastWords.length > 0 ? new RegExp(`(?:${lastWords.map(flexible).join('|')})$`, 'iu') : null;
  const strip = (line: string, { re, shape }: { re: RegExp; shape: RegexShape }): { text: string; cut: boolean } | null => {
    const m = mayMatch(shape, line) ? re.exec(line) : null;
    return m && m[0].length > 0 ? { text: (line.slice(0, m.index) + line.slice(m.index + m[0].length)).trim(), cut: true } : null;
  };
  const memo = new StringMemo<string | null>();
  return (line) => {
    let end = line.length;
    while (end > 0 && isAfterReadMore(line, end - 1)) end--;
    const phrases = anyPhraseUnfiltered || (tail !== null && tail.test(line.slice(Math.max(0, end - tailLength), end)));
    const candidates = phrases ? all : literals;
    // Nearly every line ends so that no marker can: nothing to remember then.
    if (!candidates.some(({ shape }) => mayMatch(shape, line))) return { text: line, cut: false };
    const hit = memo.get(line);
    if (hit !== undefined) return hit === null ? { text: line, cut: false } : { text: hit, cut: true };
    let found: { text: string; cut: boolean } | null = null;
    for (const re of candidates) {
      found = strip(line, re);
      if (found) break;
    }
    memo.set(line, found ? found.text : null);
    return found ?? { text: line, cut: false };
  };
}

/** The lookup key of an organisation name: folded, without "The" and punctuation. */
function orgKey(name: string): string {
  const hit = orgKeyMemo.get(name);
  if (hit !== undefined) return hit;
  return orgKeyMemo.set(name, orgKeyOf(name));
}

/**
 * The last word of `orgKey(name)` without computing it, when the name ends in ASCII: its last run of ASCII
 * letters, digits and `&`, lower case, after which come only other ASCII characters and before which comes one
 * (or the start). Folding leaves such a run as it is (lower case aside) whatever precedes it. Null when a
 * character beyond ASCII is in the way (its fold may join or end the word): only the whole key tells.
 */
function asciiLastKeyWord(name: string): string | null {
  let end = name.length;
  for (; end > 0; end--) {
    const c = name.charCodeAt(end - 1);
    if (c >= 0x80) return null;
    if (isAsciiKeyChar(c)) break;
  }
  let start = end;
  for (; start > 0; start--) {
    const c = name.charCodeAt(start - 1);
    if (c >= 0x80) return null;
    if (!isAsciiKeyChar(c)) break;
  }
  return name.slice(start, end).toLowerCase();
}

function isAsciiKeyChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x26;
}

function orgKeyOf(name: string): string {
  return fold(name)
    .replace(/[^\p{L}\p{N}&]+/gu, ' ')
    .trim()
    .replace(/^the /, '');
}

function lineMatchers(patterns: string[]): (line: string) => boolean {
  const phrases = new Set<string>();
  const regexes: { re: RegExp; shape: RegexShape }[] = [];
  for (const p of patterns) {
    const re = asRegex(p);
    if (re) regexes.push({ re, shape: regexShape(re) });
    else phrases.add(phraseKey(p));
  }
  const candidates = byFirstChar(regexes);
  const mayBePhrase = phraseStarts(phrases);
  return (line) => {
    if (mayBePhrase(line) && phrases.has(phraseKey(line))) return true;
    for (const { re, shape } of candidates(line)) if (mayMatch(shape, line) && re.test(line)) return true;
    return false;
  };
}

/**
 * The lists of {@link lineMatchers} as one test giving the bits of the lists a line matches: one phrase key
 * looked up among every list's phrases, and one walk of every list's patterns that the line's first character
 * allows (a pattern of a list already matched is skipped).
 */
function allLineMatchers(lists: [bit: number, patterns: string[]][]): (line: string) => number {
  const phrases = new Map<string, number>();
  const regexes: { re: RegExp; shape: RegexShape; bit: number }[] = [];
  for (const [bit, patterns] of lists) {
    for (const p of patterns) {
      const re = asRegex(p);
      if (re) regexes.push({ re, shape: regexShape(re), bit });
      else {
        const key = phraseKey(p);
        phrases.set(key, (phrases.get(key) ?? 0) | bit);
      }
    }
  }
  const candidates = byFirstChar(regexes);
  const mayBePhrase = phraseStarts(new Set(phrases.keys()));
  return (line) => {
    let bits = mayBePhrase(line) ? (phrases.get(phraseKey(line)) ?? 0) : 0;
    for (const { re, shape, bit } of candidates(line)) if ((bits & bit) === 0 && mayMatch(shape, line) && re.test(line)) bits |= bit;
    return bits;
  };
}

/**
 * A test a line passes when its phrase key may be one of `keys`. A line starting with two ASCII characters keeps
 * them at the start of its key: lower case, a white-space run as one space (`fold` trims, composes and
 * decomposes around them, and turns only the backtick into another character), unless the key is its first
 * character alone (the rest trimmed off). Lines starting otherwise always pass.
 */
function phraseStarts(keys: Set<string>): (line: string) => boolean {
  if (keys.size === 0) return () => false;
  if (keys.has('')) return () => true;
  // Keys by their first character (`ones`, for keys of one character) and first two (`twos`, indexed a * 128 + b);
  // a key starting beyond ASCII is never reached: such lines always pass.
  const ones = new Uint8Array(128);
  const twos = new Uint8Array(128 * 128);
  for (const k of keys) {
    const a = k.charCodeAt(0);
    if (k.length === 1) {
      if (a < 128) ones[a] = 1;
    } else {
      const b = k.charCodeAt(1);
      if (a < 128 && b < 128) twos[a * 128 + b] = 1;
    }
  }
  return (line) => {
    if (line.length < 2) return true;
    const a = keyChar(line.charCodeAt(0));
    const b = keyChar(line.charCodeAt(1));
    if (a < 0 || a === 0x20 || b < 0) return true;
    return ones[a] === 1 || twos[a * 128 + b] === 1;
  };
}

// What an ASCII character becomes in a phrase key (white space as a space); -1 for any other character.
function keyChar(c: number): number {
  if (c >= 0x80) return -1;
  if (c >= 0x41 && c <= 0x5a) return c + 0x20;
  if (c === 0x60) return 0x27;
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return 0x20;
  return c;
}

// The six whole-line rule lists are matched one after the other on the same line: its key is kept.
let lastPhrase = '';
let lastPhraseKey = '';

// `fold` leaves no white space but single spaces, so trimming these characters is `.replace(/[\s.!:;,]+$/, '')`.
function phraseKey(text: string): string {
  if (text === lastPhrase) return lastPhraseKey;
  const key = trimEndOf(fold(text), ' .!:;,');
  lastPhrase = text;
  lastPhraseKey = key;
  return key;
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
