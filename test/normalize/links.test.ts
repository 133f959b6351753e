import { describe, expect, it } from 'vitest';
import { canonicalLink, resolveHttpUrl } from '../../src/normalize/links.ts';

describe('resolveHttpUrl', () => {
  it.each([
    ['https://a.example.test/x', null, 'https://a.example.test/x'],
    ['/news/1', 'https://a.example.test/feed', 'https://a.example.test/news/1'],
    ['news/1', 'https://a.example.test/dir/page', 'https://a.example.test/dir/news/1'],
    ['//cdn.example.test/a.jpg', 'https://a.example.test/', 'https://cdn.example.test/a.jpg'],
    ['javascript:alert(1)', 'https://a.example.test/', null],
    ['mailto:x@example.test', null, null],
    ['/relative', null, null],
    ['/relative', 'not a url', null],
    ['  ', null, null],
    ['https://user:pw@a.example.test/a', null, 'https://a.example.test/a'],
    ['/a[1]/b|c^d?q={x}#f[g]', 'https://a.example.test/', 'https://a.example.test/a%5B1%5D/b%7Cc%5Ed?q=%7Bx%7D#f%5Bg%5D'],
    ['/100%/x', 'https://a.example.test/', 'https://a.example.test/100%25/x'],
  ])('%j against %j', (href, base, expected) => {
    expect(resolveHttpUrl(href, base)).toBe(expected);
  });
});

describe('canonicalLink', () => {
  it.each([
    ['https://WWW.Example.TEST:443/news/story/?utm_source=rss&utm_medium=feed#comments', 'https://www.example.test/news/story'],
    ['https://a.example.test/a?id=2&fbclid=x&b=1', 'https://a.example.test/a?b=1&id=2'],
    ['http://a.example.test/', 'http://a.example.test/'],
    ['ftp://a.example.test/file', null],
  ])('%j → %j', (href, expected) => {
    expect(canonicalLink(href)).toBe(expected);
  });
});
