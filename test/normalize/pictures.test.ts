import { describe, expect, it } from 'vitest';
import type { RawEntry } from '../../src/model.ts';
import { textBlocks } from '../../src/normalize/blocks.ts';
import { compileRules } from '../../src/normalize/matchers.ts';
import { classifyBlock, collectPictures, mediaPictures, mergePictures } from '../../src/normalize/pictures.ts';
import { DEFAULT_RULES } from '../../src/normalize/rules.ts';

const rules = compileRules(DEFAULT_RULES);
const base = 'https://site.example.test/news/story';

describe('classifyBlock', () => {
  it.each([
    ['A caption. (AP Photo/Jo Example)', 'caption'],
    ['File photo', 'credit'],
    ['Body text, said the mayor.', 'text'],
  ])('%s → %s', (text, kind) => {
    expect(classifyBlock(textBlocks(text)[0]!, rules).kind).toBe(kind);
  });

  it('treats a figcaption without credit as a caption and an image as an image', () => {
    const [caption, image] = textBlocks('<figure><img src="a.jpg"><figcaption>Just words</figcaption></figure><img src="b.jpg">');
    expect(classifyBlock(caption!, rules)).toEqual({ kind: 'caption', caption: 'Just words', credit: null });
    expect(classifyBlock(image!, rules)).toEqual({ kind: 'image' });
  });
});

describe('collectPictures', () => {
  it.each([
    [
      'a bare "File photo" line above a caption with its own credit (one picture)',
      'File photo\nCoaches on the bench. (Photo by SAM SNAPPER/Advocate Staff)\nHeadline',
      [{ caption: 'Coaches on the bench.', photographer: 'Sam Snapper', file: true }],
      ['Headline'],
    ],
    [
      'two captioned pictures in a row',
      'One. (AP Photo/Jo Example)\nTwo. THE CANADIAN PRESS/Pat Lensman\nBody.',
      [
        { caption: 'One.', photographer: 'Jo Example', file: false },
        { caption: 'Two.', photographer: 'Pat Lensman', file: false },
      ],
      ['Body.'],
    ],
    [
      'a caption followed by a credit line of its own',
      '<figure><img src="/a.jpg"><figcaption>Crowds gather downtown.</figcaption></figure><p>THE CANADIAN PRESS/Pat Lensman</p><p>Body.</p>',
      [{ caption: 'Crowds gather downtown.', photographer: 'Pat Lensman', file: false }],
      ['Body.'],
    ],
    ['no pictures', 'Body one.\nBody two.', [], ['Body one.', 'Body two.']],
  ])('%s', (_name, content, pictures, rest) => {
    const got = collectPictures(textBlocks(content), rules, base);
    expect(got.pictures.map((p) => ({ caption: p.caption, photographer: p.credit?.photographer ?? null, file: p.credit?.file ?? false }))).toEqual(pictures);
    expect(got.rest.map((b) => b.text)).toEqual(rest);
  });

  it('resolves image URLs against the page and keeps only http(s)', () => {
    const got = collectPictures(textBlocks('<img src="/img/a.png"><img src="data:image/png;base64,AAAA"><p>Text.</p>'), rules, base);
    expect(got.pictures).toEqual([
      { caption: null, credit: null, images: [{ href: 'https://site.example.test/img/a.png', contentType: 'image/png', width: null, height: null, rendition: 'web' }] },
    ]);
  });
});

function entry(extra: Partial<RawEntry>): RawEntry {
  return { id: null, title: null, link: null, published: null, updated: null, author: null, categories: [], summary: null, content: null, enclosures: [], media: [], ...extra };
}

describe('mediaPictures and mergePictures', () => {
  const media = mediaPictures(
    entry({
      media: [
        { url: '/m/a.jpg', type: 'image/jpeg', medium: 'image', width: 1200, height: 800, title: null, description: 'Crowds gather downtown. THE CANADIAN PRESS/Pat Lensman', credit: null },
        { url: '/m/a.jpg', type: 'image/jpeg', medium: 'image', width: 120, height: 80, title: null, description: null, credit: null },
        { url: '/m/v.mp4', type: 'video/mp4', medium: 'video', width: null, height: null, title: null, description: null, credit: null },
        { url: '/m/b.jpg', type: null, medium: null, width: 10.5, height: null, title: null, description: 'A second view', credit: 'Jo Example' },
      ],
      enclosures: [
        { url: '/e/c.jpg', type: 'image/jpeg', length: 100 },
        { url: '/e/d.mp3', type: 'audio/mpeg', length: 100 },
      ],
    }),
    rules,
    base,
  );

  it('takes images from media:content (caption split from credit, media:credit read) and image enclosures', () => {
    expect(media).toEqual([
      {
        caption: 'Crowds gather downtown.',
        credit: { text: 'THE CANADIAN PRESS/Pat Lensman', photographer: 'Pat Lensman', organisation: 'The Canadian Press', file: false },
        images: [{ href: 'https://site.example.test/m/a.jpg', contentType: 'image/jpeg', width: 1200, height: 800, rendition: 'original' }],
      },
      {
        caption: 'A second view',
        credit: { text: 'Jo Example', photographer: 'Jo Example', organisation: null, file: false },
        images: [{ href: 'https://site.example.test/m/b.jpg', contentType: null, width: null, height: null, rendition: 'original' }],
      },
      { caption: null, credit: null, images: [{ href: 'https://site.example.test/e/c.jpg', contentType: 'image/jpeg', width: null, height: null, rendition: 'original' }] },
    ]);
  });

  it('joins a media file to the text picture with the same caption, else appends it', () => {
    const fromText = collectPictures(textBlocks('Crowds gather downtown. THE CANADIAN PRESS/Pat Lensman\nBody.'), rules, base).pictures;
    const merged = mergePictures(fromText, media);
    expect(merged).toHaveLength(3);
    expect(merged[0]!.images.map((i) => i.href)).toEqual(['https://site.example.test/m/a.jpg']);
    expect(merged[1]!.caption).toBe('A second view');
  });

  it('gives an uncaptioned media file to the first text picture without an image', () => {
    const fromText = collectPictures(textBlocks('Flood waters rise. (AP Photo/Jo Example)\nBody.'), rules, base).pictures;
    const merged = mergePictures(fromText, [media[2]!]);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.images[0]!.href).toBe('https://site.example.test/e/c.jpg');
  });
});
