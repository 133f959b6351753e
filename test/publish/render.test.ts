import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NewsItem } from '../../src/model.ts';
import { renderFeed, type FeedMeta, type OutputFormat } from '../../src/publish/render.ts';
import { newsItem, text } from '../support/items.ts';

const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  dc: 'http://purl.org/dc/elements/1.1/',
  content: 'http://purl.org/rss/1.0/modules/content/',
  media: 'http://search.yahoo.com/mrss/',
};

/** An XPath step matching `local` in namespace `uri`. */
const el = (uri: string, local: string): string => `*[local-name()='${local}' and namespace-uri()='${uri}']`;
const atom = (local: string): string => el(NS.atom, local);

function xmllint(args: string[], input: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('xmllint', [...args, '-'], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('xmllint is not installed: install the Debian package libxml2-utils');
  }
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Null when `xml` is namespace-well-formed XML, else xmllint's complaint. */
function wellFormedError(xml: string): string | null {
  const r = xmllint(['--noout', '--nonet'], xml);
  // xmllint exits 0 on namespace errors but still reports them.
  return r.status === 0 && r.stderr === '' ? null : r.stderr || `xmllint exited with ${r.status}`;
}

function xpath(xml: string, expr: string): string {
  const r = xmllint(['--nonet', '--xpath', expr], xml);
  if (r.status !== 0 && !r.stderr.includes('XPath set is empty')) throw new Error(r.stderr);
  // xmllint ends its answer with a newline of its own.
  return r.stdout.endsWith('\n') ? r.stdout.slice(0, -1) : r.stdout;
}

const META: FeedMeta = {
  id: 'urn:wirefeed:feed:alberta',
  title: 'Example Gazette — Alberta & West',
  description: 'Wire and local stories',
  siteUrl: 'https://news.example.com/',
  selfUrl: 'https://news.example.com/feeds/alberta.xml?fmt=rss&v=1',
  updated: new Date('2024-05-14T18:00:00Z'),
  language: 'en-CA',
};

const STORY = newsItem('4411', {
  uri: 'urn:newsml:wire.example.com:20240514:story-4411',
  version: '3',
  firstCreated: '2024-05-14T15:00:00Z',
  versionCreated: '2024-05-14T17:30:00Z',
  contentCreated: '2024-05-14T14:45:00Z',
  language: 'en',
  headlines: [text('Ridge fire forces evacuation of Sundre & area', 'main'), text('Short', 'short')],
  descriptions: [text('Crews battle a grass fire west of town.', 'summary')],
  bodies: [
    text(
      '<p>SUNDRE, Alta. — Crews fought a grass fire <a href="/alberta/fire-map.html">map</a>.</p><script>steal()</script><img src="https://t.example.com/p.gif" width="1" height="1">',
      'main',
      'text/html',
    ),
  ],
  by: 'Mara Quill, The Canadian Press',
  subjects: [{ name: 'Alberta' }, { name: 'Weather' }],
  renditions: [
    { name: 'web', href: 'https://news.example.com/alberta/ridge-fire.html?utm=a&id=7', contentType: 'text/html' },
    { name: 'print', href: 'https://wire.example.com/items/4411' },
  ],
  associations: [
    {
      name: 'featureimage',
      uri: 'urn:test:featureimage',
      type: 'picture',
      descriptions: [text('Smoke rises over a ranch near Sundre. (THE CANADIAN PRESS/Ola Brandt)', 'caption')],
      by: 'Ola Brandt',
      renditions: [
        { name: 'thumbnail', href: 'https://img.example.com/fire-200.jpg', width: 200, height: 133 },
        { name: 'original', href: 'https://img.example.com/fire.jpg?w=1200&q=80', contentType: 'image/jpeg', width: 1200, height: 800 },
      ],
    },
  ],
});

const BRIEF = newsItem('4412', {
  uri: 'https://wire.example.com/items/4412',
  representationType: 'partial',
  version: '1',
  firstCreated: '2024-05-14T16:00:00Z',
  versionCreated: '2024-05-14T16:00:00Z',
  headlines: [text('Council delays vote on transit levy')],
  renditions: [{ name: 'web', href: 'https://news.example.com/politics/levy.html', contentType: 'text/html' }],
});

describe('renderFeed', () => {
  it.each([
    ['rss', 'application/rss+xml; charset=utf-8'],
    ['atom', 'application/atom+xml; charset=utf-8'],
    ['json', 'application/feed+json; charset=utf-8'],
  ] as const)('%s has content type %s and is deterministic', (format, contentType) => {
    const a = renderFeed(META, [STORY, BRIEF], format);
    const b = renderFeed(structuredClone(META), structuredClone([STORY, BRIEF]), format);
    expect(a.contentType).toBe(contentType);
    expect(a.body).toBe(b.body);
  });

  it('maps an item to RSS 2.0', () => {
    const { body } = renderFeed(META, [STORY, BRIEF], 'rss');
    expect(wellFormedError(body)).toBeNull();
    const q = (path: string): string => xpath(body, `string(${path})`);
    const item = '/rss/channel/item[1]';
    expect(q('/rss/channel/title')).toBe(META.title);
    expect(q('/rss/channel/link')).toBe('https://news.example.com/');
    expect(q('/rss/channel/description')).toBe('Wire and local stories');
    expect(q('/rss/channel/language')).toBe('en-CA');
    expect(q('/rss/channel/lastBuildDate')).toBe('Tue, 14 May 2024 18:00:00 GMT');
    expect(q(`/rss/channel/${el(NS.atom, 'link')}[@rel='self']/@href`)).toBe(META.selfUrl);
    expect(q(`/rss/channel/${el(NS.atom, 'link')}[@rel='self']/@type`)).toBe('application/rss+xml');
    expect(xpath(body, 'count(/rss/channel/item)')).toBe('2');

    expect(q(`${item}/title`)).toBe('Ridge fire forces evacuation of Sundre & area');
    expect(q(`${item}/link`)).toBe('https://news.example.com/alberta/ridge-fire.html?utm=a&id=7');
    expect(q(`${item}/guid`)).toBe(STORY.uri);
    expect(q(`${item}/guid/@isPermaLink`)).toBe('false');
    expect(q(`${item}/pubDate`)).toBe('Tue, 14 May 2024 14:45:00 GMT');
    expect(q(`${item}/description`)).toBe('<p>Crews battle a grass fire west of town.</p>');
    const content = q(`${item}/${el(NS.content, 'encoded')}`);
    expect(content).toBe(
      '<p>SUNDRE, Alta. — Crews fought a grass fire <a rel="noopener noreferrer" href="https://news.example.com/alberta/fire-map.html">map</a>.</p>',
    );
    expect(q(`${item}/${el(NS.dc, 'creator')}`)).toBe('Mara Quill, The Canadian Press');
    expect(xpath(body, `count(${item}/author)`)).toBe('0');
    expect(q(`${item}/category[1]`)).toBe('Alberta');
    expect(q(`${item}/category[2]`)).toBe('Weather');

    const media = `${item}/${el(NS.media, 'content')}`;
    expect(q(`${media}/@url`)).toBe('https://img.example.com/fire.jpg?w=1200&q=80');
    expect(q(`${media}/@medium`)).toBe('image');
    expect(q(`${media}/@type`)).toBe('image/jpeg');
    expect(q(`${media}/@width`)).toBe('1200');
    expect(q(`${media}/@height`)).toBe('800');
    expect(q(`${media}/${el(NS.media, 'credit')}`)).toBe('Ola Brandt');
    expect(q(`${media}/${el(NS.media, 'description')}`)).toBe(
      'Smoke rises over a ranch near Sundre. (THE CANADIAN PRESS/Ola Brandt)',
    );
    expect(q(`${item}/enclosure/@url`)).toBe('https://img.example.com/fire.jpg?w=1200&q=80');
    expect(q(`${item}/enclosure/@type`)).toBe('image/jpeg');
    expect(q(`${item}/enclosure/@length`)).toBe('0');

    expect(q('/rss/channel/item[2]/title')).toBe('Council delays vote on transit levy');
    expect(q('/rss/channel/item[2]/pubDate')).toBe('Tue, 14 May 2024 16:00:00 GMT');
    expect(xpath(body, `count(/rss/channel/item[2]/${el(NS.media, 'content')})`)).toBe('0');
  });

  it('maps an item to Atom 1.0', () => {
    const { body } = renderFeed(META, [STORY, BRIEF], 'atom');
    expect(wellFormedError(body)).toBeNull();
    const q = (path: string): string => xpath(body, `string(${path})`);
    const feed = `/${atom('feed')}`;
    const entry = `${feed}/${atom('entry')}[1]`;
    expect(q(`${feed}/@xml:lang`)).toBe('en-CA');
    expect(q(`${feed}/${atom('id')}`)).toBe(META.id);
    expect(q(`${feed}/${atom('title')}`)).toBe(META.title);
    expect(q(`${feed}/${atom('subtitle')}`)).toBe('Wire and local stories');
    expect(q(`${feed}/${atom('updated')}`)).toBe('2024-05-14T18:00:00.000Z');
    expect(q(`${feed}/${atom('link')}[@rel='self']/@href`)).toBe(META.selfUrl);
    expect(q(`${feed}/${atom('link')}[@rel='alternate']/@href`)).toBe(META.siteUrl);

    expect(q(`${entry}/${atom('title')}/@type`)).toBe('text');
    expect(q(`${entry}/${atom('title')}`)).toBe('Ridge fire forces evacuation of Sundre & area');
    expect(q(`${entry}/${atom('id')}`)).toBe(STORY.uri);
    expect(q(`${entry}/${atom('link')}[not(@rel)]/@href`)).toBe(
      'https://news.example.com/alberta/ridge-fire.html?utm=a&id=7',
    );
    expect(q(`${entry}/${atom('published')}`)).toBe('2024-05-14T14:45:00.000Z');
    // Version 3 changed since we first saw it: updated is when that version was saved (17:30); a version 1 story's
    // updated is its publication time (below), never the time we fetched it.
    expect(q(`${entry}/${atom('updated')}`)).toBe('2024-05-14T17:30:00.000Z');
    expect(q(`${entry}/${atom('author')}/${atom('name')}`)).toBe('Mara Quill, The Canadian Press');
    expect(q(`${entry}/${atom('summary')}`)).toBe('<p>Crews battle a grass fire west of town.</p>');
    expect(q(`${entry}/${atom('content')}`)).toContain('<a rel="noopener noreferrer" href="https://news.example.com/alberta/fire-map.html">');
    expect(q(`${entry}/${atom('content')}`)).not.toContain('script');
    expect(q(`${entry}/${atom('category')}[1]/@term`)).toBe('Alberta');
    expect(q(`${entry}/${atom('link')}[@rel='enclosure']/@href`)).toBe('https://img.example.com/fire.jpg?w=1200&q=80');
    expect(q(`${entry}/${atom('link')}[@rel='enclosure']/@type`)).toBe('image/jpeg');
    // Every entry has an author, so the feed needs none.
    expect(xpath(body, `count(${feed}/${atom('author')})`)).toBe('1');
  });

  it('maps an item to JSON Feed 1.1', () => {
    const doc = JSON.parse(renderFeed(META, [STORY, BRIEF], 'json').body);
    expect(doc).toMatchObject({
      version: 'https://jsonfeed.org/version/1.1',
      title: META.title,
      home_page_url: META.siteUrl,
      feed_url: META.selfUrl,
      description: 'Wire and local stories',
      language: 'en-CA',
    });
    expect(doc.items[0]).toEqual({
      id: STORY.uri,
      url: 'https://news.example.com/alberta/ridge-fire.html?utm=a&id=7',
      title: 'Ridge fire forces evacuation of Sundre & area',
      summary: 'Crews battle a grass fire west of town.',
      content_html:
        '<p>SUNDRE, Alta. — Crews fought a grass fire <a rel="noopener noreferrer" href="https://news.example.com/alberta/fire-map.html">map</a>.</p>',
      image: 'https://img.example.com/fire.jpg?w=1200&q=80',
      date_published: '2024-05-14T14:45:00.000Z',
      date_modified: '2024-05-14T17:30:00.000Z',
      author: { name: 'Mara Quill, The Canadian Press' },
      authors: [{ name: 'Mara Quill, The Canadian Press' }],
      tags: ['Alberta', 'Weather'],
    });
    expect(doc.items[1]).toMatchObject({ id: BRIEF.uri, title: 'Council delays vote on transit levy', content_text: '' });
  });

  it('keeps every ]]> of a title and body intact inside CDATA', () => {
    const item: NewsItem = {
      ...BRIEF,
      headlines: [text('a]]>b]]>c]]]>d')],
      bodies: [text('x]]>y\n\nz]]>', 'main', 'text/plain')],
    };
    const rss = renderFeed(META, [item], 'rss').body;
    expect(wellFormedError(rss)).toBeNull();
    expect(xpath(rss, 'string(/rss/channel/item/title)')).toBe('a]]>b]]>c]]]>d');
    expect(xpath(rss, `string(/rss/channel/item/${el(NS.content, 'encoded')})`)).toBe('<p>x]]&gt;y</p><p>z]]&gt;</p>');
    const atomXml = renderFeed(META, [item], 'atom').body;
    expect(wellFormedError(atomXml)).toBeNull();
    expect(xpath(atomXml, `string(/${atom('feed')}/${atom('entry')}/${atom('title')})`)).toBe('a]]>b]]>c]]]>d');
  });

  it('keeps text that looks like an entity exactly as written', () => {
    const item: NewsItem = { ...BRIEF, headlines: [text('Fish &amp; Chips <3')], by: 'A &amp; B', subjects: [{ name: 'R&D <lab>' }] };
    const rss = renderFeed({ ...META, title: 'X &amp; Y' }, [item], 'rss').body;
    expect(wellFormedError(rss)).toBeNull();
    expect(xpath(rss, 'string(/rss/channel/title)')).toBe('X &amp; Y');
    expect(xpath(rss, 'string(/rss/channel/item/title)')).toBe('Fish &amp; Chips <3');
    expect(xpath(rss, `string(/rss/channel/item/${el(NS.dc, 'creator')})`)).toBe('A &amp; B');
    expect(xpath(rss, 'string(/rss/channel/item/category)')).toBe('R&D <lab>');
    const atomXml = renderFeed(META, [item], 'atom').body;
    expect(wellFormedError(atomXml)).toBeNull();
    expect(xpath(atomXml, `string(/${atom('feed')}/${atom('entry')}/${atom('category')}/@term)`)).toBe('R&D <lab>');
  });

  it('keeps only absolute http(s) links, and Atom falls back to the site', () => {
    const item: NewsItem = {
      ...BRIEF,
      renditions: [{ name: 'web', href: 'javascript:alert(1)', contentType: 'text/html' }],
      associations: [{ name: 'p', uri: 'urn:test:p', type: 'picture', renditions: [{ name: 'x', href: '/relative.jpg' }] }],
    };
    const rss = renderFeed(META, [item], 'rss').body;
    expect(xpath(rss, 'count(/rss/channel/item/link)')).toBe('0');
    expect(xpath(rss, 'count(/rss/channel/item/enclosure)')).toBe('0');
    expect(rss).not.toContain('javascript');
    const atomXml = renderFeed(META, [item], 'atom').body;
    expect(xpath(atomXml, `string(/${atom('feed')}/${atom('entry')}/${atom('link')}/@href)`)).toBe(META.siteUrl);
    const json = JSON.parse(renderFeed(META, [item], 'json').body);
    expect(json.items[0].url).toBeUndefined();
  });

  it('gives an Atom enclosure the real image type and skips one it cannot write safely', () => {
    const withType = (href: string, contentType?: string): NewsItem => ({
      ...BRIEF,
      associations: [{ name: 'p', uri: 'urn:test:p', type: 'picture', renditions: [{ name: 'x', href, ...(contentType ? { contentType } : {}) }] }],
    });
    const noExt = renderFeed(META, [withType('https://img.example.com/photos/991', 'image/webp')], 'atom').body;
    expect(xpath(noExt, `string(//${atom('link')}[@rel='enclosure']/@type)`)).toBe('image/webp');
    const amp = renderFeed(META, [withType('https://img.example.com/a&b.j&g', 'image/png')], 'atom').body;
    expect(wellFormedError(amp)).toBeNull();
    expect(xpath(amp, `count(//${atom('link')}[@rel='enclosure'])`)).toBe('0');
    const rss = renderFeed(META, [withType('https://img.example.com/a&b.j&g', 'image/png')], 'rss').body;
    expect(wellFormedError(rss)).toBeNull();
    expect(xpath(rss, 'string(//enclosure/@url)')).toBe('https://img.example.com/a&b.j&g');
  });

  it.each([
    ['an unparsable versionCreated falls back to firstCreated', { versionCreated: 'yesterday' }, '2024-05-14T16:00:00.000Z', '2024-05-14T16:00:00.000Z'],
    ['all unparsable dates fall back to the feed date', { versionCreated: 'x', firstCreated: '' }, '2024-05-14T18:00:00.000Z', '2024-05-14T18:00:00.000Z'],
    ['a year past 9999 is unusable', { versionCreated: '+010000-01-01T00:00:00Z' }, '2024-05-14T16:00:00.000Z', '2024-05-14T16:00:00.000Z'],
    ['the Go zero time is unusable', { contentCreated: '0001-01-01T00:00:00Z' }, '2024-05-14T16:00:00.000Z', '2024-05-14T16:00:00.000Z'],
  ] as const)('%s', (_name, patch, updated, published) => {
    const doc = JSON.parse(renderFeed(META, [{ ...BRIEF, ...patch }], 'json').body);
    expect(doc.items[0].date_modified).toBe(updated);
    expect(doc.items[0].date_published).toBe(published);
  });

  it('replaces an invalid feed date with the newest item date, or the epoch', () => {
    const bad = { ...META, updated: new Date(Number.NaN) };
    const atomXml = renderFeed(bad, [BRIEF, STORY], 'atom').body;
    expect(xpath(atomXml, `string(/${atom('feed')}/${atom('updated')})`)).toBe('2024-05-14T17:30:00.000Z');
    const empty = renderFeed(bad, [], 'rss').body;
    expect(xpath(empty, 'string(/rss/channel/lastBuildDate)')).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
  });

  it('drops a language that is not a language tag', () => {
    const rss = renderFeed({ ...META, language: 'en"><x' }, [BRIEF], 'rss').body;
    expect(xpath(rss, 'count(/rss/channel/language)')).toBe('0');
  });

  it.each(['siteUrl', 'selfUrl'] as const)('throws a TypeError when %s is not an absolute http(s) URL', (key) => {
    expect(() => renderFeed({ ...META, [key]: '/feeds/x' }, [], 'rss')).toThrow(TypeError);
    expect(() => renderFeed({ ...META, [key]: 'ftp://example.com/' }, [], 'atom')).toThrow(TypeError);
  });
});

// Pieces that break naive XML writers, mixed with arbitrary UTF-16 code units (lone surrogates included).
const NASTY = [
  ']]>', ']]>]]>', 'a]]>b]]>c', ']]]]>', '<![CDATA[', ']]', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>',
  '\u0000', '\u0001', '\u0008', '\u000b', '\u000c', '\u001f', '\ud800', '\udbff', '\udc00', '\udfff',
  '\ufffe', '\uffff', '\u0085', '\u2028', '😀', '&', '&amp;', '&lt;', '&#0;', '&#x1;', '&#xD800;', '&bogus;',
  '<', '>', '"', "'", '\r\n', '\r', '\t', '</title>', '</item>', '<!--', '-->', '<?xml version="1.0"?>',
  '<!DOCTYPE x [<!ENTITY e "e">]>', '&e;', 'javascript:alert(1)', '%00', 'https://', 'urn:', '\\',
];
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const hostile = fc
  .array(
    fc.oneof(
      { arbitrary: fc.constantFrom(...NASTY), weight: 3 },
      { arbitrary: fc.string({ unit: codeUnit, maxLength: 6 }), weight: 1 },
      { arbitrary: fc.string({ maxLength: 6 }), weight: 1 },
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));
const hostileUrl = fc.oneof(
  hostile,
  hostile.map((s) => `https://news.example.com/${s}`),
  hostile.map((s) => `https://img.example.com/${s}.jpg?x=${s}`),
  fc.constantFrom('javascript:alert(1)', '/relative/path', '//cdn.example.com/a.png', 'data:image/png;base64,AA'),
);
const hostileDate = fc.oneof(
  hostile,
  fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => new Date(ms).toISOString()),
);
const hostileText = fc.record({
  role: fc.oneof({ arbitrary: fc.constantFrom('main', 'summary', 'caption'), weight: 3 }, { arbitrary: hostile, weight: 1 }),
  contentType: fc.oneof(fc.constantFrom('text/plain', 'text/html'), hostile),
  value: hostile,
});
const hostileItem: fc.Arbitrary<NewsItem> = fc.record({
  uri: hostile,
  type: fc.constant('text' as const),
  representationType: fc.constantFrom('full' as const, 'partial' as const),
  version: hostile,
  firstCreated: hostileDate,
  versionCreated: hostileDate,
  contentCreated: hostileDate,
  language: hostile,
  headlines: fc.array(hostileText, { maxLength: 2 }),
  descriptions: fc.array(hostileText, { maxLength: 2 }),
  bodies: fc.array(hostileText, { maxLength: 2 }),
  by: hostile,
  subjects: fc.array(fc.record({ name: hostile, uri: hostile }), { maxLength: 3 }),
  copyrightHolder: hostile,
  renditions: fc.array(fc.record({ name: fc.oneof(fc.constant('web'), hostile), href: hostileUrl }), { maxLength: 2 }),
  associations: fc.array(
    fc.record({
      name: hostile,
      uri: hostile,
      type: fc.constant('picture' as const),
      headlines: fc.array(hostileText, { maxLength: 1 }),
      descriptions: fc.array(hostileText, { maxLength: 1 }),
      by: hostile,
      renditions: fc.array(
        fc.record({
          name: hostile,
          href: hostileUrl,
          contentType: fc.oneof(fc.constant('image/jpeg'), hostile),
          width: fc.oneof(fc.integer(), fc.double()),
          height: fc.oneof(fc.integer(), fc.double()),
        }),
        { maxLength: 2 },
      ),
    }),
    { maxLength: 2 },
  ),
});
const hostileMeta: fc.Arbitrary<FeedMeta> = fc.record({
  id: hostile,
  title: hostile,
  description: hostile,
  siteUrl: hostile.map((s) => `https://news.example.com/${s}`),
  selfUrl: hostile.map((s) => `https://news.example.com/feeds/${s}?a=1&b=${s}`),
  updated: fc.date({ noInvalidDate: false }),
  language: fc.oneof(fc.constant('en-CA'), hostile),
});

describe('renderFeed with hostile input', () => {
  it('always writes well-formed RSS and Atom and parsable JSON', () => {
    fc.assert(
      fc.property(hostileMeta, fc.array(hostileItem, { minLength: 1, maxLength: 3 }), (meta, items) => {
        for (const format of ['rss', 'atom'] as OutputFormat[]) {
          const { body } = renderFeed(meta, items, format);
          const error = wellFormedError(body);
          if (error !== null) throw new Error(`${format} is not well-formed: ${error}\n${body}`);
          expect(body).not.toContain('\u0000');
        }
        const doc = JSON.parse(renderFeed(meta, items, 'json').body);
        expect(doc.items).toHaveLength(items.length);
        for (const item of doc.items) {
          expect(typeof item.id).toBe('string');
          expect(typeof (item.content_html ?? item.content_text)).toBe('string');
        }
      }),
      { numRuns: 200, seed: 20240514 },
    );
  });
});
