import { describe, expect, it } from 'vitest';
import {
  collapse, decodeEntities, escapeHtml, HTML_COMMENT, HTML_END, HTML_START, HTML_TEXT, HtmlReader, htmlTokens, htmlToText, mapMarkup,
} from '../../src/util/html-text.ts';

const NBSP = '\u00a0';

// The edge cases where the three former helpers (util regex strip, ingest fragment walk, sanitize-html) disagreed,
// with the behaviour decided once.
describe('htmlToText', () => {
  it.each([
    // Tags end where an HTML tokenizer ends them: a quoted '>' is part of the attribute.
    ['quoted > in an attribute', '<a title="x>y">Link</a> text', 'Link text'],
    ['single-quoted value with " and >', `<p title='a"b>c'>t</p>`, 't'],
    ['unquoted attribute value', '<a href=x>y</a>', 'y'],
    ['a < that starts no tag', '1 < 2 and a <3 b', '1 < 2 and a <3 b'],
    ['a tag open at the end swallows the rest', 'kept <a href="x>lost', 'kept'],
    ['an unterminated element keeps its text', '<b>unterminated', 'unterminated'],
    // Comments, declarations, CDATA.
    ['comment holding >', '<!-- c > d --> x', 'x'],
    ['empty comments', 'a<!---->b<!-->c', 'abc'],
    ['declaration', '<!DOCTYPE html><?xml version="1.0"?>x', 'x'],
    ['CDATA is literal text', '<![CDATA[a<b &amp; c]]> d', 'a<b &amp; c d'],
    // Elements whose contents are never text.
    ['script with markup in it', '<script>if (a<b) x("</p>")</script>ok', 'ok'],
    ['style', '<style>p{}</style>ok', 'ok'],
    ['noscript', '<noscript><img src=x>no</noscript>ok', 'ok'],
    ['template', '<template><p>t</p></template>ok', 'ok'],
    ['nested svg', '<svg><g><svg><text>1</text></svg><text>2</text></g></svg>ok', 'ok'],
    ['XHTML self-closed iframe has no contents', '<iframe src="v"/>after', 'after'],
    // Inline tags join, blocks break.
    ['inline tags join words', 'Wash<b>ing</b>ton', 'Washington'],
    ['paragraphs', '<p>a</p><p>b</p>', 'a b'],
    ['br', 'a<br>b<br/>c', 'a b c'],
    ['table cells', '<td>a</td><td>b</td>', 'a b'],
    ['stray end tag of a block', 'x</p>y', 'x y'],
    ['images give no text', '<img alt="pic">', ''],
    // NBSP: kept between words, never collapsed, trimmed at the ends.
    ['nbsp between words', 'A&nbsp;B', `A${NBSP}B`],
    ['nbsp run kept', 'a&nbsp;&nbsp;b', `a${NBSP}${NBSP}b`],
    ['nbsp at the ends trimmed', '&nbsp;lead&nbsp; ', 'lead'],
    ['nbsp only', ' &nbsp; ', ''],
    ['ASCII white space collapses', ' a \t\n b ', 'a b'],
    // References, from the one table.
    ['named with ;', '&copy; 2021 &rsquo;&hellip;', '© 2021 ’…'],
    ['legacy name without ;', '&copy 2021', '© 2021'],
    ['legacy prefix of a longer word', '&notit; &ampx', '¬it; &x'],
    ['non-legacy name without ;', '&hellip and &rsquo', '&hellip and &rsquo'],
    ['HTML5-only names are not in the table', '&NewLine; &AMP;', '&NewLine; &AMP;'],
    ['unknown name', '&bogus; AT&T', '&bogus; AT&T'],
    ['numeric', '&#8217;&#x2019;&#8217', '’’’'],
    ['C1 numeric as windows-1252', '&#150;&#x93;', '–“'],
    ['forbidden code points dropped', '&#0;x&#xD800;y&#1114112;z', 'xyz'],
    ['decoded once', '&lt;b&gt; &amp;lt;', '<b> &lt;'],
  ])('%s', (_name, html, text) => {
    expect(htmlToText(html)).toBe(text);
  });

  it.each([
    ['blocks and br', '<h2>Head</h2><p>One<br>Two</p><ul><li>a</li><li> b </li></ul>', 'Head\nOne\nTwo\na\nb'],
    ['empty blocks dropped', '<p> </p><div>&nbsp;</div><p>x</p>', 'x'],
    ['source line breaks are white space', '<p>one\ntwo</p>', 'one two'],
  ])('lines: %s', (_name, html, text) => {
    expect(htmlToText(html, { lines: true })).toBe(text);
  });
});

describe('decodeEntities', () => {
  it.each([
    ['in text, a legacy name before = decodes', '?a=1&copy=2', {}, '?a=1©=2'],
    ['in an attribute, a legacy name before = stays', '?a=1&copy=2', { attribute: true }, '?a=1&copy=2'],
    ['in an attribute, a legacy name before a letter stays', '?x&notit', { attribute: true }, '?x&notit'],
    ['in an attribute, with ; it decodes', '?x&not;it', { attribute: true }, '?x¬it'],
    ['in an attribute, &amp; decodes', '?a=1&amp;b=2', { attribute: true }, '?a=1&b=2'],
  ])('%s', (_name, text, options, decoded) => {
    expect(decodeEntities(text, options)).toBe(decoded);
  });
});

describe('escapeHtml', () => {
  it.each([
    ['the four', `a & b < c > d "e" 'f'`, `a &amp; b &lt; c &gt; d &quot;e&quot; 'f'`],
    ['already escaped text is escaped again', '&amp;', '&amp;amp;'],
    ['round trip', 'x < "y" & z', 'x < "y" & z'],
  ])('%s', (name, text, escaped) => {
    if (name === 'round trip') expect(htmlToText(escapeHtml(text))).toBe(escaped);
    else expect(escapeHtml(text)).toBe(escaped);
  });
});

describe('collapse', () => {
  it('collapses ASCII white space only and trims nbsp at the ends', () => {
    expect(collapse(`\t${NBSP} a \n\n b${NBSP}c ${NBSP}`)).toBe(`a b${NBSP}c`);
  });

  it('collapses every run as replacing each run by one space does', () => {
    const pieces = ['a', ' ', '  ', '\t', '\n', '\r', '\f', NBSP, '\u2003'];
    const texts = pieces.flatMap((a) => pieces.flatMap((b) => pieces.flatMap((c) => [a + b + c, `x${a}y${b}z${c}w`])));
    const definition = (text: string): string => text.replace(/[ \t\n\r\f]+/g, ' ').replace(/^[ \u00a0]+|[ \u00a0]+$/g, '');
    expect(texts.filter((text) => collapse(text) !== definition(text))).toEqual([]);
  });
});

describe('htmlTokens', () => {
  it('gives back the input, token by token', () => {
    const html = '<p class="a>b">x &amp; y<!-- c --><![CDATA[<z>]]><script>a<b</script><br/>&copy</p>';
    expect([...htmlTokens(html)].map((t) => t.raw).join('')).toBe(html);
  });

  it('reads names, attributes, self-closing and decoded text', () => {
    const tokens = htmlTokens(`<IMG SRC="a.jpg?x=1&amp;y=2" alt='A "q"' width=10 src="ignored"/>t&amp;u</P>`);
    const plain = tokens.map((t) => (t.kind === 'start' ? { kind: t.kind, raw: t.raw, name: t.name, attrs: t.attrs, selfClosing: t.selfClosing } : { ...t }));
    expect(plain).toEqual([
      {
        kind: 'start',
        raw: `<IMG SRC="a.jpg?x=1&amp;y=2" alt='A "q"' width=10 src="ignored"/>`,
        name: 'img',
        attrs: new Map([['src', 'a.jpg?x=1&y=2'], ['alt', 'A "q"'], ['width', '10']]),
        selfClosing: true,
      },
      { kind: 'text', raw: 't&amp;u', text: 't&u' },
      { kind: 'end', raw: '</P>', name: 'p' },
    ]);
  });

  it('reads a tag whose quoted attribute holds > as one tag', () => {
    const [tag, text] = htmlTokens('<a title="x>y" href=\'/p?a=1&amp;b=2\'>Link</a>');
    expect(tag).toMatchObject({ kind: 'start', name: 'a' });
    expect(tag?.kind === 'start' && Object.fromEntries(tag.attrs)).toEqual({ title: 'x>y', href: '/p?a=1&b=2' });
    expect(text).toMatchObject({ kind: 'text', text: 'Link' });
  });

  it('leaves out non-text elements when asked', () => {
    const kinds = [...htmlTokens('<p>a<script>x</script><noscript><b>y</b></noscript>b</p>', { dropNonText: true })];
    expect(kinds.map((t) => (t.kind === 'text' ? t.text : `${t.kind}:${'name' in t ? t.name : ''}`))).toEqual(['start:p', 'a', 'b', 'end:p']);
  });
});

describe('HtmlReader', () => {
  /** Every token the reader gives, as `kind:name:source` (text tokens with their text). */
  const read = (html: string, dropNonText = false): string[] => {
    const reader = new HtmlReader(html, { dropNonText });
    const out: string[] = [];
    while (reader.next()) out.push(`${reader.kind}:${reader.name}:${reader.raw()}${reader.kind === HTML_TEXT ? `=${reader.text()}` : ''}`);
    return out;
  };

  it('gives the tokens htmlTokens gives, in place', () => {
    const html = 'a<P class="x>y">b &amp; c<!-- d --><![CDATA[<e>]]><title>t&amp;</title><script>1<2</script><br/>&copy</p>z';
    const tokens = htmlTokens(html);
    const kinds = { text: HTML_TEXT, start: HTML_START, end: HTML_END, comment: HTML_COMMENT };
    expect(read(html)).toEqual(
      tokens.map((t) => `${kinds[t.kind]}:${'name' in t ? t.name : ''}:${t.raw}${t.kind === 'text' ? `=${t.text}` : ''}`),
    );
    expect(read(html)).toContain(`${HTML_TEXT}::t&amp;=t&`);
    expect(read(html)).toContain(`${HTML_TEXT}::1<2=1<2`);
  });

  it('skips non-text elements and what is inside them when asked', () => {
    expect(read('<p>a<svg><svg/><svg>x</svg>y</svg>b</p>', true)).toEqual([`${HTML_START}:p:<p>`, `${HTML_TEXT}::a=a`, `${HTML_TEXT}::b=b`, `${HTML_END}:p:</p>`]);
  });

  it('reads one attribute or all of them, first of a name kept, only for start tags', () => {
    const reader = new HtmlReader(`<A HREF='/x?a=1&amp;b=2' href="/second" title=t>x</a>`);
    reader.next();
    expect(reader.attr('href')).toBe('/x?a=1&b=2');
    expect(reader.attr('title')).toBe('t');
    expect(reader.attr('alt')).toBeUndefined();
    expect(Object.fromEntries(reader.attrs())).toEqual({ href: '/x?a=1&b=2', title: 't' });
    reader.next();
    expect(reader.attr('href')).toBeUndefined();
    reader.next();
    expect(reader.kind).toBe(HTML_END);
    expect(reader.attrs().size).toBe(0);
  });

  it('says which text runs are their source as written', () => {
    const reader = new HtmlReader('plain<b>a &amp; b</b>again<i>x</i>&lt;');
    const raw: [string, boolean][] = [];
    while (reader.next()) if (reader.kind === HTML_TEXT) raw.push([reader.text(), reader.textIsRaw()]);
    expect(raw).toEqual([['plain', true], ['a & b', false], ['again', true], ['x', true], ['<', false]]);
  });
});

describe('mapMarkup', () => {
  it('hands each tag to the callback and passes text through as written', () => {
    const seen: string[] = [];
    const out = mapMarkup('a &amp; <b title="1>2">b</b><!-- c -->', (token, isTag) => {
      seen.push(`${isTag}:${token}`);
      return isTag ? token.toUpperCase() : '';
    });
    expect(out).toBe('a &amp; <B TITLE="1>2">b</B>');
    expect(seen).toEqual(['true:<b title="1>2">', 'true:</b>', 'false:<!-- c -->']);
  });

  it('keeps the text and tags around a replaced tag as written, raw text included', () => {
    const html = '<p>x &lt; y</p><a href="r">y</a> tail<script>if (a<b) {}</script><br>end';
    expect(mapMarkup(html, (token) => (token.startsWith('<a ') ? '<a href="/abs/r">' : token))).toBe(
      '<p>x &lt; y</p><a href="/abs/r">y</a> tail<script>if (a<b) {}</script><br>end',
    );
    expect(mapMarkup(html, (token) => (token === '<br>' ? '' : token))).toBe('<p>x &lt; y</p><a href="r">y</a> tail<script>if (a<b) {}</script>end');
    expect(mapMarkup(html, (token) => token)).toBe(html);
  });
});
