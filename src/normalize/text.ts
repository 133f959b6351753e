/**
 * String helpers shared by the normalization rules: cleaning one line of upstream text, folding text for
 * comparison, and finding the first sentence of a paragraph. Pure, no I/O.
 */
import { StringMemo } from '../util/string-memo.ts';

const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff\u00ad]/g;
// Runs of white space (JavaScript's \s holds U+00A0, U+1680, U+2000–U+200A, U+2028/9, U+202F, U+205F, U+3000)
// other than a single space: replacing only these gives what replacing every run does, without a match per word.
const SPACE_RUNS = /[^\S ]\s*| \s+/g;

// These helpers run on every line many times over (each rule folds what it compares), so their results are
// memoized (bounded: see StringMemo).
const cleanMemo = new StringMemo<string>();
const foldMemo = new StringMemo<string>();
const wordsMemo = new StringMemo<string>();
const NON_ASCII = /[^\x00-\x7f]/;

/** One line of text as we keep it: zero-width characters and soft hyphens dropped, NFC, spaces collapsed; cleaning it again changes nothing. */
export function cleanText(text: string): string {
  // Rules that read a block one after the other clean the same string: the last one is compared by reference.
  if (text === lastInput) return lastCleaned;
  // Most lines are already clean; saying so is cheaper than looking a long line up.
  let cleaned = text;
  if (!isClean(text)) cleaned = cleanMemo.get(text) ?? cleanMemo.set(text, cleanSimple(text) ?? cleanUnicode(text));
  lastInput = text;
  lastCleaned = cleaned;
  return cleaned;
}

let lastInput = '';
let lastCleaned = '';

function cleanUnicode(text: string): string {
  // ASCII is its own NFC and holds no zero-width or odd space characters.
  return NON_ASCII.test(text)
    ? // Zero-width characters go before NFC, so that what they separated composes and cleaning twice changes nothing.
      text.replace(ZERO_WIDTH, '').normalize('NFC').replace(SPACE_RUNS, ' ').trim()
    : text.replace(SPACE_RUNS, ' ').trim();
}

// What `cleanText` does to each character: 0 keeps it, 1 is white space (a run becomes one space), 2 is dropped
// (zero-width), 3 may change under NFC (or combine with its neighbour). Characters below U+0300, general
// punctuation and currency signs are their own NFC whatever surrounds them.
function charClass(c: number): 0 | 1 | 2 | 3 {
  if (c < 0x7f) return c === 0x20 || (c >= 0x09 && c <= 0x0d) ? 1 : 0;
  if (c < 0x300) return c === 0xa0 ? 1 : c === 0xad ? 2 : 0;
  if (c >= 0x2000 && c <= 0x200a) return 1;
  if (c >= 0x200b && c <= 0x200d) return 2;
  if (c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x1680 || c === 0x3000) return 1;
  if (c === 0x2060 || c === 0xfeff) return 2;
  if ((c >= 0x2010 && c <= 0x2027) || (c >= 0x2030 && c <= 0x205e) || (c >= 0x20a0 && c <= 0x20c0)) return 0;
  return 3;
}

// The characters `charClass` does not keep as they are: white space other than the space, zero-width characters,
// what NFC may change.
const NOT_KEPT = /[\t-\r\u00a0\u00ad\u0300-\u200f\u2028-\u202f\u205f-\u209f\u20c1-\uffff]/;
const DOUBLE_SPACE = / {2}/;

/** True when a text is its own `cleanText`: only characters kept as they are, single spaces, none at either end. */
function isClean(text: string): boolean {
  // Two simple regexes scan faster than one with alternatives.
  return !NOT_KEPT.test(text) && text.charCodeAt(0) !== 0x20 && text.charCodeAt(text.length - 1) !== 0x20 && !DOUBLE_SPACE.test(text);
}

/**
 * `cleanText` in one pass for text without characters NFC could change: white-space runs become one space,
 * zero-width characters go, the ends are trimmed; the text itself when nothing changes. Null for other text.
 */
function cleanSimple(text: string): string | null {
  const n = text.length;
  let out = '';
  let segment = -1; // start of the run of kept text being read, or -1
  let space = false; // white space seen since the last kept text
  let started = false;
  for (let i = 0; i < n; i++) {
    const k = charClass(text.charCodeAt(i));
    if (k === 0) {
      if (segment < 0) {
        if (space && started) out += ' ';
        space = false;
        segment = i;
        started = true;
      }
      continue;
    }
    if (k === 3) return null;
    // A single space between kept characters stays inside the run.
    if (k === 1 && segment >= 0 && text.charCodeAt(i) === 0x20 && i + 1 < n && charClass(text.charCodeAt(i + 1)) === 0) continue;
    if (segment >= 0) {
      out += text.slice(segment, i);
      segment = -1;
    }
    if (k === 1) space = true;
  }
  if (segment === 0) return text;
  return segment > 0 ? out + text.slice(segment) : out;
}

/**
 * Text folded for comparison: lowercase, accents dropped, typographic quotes and dashes made plain, spaces
 * collapsed. Two lines that differ only in such details fold to the same string.
 */
export function fold(text: string): string {
  const hit = foldMemo.get(text);
  if (hit !== undefined) return hit;
  const clean = cleanText(text);
  // ASCII has no marks, typographic quotes, dashes or ellipses to fold; only the backtick.
  const folded = NON_ASCII.test(clean) ? foldUnicode(clean) : clean.toLowerCase().replace(/`/g, "'");
  return foldMemo.set(text, folded);
}

function foldUnicode(clean: string): string {
  return foldByCharacter(clean) ?? foldUnicodeText(clean);
}

/** `fold` of a cleaned text with characters beyond ASCII, by the definition (whole-text passes). */
export function foldUnicodeText(clean: string): string {
  return clean
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u201a\u201b\u2032`´]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u2033«»]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(SPACE_RUNS, ' ')
    .trim();
}

// The fold of each character beyond ASCII met so far, when it folds the same whatever surrounds it (else null).
const CHAR_FOLDS = new Map<number, string | null>();
const MARK = /^\p{M}$/u;
const WHITE_SPACE = /\s/;

/**
 * The fold of one character (a UTF-16 unit beyond ASCII) on its own, or null when its fold may depend on its
 * neighbours: its compatibility decomposition must hold only marks (dropped, whatever their order) and
 * characters canonical ordering never moves, none of them a final-sigma candidate, and its fold must already be
 * lower case.
 */
function charFold(c: number): string | null {
  let f = CHAR_FOLDS.get(c);
  if (f !== undefined) return f;
  f = null;
  if ((c < 0xd800 || c > 0xdfff) && c !== 0x3a3) {
    const ch = String.fromCharCode(c);
    let free = true;
    for (const d of ch.normalize('NFKD')) {
      // A character canonical ordering would move after U+0345 (the highest combining class) is not a starter.
      if (!MARK.test(d) && (d === '\u03a3' || ('\u0345' + d).normalize('NFD') !== '\u0345' + d)) free = false;
    }
    const folded = foldUnicodeText(`a${ch}a`);
    if (free && folded.startsWith('a') && folded.endsWith('a')) {
      const one = folded.slice(1, -1);
      // The fold of a lone character is not trimmed; read it between two letters.
      if (one.toLowerCase() === one && !one.includes('`')) f = one;
    }
  }
  CHAR_FOLDS.set(c, f);
  return f;
}

/**
 * `foldUnicodeText` in one pass over the text, from the fold of each character beyond ASCII (ASCII letters
 * lower-cased, the backtick made a quote); null when a character's fold depends on its neighbours.
 */
export function foldByCharacter(clean: string): string | null {
  let out = '';
  let last = 0;
  let respace = false; // a character folded to nothing or to white space: spaces to collapse again
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    if (c < 0x80) continue;
    const f = charFold(c);
    if (f === null) return null;
    if (f === '' || WHITE_SPACE.test(f)) respace = true;
    out += clean.slice(last, i) + f;
    last = i + 1;
  }
  out = (out + clean.slice(last)).toLowerCase();
  if (out.includes('`')) out = out.replace(/`/g, "'");
  return respace ? out.replace(SPACE_RUNS, ' ').trim() : out;
}

// Runs of characters other than letters and digits, but for a single space (already what a run becomes).
const NON_WORD_RUNS = /[^\p{L}\p{N} ][^\p{L}\p{N}]*| [^\p{L}\p{N}]+/gu;
const ASCII_NON_WORD_RUNS = /[^a-z0-9 ][^a-z0-9]*| [^a-z0-9]+/g;

/** Text folded down to its words: `fold` without punctuation, for keys and fingerprints. */
export function foldWords(text: string): string {
  const hit = wordsMemo.get(text);
  if (hit !== undefined) return hit;
  const f = fold(text);
  // A fold is lower case: in ASCII, letters and digits are a-z and 0-9, and a narrower class scans faster.
  const folded = f.replace(NON_ASCII.test(f) ? NON_WORD_RUNS : ASCII_NON_WORD_RUNS, ' ').trim();
  return wordsMemo.set(text, folded);
}

/** True when a text cleaned by `cleanText` (single spaces, trimmed) has more than `max` words. */
export function hasMoreWords(clean: string, max: number): boolean {
  let at = -1;
  for (let n = 0; n < max; n++) {
    at = clean.indexOf(' ', at + 1);
    if (at < 0) return false;
  }
  return true;
}

/** The text without any run of the characters of `chars` at its end (`trimEndOf(t, ' .')` is `t.replace(/[ .]+$/, '')`). */
export function trimEndOf(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1]!)) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** The text without any run of the characters of `chars` at its start (`trimStartOf(t, ' -')` is `t.replace(/^[ -]+/, '')`). */
export function trimStartOf(text: string, chars: string): string {
  let start = 0;
  while (start < text.length && chars.includes(text[start]!)) start++;
  return start === 0 ? text : text.slice(start);
}

// Scripts written without spaces between words: each character counts as a word.
const UNSPACED = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/u;
const UNSPACED_ALL = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/gu;

/** The words of a text (split on white space; each Chinese, Japanese or Korean character is one word). */
export function words(text: string): string[] {
  const t = text.trim();
  if (!t) return [];
  if (!UNSPACED.test(t)) return t.split(/\s+/);
  return t.replace(UNSPACED_ALL, ' $& ').trim().split(/\s+/);
}

/** True when the text has letters and every letter is upper case (`WASHINGTON`, `PALM BEACH`). */
export function isAllCaps(text: string): boolean {
  return /\p{Lu}/u.test(text) && !/\p{Ll}/u.test(text);
}

/** True when a line ends like a sentence (full stop, question or exclamation mark, closing quote). */
export function endsLikeSentence(text: string): boolean {
  return /[.!?…。！？]["'”’»)\]」』]*$/.test(text.trim());
}

// Abbreviations whose full stop does not end a sentence (titles, months, places, initials are handled apart).
const ABBREVIATIONS = new Set(
  [
    'mr', 'mrs', 'ms', 'dr', 'st', 'ste', 'mt', 'ft', 'jr', 'sr', 'gov', 'sen', 'rep', 'gen', 'lt', 'col', 'sgt',
    'capt', 'cmdr', 'adm', 'maj', 'pres', 'prof', 'rev', 'hon', 'inc', 'co', 'corp', 'ltd', 'no', 'vs', 'etc',
    'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
    'ala', 'ariz', 'ark', 'calif', 'colo', 'conn', 'del', 'fla', 'ga', 'ill', 'ind', 'kan', 'ky', 'la', 'md',
    'mass', 'mich', 'minn', 'miss', 'mo', 'mont', 'neb', 'nev', 'okla', 'ore', 'pa', 'tenn', 'tex', 'va', 'vt',
    'wash', 'wis', 'wyo', 'alta', 'sask', 'man', 'ont', 'que', 'nfld',
  ],
);

const SENTENCE_BOUNDARY = /([.!?])(["'”’)\]]*)\s+(?=["'“‘(\[]?\p{Lu})/gu;
const LETTER = /^\p{L}$/u;

/**
 * Where the run of letters and full stops that ends at `end` starts (what `/[\p{L}.]+$/u` finds in the text
 * before `end`), read backwards; a surrogate pair is one character.
 */
function wordStart(text: string, end: number): number {
  let s = end;
  while (s > 0) {
    const c = text.charCodeAt(s - 1);
    if (c === 0x2e || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) {
      s--;
      continue;
    }
    if (c < 0x80) break;
    const pair = c >= 0xdc00 && c <= 0xdfff && s >= 2 && text.charCodeAt(s - 2) >= 0xd800 && text.charCodeAt(s - 2) <= 0xdbff;
    if (!LETTER.test(text.slice(pair ? s - 2 : s - 1, s))) break;
    s -= pair ? 2 : 1;
  }
  return s;
}

/** The first sentence of a paragraph (the whole paragraph when no sentence end is found). */
export function firstSentence(paragraph: string): string {
  const text = paragraph.trim();
  const boundary = SENTENCE_BOUNDARY;
  boundary.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = boundary.exec(text)) !== null) {
    if (m[1] === '.') {
      const token = text.slice(wordStart(text, m.index), m.index);
      // "U.S." / "N.D." / initials ("J.") and known abbreviations do not end a sentence.
      if (/^(?:\p{L}\.)*\p{L}$/u.test(token) || ABBREVIATIONS.has(token.toLowerCase())) continue;
    }
    return text.slice(0, m.index + m[1]!.length + (m[2]?.length ?? 0));
  }
  return text;
}

/** Values without case-insensitive duplicates, first spelling kept. */
export function uniqueCaseless(values: Iterable<string>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of values) {
    const key = fold(v);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out;
}
