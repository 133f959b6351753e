import { describe, expect, it } from 'vitest';
import { compileRules } from '../../src/normalize/matchers.ts';
import { DEFAULT_RULES, resolveRules } from '../../src/normalize/rules.ts';
import { keywordSubjects, regionSubjects, subjectsFor } from '../../src/normalize/subjects.ts';

const rules = compileRules(DEFAULT_RULES);

describe('regionSubjects', () => {
  it.each([
    ['CALGARY', ['Alberta', 'Canada']],
    ['EDMONTON', ['Alberta', 'Canada']],
    ['RED DEER', ['Alberta', 'Canada']],
    ['Red Deer', ['Alberta', 'Canada']],
    ['OTTAWA', ['Ontario', 'Canada']],
    ['QUEBEC', ['Quebec', 'Canada']],
    ['LETHBRIDGE, Alta.', ['Alberta', 'Canada']],
    ['BANFF, Alta', ['Alberta', 'Canada']],
    ['PALM BEACH, Fla.', []],
    ['WASHINGTON', []],
    [null, []],
  ])('%j → %j', (located, expected) => {
    expect(regionSubjects(located, rules)).toEqual(expected);
  });
});

describe('keywordSubjects', () => {
  it.each([
    [['Kenney tells caucus COVID-19 dissent OK'], ['COVID-19']],
    [['Alberta’s largest school board'], ['Alberta']],
    [['Sutter steps down as Red Deer Rebels coach'], ['Alberta']],
    [['The covid-19 ward reopened'], ['COVID-19']],
    [['Albertasaurus bones found'], []],
    [['Nothing here'], []],
  ])('%j → %j', (texts, expected) => {
    expect(keywordSubjects(texts, rules)).toEqual(expected);
  });
});

describe('subjectsFor', () => {
  it('takes upstream categories and tags first, then regions, keywords and source categories, each once', () => {
    const custom = compileRules(resolveRules({ keywords: [{ match: ['oil sands', 'pipeline'], subjects: ['Energy'] }] }));
    expect(
      subjectsFor(
        {
          categories: ['News', 'alberta'],
          tags: ['Russia', 'NEWS'],
          located: 'CALGARY',
          texts: ['Pipeline work resumes in the oil sands'],
          sourceCategories: ['Local', 'news'],
        },
        custom,
      ),
    ).toEqual([{ name: 'News' }, { name: 'alberta' }, { name: 'Russia' }, { name: 'Canada' }, { name: 'Energy' }, { name: 'Local' }]);
  });

  it('is empty when nothing applies', () => {
    expect(subjectsFor({ categories: [], tags: [], located: null, texts: [], sourceCategories: [] }, rules)).toEqual([]);
  });
});
