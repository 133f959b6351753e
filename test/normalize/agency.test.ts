import { describe, expect, it } from 'vitest';
import { canonicalAgency, knownOrganisation, organisationName } from '../../src/normalize/agency.ts';
import { compileRules } from '../../src/normalize/matchers.ts';
import { DEFAULT_RULES, resolveRules } from '../../src/normalize/rules.ts';

const rules = compileRules(DEFAULT_RULES);

describe('canonicalAgency', () => {
  it.each([
    ['AP', 'The Associated Press'],
    ['Associated Press', 'The Associated Press'],
    ['THE ASSOCIATED PRESS', 'The Associated Press'],
    ['AP Photo', 'The Associated Press'],
    ['CP', 'The Canadian Press'],
    ['THE CANADIAN PRESS', 'The Canadian Press'],
    ['Reuters', 'Reuters'],
    ['REUTERS', 'Reuters'],
    ['AFP', 'Agence France-Presse'],
    ['Agence France Presse', 'Agence France-Presse'],
    ['Advocate', null],
    ['Springfield Wire', null],
    ['', null],
  ])('%j → %j', (name, expected) => {
    expect(canonicalAgency(name, rules)).toBe(expected);
  });
});

describe('outlets', () => {
  it.each([
    ['Advocate', { name: 'Red Deer Advocate', kind: 'outlet' }],
    ['Advocate Staff', { name: 'Red Deer Advocate', kind: 'outlet' }],
    ['Red Deer Advocate', { name: 'Red Deer Advocate', kind: 'outlet' }],
    ['Gazette Staff', null],
  ])('knownOrganisation(%j)', (name, expected) => {
    expect(knownOrganisation(name, rules)).toEqual(expected);
  });

  it('names unknown outlets as written, without "Staff"', () => {
    expect(organisationName('Gazette Staff', rules)).toBe('Gazette');
    expect(organisationName('Government of Alberta', rules)).toBe('Government of Alberta');
  });

  it('learns agencies and aliases from the config', () => {
    const custom = compileRules(
      resolveRules({ agencies: [{ name: 'Bloomberg News', aliases: ['Bloomberg'] }, { name: 'Reuters', aliases: ['Thomson Reuters Foundation'] }] }),
    );
    expect(canonicalAgency('Bloomberg', custom)).toBe('Bloomberg News');
    expect(canonicalAgency('Thomson Reuters Foundation', custom)).toBe('Reuters');
    expect(canonicalAgency('AP', custom)).toBe('The Associated Press');
  });
});

describe('mayEndOrganisation (the quick test before a lookup)', () => {
  // Every spelling the lookup accepts must pass the quick test, or a known name would go unrecognised.
  const spellings = (alias: string): string[] => [
    alias,
    alias.toUpperCase(),
    /^the /i.test(alias) ? alias.slice(4) : `The ${alias}`,
    `${alias}.`,
    `${alias} Staff`,
    `${alias} photo`,
    `(${alias})`,
    `${alias} —`,
  ];
  const all = [...DEFAULT_RULES.agencies, ...DEFAULT_RULES.outlets].flatMap((o) => [o.name, ...o.aliases]);

  it('passes every spelling of every alias the default rules know, and the lookup finds each', () => {
    const missed = all.flatMap(spellings).filter((name) => !rules.mayEndOrganisation(name) || rules.organisation(name) === null);
    expect(all.length).toBeGreaterThan(100);
    expect(missed).toEqual([]);
  });

  it('rules out a text whose last ASCII word ends no alias, and leaves non-ASCII endings to the lookup', () => {
    expect(rules.mayEndOrganisation('the council voted on Tuesday')).toBe(false);
    expect(rules.organisation('Springfield Wire')).toBeNull();
    expect(rules.mayEndOrganisation('Jane Doe, Reuters')).toBe(true);
    expect(rules.mayEndOrganisation('Agence France-Presse')).toBe(true);
    expect(rules.mayEndOrganisation('Nachrichtenagentur dpa')).toBe(true);
    expect(rules.mayEndOrganisation('Süddeutsche Zeitung für')).toBe(true);
    expect(rules.mayEndOrganisation('...')).toBe(false);
  });
});
