import { describe, expect, it } from 'vitest';
import { compileRules } from '../../src/normalize/matchers.ts';
import { DEFAULT_RULES, isValidPattern, normalizeRulesSchema, resolveRules, type NormalizeRules } from '../../src/normalize/rules.ts';

describe('normalizeRulesSchema', () => {
  it('gives the defaults for an empty or absent config', () => {
    expect(resolveRules()).toEqual(DEFAULT_RULES);
    expect(normalizeRulesSchema.parse({})).toEqual(DEFAULT_RULES);
  });

  it('extends the defaults by default: lists appended, known organisations get new aliases', () => {
    const rules = resolveRules({
      dropLines: ['Subscribe now'],
      agencies: [{ name: 'The Associated Press', aliases: ['A.P.'] }, { name: 'Bloomberg News', aliases: ['Bloomberg'] }],
      places: [{ match: ['Springfield'], subjects: ['Illinois'] }],
      trailingTags: { maxWords: 6 },
    });
    expect(rules.dropLines).toEqual([...DEFAULT_RULES.dropLines, 'Subscribe now']);
    expect(rules.agencies.find((a) => a.name === 'The Associated Press')!.aliases).toContain('A.P.');
    expect(rules.agencies.at(-1)).toEqual({ name: 'Bloomberg News', aliases: ['Bloomberg'] });
    expect(rules.places.at(-1)).toEqual({ match: ['Springfield'], subjects: ['Illinois'] });
    expect(rules.trailingTags).toEqual({ enabled: true, maxWords: 6 });
    expect(rules.killCategories).toEqual(DEFAULT_RULES.killCategories);
  });

  it('replaces the defaults when asked', () => {
    const rules: NormalizeRules = resolveRules({ defaults: 'replace', teaserSectionStart: ['Latest'] });
    expect(rules.teaserSectionStart).toEqual(['Latest']);
    expect(rules.dropLines).toEqual([]);
    expect(rules.agencies).toEqual([]);
    expect(rules.trailingTags.enabled).toBe(false);
  });

  it.each([
    ['a regex that does not compile', { dropLines: ['/(unclosed/'] }, ['dropLines', 0]],
    ['an empty phrase', { cutAt: ['  '] }, ['cutAt', 0]],
    ['an unknown key', { dropLine: ['x'] }, []],
    ['a subject rule without subjects', { keywords: [{ match: ['oil'], subjects: [] }] }, ['keywords', 0, 'subjects']],
    ['a wrong type', { trailingTags: { maxWords: 'four' } }, ['trailingTags', 'maxWords']],
    ['an unknown defaults mode', { defaults: 'merge' }, ['defaults']],
  ])('rejects %s with its path', (_name, input, path) => {
    const result = normalizeRulesSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(path);
  });

  it.each([
    ['Just Posted', true],
    ['/^Follow .+ on Twitter/i', true],
    ['/[/', false],
    ['', false],
  ])('isValidPattern(%j) is %s', (pattern, valid) => {
    expect(isValidPattern(pattern)).toBe(valid);
  });
});

describe('compileRules', () => {
  it('compiles once per rules object', () => {
    expect(compileRules(DEFAULT_RULES)).toBe(compileRules(DEFAULT_RULES));
  });

  it('matches phrases whole-line, ignoring case, typographic quotes and a final full stop', () => {
    const rules = compileRules(resolveRules({ defaults: 'replace', dropLines: ["Don't miss a story."] }));
    expect(rules.isDropLine('DON’T MISS A STORY')).toBe(true);
    expect(rules.isDropLine("Don't miss a story about the council.")).toBe(false);
  });

  it('ignores g and y flags so matching is not stateful', () => {
    const rules = compileRules(resolveRules({ defaults: 'replace', dropLines: ['/^ad$/gi'] }));
    expect([rules.isDropLine('AD'), rules.isDropLine('AD'), rules.isDropLine('ad')]).toEqual([true, true, true]);
  });
});

describe('DEFAULT_RULES', () => {
  it('cannot be changed by accident', () => {
    expect(Object.isFrozen(DEFAULT_RULES)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RULES.dropLines)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RULES.agencies[0])).toBe(true);
  });

  it('is itself valid config', () => {
    expect(normalizeRulesSchema.parse({ ...DEFAULT_RULES, defaults: 'replace' })).toEqual(DEFAULT_RULES);
  });
});
