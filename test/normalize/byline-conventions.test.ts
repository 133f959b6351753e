import { describe, expect, it } from 'vitest';
import { bylineFromAuthor, namesOf, naturalCase, parseByline, stripTitle } from '../../src/normalize/byline.ts';
import { compileRules } from '../../src/normalize/matchers.ts';
import { DEFAULT_RULES } from '../../src/normalize/rules.ts';

const rules = compileRules(DEFAULT_RULES);
const AP = 'The Associated Press';

describe('bylines with job titles', () => {
  it.each([
    ['By TAYLOR BROOKS AP Business Writer', 'Taylor Brooks', AP, null],
    ['By MORGAN LEE, Associated Press Medical Writer', 'Morgan Lee', AP, null],
    ['By Sam Rivera Chief White House Correspondent', 'Sam Rivera', null, null],
    ['By Avery Quinn, Reuters Energy Correspondent', 'Avery Quinn', 'Reuters', null],
    ['Riley Stone Deputy political editor', 'Riley Stone', null, null],
    ['By Casey Nguyen, Senior Staff Writer', 'Casey Nguyen', null, null],
  ])('%j → %j (%j)', (line, by, agency, outlet) => {
    expect(parseByline(line, rules)).toEqual({ by, agency, outlet });
  });

  it('stripTitle says what it took and leaves a line without a title alone', () => {
    expect(stripTitle('JO PARK AP Science Writer', rules)).toEqual({ text: 'JO PARK', org: 'AP', title: true });
    expect(stripTitle('Jo Park', rules)).toEqual({ text: 'Jo Park', org: null, title: false });
  });
});

describe('several authors', () => {
  it.each([
    ['By ALEX KIM and JORDAN PAGE', 'Alex Kim and Jordan Page'],
    ['By Ana Souza, Ben Ortiz and Cleo Marsh', 'Ana Souza, Ben Ortiz and Cleo Marsh'],
    ['By Dana Holt & Eli Frost', 'Dana Holt and Eli Frost'],
  ])('%j → %j', (line, by) => {
    expect(parseByline(line, rules)?.by).toBe(by);
  });
});

describe('desks and staff credits are no person', () => {
  it.each([
    ['Staff', { by: null, agency: null, outlet: null }],
    ['Staff writer', { by: null, agency: null, outlet: null }],
    ['By Staff Reports', { by: null, agency: null, outlet: null }],
    ['The Editors', { by: null, agency: null, outlet: null }],
    ['Londonist Staff', { by: null, agency: null, outlet: 'Londonist' }],
    ['DealPost Team', { by: null, agency: null, outlet: 'DealPost' }],
    ['Europa Press', { by: null, agency: 'Europa Press', outlet: null }],
    ['Australian Associated Press', { by: null, agency: 'Australian Associated Press', outlet: null }],
    ['Financial Times', { by: null, agency: null, outlet: 'Financial Times' }],
  ])('the author %j → %j', (author, expected) => {
    expect(bylineFromAuthor(author, rules)).toEqual(expected);
  });

  it.each([
    ['Gadget Staff and Rhea Bloom', 'Rhea Bloom'],
    ['Lee Ward and Guardian staff', 'Lee Ward'],
  ])('a desk beside a person: %j → %j', (author, by) => {
    expect(bylineFromAuthor(author, rules)?.by).toBe(by);
  });

  it.each([['Staff Writer'], ['Newsroom Team'], ['Web Desk']])('namesOf(%j) is null', (text) => {
    expect(namesOf(text)).toBeNull();
  });
});

describe('names in capitals, particles cased right', () => {
  it.each([
    ['JEAN DE LA CROIX', 'Jean de la Croix'],
    ['PIETER VAN DER BERG', 'Pieter van der Berg'],
    ['KLAUS VON STEIN', 'Klaus von Stein'],
    ['ROBIN MCALLISTER', 'Robin McAllister'],
    ['FIONA MACDONALD', 'Fiona MacDonald'],
    ['LUIS MACHADO', 'Luis Machado'],
    ['SEAN O’BRIEN', 'Sean O’Brien'],
    ["GINA D'AMATO", "Gina D'Amato"],
    ['MARY-KATE JONES', 'Mary-Kate Jones'],
    ['JOHN SMITH III', 'John Smith III'],
  ])('%j → %j', (caps, natural) => {
    expect(naturalCase(caps)).toBe(natural);
  });
});

describe('readers credited beside the writers', () => {
  it('keeps the writers and leaves the readers out', () => {
    expect(bylineFromAuthor('Ida Lund, Omar Said and Daily readers', rules)?.by).toBe('Ida Lund and Omar Said');
  });
});
