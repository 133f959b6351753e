import { DomUtils, parseDocument } from 'htmlparser2';
import type { Document, Element } from 'domhandler';
import { describe, expect, it } from 'vitest';
import type { NewsItem } from '../../src/model.ts';
import { renderFeed, type FeedMeta } from '../../src/publish/render.ts';
import { newsItem, text, webRendition } from '../support/items.ts';

// The W3C Feed Validation Service (feedvalidator, no Debian package) checks these; its rules are restated
// here, with its own regular expressions where it has one (src/feedvalidator/validators.py, entry.py,
// item.py): zero errors and zero warnings for what wirefeed writes.

/** validators.py `rfc2396_full`: an absolute URI, in the characters the validator allows. */
const FULL_URI = /^[a-zA-Z][0-9a-zA-Z+\-.]*:(\/\/)?[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#]+$/;
/** validators.py `urn_re` and `tag_re`. */
const URN = /^urn:[a-zA-Z0-9][a-zA-Z0-9-]{1,31}:([a-zA-Z0-9()+,.:=@;$_!*'-]|%[0-9A-Fa-f]{2})+$/;
const TAG = /^tag:([a-z0-9\-._]+?@)?[a-z0-9.-]+?,\d{4}(-\d{2}(-\d{2})?)?:[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,]+$/;
/** validators.py `rfc822` (with its Y2K extension). */
const RFC822 =
  /^(((Mon)|(Tue)|(Wed)|(Thu)|(Fri)|(Sat)|(Sun)), *)?\d\d? +((Jan)|(Feb)|(Mar)|(Apr)|(May)|(Jun)|(Jul)|(Aug)|(Sep)|(Oct)|(Nov)|(Dec)) +\d\d(\d\d)? +\d\d:\d\d(:\d\d)? +(([+-]?\d\d\d\d)|(UT)|(GMT)|(EST)|(EDT)|(CST)|(CDT)|(MST)|(MDT)|(PST)|(PDT)|\w)$/;
/** RFC 3339, as Atom dates must be. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
/** validators.py `absUrlMixin`: the links and images of HTML content must not be relative. */
const ANCHOR = /<a\s+href=(?:"(.*?)"|'(.*?)'|([\w-]+))\s*>/gi;
const IMG = /<img\s+[^>]*src=(?:"(.*?)"|'(.*?)'|([\w-]+))[\s>]/gi;
/** validators.py `safeHtmlMixin`. */
const UNSAFE = /<(script|meta|embed|object)[>\s]|\son[a-z]+\s*=/i;

const DOC_URL = 'https://news.example.com/feeds/all.xml?category=alberta';
const META: FeedMeta = {
  id: 'https://news.example.com/feeds/all?category=alberta',
  title: 'All stories — category Alberta — Gazette',
  description: 'Wire and local stories',
  siteUrl: 'https://news.example.com/',
  selfUrl: DOC_URL,
  updated: new Date('2024-05-14T18:00:00Z'),
  language: 'en-CA',
};

const ITEMS: NewsItem[] = [
  newsItem('a', {
    uri: 'urn:newsml:wire.example.com:20240514:story-4411',
    firstCreated: '2024-05-14T15:00:00Z',
    versionCreated: '2024-05-14T17:30:00Z',
    contentCreated: '2024-05-14T14:45:00Z',
    headlines: [text('Clinics & paramedics')],
    bodies: [text('<p>EDMONTON — <a href="/list.html">Full list</a> <img src="map.png" alt=""> <a href=list2>more</a></p><p>Second.</p>', 'main', 'text/html')],
    by: 'Dana Whitcombe',
    renditions: [webRendition('https://news.example.com/politics/clinics.html')],
  }),
  // Fetched in the same poll as the first: the same versionCreated, which must not become the same atom:updated.
  newsItem('b', {
    uri: 'https://wire.example.com/items/4412',
    firstCreated: '2024-05-14T16:10:00Z',
    versionCreated: '2024-05-14T17:30:00Z',
    contentCreated: '2024-05-14T16:05:00Z',
    headlines: [text('Game 7 in Red Deer')],
    bodies: [text('RED DEER — Down three goals, the Rebels came back.\n\nGame 7 is Friday.', 'main', 'text/plain')],
    renditions: [webRendition('https://news.example.com/sports/game-7.html')],
  }),
  // A uri that is no IRI (a space, a "~"): its id must still be a valid URN.
  newsItem('c', {
    uri: 'wire 4413/~v1',
    representationType: 'partial',
    firstCreated: '2024-05-14T12:00:00Z',
    versionCreated: '2024-05-14T17:30:00Z',
    headlines: [text('Frost warning')],
    descriptions: [text('<p>Cover <a href="/plants.html">plants</a> tonight.</p>', 'summary', 'text/html')],
    renditions: [webRendition('https://news.example.com/weather/frost.html')],
  }),
  newsItem('d', {
    uri: 'x-wire:story 4414',
    firstCreated: '2024-05-14T11:00:00Z',
    versionCreated: '2024-05-14T17:30:00Z',
    headlines: [text('No web page')],
    bodies: [text('Just text.', 'main', 'text/plain')],
  }),
];

const parse = (xml: string): Document => parseDocument(xml, { xmlMode: true });
const all = (node: Document | Element, name: string): Element[] => DomUtils.getElementsByTagName(name, node);
const children = (node: Element, name?: string): Element[] =>
  node.children.filter((c): c is Element => (c as Element).name !== undefined && (name === undefined || (c as Element).name === name));
const textOf = (el: Element | undefined): string => (el ? DomUtils.textContent(el) : '');

/** The relative references of an HTML fragment, as validators.py `validateAbsUrl` finds them. */
function relativeRefs(html: string): string[] {
  const refs = [...html.matchAll(IMG), ...html.matchAll(ANCHOR)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
  return refs.filter((ref) => !/^\w+:/.test(ref.replace(/&amp;/g, '&')));
}

function validId(id: string): boolean {
  if (id.startsWith('urn:')) return URN.test(id);
  if (id.startsWith('tag:')) return TAG.test(id);
  return FULL_URI.test(id) && (!/^https?:/.test(id) || /^\w+:\/\/[^/]/.test(id));
}

describe('what the W3C Feed Validation Service checks', () => {
  const rss = parse(renderFeed(META, ITEMS, 'rss').body);
  const atom = parse(renderFeed(META, ITEMS, 'atom').body);
  const channel = all(rss, 'channel')[0]!;
  const feed = all(atom, 'feed')[0]!;

  it('RSS: every item has a description, before content:encoded', () => {
    for (const item of all(rss, 'item')) {
      const names = children(item).map((c) => c.name);
      expect(names, textOf(children(item, 'title')[0])).toContain('description');
      if (names.includes('content:encoded')) expect(names.indexOf('description')).toBeLessThan(names.indexOf('content:encoded'));
      expect(textOf(children(item, 'description')[0]).trim()).not.toBe('');
    }
  });

  it('RSS: pubDate and lastBuildDate are RFC 822 dates with the right weekday', () => {
    const dates = [...all(rss, 'pubDate'), ...all(rss, 'lastBuildDate')].map(textOf);
    expect(dates.length).toBe(ITEMS.length + 1);
    for (const date of dates) {
      expect(date).toMatch(RFC822);
      expect(new Date(date).toUTCString()).toBe(date);
    }
  });

  it('RSS: a guid is a permalink only when it is the link; links and the self link are absolute, self is the document URL', () => {
    for (const item of all(rss, 'item')) {
      const guid = children(item, 'guid')[0]!;
      const permalink = (guid.attribs.isPermaLink ?? 'true') === 'true';
      if (permalink) expect(textOf(guid)).toBe(textOf(children(item, 'link')[0]));
      for (const link of children(item, 'link')) expect(textOf(link)).toMatch(FULL_URI);
    }
    expect(textOf(children(channel, 'link')[0])).toMatch(FULL_URI);
    const self = children(channel, 'atom:link').filter((l) => l.attribs.rel === 'self');
    expect(self.map((l) => l.attribs.href)).toEqual([DOC_URL]);
    expect(textOf(children(channel, 'language')[0])).toBe('en-CA');
  });

  it('Atom: entry ids are valid IRIs and unique; the feed id too', () => {
    const ids = all(feed, 'entry').map((e) => textOf(children(e, 'id')[0]));
    expect(ids.length).toBe(ITEMS.length);
    for (const id of [...ids, textOf(children(feed, 'id')[0])]) expect(validId(id), id).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('Atom: no two entries share atom:updated, though they were fetched together; dates are RFC 3339', () => {
    const updated = all(feed, 'entry').map((e) => textOf(children(e, 'updated')[0]));
    expect(new Set(updated).size).toBe(updated.length);
    for (const e of all(feed, 'entry')) {
      for (const d of [...children(e, 'updated'), ...children(e, 'published')]) expect(textOf(d)).toMatch(RFC3339);
    }
    expect(textOf(children(feed, 'updated')[0])).toMatch(RFC3339);
  });

  it('Atom: one self link, the document URL; every link absolute; a language', () => {
    const links = all(feed, 'link');
    expect(children(feed, 'link').filter((l) => l.attribs.rel === 'self').map((l) => l.attribs.href)).toEqual([DOC_URL]);
    for (const link of links) expect(link.attribs.href ?? '').toMatch(FULL_URI);
    expect(feed.attribs['xml:lang']).toBe('en-CA');
  });

  it('HTML content holds no relative URIs and nothing the validator calls unsafe', () => {
    const html = [
      ...all(rss, 'description').slice(1),
      ...all(rss, 'content:encoded'),
      ...all(feed, 'entry').flatMap((e) => [...children(e, 'content'), ...children(e, 'summary')]),
    ].map(textOf);
    expect(html.length).toBeGreaterThan(ITEMS.length);
    // The fixture does hold relative links and images: the check has something to find.
    expect(relativeRefs(ITEMS[0]!.bodies![0]!.value).length).toBe(3);
    for (const fragment of html) {
      expect(relativeRefs(fragment), fragment).toEqual([]);
      expect(fragment).not.toMatch(UNSAFE);
    }
  });
});
