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

// Addresses made only of characters neither WHATWG nor RFC 3986 escapes, in every shape that parsing still
// rewrites (case, ports, dot segments, numeric hosts, punycode, empty queries) or leaves alone: whatever path
// resolving takes, it must give what a URL parser gives.
function shapes(): string[] {
  const schemes = ['http', 'https', 'HTTPS'];
  const hosts = ['a.example.test', 'A.Example.test', 'localhost', '0x7f.1', '10.0.0.1', 'a.b.123', 'xn--nxasmq6b.test', 'xn--a.test', 'a-b.c1.test', 'a.example.test:80', 'a.example.test:443', 'a.example.test:8080', 'u@a.example.test'];
  const paths = ['', '/', '//', '/a', '/a/', '/a//', '/./a', '/a/.', '/a/..', '/a/../b', '/%2e/a', '/a/%2E%2E/b', '/.well-known/x', '/a..b/c.', '/%41b', '/~x/(1);p=2'];
  const queries = ['', '?', '?a=1&b=2', '?x=%20', '?a/b?c', '?utm_source=x'];
  const out: string[] = [];
  for (const s of schemes) for (const h of hosts) for (const p of paths) for (const q of queries) out.push(`${s}://${h}${p}${q}`);
  return out;
}

describe('resolving plain addresses', () => {
  it('gives what the URL parser gives, for every shape parsing rewrites or keeps', () => {
    let checked = 0;
    for (const href of shapes()) {
      // What we keep of a parsed URL: no credentials, no empty query.
      const url = URL.canParse(href) ? new URL(href) : null;
      const expected = url ? `${url.protocol}//${url.host}${url.pathname}${url.search}` : null;
      expect(resolveHttpUrl(href), href).toBe(expected);
      checked++;
    }
    expect(checked).toBeGreaterThan(3000);
  });

  it('canonical links of addresses without a query lose the fragment and trailing slashes as the URL API would', () => {
    for (const href of shapes().filter((h) => !h.includes('?') && !h.includes('@'))) {
      for (const suffix of ['', '#f', '#']) {
        if (!URL.canParse(href + suffix)) {
          expect(canonicalLink(href + suffix)).toBeNull();
          continue;
        }
        const url = new URL(href + suffix);
        url.hash = '';
        if (url.pathname.length > 1) url.pathname = url.pathname.replace(/\/+$/, '') || '/';
        expect(canonicalLink(href + suffix), href + suffix).toBe(url.href);
      }
    }
  });
});
