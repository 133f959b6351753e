import { describe, expect, it } from 'vitest';
import { canonicalAgency, knownOrganisation, titleAgency } from '../../src/normalize/agency.ts';
import { compileRules } from '../../src/normalize/matchers.ts';
import { DEFAULT_RULES, resolveRules } from '../../src/normalize/rules.ts';

const rules = compileRules(DEFAULT_RULES);

describe('the wire-agency table', () => {
  it.each([
    ['AP', 'The Associated Press'],
    ['La Presse Canadienne', 'The Canadian Press'],
    ['Agence France-Presse', 'Agence France-Presse'],
    ['Deutsche Presse-Agentur', 'dpa'],
    ['DPA', 'dpa'],
    ['Agencia EFE', 'EFE'],
    ['ANSA', 'ANSA'],
    ['Kyodo', 'Kyodo News'],
    ['Xinhua News Agency', 'Xinhua'],
    ['Press Association', 'PA Media'],
    ['AAP', 'Australian Associated Press'],
    ['Australian Associated Press', 'Australian Associated Press'],
    ['UPI', 'United Press International'],
    ['Bloomberg News', 'Bloomberg'],
    ['Europa Press', 'Europa Press'],
    ['Yonhap News Agency', 'Yonhap'],
    ['ITAR-TASS', 'TASS'],
    ['Anadolu Agency', 'Anadolu Agency'],
    ['PTI', 'Press Trust of India'],
    ['IANS', 'IANS'],
    ['Agencia Brasil', 'Agência Brasil'],
    ['Notimex', 'Notimex'],
    ['Jiji Press', 'Jiji Press'],
    ['NTB', 'NTB'],
    ['Ritzau', 'Ritzau'],
    ['Belga', 'Belga'],
    ['Folhapress', 'Folhapress'],
  ])('%j is the agency %j', (alias, name) => {
    expect(canonicalAgency(alias, rules)).toBe(name);
  });

  it.each([
    ['Financial Times', 'Financial Times'],
    ['The Guardian', 'The Guardian'],
    ['New York Times', 'The New York Times'],
    ['BBC News', 'BBC'],
  ])('%j is the outlet %j, credited like an agency', (alias, name) => {
    expect(knownOrganisation(alias, rules)).toEqual({ name, kind: 'outlet' });
  });

  it.each([
    ['Oil falls as stocks build (Reuters)', 'Reuters'],
    ['Storm hits coast (AP)', 'The Associated Press'],
    ['Talks resume  (AFP) ', 'Agence France-Presse'],
    ['Budget passes (in part)', null],
    ['No brackets here', null],
    [null, null],
  ])('the title %j closes with the agency %j', (title, agency) => {
    expect(titleAgency(title, rules)).toBe(agency);
  });

  it('lets the operator claim an alias for an organisation of their own', () => {
    const custom = compileRules(resolveRules({ agencies: [{ name: 'Pacific Wire', aliases: ['PA'] }] }));
    expect(canonicalAgency('PA', custom)).toBe('Pacific Wire');
    expect(canonicalAgency('Press Association', custom)).toBe('PA Media');
  });
});
