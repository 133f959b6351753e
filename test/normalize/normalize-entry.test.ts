/**
 * normalizeEntry / normalizeFeed as a whole: status, dates, media, summaries, language, categories, options,
 * purity, and schema validity on arbitrary input.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RawEntry, RawFeed } from '../../src/model.ts';
import { normalizeEntry, normalizeFeed, resolveRules } from '../../src/normalize/index.ts';
import { ninjsErrors } from './support/ninjs-schema.ts';
import { feedOf, seedSource } from './support/seed.ts';

const now = new Date('2021-04-11T12:00:00Z');

function entry(extra: Partial<RawEntry> = {}): RawEntry {
  return {
    id: 'guid-1',
    title: 'Bridge reopens after repairs',
    link: 'https://www.example.test/news/bridge-reopens',
    published: '2021-04-10T09:00:00Z',
    updated: null,
    author: null,
    categories: [],
    summary: null,
    content: '<p>CALGARY — The Centre Street bridge reopened on Saturday after eight months of repairs.</p><p>Crews finished ahead of schedule, the city said.</p>',
    enclosures: [],
    media: [],
    ...extra,
  };
}

const one = (e: RawEntry, feed: RawFeed = feedOf([])) => {
  const items = normalizeEntry(e, { source: seedSource, feed, now });
  expect(items).toHaveLength(1);
  for (const { item } of items) expect(ninjsErrors(item)).toBe('');
  return items[0]!;
};

describe('normalizeEntry', () => {
  it('gives a plain story its ninjs fields', () => {
    const n = one(entry());
    expect(n.item).toEqual({
      uri: n.item.uri,
      type: 'text',
      representationType: 'full',
      version: '1',
      firstCreated: now.toISOString(),
      versionCreated: now.toISOString(),
      headlines: [{ role: 'main', contentType: 'text/plain', value: 'Bridge reopens after repairs' }],
      contentCreated: '2021-04-10T09:00:00.000Z',
      pubStatus: 'usable',
      bodies: [
        {
          role: 'main',
          contentType: 'text/html',
          value: '<p>The Centre Street bridge reopened on Saturday after eight months of repairs.</p>\n<p>Crews finished ahead of schedule, the city said.</p>',
        },
      ],
      located: 'CALGARY',
      subjects: [{ name: 'Alberta' }, { name: 'Canada' }],
      infoSources: [{ name: 'Red Deer Advocate', role: 'originfeed' }],
      copyrightHolder: 'Red Deer Advocate',
      renditions: [{ name: 'web', href: 'https://www.example.test/news/bridge-reopens', contentType: 'text/html' }],
    });
    expect(n).toMatchObject({ published: Date.parse('2021-04-10T09:00:00Z'), dateFlag: null, partial: false, categories: ['Alberta', 'Canada'] });
  });

  it.each([
    ['a kill marker in the title', { title: 'KILLED: Bridge reopens after repairs' }],
    ['a kill notice as first line', { content: '<p>Editors: kill this story. The bridge did not reopen.</p>' }],
    ['a kill category', { categories: ['News', 'kill'] }],
  ])('cancels on %s, keeping the story’s uri and headline', (_name, extra) => {
    const original = one(entry());
    const killed = one(entry(extra));
    expect(killed.item.pubStatus).toBe('canceled');
    expect(killed.item.uri).toBe(original.item.uri);
    expect(killed.item.headlines[0]!.value).toBe('Bridge reopens after repairs');
    expect(killed.categories).not.toContain('kill');
    expect(killed.item.bodies?.[0]?.value ?? '').not.toMatch(/Editors: kill/);
  });

  it.each([
    ['missing', { published: null, updated: null }],
    ['future', { published: '2030-01-01T00:00:00Z' }],
    ['too-old', { published: '1980-01-01T00:00:00Z' }],
  ])('flags a %s date and leaves the time to the store', (flag, extra) => {
    const n = one(entry(extra));
    expect(n.published).toBeNull();
    expect(n.dateFlag).toBe(flag);
    expect(n.item.contentCreated).toBeUndefined();
  });

  it('takes pictures from media:content and enclosures', () => {
    const n = one(
      entry({
        media: [{ url: 'https://img.example.test/bridge.jpg', type: 'image/jpeg', medium: 'image', width: 1600, height: 900, title: null, description: 'The bridge on Saturday. (Photo by JO LENS/Advocate Staff)', credit: null }],
        enclosures: [{ url: 'https://img.example.test/crew.png', type: 'image/png', length: 1000 }],
      }),
    );
    expect(n.item.associations).toEqual([
      expect.objectContaining({
        name: 'picture1',
        by: 'Jo Lens',
        copyrightHolder: 'Red Deer Advocate',
        descriptions: [
          { role: 'caption', contentType: 'text/plain', value: 'The bridge on Saturday.' },
          { role: 'credit', contentType: 'text/plain', value: 'Photo by JO LENS/Advocate Staff' },
        ],
        renditions: [{ name: 'original', href: 'https://img.example.test/bridge.jpg', contentType: 'image/jpeg', width: 1600, height: 900 }],
      }),
      expect.objectContaining({ name: 'picture2', renditions: [{ name: 'original', href: 'https://img.example.test/crew.png', contentType: 'image/png' }] }),
    ]);
  });

  it.each([
    ['cleans the upstream summary', '<p>CALGARY — The bridge is open again… <a href="/x">Continue reading</a></p>', 'The bridge is open again…'],
    ['drops a summary that repeats the body', 'CALGARY — The Centre Street bridge reopened on Saturday after eight months of repairs. Crews finished ahead of schedule, the city said.', undefined],
    ['keeps a real dek', 'Commuters get their crossing back', 'Commuters get their crossing back'],
  ])('%s', (_name, summary, expected) => {
    expect(one(entry({ summary })).item.descriptions?.[0]?.value).toBe(expected);
  });

  it('makes an excerpt that ends in "Continue reading" a partial item', () => {
    const n = one(entry({ content: null, summary: '<p>CALGARY — The Centre Street bridge reopened on Saturday after eight… <a href="/x">Continue reading</a></p>' }));
    expect(n.partial).toBe(true);
    expect(n.item.representationType).toBe('partial');
    expect(n.item.bodies![0]!.value).toBe('<p>The Centre Street bridge reopened on Saturday after eight…</p>');
    expect(n.supersedes).toEqual([]);
  });

  it('uses the author field, then the feed’s author for the agency', () => {
    const byAuthor = one(entry({ author: 'JO WRITER' }), feedOf([], { author: 'The Canadian Press' }));
    expect(byAuthor.item.by).toBe('Jo Writer');
    expect(byAuthor.item.copyrightHolder).toBe('The Canadian Press');
    const inText = one(entry({ author: 'Someone Else', content: '<p>By JANE DOE</p><p>CALGARY (AP) — Text here.</p>' }));
    expect(inText.item.by).toBe('Jane Doe');
    expect(inText.item.copyrightHolder).toBe('The Associated Press');
  });

  it('normalizes the feed’s language and adds the source’s categories', () => {
    const n = normalizeEntry(entry(), { source: { ...seedSource, categories: ['Local'] }, feed: feedOf([], { language: 'en-ca' }), now })[0]!;
    expect(n.item.language).toBe('en-CA');
    expect(n.categories).toEqual(['Alberta', 'Canada', 'Local']);
  });

  it('falls back to the summary for a headline, and to "Untitled"', () => {
    expect(one(entry({ title: null, content: null, summary: 'Council met on Monday. It voted.' })).item.headlines[0]!.value).toBe('Council met on Monday.');
    expect(one(entry({ title: '', content: null, summary: null })).item.headlines[0]!.value).toBe('Untitled');
  });

  it('applies the operator’s rules', () => {
    const rules = resolveRules({ keywords: [{ match: ['bridge'], subjects: ['Infrastructure'] }] });
    const [n] = normalizeFeed(feedOf([entry()]), { source: seedSource, now, rules });
    expect(n!.categories).toContain('Infrastructure');
  });
});

describe('normalizeFeed', () => {
  it('lists a sibling shown on several story pages once', () => {
    const teasers = '<h2>Just Posted</h2><h3><a href="/news/other">Other story</a></h3><p>Lede… <a href="/news/other">Continue reading</a></p>';
    const feed = feedOf([
      entry({ content: `<p>First story.</p>${teasers}` }),
      entry({ id: 'guid-2', link: 'https://www.example.test/news/second', title: 'Second', content: `<p>Second story.</p>${teasers}` }),
    ]);
    const items = normalizeFeed(feed, { source: seedSource, now });
    expect(items.map((i) => [i.item.headlines[0]!.value, i.partial])).toEqual([
      ['Bridge reopens after repairs', false],
      ['Other story', true],
      ['Second', false],
    ]);
  });

  it('is empty for an empty feed', () => {
    expect(normalizeFeed(feedOf([]), { source: seedSource, now })).toEqual([]);
  });
});

describe('src/normalize stays pure', () => {
  it('imports no runtime module (it runs on Workers too)', () => {
    const dir = new URL('../../src/normalize/', import.meta.url);
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      const imports = [...source.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]!);
      for (const spec of imports) expect(spec, `${file} imports ${spec}`).toMatch(/^(?:\.{1,2}\/.*\.ts|zod|entities)$/);
      expect(source, file).not.toMatch(/\bprocess\.|\bDate\.now\(|\bnew Date\(\)|Math\.random/);
    }
  });
});

describe('any entry', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.constantFrom('WASHINGTON — A story.', 'Just Posted', 'Most Read', 'File photo', 'A caption. (AP Photo/Jo Example)', 'By JANE DOE', '<p>x</p>', '<figure><img src="/a.jpg"><figcaption>C</figcaption></figure>', '… Continue reading', 'KILLED', '<a href="javascript:x">y</a>'),
  );
  const content = fc.array(text, { maxLength: 12 }).map((parts) => parts.join('\n'));

  it('normalizes without throwing into valid ninjs 3.1', () => {
    fc.assert(
      fc.property(
        fc.record({
          title: fc.option(text),
          content: fc.option(content),
          summary: fc.option(content),
          link: fc.option(fc.oneof(fc.webUrl(), fc.string({ maxLength: 20 }))),
          author: fc.option(text),
          categories: fc.array(text, { maxLength: 3 }),
          published: fc.option(fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string({ maxLength: 10 }))),
        }),
        (r) => {
          const items = normalizeEntry(entry({ ...r, id: null }), { source: seedSource, feed: feedOf([]), now });
          expect(items.length).toBeGreaterThan(0);
          for (const { item } of items) expect(ninjsErrors(item)).toBe('');
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: process.env.FUZZ_RUNS ? Date.now() : 20210316 },
    );
  });
});
