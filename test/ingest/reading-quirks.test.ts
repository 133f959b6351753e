/**
 * Upstream habits that feedparser reads and so do we: podcast and Atom-style authors in RSS, JSON Feed items
 * inheriting the feed's authors, element names in the wrong case, Atom dates inside RSS items, and Media RSS
 * descriptions as the body of video entries.
 */
import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/ingest/parse.ts';
import type { RawEntry } from '../../src/model.ts';

const NS =
  'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:dc="http://purl.org/dc/elements/1.1/" ' +
  'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" ' +
  'xmlns:dcterms="http://purl.org/dc/terms/"';

const rss = (item: string, channel = ''): string =>
  `<rss version="2.0" ${NS}><channel><title>Show</title><link>https://example.com/</link>${channel}<item><title>Episode</title>${item}</item></channel></rss>`;

async function firstEntry(doc: string): Promise<RawEntry> {
  const feed = await parseFeed(doc);
  const entry = feed.entries[0];
  if (!entry) throw new Error('no entry');
  return entry;
}

describe('RSS authors', () => {
  it.each([
    ['a podcast episode names its author only in itunes:author', '<itunes:author>Night Vale Presents</itunes:author>', 'Night Vale Presents'],
    ['an <author> written the Atom way, with a <name>', '<author><name>Diane Chaleff</name></author>', 'Diane Chaleff'],
    ['an <author> with only an <email>', '<author><email>desk@example.com</email></author>', 'desk@example.com'],
    ['an atom:author inside an RSS item', '<atom:author><atom:name>Ethan Russell</atom:name></atom:author>', 'Ethan Russell'],
    ['the RSS author wins over itunes:author', '<dc:creator>Jane Roe</dc:creator><itunes:author>The Network</itunes:author>', 'Jane Roe'],
    ['the e-mail form of RSS <author> still gives the name', '<author>desk@example.com (Ann Smith)</author>', 'Ann Smith'],
  ])('%s', async (_label, item, author) => {
    expect((await firstEntry(rss(item))).author).toBe(author);
  });

  it.each([
    ['itunes:author on the channel is the feed author', '<itunes:author>Giant Bomb</itunes:author>', 'Giant Bomb'],
    ['managingEditor wins over it', '<managingEditor>ed@example.com (The Editor)</managingEditor><itunes:author>Giant Bomb</itunes:author>', 'The Editor'],
  ])('%s', async (_label, channel, author) => {
    expect((await parseFeed(rss('', channel))).author).toBe(author);
  });

  it('an item does not take the channel author (RSS has no inheritance)', async () => {
    expect((await firstEntry(rss('<guid>1</guid>', '<itunes:author>Giant Bomb</itunes:author>'))).author).toBeNull();
  });
});

describe('JSON Feed items inherit the feed authors', () => {
  const json = (feed: Record<string, unknown>, item: Record<string, unknown>): string =>
    JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'F', ...feed, items: [{ id: '1', title: 't', ...item }] });

  it.each([
    ['1.1 feed authors, item without any', { authors: [{ name: 'Fake Author 3' }, { name: 'Fake Author 4' }] }, {}, 'Fake Author 3, Fake Author 4'],
    ['1.0 feed author, item without any', { author: { name: 'Curt Clifton', url: 'https://example.com/' } }, {}, 'Curt Clifton'],
    ["the item's own authors win", { author: { name: 'NPR' } }, { author: { name: 'Keith Romer' } }, 'Keith Romer'],
    ["an item's empty authors list falls back to its 1.0 author", {}, { authors: [], author: { name: 'Solo' } }, 'Solo'],
    ['nameless item authors fall back to the feed', { authors: [{ name: 'Desk' }] }, { authors: [{ url: 'https://x.example/' }] }, 'Desk'],
    ['nobody anywhere', {}, {}, null],
  ])('%s', async (_label, feed, item, author) => {
    expect((await firstEntry(json(feed, item))).author).toBe(author);
  });
});

describe('element names in the wrong case are the feed elements', () => {
  it.each([
    ['<pubdate>', '<pubdate>Thu, 28 Jul 2022 04:35:05 GMT</pubdate>', { published: '2022-07-28T04:35:05.000Z' }],
    ['<PubDate>', '<PubDate>Thu, 28 Jul 2022 04:35:05 GMT</PubDate>', { published: '2022-07-28T04:35:05.000Z' }],
    ['<Link>', '<Link>https://example.com/a</Link>', { link: 'https://example.com/a' }],
    ['<DESCRIPTION>', '<DESCRIPTION>Body</DESCRIPTION>', { summary: 'Body' }],
    ['<Dc:Creator> (the prefix is the document’s, the local name ours)', '<dc:Creator>Ann</dc:Creator>', { author: 'Ann' }],
    ['<guid ispermalink="false">', '<guid ispermalink="false">https://example.com/not-a-link</guid>', { link: null, id: 'https://example.com/not-a-link' }],
  ])('%s', async (_label, item, want) => {
    const entry = await firstEntry(rss(item));
    const normalized = { ...entry, published: entry.published && new Date(entry.published).toISOString() };
    expect(normalized).toMatchObject(want);
  });

  it('markup inside a description keeps its own case', async () => {
    expect((await firstEntry(rss('<description><P>One <svgThing/></P></description>'))).summary).toBe('<P>One <svgThing></svgThing></P>');
  });
});

describe('Atom dates inside RSS items', () => {
  it.each([
    ['atom:updated', '<pubDate>Sun, 05 Mar 2017 13:34:00 +0000</pubDate><atom:updated>2017-03-05T14:35:26.899+01:00</atom:updated>', { updated: '2017-03-05T13:35:26.000Z' }],
    ['a bare <modified>', '<pubDate>Wed, 06 Apr 2022 06:15:31 +0000</pubDate><modified>2022-04-06T06:15:47+00:00</modified>', { updated: '2022-04-06T06:15:47.000Z' }],
    ['atom:published when there is no pubDate', '<atom:published>2020-01-02T03:04:05Z</atom:published>', { published: '2020-01-02T03:04:05.000Z' }],
    ['an item-level lastBuildDate', '<lastBuildDate>Thu, 02 Jan 2020 03:04:05 GMT</lastBuildDate>', { updated: '2020-01-02T03:04:05.000Z' }],
    ['dcterms:modified', '<dcterms:modified>2020-01-02T03:04:05Z</dcterms:modified>', { updated: '2020-01-02T03:04:05.000Z' }],
    ['an unreadable pubDate gives way to a readable dcterms:issued', '<pubDate>soon</pubDate><dcterms:issued>2020-01-02T03:04:05Z</dcterms:issued>', { published: '2020-01-02T03:04:05.000Z' }],
  ])('%s', async (_label, item, want) => {
    const entry = await firstEntry(rss(item));
    const iso = (s: string | null): string | null => s && new Date(s).toISOString();
    expect({ published: iso(entry.published), updated: iso(entry.updated) }).toMatchObject(want);
  });
});

describe('Atom bodies inside RSS items', () => {
  it.each([
    ['a bare <content> is text', '<content>Body &amp; more</content>', { content: 'Body &amp; more' }],
    ['atom:content type="html" is HTML', '<atom:content type="html">&lt;p&gt;Body&lt;/p&gt;</atom:content>', { content: '<p>Body</p>' }],
    ['atom:content type="xhtml" loses its wrapper div', '<atom:content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Body</p></div></atom:content>', { content: '<p>Body</p>' }],
    ['atom:summary is the summary when RSS has none', '<atom:summary>Short</atom:summary>', { summary: 'Short' }],
    ['content:encoded still wins', '<content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">&lt;p&gt;Full&lt;/p&gt;</content:encoded><content>Other</content>', { content: '<p>Full</p>' }],
  ])('%s', async (_label, item, want) => {
    expect(await firstEntry(rss(item))).toMatchObject(want);
  });
});

describe('Media RSS descriptions as the body of video entries', () => {
  const youtube = (entry: string): string =>
    `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"><title>Channel</title>` +
    `<entry><id>yt:video:1</id><title>Clip</title><link rel="alternate" href="https://www.youtube.com/watch?v=1"/>${entry}</entry></feed>`;
  const group = (description: string): string =>
    `<media:group><media:title>Clip</media:title><media:content url="https://www.youtube.com/v/1" type="application/x-shockwave-flash"/>` +
    `<media:thumbnail url="https://i.ytimg.com/vi/1/hqdefault.jpg"/>${description}</media:group>`;

  it.each([
    ['a YouTube entry: the group description', youtube(group('<media:description>Thanks to the crew &amp; all!\nMore soon.</media:description>')), 'Thanks to the crew &amp; all!\nMore soon.'],
    ['type="html" is HTML', youtube(group('<media:description type="html">&lt;b&gt;Bold&lt;/b&gt;</media:description>')), '<b>Bold</b>'],
    ['an Atom summary stays the body', youtube(`<summary>Own summary</summary>${group('<media:description>Group text</media:description>')}`), 'Own summary'],
    ['Atom content leaves no room for it', youtube(`<content type="html">Own content</content>${group('<media:description>Group text</media:description>')}`), null],
    ['an RSS item with only an item-level media:description', rss('<media:description>What the video shows</media:description>'), 'What the video shows'],
    [
      "an RSS photo's caption is not the story",
      rss('<description></description><media:content url="https://example.com/p.jpg" medium="image"><media:description>A caption</media:description></media:content>'),
      null,
    ],
    ['an RSS description stays the body', rss('<description>Story</description><media:description>Other</media:description>'), 'Story'],
  ])('%s', async (_label, doc, summary) => {
    expect((await firstEntry(doc)).summary).toBe(summary);
  });

  it.each([
    ['an RSS item without a title takes its media:title', rss('').replace('<title>Episode</title>', '<media:title>Video title</media:title>'), 'Video title'],
    ['or its media:group title', rss('').replace('<title>Episode</title>', '<media:group><media:title>Grouped</media:title></media:group>'), 'Grouped'],
    ["never a media:content's", rss('').replace('<title>Episode</title>', '<guid>g</guid><media:content url="https://example.com/p.jpg"><media:title>Photo</media:title></media:content>'), null],
    ['its own title wins', rss('<media:title>Other</media:title>'), 'Episode'],
    ['an Atom entry without a title', youtube(group('')).replace('<title>Clip</title>', ''), 'Clip'],
  ])('%s', async (_label, doc, title) => {
    expect((await firstEntry(doc)).title).toBe(title);
  });

  it("the caption still reaches the picture's media entry", async () => {
    const entry = await firstEntry(
      rss('<media:content url="https://example.com/p.jpg" medium="image"><media:description>A caption</media:description></media:content>'),
    );
    expect(entry.media).toMatchObject([{ url: 'https://example.com/p.jpg', description: 'A caption' }]);
  });
});
