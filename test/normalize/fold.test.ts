import { describe, expect, it } from 'vitest';
import { cleanText, fold, foldByCharacter, foldUnicodeText } from '../../src/normalize/text.ts';

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
