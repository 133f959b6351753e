import { describe, expect, it } from 'vitest';
import { compileRules } from '../../src/normalize/matchers.ts';
import { pubStatusOf, stripKillMarker } from '../../src/normalize/pub-status.ts';
import { DEFAULT_RULES, resolveRules } from '../../src/normalize/rules.ts';

const rules = compileRules(DEFAULT_RULES);
const status = (title: string | null, firstLine: string | null = null, categories: string[] = []) => pubStatusOf({ title, firstLine, categories }, rules);

describe('pubStatusOf', () => {
  it.each([
    ['KILLED', null, [], 'canceled'],
    ['KILLED: Storm hits coast', null, [], 'canceled'],
    ['WITHDRAWN - Storm hits coast', null, [], 'canceled'],
    ['MANDATORY KILL — Storm hits coast', null, [], 'canceled'],
    ['Storm hits coast', 'Editors: kill this story. It contained an error.', [], 'canceled'],
    ['Storm hits coast', 'EDITORS: Please withdraw the item.', [], 'canceled'],
    ['Storm hits coast', null, ['News', 'Kill'], 'canceled'],
    ['Storm hits coast', null, ['withdrawn'], 'canceled'],
    ['Killed in crash: driver named', null, [], 'usable'],
    ['KILLER WHALES RETURN', null, [], 'usable'],
    ['Storm hits coast', 'Editors say the storm was the worst in years.', ['News'], 'usable'],
    [null, null, [], 'usable'],
  ])('%j / %j / %j → %s', (title, firstLine, categories, expected) => {
    expect(status(title, firstLine, categories)).toBe(expected);
  });

  it('takes further markers from the config', () => {
    const custom = compileRules(resolveRules({ killMarkers: ['ÉLIMINATION'], killCategories: ['retrait'] }));
    expect(pubStatusOf({ title: 'ÉLIMINATION: Tempête', firstLine: null, categories: [] }, custom)).toBe('canceled');
    expect(pubStatusOf({ title: 'Tempête', firstLine: null, categories: ['Retrait'] }, custom)).toBe('canceled');
  });
});

describe('stripKillMarker', () => {
  it.each([
    ['KILLED: Storm hits coast', 'Storm hits coast'],
    ['WITHDRAWN - Storm hits coast', 'Storm hits coast'],
    ['KILLED', 'KILLED'],
    ['Storm hits coast', 'Storm hits coast'],
  ])('%j → %j', (title, expected) => {
    expect(stripKillMarker(title, rules)).toBe(expected);
  });
});
