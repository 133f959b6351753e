import { describe, expect, it } from 'vitest';
import { looksLikeHtml, textBlocks } from '../../src/normalize/blocks.ts';

const texts = (content: string) => textBlocks(content).map((b) => b.text);

describe('textBlocks', () => {
  it.each([
    ['plain lines', 'First line\n\nSecond line\r\nThird\u00a0line  ', ['First line', 'Second line', 'Third line']],
    ['paragraphs', '<p>First line</p>\n<p>Second line</p><p>Third&nbsp;line</p>', ['First line', 'Second line', 'Third line']],
    ['<br> splits lines', '<p>Get the news.<br/>Sign up</p>', ['Get the news.', 'Sign up']],
    ['entities and inline markup', '<p>Tom &amp; <em>Jerry</em>&#8217;s <a href="/x">show</a></p>', ['Tom & Jerry’s show']],
    ['scripts, styles and comments dropped', '<p>Kept</p><script>var x = "<p>no</p>";</script><style>p{}</style><!-- <p>no</p> -->', ['Kept']],
    ['CDATA kept as text', '<div><![CDATA[Inside]]></div>', ['Inside']],
    ['empty blocks dropped', '<p> </p><div><p>Only</p></div><p>\n</p>', ['Only']],
    ['zero-width characters and soft hyphens dropped', 'Ex\u00adample\u200b line', ['Example line']],
  ])('%s', (_name, content, expected) => {
    expect(texts(content)).toEqual(expected);
  });

  it('gives the same text for a plain and an HTML form of the same lines', () => {
    const lines = ['WASHINGTON — A story opens.', 'It goes on, “quoted” & more.', 'The end.'];
    const html = lines.map((l) => `<p>${l.replace(/&/g, '&amp;')}</p>`).join('\n');
    expect(texts(lines.join('\n\n'))).toEqual(texts(html));
  });

  it('marks figure captions and headings, with the figure image and the first link', () => {
    const blocks = textBlocks(
      '<figure><img src="/a.jpg" width="640" height="x" alt="A"><figcaption>Caption one</figcaption></figure>' +
        '<h3><a href="/news/one">Headline one</a></h3><p>Lede <a href="/news/one">Continue reading</a></p>',
    );
    expect(blocks).toEqual([
      { text: 'Caption one', figcaption: true, heading: false, image: { src: '/a.jpg', width: 640, height: null, alt: 'A' }, href: null, linked: false },
      { text: 'Headline one', figcaption: false, heading: true, image: null, href: '/news/one', linked: true },
      { text: 'Lede Continue reading', figcaption: false, heading: false, image: null, href: '/news/one', linked: false },
    ]);
  });

  it.each([
    ['an image outside a figure', '<p>Before</p><img src="b.jpg"><p>After</p>', ['Before', '', 'After']],
    ['a figure without a caption', '<figure><img src="b.jpg"></figure><p>After</p>', ['', 'After']],
    ['a figure whose caption is a plain paragraph', '<figure><img src="b.jpg"><p>Credit line</p></figure>', ['Credit line']],
  ])('keeps %s as an image block', (_name, content, expected) => {
    const blocks = textBlocks(content);
    expect(blocks.map((b) => b.text)).toEqual(expected);
    expect(blocks.filter((b) => b.image).map((b) => b.image!.src)).toEqual(['b.jpg']);
  });

  it('reads a block whose text starts after white space and markup as linked, with its link', () => {
    expect(textBlocks('<ul>\n <li>\n  <a href="/one">One &amp; only</a>\n </li>\n <li> <b>Two</b> <a href="/two">more</a></li></ul>')).toEqual([
      { text: 'One & only', figcaption: false, heading: false, image: null, href: '/one', linked: true },
      { text: 'Two more', figcaption: false, heading: false, image: null, href: '/two', linked: false },
    ]);
  });

  it('takes lazy-loaded and srcset images', () => {
    expect(textBlocks('<img data-src="lazy.jpg">')[0]!.image!.src).toBe('lazy.jpg');
    expect(textBlocks('<img srcset="small.jpg 320w, big.jpg 1024w">')[0]!.image!.src).toBe('small.jpg');
  });

  it.each([
    ['plain text', 'A line\nanother', false],
    ['text with a less-than sign', 'If a < b then c > d', false],
    ['HTML paragraphs', '<p>x</p>', true],
    ['a line break', 'one<br>two', true],
  ])('looksLikeHtml: %s', (_name, content, expected) => {
    expect(looksLikeHtml(content)).toBe(expected);
  });

  it('is empty for no content', () => {
    expect(textBlocks(null)).toEqual([]);
    expect(textBlocks('')).toEqual([]);
  });
});
