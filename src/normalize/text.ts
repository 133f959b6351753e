/**
 * String helpers shared by the normalization rules: cleaning one line of upstream text, folding text for
 * comparison, and finding the first sentence of a paragraph. Pure, no I/O.
 */

const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff\u00ad]/g;
const ODD_SPACES = /[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

/** One line of text as we keep it: NFC, zero-width characters and soft hyphens dropped, spaces collapsed. */
export function cleanText(text: string): string {
  return text.normalize('NFC').replace(ZERO_WIDTH, '').replace(ODD_SPACES, ' ').trim();
}

/**
 * Text folded for comparison: lowercase, accents dropped, typographic quotes and dashes made plain, spaces
 * collapsed. Two lines that differ only in such details fold to the same string.
 */
export function fold(text: string): string {
  return cleanText(text)
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u201a\u201b\u2032`´]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u2033«»]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Text folded down to its words: `fold` without punctuation, for keys and fingerprints. */
export function foldWords(text: string): string {
  return fold(text)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
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

/** The first sentence of a paragraph (the whole paragraph when no sentence end is found). */
export function firstSentence(paragraph: string): string {
  const text = paragraph.trim();
  const boundary = /([.!?])(["'”’)\]]*)\s+(?=["'“‘(\[]?\p{Lu})/gu;
  let m: RegExpExecArray | null;
  while ((m = boundary.exec(text)) !== null) {
    if (m[1] === '.') {
      const before = text.slice(0, m.index);
      const token = /([\p{L}.]+)$/u.exec(before)?.[1] ?? '';
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
