import { describe, expect, it } from 'vitest';
import { bylineFromAuthor, namesOf, naturalCase, parseByline } from '../../src/normalize/byline.ts';
import { compileRules } from '../../src/normalize/matchers.ts';
import { DEFAULT_RULES } from '../../src/normalize/rules.ts';

const rules = compileRules(DEFAULT_RULES);

describe('parseByline', () => {
  it.each([
    ['Eric Tucker, The Associated Press', 'Eric Tucker', 'The Associated Press', null],
    ['By JANE DOE', 'Jane Doe', null, null],
    ['BY JANE DOE AND JOHN ROE', 'Jane Doe and John Roe', null, null],
    ['By Jane Doe, Associated Press', 'Jane Doe', 'The Associated Press', null],
    ['Sam Example, The Canadian Press', 'Sam Example', 'The Canadian Press', null],
    ['The Canadian Press', null, 'The Canadian Press', null],
    ['— The Associated Press', null, 'The Associated Press', null],
    ['Reuters', null, 'Reuters', null],
    ['AFP', null, 'Agence France-Presse', null],
    ['By JANE DOE Gazette Staff', 'Jane Doe', null, 'Gazette'],
    ['By Jane Doe Gazette Staff', 'Jane Doe', null, 'Gazette'],
    ['By BYRON EXAMPLE Advocate Staff', 'Byron Example', null, 'Red Deer Advocate'],
    ['Jan Sample, Advocate staff', 'Jan Sample', null, 'Red Deer Advocate'],
    ['Jane Doe, Local Journalism Initiative Reporter', 'Jane Doe', null, null],
    ['Jane Doe, Staff Writer', 'Jane Doe', null, null],
    ['(Reporting by Alex Writer; Editing by Chris Checker)', 'Alex Writer', null, null],
    ['Reporting by Alex Writer in London and Sam Other; Writing by Kim Z', 'Alex Writer', null, null],
    ['Jane Doe and John Roe, The Associated Press', 'Jane Doe and John Roe', 'The Associated Press', null],
    ['By MARIE-CLAIRE O’TOOLE', 'Marie-Claire O’Toole', null, null],
  ])('%s', (line, by, agency, outlet) => {
    expect(parseByline(line, rules)).toEqual({ by, agency, outlet });
  });

  it.each([
    ['a tag line', 'Russia'],
    ['a sentence starting with By', 'By the time the fire was out, the barn was gone.'],
    ['a contributor note', 'Associated Press writer Jane Roe in Boston contributed to this report.'],
    ['a bare name without By or organisation', 'Jane Doe'],
    ['a follow line', 'Follow Eric Tucker on Twitter at http://example.test/x'],
    ['a long line', `By ${'Word '.repeat(30)}`],
  ])('not a byline: %s', (_name, line) => {
    expect(parseByline(line, rules)).toBeNull();
  });
});

describe('naturalCase', () => {
  it.each([
    ['JANE DOE', 'Jane Doe'],
    ['BYRON HACKETT', 'Byron Hackett'],
    ["ERIN O'TOOLE", "Erin O'Toole"],
    ['JEAN-PAUL MCKAY', 'Jean-Paul McKay'],
    ['LUDWIG VAN BEETHOVEN', 'Ludwig van Beethoven'],
    ['JOHN SMITH III', 'John Smith III'],
    ['J.R. EXAMPLE', 'J.R. Example'],
    ['Marie DUPONT', 'Marie Dupont'],
    ['Eric Tucker', 'Eric Tucker'],
    ['JOSÉ ÁLVAREZ', 'José Álvarez'],
  ])('%s → %s', (name, expected) => {
    expect(naturalCase(name)).toBe(expected);
  });
});

describe('namesOf', () => {
  it.each([
    ['Jane Doe', 'Jane Doe'],
    ['JANE DOE, JOHN ROE and KIM LEE', 'Jane Doe, John Roe and Kim Lee'],
    ['the reporter', null],
    ['Madonna', null],
    ['Jane Doe said the plan was good', null],
  ])('%s → %j', (text, expected) => {
    expect(namesOf(text)).toBe(expected);
  });
});

describe('bylineFromAuthor (dc:creator, Atom author)', () => {
  it.each([
    ['Jane Doe', { by: 'Jane Doe', agency: null, outlet: null }],
    ['By JANE DOE', { by: 'Jane Doe', agency: null, outlet: null }],
    ['jdoe@example.test (Jane Doe)', { by: 'Jane Doe', agency: null, outlet: null }],
    ['The Associated Press', { by: null, agency: 'The Associated Press', outlet: null }],
    ['Jane Doe, The Canadian Press', { by: 'Jane Doe', agency: 'The Canadian Press', outlet: null }],
    ['jdoe@example.test', null],
    ['', null],
    [null, null],
  ])('%j', (author, expected) => {
    expect(bylineFromAuthor(author, rules)).toEqual(expected);
  });
});
