/**
 * The furniture filter of article pages (src/ingest/page/furniture.ts): lines that are never story, the list of
 * other stories a page closes with, runs of links, and the notes after a story — each kind beside a story line
 * that looks like it and must stay.
 */
import { describe, expect, it } from 'vitest';
import type { PageBlock } from '../../../src/ingest/page/blocks.ts';
import { dropFurniture, isFurnitureLine, type FurnitureContext, type StoryLine } from '../../../src/ingest/page/furniture.ts';

const context: FurnitureContext = {
  headline: 'Harbour ferry returns to service',
  byline: 'Dana Whitlock',
  isStamp: () => false,
  urls: ['https://www.lakeside.example/news/ferry'],
};
const story = (text: string): StoryLine => ({ block: { kind: 'p', text, html: text, linkText: 0 }, text });
const link = (text: string): StoryLine => ({ block: { kind: 'p', text, html: `<a href="https://x.example/">${text}</a>`, linkText: text.length } as PageBlock, text });
const long = (n: number): string => `The ferry crossed the harbour for the ${n}th time this week, carrying commuters and freight to the other shore without delay.`;

describe('isFurnitureLine', () => {
  it.each([
    'Advertisement', 'Iklan', 'Skip to content', 'Image 1 of / 23', 'Caption', 'Enlarge Image', 'Share Tweet Submit', 'Sign In',
    'Tempo de leitura: 2 minutos', 'Filed under: Harbour |', 'Copyright ⓒ Courier. All rights reserved', 'Tuesday, November 19, 2019 08:38 AM',
    'Nov. 20, 2019 Updated: Nov. 20, 2019 1:35 a.m.', 'First Published: Tuesday, November 19, 2019 08:38 AM',
    'Vicente Aguiar loads trims into his truck in Hialeah, Fla. (AP Photo/Alan Diaz, File)', '(credit: NASA/Jude Guidry)', 'Image: Hanwha Q cells',
    'Harbour ferry returns to service', 'By Dana Whitlock', 'https://www.lakeside.example/news/ferry',
  ])('drops %j', (text) => {
    expect(isFurnitureLine(text, context)).toBe(true);
  });

  it.each([
    'The ferry returns on May 5.', 'Call 02-751-1500 to book.', 'www.lakeside.example', 'By Tuesday the harbour was open again, officials said.',
    'Share prices rose 3% on the news.', 'The photo, taken by a passenger, shows the ferry leaving.', long(1),
  ])('keeps %j', (text) => {
    expect(isFurnitureLine(text, context)).toBe(false);
  });
});

describe('dropFurniture', () => {
  it('cuts from a "You may also like..." heading in the last part of the text, not before it', () => {
    const lines = [story(long(1)), story('Most read'), story(long(2)), story(long(3)), story('You may also like...'), story('Ferry fares to rise')];
    expect(dropFurniture(lines, context).map((l) => l.text)).toEqual([long(1), 'Most read', long(2), long(3)]);
  });

  it('drops a run of links and its title, and a labelled pointer; keeps a single link and product links', () => {
    const lines = [
      story(long(1)), link('Related: Ferry fares to rise in spring'), story(long(2)), link('The harbour authority'), story(long(3)),
      link('Get it on Amazon for $39.99'), link('Also at Walmart for $38'), story('Around the harbour'), link('A lighthouse for sale'), link('The tide tables, explained'),
      story(long(4)),
    ];
    expect(dropFurniture(lines, context).map((l) => l.text)).toEqual([
      long(1), long(2), 'The harbour authority', long(3), 'Get it on Amazon for $39.99', 'Also at Walmart for $38', long(4),
    ]);
  });

  it('drops the notes after a story (Twitter, tips, newsletters), only at its end', () => {
    const lines = [
      story('Follow her on Twitter, the skipper told passengers, if you want updates on the crossing times.'), story(long(1)),
      story('Have a tip? Dana Whitlock may be reached at dana@courier.example. Follow her on Twitter @dana.'),
      story('Get the latest updates right in your inbox. Subscribe to our newsletters.'),
    ];
    expect(dropFurniture(lines, context).map((l) => l.text)).toEqual([lines[0]!.text, long(1)]);
  });
});
