/**
 * The pruning pass before the DOM (src/ingest/page/prune.ts): what it cuts, what it keeps, and hostile markup
 * (a script end tag in a string, an unterminated quote or comment) handled without leaking script text.
 */
import { describe, expect, it } from 'vitest';
import { prunePage, selectorAttributes } from '../../../src/ingest/page/prune.ts';

describe('prunePage', () => {
  it('cuts comments and non-text elements, and hands back JSON-LD as text', () => {
    const { html, jsonLd } = prunePage(
      '<p>a<!-- note --></p><script>var x = 1;</script><style>p{}</style><svg><text>no</text></svg><script type="application/ld+json">{"@type":"NewsArticle"}</script><p>b</p>',
    );
    expect(html).toBe('<p>a</p><p>b</p>');
    expect(jsonLd).toEqual(['{"@type":"NewsArticle"}']);
  });

  it('keeps the attributes readers use, drops the rest, keeps every attribute of an image and a hiding style', () => {
    const { html } = prunePage(
      '<div class="story" onclick="steal()" data-track="x" style="color:red"><a href="/a" target="_blank">a</a><img data-src="/p.jpg" src="data:," alt="p"><span style="display: none">h</span></div>',
    );
    expect(html).toBe('<div class="story"><a href="/a">a</a><img data-src="/p.jpg" src="data:," alt="p"><span style="display: none">h</span></div>');
  });

  it('keeps attributes a site rule selects on', () => {
    expect(selectorAttributes(['.body', '[data-component="text"]', 'div[data-role] p'])).toEqual(['data-component', 'data-role']);
    expect(prunePage('<div data-component="text">t</div>', ['data-component']).html).toBe('<div data-component="text">t</div>');
  });

  it("drops the head's links but the canonical one, and keeps the links of the body", () => {
    const { html } = prunePage(
      '<html><head><link rel="stylesheet" href="/s.css"><LINK REL="Canonical" href="https://x.test/a"><link rel="preload" href="/f.woff"></head>' +
        '<body><link itemprop="url" href="https://x.test/a"><p>t</p></body></html>',
    );
    expect(html).toBe('<html><head><link rel="Canonical" href="https://x.test/a"></head><body><link itemprop="url" href="https://x.test/a"><p>t</p></body></html>');
    expect(prunePage('<link rel="icon" href="/i.png"><p>no head</p>').html).toBe('<link rel="icon" href="/i.png"><p>no head</p>');
  });

  it('drops white space beside block-level tags only', () => {
    expect(prunePage('<div>\n  <p>\n a <b>b</b> <i>c</i></p>\n</div>').html).toBe('<div><p>a <b>b</b> <i>c</i></p></div>');
  });

  it('reads quoted values with ">" and "</script" in them, and writes no ">" inside a tag', () => {
    const { html } = prunePage('<a href="/x" title="a > b">t</a><script>document.write("</scr" + "ipt>"); var s = "</div>";</script><p>after</p>');
    expect(html).not.toMatch(/document\.write|var s/);
    expect(html.startsWith('<a href="/x">t</a>')).toBe(true);
    expect(prunePage('<p class="a>b">x</p>').html).toBe('<p class="a&gt;b">x</p>');
  });

  it('ends the input at an unterminated comment, quote or script', () => {
    expect(prunePage('<p>a</p><!-- never closed <p>b</p>').html).toBe('<p>a</p>');
    expect(prunePage('<p>a</p><script>var x = "<p>b</p>').html).toBe('<p>a</p>');
    expect(prunePage('<p>a</p><div class="open>b</div>').html).not.toContain('b</div>');
  });
});
