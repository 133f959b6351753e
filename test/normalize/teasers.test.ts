import { describe, expect, it } from 'vitest';
import { textBlocks } from '../../src/normalize/blocks.ts';
import { compileRules } from '../../src/normalize/matchers.ts';
import { DEFAULT_RULES, resolveRules } from '../../src/normalize/rules.ts';
import { parseTeasers } from '../../src/normalize/teasers.ts';

const rules = compileRules(DEFAULT_RULES);
const base = 'https://site.example.test/news/story';
const read = (content: string, r = rules) =>
  parseTeasers(textBlocks(content), r, base).map((t) => ({
    headline: t.headline,
    lede: t.lede,
    truncated: t.truncated,
    located: t.located,
    credit: t.picture?.credit?.photographer ?? t.picture?.credit?.organisation ?? null,
    link: t.link,
  }));

describe('parseTeasers', () => {
  it.each([
    [
      'caption, headline, cut lede with a dateline',
      'Crews fight a fire on Monday. THE CANADIAN PRESS/Pat Lensman\nFire crews battle blaze\n\nHALIFAX — Firefighters worked through the… Continue reading',
      [{ headline: 'Fire crews battle blaze', lede: 'Firefighters worked through the', truncated: true, located: 'HALIFAX', credit: 'Pat Lensman', link: null }],
    ],
    [
      'a lede that is not cut (a deck) before the next teaser’s picture',
      'A letter is signed. (Advocate file photo)\nMLAs sign letter\n\nFifteen members signed on Wednesday\nA bus in snow. (AP Photo/Jo Example)\nBuses stall in storm\n\nDENVER — Buses stalled… Continue reading',
      [
        { headline: 'MLAs sign letter', lede: 'Fifteen members signed on Wednesday', truncated: false, located: null, credit: 'Red Deer Advocate', link: null },
        { headline: 'Buses stall in storm', lede: 'Buses stalled', truncated: true, located: 'DENVER', credit: 'Jo Example', link: null },
      ],
    ],
    [
      'teasers without pictures, each closed by its read-more',
      'Council approves budget\nThe council voted… Continue reading\nSchool year set\nClasses start on… Read more',
      [
        { headline: 'Council approves budget', lede: 'The council voted', truncated: true, located: null, credit: null, link: null },
        { headline: 'School year set', lede: 'Classes start on', truncated: true, located: null, credit: null, link: null },
      ],
    ],
    [
      'HTML: headings and links, no read-more',
      '<h3><a href="/news/a">First headline</a></h3><p>First lede.</p><h3><a href="https://other.example.test/b">Second headline</a></h3><p>Second lede.</p>',
      [
        { headline: 'First headline', lede: 'First lede.', truncated: false, located: null, credit: null, link: 'https://site.example.test/news/a' },
        { headline: 'Second headline', lede: 'Second lede.', truncated: false, located: null, credit: null, link: 'https://other.example.test/b' },
      ],
    ],
    [
      'HTML: the link of the read-more when the headline has none',
      '<p>Only headline</p><p>A lede… <a href="/news/c?utm_source=x">Continue reading</a></p>',
      [{ headline: 'Only headline', lede: 'A lede', truncated: true, located: null, credit: null, link: 'https://site.example.test/news/c?utm_source=x' }],
    ],
    ['a picture with nothing after it', 'A lone caption. (AP Photo/Jo Example)', []],
    ['nothing', '', []],
  ])('%s', (_name, content, expected) => {
    expect(read(content)).toEqual(expected);
  });

  it('strips a site label from teaser headlines and reads the operator’s read-more marker', () => {
    const custom = compileRules(resolveRules({ readMore: ['Keep reading'] }));
    expect(read('Updated: Bridge reopens\nTraffic is moving… Keep reading', custom)).toEqual([
      { headline: 'Bridge reopens', lede: 'Traffic is moving', truncated: true, located: null, credit: null, link: null },
    ]);
  });
});
