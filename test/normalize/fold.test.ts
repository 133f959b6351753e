import { describe, expect, it } from 'vitest';
import { cleanText, fold, foldByCharacter, foldUnicodeText, foldWords } from '../../src/normalize/text.ts';

// Every text of up to three of these pieces: the runs of spaces, other white space and punctuation that the
// one-pass helpers replace only when they are not already one space.
const PIECES = ['a', 'É', ' ', '  ', '\t', '\n', '\u00a0', '\u3000', '-', '“', '.', '\u{1F600}'];
const SHORT_TEXTS = PIECES.flatMap((a) => PIECES.flatMap((b) => PIECES.flatMap((c) => [a + b + c, `x${a}y${b}z${c}`])));

describe('fold', () => {
  it.each([
    ['accents and case', 'Zürich Café', 'zurich cafe'],
    ['typographic quotes, dashes, ellipsis', '“It’s” – done…', `"it's" - done...`],
    ['a character folding to a space', 'a ¨ b', 'a b'],
    ['a lone mark', 'x \u0301 y', 'x y'],
    ['final sigma', 'ΟΔΟΣ', 'οδος'],
  ])('%s', (_name, text, folded) => {
    expect(fold(text)).toBe(folded);
  });

  // The one-pass fold must agree with the definition wherever it answers: every UTF-16 unit, in context.
  it('folds each character as the whole-text definition does', () => {
    const mismatches: string[] = [];
    let answered = 0;
    for (let c = 0x80; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCharCode(c);
      for (const text of [`A${ch}b`, `${ch}\u0301 Σ${ch}`]) {
        const clean = cleanText(text);
        const fast = foldByCharacter(clean);
        if (fast === null) continue;
        answered++;
        if (fast !== foldUnicodeText(clean)) mismatches.push(c.toString(16));
      }
    }
    expect(mismatches).toEqual([]);
    expect(answered).toBeGreaterThan(50_000);
  });
});

describe('foldWords', () => {
  it('gives the words of the fold, separated by one space, as replacing every other run does', () => {
    const definition = (text: string): string => fold(text).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
    expect(SHORT_TEXTS.filter((text) => foldWords(text) !== definition(text))).toEqual([]);
    expect(foldWords('“It’s” — a  test…')).toBe('it s a test');
  });
});

describe('cleanText', () => {
  // The definition: zero-width characters and soft hyphens dropped, NFC, white-space runs as one space, trimmed.
  const definition = (text: string): string =>
    text
      .replace(/[\u200b-\u200d\u2060\ufeff\u00ad]/g, '')
      .normalize('NFC')
      .replace(/[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g, ' ')
      .trim();

  // The already-clean test and the one-pass cleaner must agree with the definition: every UTF-16 unit, in context.
  it('cleans each character as the whole-text definition does', () => {
    const mismatches: string[] = [];
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCharCode(c);
      for (const text of [ch, `A${ch}b`, ` ${ch}  x`, `e${ch}\u0301 `, `x ${ch}`]) {
        if (cleanText(text) !== definition(text)) mismatches.push(c.toString(16));
      }
    }
    expect(mismatches).toEqual([]);
    expect(SHORT_TEXTS.filter((text) => cleanText(text) !== definition(text))).toEqual([]);
  });

  // Rules read block text as already clean (they do not clean it again), so cleaning must be idempotent.
  it('changes nothing when it cleans its own output again', () => {
    const unstable: string[] = [];
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCharCode(c);
      for (const text of [`e\u200b${ch}`, `e${ch}\u0301`, `${ch}\u00ad\u0308a`, ` ${ch}\u200d `]) {
        const once = cleanText(text);
        if (cleanText(once) !== once) unstable.push(c.toString(16));
      }
    }
    expect(cleanText('e\u200b\u0301')).toBe('\u00e9');
    expect(unstable).toEqual([]);
  });

  it('returns a clean text itself and collapses what is not', () => {
    const clean = 'Already “clean” — text, 2026.';
    expect(cleanText(clean)).toBe(clean);
    expect(cleanText('  two\u00a0 spaces\n\there\u200b ')).toBe('two spaces here');
  });
});
