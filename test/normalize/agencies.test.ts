/**
 * The rules beyond the seed: whole stories we wrote in the conventions of other agencies and sites
 * (test/fixtures/normalize), normalized end to end and checked against the ninjs 3.1 schema.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NewsItem, RawEntry, SourceConfig } from '../../src/model.ts';
import { DEFAULT_RULES, normalizeEntry, normalizeRulesSchema, type NormalizedItem } from '../../src/normalize/index.ts';
import { ninjsErrors } from './support/ninjs-schema.ts';
import { feedOf } from './support/seed.ts';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/normalize/${name}`, import.meta.url), 'utf8');
const now = new Date('2021-03-17T00:00:00Z');

function source(id: string, provider?: string, categories: string[] = []): SourceConfig {
  return { id, url: `https://${id}.example.test/feed`, title: id, interval: 15, categories, allowPrivateNetwork: false, ...(provider ? { provider } : {}) };
}

function entry(content: string, extra: Partial<RawEntry> = {}): RawEntry {
  return {
    id: null, title: null, link: null, published: '2021-03-16T15:00:00Z', updated: null, author: null, categories: [],
    summary: null, content, enclosures: [], media: [], ...extra,
  };
}

function normalizeOne(content: string, extra: Partial<RawEntry>, src: SourceConfig, rules?: Parameters<typeof normalizeEntry>[1]['rules']): NormalizedItem {
  const items = normalizeEntry(entry(content, extra), { source: src, feed: feedOf([], { link: `https://${src.id}.example.test/` }), now, rules });
  expect(items).toHaveLength(1);
  return items[0]!;
}

const body = (item: NewsItem): string => item.bodies?.[0]?.value ?? '';
const caption = (item: NewsItem): string | undefined => item.associations?.[0]?.descriptions?.find((d) => d.role === 'caption')?.value;

describe('The Canadian Press, as a local site shows it (plain text)', () => {
  const { item, categories } = normalizeOne(
    fixture('cp-ottawa.txt'),
    { title: 'Federal plan puts $1.2 billion into aging highway bridges', link: 'https://local.example.test/news/bridges-123' },
    source('local', 'Local Herald'),
  );

  it('reads byline, agency, dateline and region', () => {
    expect(item.by).toBe('Sam Example');
    expect(item.copyrightHolder).toBe('The Canadian Press');
    expect(item.infoSources).toEqual([
      { name: 'The Canadian Press', role: 'originator' },
      { name: 'Local Herald', role: 'originfeed' },
    ]);
    expect(item.located).toBe('OTTAWA');
    expect(categories).toEqual(expect.arrayContaining(['Infrastructure', 'Federal Politics', 'Ontario', 'Canada']));
  });

  it('splits the CP credit and keeps a clean body', () => {
    expect(caption(item)).toBe('Workers unload steel beams at a bridge repair site near Ottawa on Monday, March 15, 2021.');
    expect(item.associations![0]).toMatchObject({ by: 'Pat Lensman', copyrightHolder: 'The Canadian Press' });
    expect(body(item)).toMatch(/^<p>The federal government will spend \$1\.2 billion/);
    expect(body(item)).toMatch(/many towns need\.<\/p>$/);
    expect(body(item)).not.toMatch(/Sam Example|Sign up|Get local|Infrastructure|aging highway bridges<\/p>/);
  });

  it('is valid ninjs 3.1', () => expect(ninjsErrors(item)).toBe(''));
});

describe('Reuters (HTML)', () => {
  const { item } = normalizeOne(
    fixture('reuters-london.html'),
    { title: 'Central bank holds rates, says recovery on track', link: 'https://wire.example.test/article/rates-hold', author: null },
    source('wire'),
  );

  it('reads the Reuters dateline with its date and the (Reporting by …) trailer', () => {
    expect(item.located).toBe('LONDON');
    expect(item.copyrightHolder).toBe('Reuters');
    expect(item.by).toBe('Alex Writer');
    expect(body(item)).toMatch(/^<p>Britain’s central bank kept interest rates on hold/);
    expect(body(item)).not.toMatch(/Reporting by|\(Reuters\)/);
    expect(body(item)).toContain('<p>“We will watch the data closely,” the bank said in a statement.</p>');
  });

  it('keeps the picture with its resolved image, size and REUTERS credit', () => {
    expect(caption(item)).toBe('A view of a central bank building in London, Britain, March 15, 2021.');
    expect(item.associations![0]).toMatchObject({
      by: 'Jo Shutter',
      copyrightHolder: 'Reuters',
      renditions: [{ name: 'web', href: 'https://wire.example.test/images/2021/03/bank-front.jpg', contentType: 'image/jpeg', width: 800, height: 533 }],
    });
  });

  it('is valid ninjs 3.1', () => expect(ninjsErrors(item)).toBe(''));
});

describe('AFP (HTML, author from dc:creator)', () => {
  const { item } = normalizeOne(
    fixture('afp-paris.html'),
    { title: 'French museums to reopen with visitor limits', link: 'https://wire.example.test/afp/museums', author: 'Marie DUPONT' },
    source('wire'),
  );

  it('reads the title-case AFP dateline, the agency, and the author in natural case', () => {
    expect(item.located).toBe('PARIS');
    expect(item.copyrightHolder).toBe('Agence France-Presse');
    expect(item.by).toBe('Marie Dupont');
  });

  it('takes the mid-story picture out of the body and drops the desk initials', () => {
    expect(item.associations![0]).toMatchObject({ by: 'Camille Exemple', copyrightHolder: 'Agence France-Presse' });
    expect(caption(item)).toBe('Visitors queue outside a museum in Paris on March 1, 2021.');
    expect(body(item).match(/<p>/g)).toHaveLength(3);
    expect(body(item)).not.toMatch(/cx\/lb|AFP|Visitors queue/);
  });

  it('is valid ninjs 3.1', () => expect(ninjsErrors(item)).toBe(''));
});

describe('a local staff story ("By JANE DOE Gazette Staff")', () => {
  const { item, categories } = normalizeOne(
    fixture('gazette-staff.txt'),
    { title: 'Library expansion approved after long debate', link: 'https://gazette.example.test/news/library' },
    source('gazette', 'Springfield Gazette', ['Local']),
  );

  it('reads the person in natural case and credits the paper', () => {
    expect(item.by).toBe('Jane Doe');
    expect(item.copyrightHolder).toBe('Springfield Gazette');
    expect(item.infoSources).toEqual([{ name: 'Springfield Gazette', role: 'originator' }]);
    expect(item.located).toBeUndefined();
  });

  it('keeps the three paragraphs and turns the closing lines into subjects', () => {
    expect(body(item).match(/<p>/g)).toHaveLength(3);
    expect(body(item)).toMatch(/^<p>City council voted 6-3/);
    expect(item.subjects).toEqual([{ name: 'Local News' }, { name: 'Civic Politics' }, { name: 'Local' }]);
    expect(categories).toEqual(['Local News', 'Civic Politics', 'Local']);
  });

  it('is valid ninjs 3.1', () => expect(ninjsErrors(item)).toBe(''));
});

describe('one AP story on two sites', () => {
  // Site B's furniture is not in the defaults: its operator adds it in the config, no code.
  const siteBRules = normalizeRulesSchema.parse({
    dropLines: ['/^Copyright \\d{4} The Associated Press\\b/i', '/^RELATED:/'],
  });
  const title = 'Late frost threatens apple harvest across the Northwest';
  const a = normalizeOne(fixture('ap-site-a.html'), { title: `${title} | Red Deer Advocate`, link: 'https://site-a.example.test/news/frost' }, source('site-a'));
  const b = normalizeOne(fixture('ap-site-b.html'), { title, link: 'https://site-b.example.test/2021/03/16/frost' }, source('site-b'), siteBRules);

  it('gives both the same fingerprint (different uris: the store links them)', () => {
    expect(a.fingerprint).not.toBeNull();
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.item.uri).not.toBe(b.item.uri);
  });

  it('gives both the same clean body, headline, place and agency', () => {
    expect(body(b.item)).toBe(body(a.item).replace("year's", 'year’s'));
    expect(a.item.headlines[0]!.value).toBe(title);
    for (const { item } of [a, b]) {
      expect(item.located).toBe('YAKIMA, Wash.');
      expect(item.copyrightHolder).toBe('The Associated Press');
      expect(body(item)).not.toMatch(/Copyright|RELATED|Sign up|Most Read|Terry Sample/);
    }
    expect(a.item.by).toBe('Terry Sample');
    // The site's tag, then the gazetteer's region and country of the dateline.
    expect(a.item.subjects).toEqual([{ name: 'Agriculture' }, { name: 'Washington' }, { name: 'United States' }]);
  });

  it('without drop lines, site B’s furniture stays (the rules are data)', () => {
    // Copyright and "RELATED:" lines are default furniture now; rules without any drop lines keep them.
    const noDropLines = normalizeRulesSchema.parse({ defaults: 'replace', agencies: DEFAULT_RULES.agencies, outlets: DEFAULT_RULES.outlets });
    const raw = normalizeOne(fixture('ap-site-b.html'), { title, link: 'https://site-b.example.test/x' }, source('site-b'), noDropLines);
    expect(body(raw.item)).toMatch(/Copyright 2021 The Associated Press/);
    expect(body(raw.item)).toMatch(/RELATED:/);
  });

  it('are valid ninjs 3.1', () => {
    expect(ninjsErrors(a.item)).toBe('');
    expect(ninjsErrors(b.item)).toBe('');
  });
});
