import { describe, expect, it } from 'vitest';
import { textBlocks } from '../../src/normalize/blocks.ts';
import { splitSections, stripReadMore } from '../../src/normalize/furniture.ts';
import { compileRules, LineRule } from '../../src/normalize/matchers.ts';
import { DEFAULT_RULES, resolveRules } from '../../src/normalize/rules.ts';

const rules = compileRules(DEFAULT_RULES);
const split = (content: string, r = rules) => {
  const s = splitSections(textBlocks(content), r);
  return { story: s.story.map((b) => b.text), teasers: s.teasers.map((b) => b.text), removed: s.removed };
};

describe('splitSections (default rules: the Red Deer Advocate’s furniture)', () => {
  it.each([
    ['a Twitter follow line', 'Body.\nFollow Jane Roe on Twitter at https://example.test/janeroe', ['Body.']],
    ['a Facebook follow line', 'Body.\nFollow Springfield Gazette on Facebook', ['Body.']],
    ['the newsletter promo (two lines)', "Body.\nGet local stories you won't find anywhere else right to your inbox.\nSign up here", ['Body.']],
    ['the promo with typographic quotes', 'Body.\nGet local stories you won’t find anywhere else right to your inbox.', ['Body.']],
    ['separators', 'Body.\n_____\n* * *\n-30-', ['Body.']],
    ['AFP desk initials', 'Body.\ncx/lb\nburs-pfm/jj', ['Body.']],
    ['a story tip line', 'Body.\nHave a story tip? Email: news@example.test', ['Body.']],
    ['furniture phrases inside a sentence stay', 'She said: sign up here for a seat at the table.', ['She said: sign up here for a seat at the table.']],
  ])('drops %s', (_name, content, story) => {
    expect(split(content).story).toEqual(story);
  });

  it('puts the "Just Posted" list apart and cuts everything from "Most Read"', () => {
    expect(split('Story one.\nStory two.\nJust Posted\nTeaser A\nLede A… Continue reading\nMost Read\nPopular story\nMore')).toEqual({
      story: ['Story one.', 'Story two.'],
      teasers: ['Teaser A', 'Lede A… Continue reading'],
      removed: 4,
    });
  });

  it('works on HTML the same way', () => {
    expect(split('<p>Story.</p><h2>Just Posted</h2><h3><a href="/a">Teaser A</a></h3><h2>Most Read</h2><p>Popular</p>')).toMatchObject({
      story: ['Story.'],
      teasers: ['Teaser A'],
    });
  });

  it('takes a new site’s furniture from the config, no code', () => {
    const custom = compileRules(
      resolveRules({
        dropLines: ['Subscribe to the Morning Brief', '/^Related:/i'],
        teaserSectionStart: ['Latest headlines'],
        cutAt: ['/^Comments \\(\\d+\\)$/'],
      }),
    );
    const content = 'Body.\nRELATED: Other story\nSubscribe to the Morning Brief.\nLatest headlines\nTeaser\nComments (12)\nA comment';
    expect(split(content, custom)).toEqual({ story: ['Body.'], teasers: ['Teaser'], removed: 5 });
    // The defaults still apply (extend is the default).
    expect(split('Body.\nSign up here', custom).story).toEqual(['Body.']);
  });
});

describe('whole-line phrases', () => {
  it.each(['Sign up here', 'SIGN UP HERE', 'Sign  up here!!', 'Sign\tup here.', 'sign up here :', '-30-', '-30-.', '`Sign up here'])(
    'match whatever the case, spacing and closing punctuation: %j',
    (line) => {
      expect(rules.isDropLine(line)).toBe(line !== '`Sign up here');
    },
  );

  it('match a one-character phrase with its punctuation trimmed, and a phrase a backtick opens', () => {
    const r = compileRules(resolveRules({ dropLines: ['X', "'Tis the season"] }));
    expect(['X', 'x.', 'X !', '`Tis the season', '’Tis the season'].map((l) => r.isDropLine(l))).toEqual([true, true, true, true, true]);
    expect(['Xy', 'Tis the season'].map((l) => r.isDropLine(l))).toEqual([false, false]);
  });
});

describe('lineRules (every whole-line list asked at once)', () => {
  const r = compileRules(
    resolveRules({ cutAt: ['Related', '/^Most (?:read|shared)$/i'], copyrightLines: ['Related'], dropLines: ['/^related$/i'], factBoxes: ['Fact Box'] }),
  );
  const each = (line: string): number =>
    (r.isCut(line) ? LineRule.cut : 0) |
    (r.isFactBox(line) ? LineRule.factBox : 0) |
    (r.isTeaserStart(line) ? LineRule.teaserStart : 0) |
    (r.isSiblingHeading(line) ? LineRule.siblingHeading : 0) |
    (r.isCopyrightLine(line) ? LineRule.copyright : 0) |
    (r.isDropLine(line) ? LineRule.drop : 0);

  it.each(['Related', 'RELATED:', 'Most shared', 'Fact box.', 'Just Posted', 'More from the Gazette:', '© 2026 Gazette', 'Share on X', 'Body text.', 'x', '’Tis the season'])(
    'gives the bits of the lists that match %j, one by one',
    (line) => {
      expect(r.lineRules(line)).toBe(each(line));
    },
  );

  it('gives a line every list it is in: a phrase two lists share, and a pattern of a third', () => {
    expect(r.lineRules('Related')).toBe(LineRule.cut | LineRule.siblingHeading | LineRule.copyright | LineRule.drop);
    expect(r.lineRules('Body text.')).toBe(0);
  });
});

describe('stripReadMore', () => {
  it.each([
    ['More than 240 workers can begin booking… Continue reading', 'More than 240 workers can begin booking', true],
    ['Ends with dots... Continue reading', 'Ends with dots', true],
    ['Ends with a read more »', 'Ends with a', true],
    ['Ends with [Continue reading]', 'Ends with', true],
    ['A full sentence.', 'A full sentence.', false],
    ['Continue reading the report, officials said.', 'Continue reading the report, officials said.', false],
  ])('%s', (text, expected, cut) => {
    expect(stripReadMore(text, rules)).toEqual({ text: expected, cut });
  });
});
