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
