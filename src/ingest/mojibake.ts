/**
 * Double-encoded UTF-8 ("mojibake"): text whose UTF-8 bytes someone read as Latin-1 or windows-1252 and
 * encoded as UTF-8 again, so that "é" arrives as "Ã©", "£" as "Â£" and "’" as "â€™". Publishers' CMSs do this
 * to a whole feed or to some of its fields; feedparser undoes it element by element, and so do we.
 *
 * The repair is conservative: a text is repaired only when it contains a sequence that correct text does
 * not contain (`Ã©`, `Â£`, `â€™`, `Ð¿` …), when every one of its characters maps back to a single byte and
 * those bytes are valid UTF-8 as a whole, and when the result has fewer suspicious pairs than the input.
 * Correct French, German, Spanish or Chinese text never passes the second test (an accented letter followed
 * by a letter, or any character beyond windows-1252, is not UTF-8 once mapped back to bytes).
 */
import { charForCodePoint } from '../util/html-entities.ts';
import { cleanChars } from './xml/chars.ts';

/** windows-1252's characters for 0x80–0x9F, keyed by code point: the byte each stands for. */
const CP1252_BYTE = new Map<number, number>();
for (let b = 0x80; b <= 0x9f; b++) {
  const c = charForCodePoint(b);
  if (c !== '') CP1252_BYTE.set(c.codePointAt(0)!, b);
}

/** What a UTF-8 continuation byte (0x80–0xBF) looks like once read as Latin-1 or windows-1252. */
const CONT = `\\u0080-\\u00BF${[...CP1252_BYTE.keys()].map((cp) => `\\u${cp.toString(16).padStart(4, '0')}`).join('')}`;

/** A UTF-8 lead byte read as Latin-1, then what reads as a continuation byte: the shape of mojibake. */
const SUSPICIOUS = new RegExp(`[\\u00C2-\\u00F4][${CONT}]`, 'g');

/**
 * Sequences correct text does not hold: Â/Ã (Latin-1 letters and signs), Ä/Å (Latin Extended-A), Î/Ï
 * (Greek), Ð/Ñ (Cyrillic), Ø/Ù (Arabic) before a sign, or a complete 3- or 4-byte sequence (punctuation,
 * CJK, emoji). `×` before a no-break space is left alone: "3×\u00A05" is a multiplication.
 */
const STRONG = new RegExp(
  `[\\u00C2-\\u00C5\\u00CE-\\u00D1\\u00D8\\u00D9][${CONT}]|[\\u00E0-\\u00EF][${CONT}]{2}|[\\u00F0-\\u00F4][${CONT}]{3}`,
);

/** A character that reads as a UTF-8 lead byte: no mojibake without one (a cheaper scan than STRONG's). */
const LEAD = /[\u00C2-\u00F4]/;

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function countSuspicious(s: string): number {
  SUSPICIOUS.lastIndex = 0;
  let n = 0;
  while (SUSPICIOUS.exec(s) !== null) n++;
  return n;
}

/** Whether `candidate` (another reading of the same bytes) undoes mojibake in `original`. */
export function undoesMojibake(original: string, candidate: string): boolean {
  return LEAD.test(original) && STRONG.test(original) && countSuspicious(candidate) < countSuspicious(original);
}

/**
 * Undoes double-encoded UTF-8 in a whole text (a field, or a document): returns the repaired text, or `s`
 * itself when it is not plainly mojibake (see the module comment).
 */
export function repairMojibake(s: string): string {
  if (!LEAD.test(s) || !STRONG.test(s)) return s;
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const b = c < 0x100 ? c : CP1252_BYTE.get(c);
    if (b === undefined) return s;
    bytes[i] = b;
  }
  let out: string;
  try {
    out = UTF8.decode(bytes);
  } catch {
    return s;
  }
  if (!undoesMojibake(s, out)) return s;
  // C1 controls in the result were windows-1252 to begin with, as everywhere else (`cleanChars`).
  return cleanChars(out);
}
