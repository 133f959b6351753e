import { describe, expect, it } from 'vitest';
import { textBlocks } from '../../src/normalize/blocks.ts';
import { cleanHeadline, dropHeadlineCopies, inferHeadline } from '../../src/normalize/headline.ts';
import { compileRules } from '../../src/normalize/matchers.ts';
import { DEFAULT_RULES, resolveRules } from '../../src/normalize/rules.ts';

const rules = compileRules(DEFAULT_RULES);

describe('cleanHeadline', () => {
  it.each([
    ['  Plain   headline ', 'Plain headline'],
    ['Markup <em>inside</em> &amp; entities', 'Markup inside & entities'],
    ['Council votes on budget | Red Deer Advocate', 'Council votes on budget'],
    ['Council votes on budget - Red Deer Advocate', 'Council votes on budget'],
    ['Updated: Kenney tells caucus dissent OK', 'Kenney tells caucus dissent OK'],
    ['BREAKING - Dam bursts upriver', 'Dam bursts upriver'],
    ['Update on the storm', 'Update on the storm'],
    ['Red Deer Advocate', 'Red Deer Advocate'],
    [null, ''],
  ])('%j → %j', (title, expected) => {
    expect(cleanHeadline(title, rules)).toBe(expected);
  });

  it('uses the operator’s site suffixes', () => {
    const custom = compileRules(resolveRules({ headlineSuffixes: ['Springfield Gazette'] }));
    expect(cleanHeadline('Library approved — Springfield Gazette', custom)).toBe('Library approved');
  });
});

describe('dropHeadlineCopies', () => {
  it.each([
    ['two copies (as the seed site prints it)', 'Storm hits coast\nStorm hits coast\nBody.', ['Body.']],
    ['a copy with other quotes and case', '<h1>Mayor’s “plan” passes</h1><p>MAYOR\'S "PLAN" PASSES</p><p>Body.</p>', ['Body.']],
    ['no copy', 'Body one.\nBody two.', ['Body one.', 'Body two.']],
    ['a copy further down stays', 'Body.\nStorm hits coast', ['Body.', 'Storm hits coast']],
  ])('%s', (_name, content, expected) => {
    const headline = content.includes('Mayor') ? 'Mayor’s “plan” passes' : 'Storm hits coast';
    expect(dropHeadlineCopies(textBlocks(content), headline, rules).map((b) => b.text)).toEqual(expected);
  });

  it.each([
    ['accents written apart', 'Cafe\u0301 opens downtown', 'Café opens downtown'],
    ['a ligature', 'Oﬃce opens downtown', 'Office opens downtown'],
    ['a backtick and other spacing', 'Mayor`s  plan   passes', 'MAYOR’S PLAN PASSES'],
    ['the site suffix', 'Storm hits coast | Red Deer Advocate', 'Storm hits coast'],
  ])('drops a copy spelled with %s', (_name, copy, headline) => {
    expect(dropHeadlineCopies(textBlocks(`${copy}\nBody.`), headline, rules).map((b) => b.text)).toEqual(['Body.']);
  });

  it('keeps a longer line that starts like the headline', () => {
    expect(dropHeadlineCopies(textBlocks('Storm hits coast again\nBody.'), 'Storm hits coast', rules).map((b) => b.text)).toEqual([
      'Storm hits coast again',
      'Body.',
    ]);
  });
});

describe('inferHeadline', () => {
  it.each([
    ['a repeated first line', 'Storm hits coast\nStorm hits coast\nWASHINGTON — Body.', 'Storm hits coast'],
    ['a short first line', 'Storm hits coast\nBody sentence one.', 'Storm hits coast'],
    ['a question', 'Will the storm hit?\nBody.', 'Will the storm hit?'],
    ['a sentence is no headline', 'OTTAWA — The government said Tuesday it would act.\nMore.', null],
  ])('%s', (_name, content, expected) => {
    expect(inferHeadline(textBlocks(content), rules)).toBe(expected);
  });
});
