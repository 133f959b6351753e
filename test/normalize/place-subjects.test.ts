import { describe, expect, it } from 'vitest';
import { compileRules } from '../../src/normalize/matchers.ts';
import { DEFAULT_RULES, resolveRules } from '../../src/normalize/rules.ts';
import { placeSubjects, subjectsFor } from '../../src/normalize/subjects.ts';

const rules = compileRules(DEFAULT_RULES);

describe('placeSubjects: the gazetteer’s region and country of a dateline place', () => {
  it.each([
    ['CALGARY', ['Alberta', 'Canada']],
    ['HALIFAX, N.S.', ['Nova Scotia', 'Canada']],
    ['QUEBEC', ['Quebec', 'Canada']],
    ['PALM BEACH, Fla.', ['Florida', 'United States']],
    ['NEW YORK/LONDON', ['New York', 'United States', 'England', 'United Kingdom']],
    ['NAIROBI', ['Nairobi County', 'Kenya']],
    ['SINGAPORE', ['Singapore']],
    ['ZZYZX', []],
    [null, []],
  ])('%j → %j', (located, expected) => {
    expect(placeSubjects(located, rules)).toEqual(expected);
  });

  it('gives none when the operator turns the gazetteer off', () => {
    expect(placeSubjects('NAIROBI', compileRules(resolveRules({ gazetteer: false })))).toEqual([]);
  });

  it('adds them to an item’s subjects once, after the operator’s place rules', () => {
    expect(subjectsFor({ categories: [], tags: [], located: 'EDMONTON', texts: [], sourceCategories: [] }, rules)).toEqual([
      { name: 'Alberta' },
      { name: 'Canada' },
    ]);
  });
});
