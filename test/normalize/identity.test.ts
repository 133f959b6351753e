import { describe, expect, it } from 'vitest';
import { hash64 } from '../../src/util/hash.ts';
import { firstSentence, foldWords, words } from '../../src/normalize/text.ts';
import { fingerprint, guidKey, headlineKey, itemUri, linkKey, pictureUri, storyKey } from '../../src/normalize/identity.ts';

describe('storyKey', () => {
  it.each([
    ['link first (what a teaser and its story share)', { link: 'https://a.example.test/news/1?utm_source=rss#top', guid: 'guid-1', headline: 'H' }, 'link:https://a.example.test/news/1'],
    ['guid when there is no link', { link: null, guid: ' guid-1 ', headline: 'H' }, 'id:guid-1'],
    ['headline when there is neither', { link: null, guid: null, headline: 'Mayor’s “Plan” Passes!' }, "headline:mayor s plan passes"],
    ['an unusable link is skipped', { link: 'javascript:void(0)', guid: null, headline: 'H' }, 'headline:h'],
  ])('%s', (_name, identity, key) => {
    expect(storyKey(identity)).toBe(key);
  });

  it('resolves a relative link against the page', () => {
    expect(linkKey('/news/2/', 'https://a.example.test/feed')).toBe('link:https://a.example.test/news/2');
    expect(guidKey('')).toBeNull();
  });

  it('folds headlines: quotes, case, accents and punctuation do not matter', () => {
    expect(headlineKey('Trump in 2024? He says only that ‘a Republican’ will win')).toBe(headlineKey("TRUMP IN 2024 -- he says only that 'a republican' will win"));
    expect(headlineKey('Montréal')).toBe(headlineKey('Montreal'));
  });
});

describe('itemUri', () => {
  it('is a stable URN per source and key', () => {
    const uri = itemUri('red-deer', 'link:https://a.example.test/news/1');
    expect(uri).toMatch(/^urn:wirefeed:red-deer:[0-9a-f]{16}$/);
    expect(itemUri('red-deer', 'link:https://a.example.test/news/1')).toBe(uri);
    expect(itemUri('other', 'link:https://a.example.test/news/1')).not.toBe(uri);
  });

  it('gives pictures a uri from their image file, else from their place', () => {
    expect(pictureUri('urn:wirefeed:s:1', 1, 'https://img.example.test/a.jpg')).toBe(pictureUri('urn:wirefeed:s:2', 3, 'https://img.example.test/a.jpg'));
    expect(pictureUri('urn:wirefeed:s:1', 2, null)).toBe('urn:wirefeed:s:1:picture2');
  });
});

describe('fingerprint', () => {
  // The definition: the headline's words and the first 12 folded words of the whole first sentence.
  const byDefinition = (headline: string, paragraph: string): string =>
    `fp1:${hash64(`${foldWords(headline)}\n${words(foldWords(firstSentence(paragraph))).slice(0, 12).join(' ')}`)}`;

  it.each([
    'The U.S. Senate — after a long night — voted 51-49 on Tuesday to pass the bill that would fund roads and schools. More follows.',
    'ΟΙ ΒΟΥΛΕΥΤΈΣ ΤΗΣ ΠΌΛΗΣ ΨΉΦΙΣΑΝ ΣΉΜΕΡΑ ΤΟΝ ΝΈΟ ΝΌΜΟ ΓΙΑ ΤΑ ΣΧΟΛΕΊΑ ΚΑΙ ΤΟΥΣ ΔΡΌΜΟΥΣ ΤΗΣ ΠΕΡΙΟΧΉΣ ΜΑΣ.',
    '« — » — « — » — « Les élus ont voté mardi soir un budget de crise pour la ville et ses écoles. » Ensuite.',
    'Short one. Then the second sentence is much longer than the first one and goes on and on.',
    '“Quote” — says one — - - - - - - - - - - - - word after the dashes, and then some more words to read.',
  ])('takes the first words of the whole first sentence: %s', (paragraph) => {
    expect(fingerprint('Council votes', paragraph)).toBe(byDefinition('Council votes', paragraph));
  });

  const headline = 'Late frost threatens apple harvest';
  const first = 'A late frost swept across orchards this week, and growers say a third of the crop could be lost. More follows.';

  it('is the same for the same headline and first sentence, whatever the quotes, case or what follows', () => {
    const a = fingerprint(headline, first);
    expect(a).toMatch(/^fp1:[0-9a-f]{16}$/);
    expect(fingerprint(headline.toUpperCase(), `${first} And a different second paragraph.`)).toBe(a);
    expect(fingerprint('Another headline', first)).not.toBe(a);
    expect(fingerprint(headline, 'A different first sentence entirely about something else, said officials today.')).not.toBe(a);
  });

  it('only uses the first words, so a cut-off lede long enough matches the full story', () => {
    const full = fingerprint(headline, first);
    const lede = 'A late frost swept across orchards this week, and growers say a third of the';
    expect(fingerprint(headline, lede, true)).toBe(full);
    expect(fingerprint(headline, 'A late frost swept across', true)).toBeNull();
  });

  it('is null without a headline or a paragraph', () => {
    expect(fingerprint('', first)).toBeNull();
    expect(fingerprint(headline, null)).toBeNull();
  });
});
