/**
 * The worked example end to end: an AP story as the Red Deer Advocate shows it, in plain text (the file as
 * it is) and as HTML built from its lines. The seed is read from ../shared at run time; expectations quote
 * it briefly.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { NewsItem } from '../../src/model.ts';
import { normalizeEntry, normalizeFeed, type NormalizedItem } from '../../src/normalize/index.ts';
import { ninjsErrors } from './support/ninjs-schema.ts';
import { entryOf, feedOf, loadSeed, SEED_HEADLINE, seedAsHtml, seedSource, teaserLink } from './support/seed.ts';

const now = new Date('2021-04-11T12:00:00Z');
const ctx = { source: seedSource, feed: feedOf([]), now };

let plain = '';
let html = '';
const forms: Record<'plain text' | 'HTML', () => NormalizedItem[]> = {
  'plain text': () => normalizeEntry(entryOf(plain), ctx),
  HTML: () => normalizeEntry(entryOf(html), ctx),
};

beforeAll(() => {
  plain = loadSeed();
  html = seedAsHtml(plain);
});

const caption = (item: NewsItem): string => item.associations?.[0]?.descriptions?.find((d) => d.role === 'caption')?.value ?? '';
const body = (item: NewsItem): string => item.bodies?.[0]?.value ?? '';
const bodyText = (item: NewsItem): string => body(item).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();

describe.each(Object.keys(forms) as (keyof typeof forms)[])('the seed as %s', (form) => {
  let items: NormalizedItem[] = [];
  beforeAll(() => {
    items = forms[form]();
  });

  it('gives 14 items: the story first, then its 13 siblings as partial items', () => {
    expect(items).toHaveLength(14);
    expect(items[0]!.partial).toBe(false);
    expect(items[0]!.item.representationType).toBe('full');
    for (const sibling of items.slice(1)) {
      expect(sibling.partial).toBe(true);
      expect(sibling.item.representationType).toBe('partial');
    }
    expect(new Set(items.map((i) => i.item.uri)).size).toBe(14);
  });

  it('reads the story: headline, byline, dateline, agency, subject', () => {
    const { item, categories } = items[0]!;
    expect(item.headlines).toEqual([{ role: 'main', contentType: 'text/plain', value: SEED_HEADLINE }]);
    expect(item.by).toBe('Eric Tucker');
    expect(item.located).toBe('WASHINGTON');
    expect(item.copyrightHolder).toBe('The Associated Press');
    expect(item.infoSources).toContainEqual({ name: 'The Associated Press', role: 'originator' });
    expect(item.infoSources).toContainEqual({ name: 'Red Deer Advocate', role: 'originfeed' });
    expect(item.subjects).toContainEqual({ name: 'Russia' });
    expect(categories).toContain('Russia');
    expect(item.contentCreated).toBe('2021-03-16T21:40:00.000Z');
    expect(item.pubStatus).toBe('usable');
  });

  it('splits the lead photo caption from its credit', () => {
    const [picture, ...others] = items[0]!.item.associations ?? [];
    expect(others).toEqual([]);
    expect(picture).toMatchObject({ name: 'picture1', type: 'picture', by: 'Scott Sonner', copyrightHolder: 'The Associated Press' });
    expect(caption(items[0]!.item)).toMatch(/^FILE - In this Nov\. 3, 2020, file photo, mostly masked northern Nevadans/);
    expect(caption(items[0]!.item)).toMatch(/won by President Joe Biden\.$/);
    expect(picture!.descriptions).toContainEqual({ role: 'credit', contentType: 'text/plain', value: 'AP Photo/Scott Sonner, File' });
    expect(picture!.genres).toEqual([{ name: 'File photo', literal: 'file' }]);
  });

  it('keeps the body from its first sentence (without the dateline) to its last, and nothing else', () => {
    const item = items[0]!.item;
    expect(item.bodies).toHaveLength(1);
    expect(item.bodies![0]).toMatchObject({ role: 'main', contentType: 'text/html' });
    expect(body(item)).toMatch(/^<p>Russian President Vladimir Putin authorized /);
    expect(body(item)).toMatch(/had changed votes\.<\/p>$/);
    expect(body(item).match(/<p>/g)).toHaveLength(18);
    const text = bodyText(item);
    for (const furniture of ['WASHINGTON —', 'Follow', 'Sign up here', 'Get local stories', 'Just Posted', 'Most Read', '_____', 'Eric Tucker', 'Continue reading', 'AP Photo', SEED_HEADLINE]) {
      expect(text).not.toContain(furniture);
    }
    // No sibling text (headlines, ledes or captions of the "Just Posted" list).
    for (const sibling of items.slice(1)) {
      expect(text).not.toContain(sibling.item.headlines[0]!.value);
      expect(text).not.toContain(caption(sibling.item).slice(0, 40));
    }
  });

  it('gives the story a stable uri, its link, a fingerprint and no teaser uri collision', () => {
    const story = items[0]!;
    expect(story.item.uri).toMatch(/^urn:wirefeed:red-deer-advocate:[0-9a-f]{16}$/);
    expect(story.link).toBe(teaserLink(SEED_HEADLINE));
    expect(story.item.renditions).toEqual([{ name: 'web', href: teaserLink(SEED_HEADLINE), contentType: 'text/html' }]);
    expect(story.fingerprint).toMatch(/^fp1:[0-9a-f]{16}$/);
    expect(story.published).toBe(Date.parse('2021-03-16T21:40:00Z'));
    expect(story.dateFlag).toBeNull();
  });

  it('validates every item against the IPTC ninjs 3.1 schema', () => {
    for (const { item } of items) expect(ninjsErrors(item), item.headlines[0]!.value).toBe('');
  });
});

/** The 13 "Just Posted" siblings as the seed shows them (short quotes of the seed). */
const SIBLINGS: {
  headline: string;
  caption: RegExp;
  by: string | null;
  holder: string;
  file: boolean;
  located: string | null;
  summary: RegExp;
  region?: string;
}[] = [
  { headline: 'Alberta vaccine rollout expanding to front-line health-care workers', caption: /^A health-care worker prepares a dose .* January 7, 2021\.$/, by: 'Nathan Denette', holder: 'The Canadian Press', file: false, located: null, summary: /^More than 240,000 eligible health-care workers .* starting…$/ },
  { headline: 'Sutter steps down as Red Deer Rebels head coach', caption: /^The Red Deer Rebels will have three new assistant coaches .* \(middle\)\.$/, by: 'Byron Hackett', holder: 'Red Deer Advocate', file: true, located: null, summary: /^Red Deer Rebels Owner, GM and head coach Brent Sutter has stepped…$/ },
  { headline: 'Alberta’s in-school rapid screening test program expanding', caption: /^Premier Jason Kenney announced \$200 million .* on Wednesday\.$/, by: 'Chris Schwarz', holder: 'Government of Alberta', file: false, located: null, summary: /^Alberta’s in-school rapid screening test program will expand to as many as…$/ },
  { headline: 'Alberta’s largest school board says no to United Conservative draft school curriculum', caption: /^Parents and students learned Tuesday .* staying home when sick\.$/, by: 'Chris Schwarz', holder: 'Government of Alberta', file: false, located: 'CALGARY', summary: /^Alberta’s largest school board says it will not use the…$/, region: 'Alberta' },
  { headline: 'Kenney tells UCP caucus COVID-19 dissent OK, breaking health rules means expulsion', caption: /^Red Deer-South MLA Jason Stephan .* stricter health measures\.$/, by: null, holder: 'Red Deer Advocate', file: true, located: null, summary: /^15 MLAs released letter on Wednesday critical of new health restrictions$/ },
  { headline: 'Trudeau winds up Liberal convention with election campaign-style speech', caption: /^Prime Minister Justin Trudeau watches a speaker .* for the idea\.$/, by: 'Adrian Wyld', holder: 'The Canadian Press', file: false, located: 'OTTAWA', summary: /^Justin Trudeau wound up a three-day Liberal convention Saturday with…$/, region: 'Ontario' },
  { headline: 'Men’s world curling championship in Calgary in COVID limbo', caption: /^Team Canada skip Brendan Bottcher .* Tuesday, April 6, 2021\.$/, by: 'Jeff McIntosh', holder: 'The Canadian Press', file: false, located: 'CALGARY', summary: /^The men’s world curling championship in Calgary remained suspended Saturday…$/, region: 'Alberta' },
  { headline: 'Non-profit Quebec law centre to aid environmental group targeted by Alberta oil firm', caption: /^Pipes intended for construction of the Keystone XL pipeline .* April 22, 2015\.$/, by: 'Alex Panetta', holder: 'The Canadian Press', file: false, located: 'QUEBEC', summary: /^The Quebec Environmental Law Centre is coming to the aid…$/, region: 'Quebec' },
  { headline: 'Conservatives cite empathy, relationships as ways to help expand their movement', caption: /^Conservative leader Erin O'Toole holds a press conference .* could look like\.$/, by: 'Sean Kilpatrick', holder: 'The Canadian Press', file: false, located: 'OTTAWA', summary: /^Conservatives should show empathy with Black residents who say they’ve…$/, region: 'Ontario' },
  { headline: 'New Democrats reconvene as hiccups, frustrations plague national policy convention', caption: /^NDP Leader John Horgan celebrates .* keynote speaker John Horgan\.$/, by: 'Jonathan Hayward', holder: 'The Canadian Press', file: false, located: 'OTTAWA', summary: /^New Democrats reconvened Saturday for the second day of a…$/, region: 'Ontario' },
  { headline: 'Trump in 2024? He says only that ‘a Republican’ will win', caption: /^FILE - In this Monday, Oct\. 23, 2017 file photo, President Donald Trump .* April 10, 2021\.$/, by: 'Evan Vucci', holder: 'The Associated Press', file: true, located: 'PALM BEACH, Fla.', summary: /^Former President Donald Trump plans to affirm his…$/ },
  { headline: 'Ash-covered St. Vincent braces for more volcanic eruptions', caption: /^A cruise ship sits docked .* La Soufriere volcano\.$/, by: 'Orvil Samuel', holder: 'The Associated Press', file: false, located: 'KINGSTOWN, St. Vincent', summary: /^People who ignored an initial warning to evacuate…$/ },
  { headline: 'Break for a Breakthrough: Canadian hosts international martial arts demonstration', caption: /^Owner of 4 Point Taekwondo Kevin Mejia .* result of the pandemic\.$/, by: 'Jason Franson', holder: 'The Canadian Press', file: false, located: 'EDMONTON', summary: /^Whether he’s breaking a wooden board, a clay tile, cement…$/, region: 'Alberta' },
];

describe.each(Object.keys(forms) as (keyof typeof forms)[])('the seed’s siblings as %s', (form) => {
  let items: NormalizedItem[] = [];
  beforeAll(() => {
    items = forms[form]().slice(1);
  });

  it('lists the 13 siblings in order', () => {
    expect(items.map((i) => i.item.headlines[0]!.value)).toEqual(SIBLINGS.map((s) => s.headline));
  });

  it.each(SIBLINGS.map((s, i) => [i + 1, s.headline, s] as const))('sibling %i: %s', (n, _headline, s) => {
    const { item, partial, categories, published, dateFlag } = items[n - 1]!;
    expect(partial).toBe(true);
    expect(item.headlines[0]!.value).toBe(s.headline);
    expect(caption(item)).toMatch(s.caption);
    const picture = item.associations![0]!;
    expect(picture.by ?? null).toBe(s.by);
    expect(picture.copyrightHolder).toBe(s.holder);
    expect(Boolean(picture.genres?.length)).toBe(s.file);
    expect(item.located ?? null).toBe(s.located);
    expect(item.descriptions).toHaveLength(1);
    expect(item.descriptions![0]!.role).toBe('summary');
    expect(item.descriptions![0]!.value).toMatch(s.summary);
    expect(item.descriptions![0]!.value).not.toMatch(/Continue reading|CALGARY —|OTTAWA —/);
    expect(item.bodies).toBeUndefined();
    expect(item.by).toBeUndefined();
    if (s.region) {
      expect(categories).toContain(s.region);
      expect(categories).toContain('Canada');
    }
    expect(published).toBeNull();
    expect(dateFlag).toBe('missing');
  });
});

describe('the seed in both forms', () => {
  it('gives the same items, but for what only HTML carries (image files, links and the uris made from them)', () => {
    const dropHtmlOnly = (items: NormalizedItem[]) =>
      items.map((i) => JSON.parse(JSON.stringify(i.item, (k, v) => (k === 'renditions' || k === 'uri' ? undefined : v))));
    expect(dropHtmlOnly(forms.HTML())).toEqual(dropHtmlOnly(forms['plain text']()));
  });

  it('takes image files and sibling links from the HTML form', () => {
    const items = forms.HTML();
    expect(items[0]!.item.associations![0]!.renditions).toEqual([
      { name: 'web', href: 'https://images.example.test/story/1.jpg', contentType: 'image/jpeg', width: 640, height: 427 },
    ]);
    for (const sibling of items.slice(1)) {
      const headline = sibling.item.headlines[0]!.value;
      expect(sibling.item.associations![0]!.renditions?.[0]?.href).toMatch(/^https:\/\/images\.example\.test\/teasers\/\d+\.jpg$/);
      expect(sibling.link).toMatch(/^https:\/\/www\.example\.test\/news\//);
      expect(sibling.item.renditions).toEqual([{ name: 'web', href: sibling.link, contentType: 'text/html' }]);
      if (!headline.startsWith('Kenney')) expect(sibling.link).toBe(teaserLink(headline));
    }
  });

  it('finds the headline in the text when the entry has no title', () => {
    const [story] = normalizeEntry(entryOf(plain, { title: null }), ctx);
    expect(story!.item.headlines[0]!.value).toBe(SEED_HEADLINE);
    expect(bodyText(story!.item)).toMatch(/^Russian President Vladimir Putin authorized/);
  });
});

describe('a sibling and its full story share one uri', () => {
  const siblingHeadline = 'Trudeau winds up Liberal convention with election campaign-style speech';
  const fullStory = (extra: Parameters<typeof entryOf>[1]) =>
    entryOf('<p>OTTAWA — Our own stand-in for the full story, written for this test.</p><p>Jan Sample, The Canadian Press</p>', {
      title: siblingHeadline,
      ...extra,
    });

  it('by its link (HTML form: the sibling links to the story)', () => {
    const sibling = forms.HTML().find((i) => i.item.headlines[0]!.value === siblingHeadline)!;
    const [full] = normalizeEntry(fullStory({ link: teaserLink(siblingHeadline), id: 'guid-123' }), ctx);
    expect(full!.item.uri).toBe(sibling.item.uri);
    expect(full!.partial).toBe(false);
  });

  it('by its headline from the same source (plain form: no link) — same uri, or superseded when the story has a link', () => {
    const sibling = forms['plain text']().find((i) => i.item.headlines[0]!.value === siblingHeadline)!;
    const [bare] = normalizeEntry(fullStory({ link: null, id: null }), ctx);
    expect(bare!.item.uri).toBe(sibling.item.uri);
    const [linked] = normalizeEntry(fullStory({ link: 'https://www.example.test/news/12345' }), ctx);
    expect(linked!.supersedes).toContain(sibling.item.uri);
    const [elsewhere] = normalizeEntry(fullStory({ link: null, id: null }), { ...ctx, source: { ...seedSource, id: 'other-site' } });
    expect(elsewhere!.item.uri).not.toBe(sibling.item.uri);
  });

  it.each([
    ['plain text (superseded by headline)', () => plain, 'https://www.example.test/news/12345'],
    ['HTML (same link)', () => html, teaserLink(siblingHeadline)],
  ])('in one poll, the full item wins over the sibling: %s', (_form, content, link) => {
    const feed = feedOf([entryOf(content()), fullStory({ link }), entryOf(content())]);
    const items = normalizeFeed(feed, { source: seedSource, now });
    const withHeadline = items.filter((i) => i.item.headlines[0]!.value === siblingHeadline);
    expect(withHeadline.map((i) => i.partial)).toEqual([false]);
    // The seed story is in the feed twice (same link): once in the result.
    expect(items.filter((i) => i.item.headlines[0]!.value === SEED_HEADLINE)).toHaveLength(1);
    expect(new Set(items.map((i) => i.item.uri)).size).toBe(items.length);
    expect(items).toHaveLength(14);
  });

  it('keeps the uri when the story text is edited', () => {
    const [a] = normalizeEntry(entryOf(plain), ctx);
    const [b] = normalizeEntry(entryOf(plain.replace('Russian President', 'Russia’s President')), ctx);
    expect(b!.item.uri).toBe(a!.item.uri);
    expect(b!.item.bodies).not.toEqual(a!.item.bodies);
  });
});
