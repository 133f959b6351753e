import { describe, expect, it } from 'vitest';
import { firstSentence, trimEndOf, trimStartOf } from '../../src/normalize/text.ts';

describe('firstSentence', () => {
  it.each([
    ['a plain full stop', 'The council met. It voted.', 'The council met.'],
    ['a title abbreviation', 'Dr. Jane Doe spoke. Then she left.', 'Dr. Jane Doe spoke.'],
    ['initials', 'The U.S. Senate voted. It passed.', 'The U.S. Senate voted.'],
    ['a word beyond ASCII before the stop', 'Sie kam aus Zürich. Dann ging sie.', 'Sie kam aus Zürich.'],
    ['a single letter beyond ASCII is an initial', 'Ask É. Martin now. Later.', 'Ask É. Martin now.'],
    ['an astral letter is one letter', 'Ask 𝐀. Martin now. Later.', 'Ask 𝐀. Martin now.'],
    ['a closing quote stays with its sentence', '“We won.” Then they left.', '“We won.”'],
    ['no sentence end', 'no end here', 'no end here'],
  ])('%s', (_name, paragraph, expected) => {
    expect(firstSentence(paragraph)).toBe(expected);
  });
});

describe('trimStartOf / trimEndOf', () => {
  it('drop runs of the given characters at one end only', () => {
    expect(trimStartOf('— - By Jane Doe.', ' —-')).toBe('By Jane Doe.');
    expect(trimEndOf('By Jane Doe. .', ' .')).toBe('By Jane Doe');
    expect(trimStartOf('plain', ' -')).toBe('plain');
  });
});
