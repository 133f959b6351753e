import { describe, expect, it } from 'vitest';
import { sanitizeHtml } from '../../src/publish/sanitize.ts';
import { htmlToText } from '../../src/util/html-text.ts';

const BASE = 'https://news.example.com/alberta/story-1.html';
const REL = 'rel="noopener noreferrer"';

describe('sanitizeHtml', () => {
  it.each([
    ['keeps paragraphs and emphasis', '<p>A <strong>b</strong> <b>c</b> <em>d</em> <i>e</i><br></p>', '<p>A <strong>b</strong> <b>c</b> <em>d</em> <i>e</i><br /></p>'],
    ['keeps lists and quotes', '<ul><li>a</li></ul><ol><li>b</li></ol><blockquote>q</blockquote>', '<ul><li>a</li></ul><ol><li>b</li></ol><blockquote>q</blockquote>'],
    ['downgrades h1, keeps h2-h6', '<h1>T</h1><h2>a</h2><h6>b</h6>', '<h2>T</h2><h2>a</h2><h6>b</h6>'],
    ['keeps code blocks', '<pre><code>x &lt; y</code></pre>', '<pre><code>x &lt; y</code></pre>'],
    ['keeps table basics, drops presentational attributes', '<table border="1"><caption>c</caption><thead><tr><th colspan="2">h</th></tr></thead><tbody><tr><td rowspan="1" bgcolor="red">d</td></tr></tbody></table>', '<table><caption>c</caption><thead><tr><th colspan="2">h</th></tr></thead><tbody><tr><td rowspan="1">d</td></tr></tbody></table>'],
    ['keeps a figure with caption', '<figure class="x"><img src="https://img.example.com/a.jpg" alt="A" width="640" height="427" style="border:0"><figcaption>Crowd (AP Photo/Jo Lee, File)</figcaption></figure>', '<figure><img src="https://img.example.com/a.jpg" alt="A" width="640" height="427" /><figcaption>Crowd (AP Photo/Jo Lee, File)</figcaption></figure>'],
    ['adds rel to links and drops target', '<a href="https://example.org/x" target="_blank" rel="opener">x</a>', `<a ${REL} href="https://example.org/x">x</a>`],
    ['keeps mailto links', '<a href="mailto:desk@example.com">mail</a>', `<a ${REL} href="mailto:desk@example.com">mail</a>`],
    ['resolves relative links against the base', '<a href="../politics/vote.html?a=1&b=2">v</a>', `<a ${REL} href="https://news.example.com/politics/vote.html?a=1&amp;b=2">v</a>`],
    ['resolves relative and protocol-relative images', '<img src="/img/a.png"><img src="//cdn.example.com/b.png">', '<img src="https://news.example.com/img/a.png" /><img src="https://cdn.example.com/b.png" />'],
    ['drops javascript: links', '<a href="javascript:alert(1)">x</a>', `<a ${REL}>x</a>`],
    ['drops entity-obfuscated javascript: links', '<a href="jav&#x09;ascript:alert(1)">x</a><a href="&#106;avascript:alert(1)">y</a>', `<a ${REL}>x</a><a ${REL}>y</a>`],
    ['drops data: and ftp: links', '<a href="data:text/html,x">d</a><a href="ftp://example.org/f">f</a>', `<a ${REL}>d</a><a ${REL}>f</a>`],
    ['drops data: and mailto: images', '<img src="data:image/png;base64,AAAA"><img src="mailto:a@b.c">', ''],
    ['drops 1×1 tracking pixels', '<p>a<img src="https://t.example.com/p.gif" width="1" height="1">b<img src="https://t.example.com/q.gif" width="1px" height="0"></p>', '<p>ab</p>'],
    ['keeps a 1-pixel-high rule image that is wide', '<img src="https://img.example.com/r.png" width="600" height="1">', '<img src="https://img.example.com/r.png" width="600" height="1" />'],
    ['drops non-numeric image sizes', '<img src="https://img.example.com/a.jpg" width="100%" height="auto">', '<img src="https://img.example.com/a.jpg" />'],
    ['drops script and style with their content', '<p>a</p><script>alert(1)</script><style>p{color:red}</style><p>b</p>', '<p>a</p><p>b</p>'],
    ['drops iframes, objects and forms', '<iframe src="https://evil.example/">f</iframe><object data="x">o</object><form><input value="v"></form>ok', 'ok'],
    ['drops event handlers and style attributes', '<p onclick="x()" style="color:red" class="c" id="i">t</p><img src="https://img.example.com/a.jpg" onerror="x()">', '<p>t</p><img src="https://img.example.com/a.jpg" />'],
    ['unwraps unknown tags but keeps their text', '<div><span>one</span> <font>two</font></div>', 'one two'],
    ['drops comments', '<p>a<!-- secret -->b</p>', '<p>ab</p>'],
    ['escapes stray markup characters', 'a < b & c > d ]]>', 'a &lt; b &amp; c &gt; d ]]&gt;'],
    ['drops svg with its content', '<svg onload="x()"><text>t</text></svg>after', 'after'],
  ])('%s', (_name, input, expected) => {
    expect(sanitizeHtml(input, BASE)).toBe(expected);
  });

  it.each([
    ['drops relative links without a base', '<a href="/x">x</a>', `<a ${REL}>x</a>`],
    ['drops relative images without a base', '<p><img src="a.jpg">t</p>', '<p>t</p>'],
    ['keeps absolute URLs without a base', '<a href="https://example.org/">x</a>', `<a ${REL} href="https://example.org/">x</a>`],
  ])('without a base URL: %s', (_name, input, expected) => {
    expect(sanitizeHtml(input)).toBe(expected);
  });

  it('ignores a base URL that is not http(s)', () => {
    expect(sanitizeHtml('<a href="/x">x</a>', 'file:///etc/passwd')).toBe(`<a ${REL}>x</a>`);
  });
});

describe('htmlToText', () => {
  it.each([
    ['<p>A &amp; B</p><p>C &lt;d&gt;</p>', 'A & B C <d>'],
    ['one<br>two', 'one two'],
    ['<script>x()</script>kept', 'kept'],
    ['  spaced \n\t out  ', 'spaced out'],
    ['&amp;lt;', '&lt;'],
  ])('%j → %j', (input, expected) => {
    expect(htmlToText(input)).toBe(expected);
  });
});
