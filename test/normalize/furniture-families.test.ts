/**
 * The furniture families publishing systems add around a story, sibling-story lists under any heading of
 * that kind, tracking pixels and repeated crops among pictures, and when an item is `full` or `partial`.
 * Each rule is a table of cases written for these tests.
 */
import { describe, expect, it } from 'vitest';
import { textBlocks } from '../../src/normalize/blocks.ts';
import { isCodeText, splitSections } from '../../src/normalize/furniture.ts';
import { normalizeEntry, representsStory } from '../../src/normalize/index.ts';
import { compileRules } from '../../src/normalize/matchers.ts';
import { collectPictures, dedupePictures, isTrackingImage, photoKey } from '../../src/normalize/pictures.ts';
import type { Picture } from '../../src/normalize/photo.ts';
import { DEFAULT_RULES } from '../../src/normalize/rules.ts';
import { endsLikeSentence, words } from '../../src/normalize/text.ts';
import { entryOf, feedOf, seedSource } from './support/seed.ts';

const rules = compileRules(DEFAULT_RULES);
const story = (html: string): string[] => splitSections(textBlocks(html), rules).story.map((b) => b.text);
const now = new Date('2026-01-01T00:00:00Z');
const normalize = (content: string | null, extra: Parameters<typeof entryOf>[1] = {}) =>
  normalizeEntry(entryOf(content, { link: 'https://news.example.test/2026/story', ...extra }), { source: seedSource, feed: feedOf([]), now });

describe('furniture lines leave the body', () => {
  it.each([
    ['a WordPress origin line', '<p>The post Ferry fares rise again appeared first on Harbour Daily.</p>'],
    ['a filing line', '<p>Filed under: Transport, Harbour</p>'],
    ['a tag line', '<p>Tags: ferries, fares</p>'],
    ['a related-story line', '<p>Related: <a href="/other">Bridge plan stalls</a></p>'],
    ['a categories line', '<p>Categories: Local</p>'],
    ['Instagram’s fallback text', '<p>View this post on Instagram</p>'],
    ['Instagram’s fallback text in Portuguese', '<p>Ver essa foto no Instagram</p>'],
    ['an embed credit', '<p>A post shared by Harbour Daily (@harbourdaily) on Mar 3, 2026 at 9:12am PST</p>'],
    ['a share bar', '<p>Share this article</p>'],
    ['a share-on line', '<p>Share on Facebook</p>'],
    ['a comment count', '<p>14 Comments</p>'],
    ['a comment prompt', '<p>Leave a reply</p>'],
    ['an advertising label', '<p>Advertisement</p>'],
    ['a newsletter promo', '<p>Sign up for our morning newsletter and get the news first.</p>'],
    ['an app promo', '<p>Download the Harbour Daily app for iOS and Android.</p>'],
    ['copyright boilerplate', '<p>© 2026 Harbour Daily Media. All rights reserved.</p>'],
    ['a wire reproduction notice', '<p>This material may not be published, broadcast, rewritten or redistributed.</p>'],
    ['a Chinese end marker', '<p>（完）</p>'],
  ])('%s', (_name, line) => {
    expect(story(`<p>Fares rose by a tenth on Monday.</p>${line}`)).toEqual(['Fares rose by a tenth on Monday.']);
  });

  it.each([
    ['a sentence about a newsletter', 'The council said residents who sign up for the newsletter will hear about the closures first, and that it would print copies for those who do not use email.'],
    ['a sentence starting with “Share”', 'Share prices fell sharply on Monday after the ferry operator warned on profits.'],
    ['a sentence about copyright', 'Copyright law was changed in 2019, the minister said.'],
    ['a sentence with a brace', 'The sign read {closed} for the whole day; nobody knew why.'],
  ])('%s stays', (_name, text) => {
    expect(story(`<p>${text}</p>`)).toEqual([text]);
  });

  it('drops a style sheet escaped into the text, over several paragraphs', () => {
    const html =
      '<p>Fares rose on Monday.</p><p>&lt;!--@font-face { font-family: "x"; src: local("X"); }</p>' +
      '<p>.story p { margin: 0; }</p><p>body { color: red; } --&gt;</p><p>Crews worked overnight.</p>';
    expect(story(html)).toEqual(['Fares rose on Monday.', 'Crews worked overnight.']);
  });

  it.each([
    ['an at-rule', '@media (max-width: 600px) { .a { display: none } }', true],
    ['a CSS rule', '.photo-credit { font-size: 12px; color: #666; }', true],
    ['a script statement', 'var _gaq = _gaq || []; _gaq.push(["_trackPageview"]);', true],
    ['prose with a colon', 'The mayor said: fares will rise; nobody was pleased.', false],
  ])('isCodeText: %s', (_name, text, code) => {
    expect(isCodeText(text)).toBe(code);
  });

  it('moves copyright boilerplate to the copyrightNotice, once', () => {
    const [item] = normalize('<p>Fares rose by a tenth on Monday, the operator said.</p><p>© 2026 Harbour Daily Media. All rights reserved.</p>', { title: 'Fares rise' });
    expect(item!.item.bodies?.[0]?.value).toBe('<p>Fares rose by a tenth on Monday, the operator said.</p>');
    expect(item!.item.copyrightNotice).toBe('© 2026 Harbour Daily Media. All rights reserved.');
  });

  it('cuts a company-information box and everything after it', () => {
    expect(story('<p>The startup raised money.</p><h3>CrunchBase</h3><p>Company: Example</p><p>Website: example.test</p>')).toEqual([
      'The startup raised money.',
    ]);
  });

  it('moves a company-information box to a body of its own, up to a cut line', () => {
    const html =
      '<p>The startup raised money on Monday, its founder said.</p><h3>CrunchBase</h3><p>Company: Example Boats</p>' +
      '<p>Website: example.test</p><p>Example Boats builds electric ferries.</p><p>Most Read</p><p>Other news</p>';
    const [item] = normalize(html, { title: 'Startup raises money' });
    expect(item!.item.bodies).toEqual([
      { role: 'main', contentType: 'text/html', value: '<p>The startup raised money on Monday, its founder said.</p>' },
      {
        role: 'factbox',
        contentType: 'text/html',
        value: '<p>CrunchBase</p>\n<p>Company: Example Boats</p>\n<p>Website: example.test</p>\n<p>Example Boats builds electric ferries.</p>',
      },
    ]);
  });
});

describe('read-more markers', () => {
  it.each([
    ['dots after the marker', 'The ferry left late… Continue reading...', 'The ferry left late', true],
    ['a WordPress excerpt', 'The ferry left late [&hellip;]', 'The ferry left late', true],
    ['German', 'Die Fähre fuhr spät ab. Weiterlesen', 'Die Fähre fuhr spät ab.', true],
    ['Portuguese', 'A balsa saiu atrasada. Leia mais', 'A balsa saiu atrasada.', true],
    ['a sentence that reads on', 'Read more about it in the report, she said.', 'Read more about it in the report, she said.', false],
  ])('%s', (_name, text, rest, cut) => {
    expect(rules.stripReadMore(text.replace('&hellip;', '…'))).toEqual({ text: rest, cut });
  });

  it('a Guardian-style excerpt ending "Continue reading..." is partial, without the marker', () => {
    const [item] = normalize('<p>Ferries were cancelled across the bay on Tuesday as the storm arrived.</p><p><a href="https://news.example.test/x">Continue reading...</a></p>', { title: 'Storm stops ferries' });
    expect(item!.item.representationType).toBe('partial');
    expect(item!.item.bodies?.[0]?.value).not.toMatch(/Continue reading/);
  });
});

describe('sibling lists under a heading', () => {
  const list = (heading: string) =>
    `<p>Fares rose by a tenth on Monday, the operator said.</p><p>${heading}</p>` +
    '<ul><li><a href="/a">Bridge plan stalls again</a></li><li><a href="/b">Harbour gets new pilot boat</a></li></ul>' +
    '<p>The operator will review fares in June.</p>';

  it.each([['More from Harbour Daily:'], ['Previously on Harbour Daily:'], ['Related stories'], ['You may also like'], ['Trending'], ['Latest'], ['Read more'], ['Lesen Sie auch']])(
    '“%s” becomes partial teasers and leaves the body',
    (heading) => {
      const items = normalize(list(heading), { title: 'Ferry fares rise' });
      expect(items.map((i) => i.item.headlines[0]!.value)).toEqual(['Ferry fares rise', 'Bridge plan stalls again', 'Harbour gets new pilot boat']);
      expect(items.slice(1).every((i) => i.partial && i.item.representationType === 'partial')).toBe(true);
      expect(items[1]!.link).toBe('https://news.example.test/a');
      expect(items[0]!.item.bodies?.[0]?.value).toBe('<p>Fares rose by a tenth on Monday, the operator said.</p>\n<p>The operator will review fares in June.</p>');
    },
  );

  it.each([
    ['a heading with no links after it stays', '<p>Latest</p><p>The operator will review fares in June.</p>', 3],
    ['one link is no list: it leaves the body, no teaser', '<p>More from Harbour Daily:</p><p><a href="/a">Bridge plan stalls again</a></p>', 1],
  ])('%s', (_name, tail, expectedItems) => {
    const items = normalize(`<p>Fares rose by a tenth on Monday, the operator said.</p>${tail}`, { title: 'Ferry fares rise' });
    expect(items).toHaveLength(1);
    const paragraphs = (items[0]!.item.bodies?.[0]?.value.match(/<p>/g) ?? []).length;
    expect(paragraphs).toBe(expectedItems);
  });
});

describe('tracking images', () => {
  it.each([
    ['a 1×1 image', { src: 'https://cdn.example.test/x.gif', width: 1, height: 1 }, true],
    ['wp.com stats', { src: 'https://pixel.wp.com/b.gif?host=example.test&blog=1', width: null, height: null }, true],
    ['Feedburner flare', { src: 'http://feeds.feedburner.com/~ff/Example?d=yIl2AUoC8zA', width: null, height: null }, true],
    ['a Feedburner read counter', { src: 'http://feeds.feedburner.com/~r/example/~4/abc', width: null, height: null }, true],
    ['an ad server', { src: 'http://feedads.g.doubleclick.net/~at/abc/0/di', width: null, height: null }, true],
    ['a counter script', { src: 'https://cpx.example.test/cpx.php?class=17&aid=1&page=1', width: null, height: null }, true],
    ['a beacon path', { src: 'https://stats.example.test/beacon?id=42', width: null, height: null }, true],
    ['a per-item counter', { src: 'https://feed.example.test/link/24361/17298795.gif', width: null, height: null }, true],
    ['a photo', { src: 'https://cdn.example.test/2026/ferry.jpg', width: 640, height: 360 }, false],
    ['a resized photo', { src: 'https://cdn.example.test/img?width=640&url=ferry.jpg', width: null, height: null }, false],
  ])('%s', (_name, ref, tracker) => {
    expect(isTrackingImage(ref, rules, null)).toBe(tracker);
  });

  it('drops an image-only block that is a pixel, keeps the story around it', () => {
    const { pictures, rest } = collectPictures(textBlocks('<p>Fares rose.</p><img src="https://pixel.wp.com/b.gif?x=1" width="1" height="1">'), rules, null);
    expect(pictures).toEqual([]);
    expect(rest.map((b) => b.text)).toEqual(['Fares rose.']);
  });
});

describe('one picture per photo', () => {
  it.each([
    ['the same file in two sizes', 'https://cdn.example.test/ferry-300x200.jpg', 'https://cdn.example.test/ferry-1024x683.jpg', true],
    ['two crops of one photo', 'https://cdn.example.test/230101-ferry-super-169.jpg', 'https://cdn.example.test/230101-ferry-exlarge-169.jpg', true],
    ['the same file with other query parameters', 'https://cdn.example.test/ferry.jpg?width=140', 'https://www.cdn.example.test/ferry.jpg?width=460&q=85', true],
    ['two photos behind one image proxy', 'https://proxy.example.test/api/image?url=a.jpg', 'https://proxy.example.test/api/image?url=b.jpg', false],
    ['two different photos', 'https://cdn.example.test/ferry.jpg', 'https://cdn.example.test/bridge.jpg', false],
  ])('%s', (_name, a, b, same) => {
    expect(photoKey(a) === photoKey(b)).toBe(same);
  });

  it('merges a repeated photo into the first picture, keeping its caption', () => {
    const pic = (href: string, caption: string | null): Picture => ({
      caption,
      credit: null,
      images: [{ href, contentType: 'image/jpeg', width: null, height: null, rendition: 'web' }],
    });
    const out = dedupePictures([pic('https://cdn.example.test/ferry-large-11.jpg', 'The ferry leaves.'), pic('https://cdn.example.test/ferry-small-11.jpg', null)]);
    expect(out).toHaveLength(1);
    expect(out[0]!.caption).toBe('The ferry leaves.');
    expect(out[0]!.images).toHaveLength(2);
  });
});

describe('words in scripts without spaces', () => {
  it.each([
    ['English', 'Ferries stop in the storm', 5],
    ['Chinese, one word per character', '渡轮停航', 4],
    ['mixed', '渡轮 stop 2026', 4],
  ])('%s', (_name, text, n) => {
    expect(words(text)).toHaveLength(n);
  });

  it.each([['。'], ['！'], ['？']])('a sentence may end with %s', (mark) => {
    expect(endsLikeSentence(`渡轮停航${mark}`)).toBe(true);
  });

  it('a Chinese story keeps all its paragraphs (they are not tag lines)', () => {
    const [item] = normalize('<p>新华社北京电 渡轮周一因风暴停航。</p><p>有关部门表示，航线将于周三恢复</p><p>乘客可以申请退款。</p>', { title: '风暴致渡轮停航' });
    expect((item!.item.bodies?.[0]?.value.match(/<p>/g) ?? []).length).toBe(3);
  });
});

describe('full only when the body is the story', () => {
  const long = Array.from({ length: 3 }, (_, i) => `<p>Paragraph ${i + 1} of the story tells what happened at the harbour on Monday.</p>`).join('');
  it.each([
    ['content with paragraphs', { title: 'Fares rise', content: long, summary: null }, true],
    ['a title and no text', { title: 'Fares rise', content: null, summary: null }, false],
    ['a one-line summary only', { title: 'Fares rise', content: null, summary: '<p>The operator raised fares by a tenth.</p>' }, false],
    ['a summary long enough to be the story', { title: 'Fares rise', content: null, summary: long }, true],
    ['an excerpt cut off with a read-more', { title: 'Fares rise', content: '<p>The operator raised… Continue reading</p>', summary: null }, false],
  ])('%s', (name, extra, full) => {
    const [item] = normalize(extra.content, { title: extra.title, summary: extra.summary });
    expect(item!.item.representationType).toBe(full ? 'full' : 'partial');
    // The store's flag (never overwrites a full item, no arrival) stays for teasers and cut-off excerpts.
    expect(item!.partial).toBe(name.startsWith('an excerpt'));
  });

  it('representsStory: an entry with no title is all its text', () => {
    expect(representsStory(entryOf(null, { title: null, summary: '<a href="/x">Bridge plan stalls</a>' }), [], false)).toBe(true);
  });

  it.each([
    [' \u00a0\t ', false],
    ['\0', false],
    ['<b> </b>', false],
    ['&nbsp;', false],
    ['&#32;\u3000', false],
    ['Bridge plan stalls', true],
    ['<b>Bridge</b>', true],
    ['&amp;', true],
  ])('representsStory: the title %j has text: %s', (title, hasTitle) => {
    // With a title, no paragraph means no story; without one, the text is all there is.
    expect(representsStory(entryOf(null, { title, summary: 'Bridge plan stalls' }), [], false)).toBe(!hasTitle);
  });
});
