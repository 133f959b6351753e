import { describe, expect, it } from 'vitest';
import { acceptedEncodings, answer, answerHeaders, chooseEncoding, isNotModified } from '../../src/http/conditional.ts';
import type { Representation } from '../../src/publish/representation.ts';

const modified = new Date(Date.UTC(2026, 10, 20, 12, 0, 0));
const rep: Representation = {
  body: new TextEncoder().encode('<rss/>'),
  gzip: new Uint8Array([1, 2, 3]),
  br: new Uint8Array([4, 5]),
  contentType: 'application/rss+xml; charset=utf-8',
  etag: '"abc"',
  lastModified: modified,
  lastModifiedHttp: modified.toUTCString(),
  version: 1,
};
const { br: _br, ...gzipOnly } = rep;

describe('conditional GET (RFC 9110 §13.1.2, §13.1.3, §13.2.2)', () => {
  it.each([
    ['the same tag', '"abc"', undefined, true],
    ['a weak tag matches a strong one (weak comparison)', 'W/"abc"', undefined, true],
    ['one tag in a list', '"x", W/"abc" ,"y"', undefined, true],
    ['the wildcard', '*', undefined, true],
    ['another tag', '"abd"', undefined, false],
    ['the tag without quotes', 'abc', undefined, false],
    ['If-None-Match decides alone: a mismatch is 200 even with a later If-Modified-Since', '"old"', 'Fri, 20 Nov 2099 12:00:00 GMT', false],
    ['If-None-Match decides alone: a match is 304 even with an earlier If-Modified-Since', '"abc"', 'Fri, 20 Nov 2000 12:00:00 GMT', true],
    ['If-Modified-Since at Last-Modified', undefined, modified.toUTCString(), true],
    ['If-Modified-Since after Last-Modified', undefined, 'Sat, 21 Nov 2026 00:00:00 GMT', true],
    ['If-Modified-Since before Last-Modified', undefined, 'Fri, 20 Nov 2026 11:59:59 GMT', false],
    ['an unreadable If-Modified-Since', undefined, 'yesterday-ish', false],
    ['no condition', undefined, undefined, false],
  ])('%s', (_label, ifNoneMatch, ifModifiedSince, expected) => {
    expect(isNotModified(ifNoneMatch, ifModifiedSince, rep)).toBe(expected);
  });
});

describe('encoding choice (Accept-Encoding with q-values; br, then gzip)', () => {
  it.each([
    [undefined, rep, null],
    ['', rep, null],
    ['gzip', rep, 'gzip'],
    ['gzip, deflate, br', rep, 'br'],
    ['br;q=0, gzip', rep, 'gzip'],
    ['BR;Q=0.5, gzip;q=1.0', rep, 'br'],
    ['gzip;q=0', rep, null],
    ['*', rep, 'br'],
    ['*;q=0, gzip', rep, 'gzip'],
    ['identity', rep, null],
    ['br', gzipOnly, null],
    ['br, gzip', gzipOnly, 'gzip'],
  ] as const)('%j → %s', (header, representation, expected) => {
    expect(chooseEncoding(acceptedEncodings(header), representation)).toBe(expected);
  });
});

describe('the answer and its headers', () => {
  it('a 304 carries the validators and caching headers but no body, type or length', () => {
    const a = answer(rep, { ifNoneMatch: '"abc"', ifModifiedSince: undefined, acceptEncoding: 'br' }, 60, ['<http://x/feeds/all.rss>; rel="self"']);
    expect(a.status).toBe(304);
    expect(a.body).toBeNull();
    expect(Object.fromEntries(a.headers)).toEqual({
      ETag: '"abc"',
      'Last-Modified': modified.toUTCString(),
      'Cache-Control': 'public, max-age=60',
      Vary: 'Accept-Encoding',
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'ETag, Last-Modified, Link',
      Link: '<http://x/feeds/all.rss>; rel="self"',
    });
  });

  it('a 200 sends the chosen copy with its encoding and length', () => {
    const a = answer(rep, { ifNoneMatch: '"old"', ifModifiedSince: undefined, acceptEncoding: 'gzip' }, 300, []);
    expect(a.status).toBe(200);
    expect(a.body).toBe(rep.gzip);
    const headers = Object.fromEntries(a.headers);
    expect(headers).toMatchObject({ 'Content-Type': rep.contentType, 'Content-Encoding': 'gzip', 'Content-Length': '3', 'Cache-Control': 'public, max-age=300' });
    expect(headers).not.toHaveProperty('Link');
  });

  it('the identity body has no Content-Encoding', () => {
    const headers = Object.fromEntries(answerHeaders(rep, 200, null, 60, []));
    expect(headers['Content-Length']).toBe(String(rep.body.byteLength));
    expect(headers).not.toHaveProperty('Content-Encoding');
  });
});
