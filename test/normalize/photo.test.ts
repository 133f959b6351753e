import { describe, expect, it } from 'vitest';
import { compileRules } from '../../src/normalize/matchers.ts';
import { creditOnly, mayEndWithCredit, mayHoldCredit, mergeCredits, parseCredit, pictureAssociation, splitCaption } from '../../src/normalize/photo.ts';
import { DEFAULT_RULES } from '../../src/normalize/rules.ts';
import { ninjsErrors } from './support/ninjs-schema.ts';

const rules = compileRules(DEFAULT_RULES);

describe('splitCaption', () => {
  it.each([
    ['Voters wait in line. (AP Photo/Jo Example)', 'Voters wait in line.', 'AP Photo/Jo Example', 'Jo Example', 'The Associated Press', false],
    ['FILE - Voters wait, in this file photo, in line. (AP Photo/Jo Example, File)', 'FILE - Voters wait, in this file photo, in line.', 'AP Photo/Jo Example, File', 'Jo Example', 'The Associated Press', true],
    ['A nurse at work on Jan. 7, 2021. THE CANADIAN PRESS/Pat Lensman', 'A nurse at work on Jan. 7, 2021.', 'THE CANADIAN PRESS/Pat Lensman', 'Pat Lensman', 'The Canadian Press', false],
    ['A skip throws a stone, Tuesday, April 6, 2021.THE CANADIAN PRESS/Pat Lensman', 'A skip throws a stone, Tuesday, April 6, 2021.', 'THE CANADIAN PRESS/Pat Lensman', 'Pat Lensman', 'The Canadian Press', false],
    ['Coaches on the bench (left) and (middle). (Photo by SAM SNAPPER/Advocate Staff)', 'Coaches on the bench (left) and (middle).', 'Photo by SAM SNAPPER/Advocate Staff', 'Sam Snapper', 'Red Deer Advocate', false],
    ['The premier speaks. (photography by Kim Lens/Government of Alberta)', 'The premier speaks.', 'photography by Kim Lens/Government of Alberta', 'Kim Lens', 'Government of Alberta', false],
    ['An MLA signs a letter. (Advocate file photo).', 'An MLA signs a letter.', 'Advocate file photo', null, 'Red Deer Advocate', true],
    ['A bank in London, March 15, 2021. REUTERS/Jo Shutter', 'A bank in London, March 15, 2021.', 'REUTERS/Jo Shutter', 'Jo Shutter', 'Reuters', false],
    ['Visitors queue in Paris. CAMILLE EXEMPLE / AFP', 'Visitors queue in Paris.', 'CAMILLE EXEMPLE / AFP', 'Camille Exemple', 'Agence France-Presse', false],
    ['A protest outside. Jo Doe/AFP via Getty Images', 'A protest outside.', 'Jo Doe/AFP via Getty Images', 'Jo Doe', 'Agence France-Presse', false],
    ['The old bridge in 1962. File photo', 'The old bridge in 1962.', 'File photo', null, null, true],
    ['Crews clear snow. Photo by Jane Doe/Gazette', 'Crews clear snow.', 'Photo by Jane Doe/Gazette', 'Jane Doe', 'Gazette', false],
    ['A cat rescued from a tree. (Submitted photo)', 'A cat rescued from a tree.', 'Submitted photo', null, null, false],
    ['Firefighters at work. (Photo courtesy of Springfield Fire Department)', 'Firefighters at work.', 'Photo courtesy of Springfield Fire Department', null, 'Springfield Fire Department', false],
    ['A storm rolls in. (Jane Doe/Gazette)', 'A storm rolls in.', 'Jane Doe/Gazette', 'Jane Doe', 'Gazette', false],
  ])('%s', (text, caption, creditText, photographer, organisation, file) => {
    expect(splitCaption(text, rules)).toEqual({ caption, credit: { text: creditText, photographer, organisation, file } });
  });

  it.each([
    ['Crowds in Bonn on Friday.REUTERS/Jo Shutter', 'Crowds in Bonn on Friday.', 'REUTERS/Jo Shutter', 'Reuters'],
    ['Crowds in Bonn on Friday. AP Photos /Jo Shutter', 'Crowds in Bonn on Friday.', 'AP Photos /Jo Shutter', 'The Associated Press'],
    ['Crowds in Bonn on Friday. ap photo/ Jo Shutter', 'Crowds in Bonn on Friday.', 'ap photo/ Jo Shutter', 'The Associated Press'],
    ['Crowds in Bonn. Agência Brasil/Jo Shutter', 'Crowds in Bonn.', 'Agência Brasil/Jo Shutter', 'Agência Brasil'],
    ['Crowds in Bonn. Jo Shutter/ČTK', 'Crowds in Bonn.', 'Jo Shutter/ČTK', 'ČTK'],
    ['Crowds in Bonn.\u212aYODO/Jo Shutter', 'Crowds in Bonn.', 'KYODO/Jo Shutter', 'Kyodo News'],
  ])('an agency credit by any spelling and spacing around the slash: %s', (text, caption, creditText, organisation) => {
    expect(splitCaption(text, rules)).toEqual({ caption, credit: { text: creditText, photographer: 'Jo Shutter', organisation, file: false } });
  });

  it.each([
    ['no credit', 'The crowd cheered as the team arrived.'],
    ['a word that is no agency before the slash', 'Crowds in Bonn. Photo/Jo Shutter'],
    ['a word that is no agency after the slash', 'Crowds in Bonn. Jo Shutter/Bench Wire'],
    ['a bracketed aside', 'Coach Brent Example (middle).'],
    ['an agency name in brackets is no photo credit', 'The bank raised rates. (Reuters)'],
    ['a slash without a known agency', 'The rate was 5 km/h on the 24/7 road'],
    ['file photo mid-caption', 'FILE - In this file photo, a nurse works'],
  ])('no credit: %s', (_name, text) => {
    expect(splitCaption(text, rules)).toEqual({ caption: text, credit: null });
  });
});

describe('creditOnly', () => {
  it.each([
    ['File photo', { text: 'File photo', photographer: null, organisation: null, file: true }],
    ['(Advocate file photo)', { text: 'Advocate file photo', photographer: null, organisation: 'Red Deer Advocate', file: true }],
    ['THE CANADIAN PRESS/Pat Lensman', { text: 'THE CANADIAN PRESS/Pat Lensman', photographer: 'Pat Lensman', organisation: 'The Canadian Press', file: false }],
    ['AP Photo/Jo Example', { text: 'AP Photo/Jo Example', photographer: 'Jo Example', organisation: 'The Associated Press', file: false }],
    ['Russia', null],
    ['Sign up here', null],
  ])('%s', (text, expected) => {
    expect(creditOnly(text, rules)).toEqual(expected);
  });
});

describe('parseCredit and mergeCredits', () => {
  it('merges a bare "File photo" with the caption’s own credit', () => {
    const file = parseCredit('File photo', rules, { bracketed: false });
    const own = parseCredit('Photo by SAM SNAPPER/Advocate Staff', rules, { bracketed: true });
    expect(mergeCredits(file, own)).toEqual({
      text: 'File photo; Photo by SAM SNAPPER/Advocate Staff',
      photographer: 'Sam Snapper',
      organisation: 'Red Deer Advocate',
      file: true,
    });
    expect(mergeCredits(null, own)).toBe(own);
    expect(mergeCredits(own, null)).toBe(own);
  });
});

describe('parseCredit, read again', () => {
  it('gives the same credit each time, per rules and bracketing, and one that cannot be changed', () => {
    const first = parseCredit('Jane Doe/Gazette', rules, { bracketed: true });
    expect(parseCredit('Jane Doe/Gazette', rules, { bracketed: true })).toEqual(first);
    expect(first).toEqual({ text: 'Jane Doe/Gazette', photographer: 'Jane Doe', organisation: 'Gazette', file: false });
    // Unbracketed, an unknown organisation after a slash is no credit.
    expect(parseCredit('Jane Doe/Gazette', rules, { bracketed: false })).toBeNull();
    expect(Object.isFrozen(first)).toBe(true);
    const strict = compileRules({ ...DEFAULT_RULES, agencies: [] });
    expect(parseCredit('REUTERS/Jo Shutter', rules, { bracketed: false })?.organisation).toBe('Reuters');
    expect(parseCredit('REUTERS/Jo Shutter', strict, { bracketed: false })?.organisation ?? null).not.toBe('Reuters');
  });
});

describe('mayHoldCredit', () => {
  it.each([
    ['Crews clear snow. Photo by Jane Doe/Gazette', true],
    ['A nurse at work. THE CANADIAN PRESS/Pat Lensman', true],
    ['(Advocate FILE photo)', true],
    ['Supplied', true],
    ['The council met on Tuesday and voted to extend the bus routes.', false],
    ['Opponents have collected more than 900 signatures.', false],
  ])('%s', (text, expected) => {
    expect(mayHoldCredit(text)).toBe(expected);
  });

  it('is true for every text a credit is read from', () => {
    for (const text of ['File photo', 'Jane Doe/Gazette', 'Photo courtesy of Springfield Fire Department', 'Handout', 'Credit: Jo Doe/Gazette']) {
      expect(parseCredit(text, rules, { bracketed: true })).not.toBeNull();
      expect(mayHoldCredit(text)).toBe(true);
    }
  });
});

describe('mayEndWithCredit', () => {
  const filler = 'The council met on Tuesday and voted to extend the bus routes to the new subdivisions. '.repeat(3);

  it('is false for a long paragraph whose credit words are all far from its end', () => {
    expect(mayEndWithCredit(`A file photo shows the old bridge. ${filler}Work starts in May.`)).toBe(false);
    expect(creditOnly(`A file photo shows the old bridge. ${filler}Work starts in May.`, rules)).toBeNull();
    expect(splitCaption(`A file photo shows the old bridge. ${filler}Work starts in May.`, rules).credit).toBeNull();
  });

  it.each([
    `${filler}Crews clear snow. (AP Photo/Jo Example, File)`,
    `${filler}Crews clear snow. (AP Photo/Jo Example, File) ...`,
    `${filler}A nurse at work. THE CANADIAN PRESS/Pat Lensman`,
    `${filler}An MLA signs a letter. Advocate file photo.`,
    `${filler}Visitors queue in Paris. CAMILLE EXEMPLE / AFP`,
    `${filler}The premier speaks. (photography by Kim Lens/Government of Alberta)`,
  ])('is true for a long caption with its credit at the end: %s', (text) => {
    expect(splitCaption(text, rules).credit).not.toBeNull();
    expect(mayEndWithCredit(text)).toBe(true);
  });

  it('does not count the spaces and dots before a closing bracket toward the credit', () => {
    const text = `(Photo by Jane Doe${'.'.repeat(130)})`;
    expect(creditOnly(text, rules)).not.toBeNull();
    expect(mayEndWithCredit(text)).toBe(true);
  });
});

describe('pictureAssociation', () => {
  it('puts caption and credit in descriptions, the photographer in by, the agency as source, the file flag as genre', () => {
    const assoc = pictureAssociation(
      {
        caption: 'Voters wait in line.',
        credit: { text: 'AP Photo/Jo Example, File', photographer: 'Jo Example', organisation: 'The Associated Press', file: true },
        images: [{ href: 'https://img.example.test/a.jpg', contentType: 'image/jpeg', width: 640, height: 427, rendition: 'web' }],
      },
      'picture1',
      'urn:wirefeed:image:0123456789abcdef',
    );
    expect(assoc).toEqual({
      name: 'picture1',
      uri: 'urn:wirefeed:image:0123456789abcdef',
      type: 'picture',
      descriptions: [
        { role: 'caption', contentType: 'text/plain', value: 'Voters wait in line.' },
        { role: 'credit', contentType: 'text/plain', value: 'AP Photo/Jo Example, File' },
      ],
      by: 'Jo Example',
      copyrightHolder: 'The Associated Press',
      infoSources: [{ name: 'The Associated Press', role: 'originator' }],
      genres: [{ name: 'File photo', literal: 'file' }],
      renditions: [{ name: 'web', href: 'https://img.example.test/a.jpg', contentType: 'image/jpeg', width: 640, height: 427 }],
    });
    expect(ninjsErrors({ uri: 'urn:wirefeed:x:1', associations: [assoc] })).toBe('');
  });

  it('leaves out what is unknown', () => {
    expect(pictureAssociation({ caption: null, credit: null, images: [] }, 'picture2', 'urn:wirefeed:x:1:picture2')).toEqual({
      name: 'picture2',
      uri: 'urn:wirefeed:x:1:picture2',
      type: 'picture',
    });
  });
});
