import { describe, expect, it } from 'vitest';
import { parseDateline, splitDateline } from '../../src/normalize/dateline.ts';
import { compileRules } from '../../src/normalize/matchers.ts';
import { DEFAULT_RULES } from '../../src/normalize/rules.ts';

const rules = compileRules(DEFAULT_RULES);

describe('parseDateline', () => {
  it.each([
    ['WASHINGTON — Officials said.', 'WASHINGTON', null, null, 'Officials said.'],
    ['PALM BEACH, Fla. — A speech.', 'PALM BEACH, Fla.', null, null, 'A speech.'],
    ['KINGSTOWN, St. Vincent — People fled.', 'KINGSTOWN, St. Vincent', null, null, 'People fled.'],
    ['CALGARY — Alberta’s board.', 'CALGARY', null, null, 'Alberta’s board.'],
    ['NEW YORK (AP) — Stocks rose.', 'NEW YORK', 'The Associated Press', null, 'Stocks rose.'],
    ['OTTAWA (CP) -- Parliament sat.', 'OTTAWA', 'The Canadian Press', null, 'Parliament sat.'],
    ['LONDON, March 16 (Reuters) - Britain’s bank held.', 'LONDON', 'Reuters', 'March 16', 'Britain’s bank held.'],
    ['WASHINGTON, Jan. 7 (Reuters) - Congress met.', 'WASHINGTON', 'Reuters', 'Jan. 7', 'Congress met.'],
    ['Paris (AFP) – Museums reopen.', 'Paris', 'Agence France-Presse', null, 'Museums reopen.'],
    ['ST. JOHN’S, N.L. – Snow fell.', 'ST. JOHN’S, N.L.', null, null, 'Snow fell.'],
    ['MONTRÉAL—Le maire a parlé.', 'MONTRÉAL', null, null, 'Le maire a parlé.'],
    ['TOKYO (Bloomberg) — Shares fell.', 'TOKYO', 'Bloomberg', null, 'Shares fell.'],
    ['NEW YORK/LONDON, March 16 (Reuters) - Oil rose.', 'NEW YORK/LONDON', 'Reuters', 'March 16', 'Oil rose.'],
  ])('%s', (text, located, agency, date, rest) => {
    expect(parseDateline(text, rules)).toEqual({ located, agency, date, rest });
  });

  it.each([
    ['no dash', 'The report released Tuesday said so.'],
    ['a dash mid-sentence', 'One “highly targeted operation” — the subject of a news conference — involved emails.'],
    ['a hyphenated word', 'RED DEER-based firms say business is up.'],
    ['a title-case place without agency or date', 'Paris — a city of light, said the mayor.'],
    ['a number first', '15 MLAs — a third of caucus — signed.'],
    ['an unknown bracket', 'WASHINGTON (sic) — Text.'],
    ['a dash far into the paragraph', `${'WORD '.repeat(25)}— late dash.`],
  ])('no dateline: %s', (_name, text) => {
    expect(parseDateline(text, rules)).toBeNull();
  });

  it('splitDateline keeps the paragraph when there is none', () => {
    expect(splitDateline('Plain paragraph.', rules)).toEqual({ dateline: null, text: 'Plain paragraph.' });
    expect(splitDateline('EDMONTON — Boards broke.', rules).text).toBe('Boards broke.');
  });
});
