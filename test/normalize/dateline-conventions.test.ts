import { describe, expect, it } from 'vitest';
import { datelineLocated, parseDateline } from '../../src/normalize/dateline.ts';
import { compileRules } from '../../src/normalize/matchers.ts';
import { DEFAULT_RULES, resolveRules } from '../../src/normalize/rules.ts';

const rules = compileRules(DEFAULT_RULES);

describe('datelines in the agencies’ and languages’ conventions', () => {
  it.each([
    ['AP style', 'DENVER (AP) — Snow closed the passes.', 'DENVER', 'The Associated Press', null, 'Snow closed the passes.'],
    ['Reuters with a date', 'NAIROBI, Feb 3 (Reuters) - Rain fell.', 'NAIROBI', 'Reuters', 'Feb 3', 'Rain fell.'],
    ['AFP in capitals', 'BEIRUT (AFP) - Talks resumed.', 'BEIRUT', 'Agence France-Presse', null, 'Talks resumed.'],
    ['a province', 'MONCTON, N.B. — The mill reopened.', 'MONCTON, N.B.', null, null, 'The mill reopened.'],
    ['a USPS code', 'CAPE CANAVERAL, FL — The launch slipped.', 'CAPE CANAVERAL, FL', null, null, 'The launch slipped.'],
    ['EFE with its ".-"', 'MADRID (EFE).- El Gobierno aprobó el plan.', 'MADRID', 'EFE', null, 'El Gobierno aprobó el plan.'],
    ['EFE with a Spanish date', 'BOGOTÁ, 5 jun (EFE).- Llovió.', 'BOGOTÁ', 'EFE', '5 jun', 'Llovió.'],
    ['dpa', 'BERLIN (dpa) - Die Regierung tagte.', 'BERLIN', 'dpa', null, 'Die Regierung tagte.'],
    ['dpa in title case', 'Hamburg (dpa) - Der Hafen wuchs.', 'Hamburg', 'dpa', null, 'Der Hafen wuchs.'],
    ['ANSA', 'ROMA (ANSA) - Il governo ha deciso.', 'ROMA', 'ANSA', null, 'Il governo ha deciso.'],
    ['Kyodo', 'TOKYO (Kyodo) -- The yen fell.', 'TOKYO', 'Kyodo News', null, 'The yen fell.'],
    ['the Canadian Press in full', 'REGINA (The Canadian Press) — Crops were late.', 'REGINA', 'The Canadian Press', null, 'Crops were late.'],
    ['the agency alone (AP)', 'AP - The Senate voted on Tuesday.', null, 'The Associated Press', null, 'The Senate voted on Tuesday.'],
    ['the agency alone (Reuters)', 'Reuters - Oil prices rose.', null, 'Reuters', null, 'Oil prices rose.'],
    ['the agency alone (AFP)', 'AFP - Ministers met in Brussels.', null, 'Agence France-Presse', null, 'Ministers met in Brussels.'],
    ['the agency’s tag alone', '(AP) — Stocks slid.', null, 'The Associated Press', null, 'Stocks slid.'],
    ['an agency tag before an unknown place', 'ZZYZX (AP) — A road closed.', null, 'The Associated Press', null, 'A road closed.'],
    ['EFE in Portuguese, title case', 'Nova York, 24 set (EFE).- O índice caiu.', 'Nova York', 'EFE', '24 set', 'O índice caiu.'],
    ['EFE in Spanish, a full date', 'Ciudad de México, 5 de junio de 2026 (EFE).- Llovió.', 'Ciudad de México', 'EFE', '5 de junio de 2026', 'Llovió.'],
    ['AFP in Portuguese with a year', 'Quito, 24 Set 2018 (AFP) - O fundador falou.', 'Quito', 'Agence France-Presse', '24 Set 2018', 'O fundador falou.'],
    ['AFP in French, an abbreviated month', 'Strasbourg, 12 janv. (AFP) — Les députés ont voté.', 'Strasbourg', 'Agence France-Presse', '12 janv.', 'Les députés ont voté.'],
    ['EFE in Spanish, an abbreviated month', 'Bogotá, 3 oct. (EFE) - Llovió.', 'Bogotá', 'EFE', '3 oct.', 'Llovió.'],
    ['ANSA with an Italian month', 'Milano, 12 gen (ANSA) - La Borsa è salita.', 'Milano', 'ANSA', '12 gen', 'La Borsa è salita.'],
    ['dpa with a German date', 'Fráncfort, 3. Okt. (dpa) — Die Börse stieg.', 'Fráncfort', 'dpa', '3. Okt.', 'Die Börse stieg.'],
    ['an exonym with a particle', 'Rio de Janeiro, 7 dez (EFE) — Choveu.', 'Rio de Janeiro', 'EFE', '7 dez', 'Choveu.'],
    ['an exonym in capitals', 'NUEVA DELHI (EFE).- El monzón llegó.', 'NUEVA DELHI', 'EFE', null, 'El monzón llegó.'],
  ])('%s', (_name, text, located, agency, date, rest) => {
    expect(parseDateline(text, rules)).toEqual({ located, agency, date, rest });
  });

  it.each([
    ['a shouted rubric', 'INTERVIEW - The minister speaks.'],
    ['a French rubric', 'EXCLUSIF - Les chiffres.'],
    ['a shouted word that is no place', 'BREAKING — Markets fell.'],
    ['an agency code with no dash after it', 'AP reports that the vote passed.'],
    ['a title-case place without agency or date', 'Berlin — eine Stadt.'],
    ['an agency named where the place would be', 'Reuters, 24 set (EFE).- O índice caiu.'],
    ['a title-case word that is no place, with a date', 'Exclusivo, 24 set (EFE).- O índice caiu.'],
  ])('no place: %s', (_name, text) => {
    expect(parseDateline(text, rules)?.located ?? null).toBeNull();
  });

  it('takes a place the operator lists although the gazetteer does not know it', () => {
    const custom = compileRules(resolveRules({ places: [{ match: ['Zzyzx'], subjects: ['Mojave'] }] }));
    expect(parseDateline('ZZYZX — A road closed.', custom)?.located).toBe('ZZYZX');
    expect(parseDateline('ZZYZX — A road closed.', rules)).toBeNull();
  });

  it('takes any place-shaped capitals when the operator turns the gazetteer off, but never an agency', () => {
    const off = compileRules(resolveRules({ gazetteer: false }));
    expect(parseDateline('ZZYZX — A road closed.', off)?.located).toBe('ZZYZX');
    expect(parseDateline('AP - The Senate voted.', off)).toMatchObject({ located: null, agency: 'The Associated Press' });
  });
});

describe('the item’s located: the dateline’s place as the wires set it', () => {
  it.each([
    ['Nova York, 24 set (EFE).- O índice caiu.', 'NOVA YORK'],
    ['Paris (AFP) – Museums reopen.', 'PARIS'],
    ['PALM BEACH, Fla. — A speech.', 'PALM BEACH, Fla.'],
    ['Rio de Janeiro, 7 dez (EFE) — Choveu.', 'RIO DE JANEIRO'],
    ['AP - The Senate voted.', null],
  ])('%s → %s', (text, located) => {
    expect(datelineLocated(parseDateline(text, rules))).toBe(located);
  });
});
