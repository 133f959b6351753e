import { describe, expect, it } from 'vitest';
import { hash64, hash64After, hash64Bytes, hashPrefix } from '../../src/util/hash.ts';

const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (ch) => ch.charCodeAt(0));

describe('hash64Bytes', () => {
  it.each(['', 'a', 'wirefeed', 'Caf\u00e9 \u00ff\u0000', '<rss version="2.0"><channel><item><title>x</title></item></channel></rss>'])(
    'is hash64 of the same content read one byte a character: %j',
    (text) => {
      expect(hash64Bytes(latin1(text))).toBe(hash64(text));
    },
  );

  it('hashes from `start` on as the bytes after it, and mixes a seed in', () => {
    const bytes = latin1('<rss><channel><title>Desk</title><item>one</item></channel></rss>');
    const start = bytes.indexOf(0x69); // "item"
    expect(hash64Bytes(bytes, start)).toBe(hash64Bytes(bytes.subarray(start)));
    expect(hash64Bytes(bytes, start, 7)).toBe(hash64Bytes(bytes.subarray(start), 0, 7));
    expect(hash64Bytes(bytes, start, 7)).not.toBe(hash64Bytes(bytes, start));
  });

  // Document keys built with it are stored (entry_hashes): these values must never change.
  it.each<[string, number, string]>([
    ['', 0, '488bdcb81aee8d83'],
    ['<rss><channel><item><title>Café</title></item></channel></rss>', 14, '2e851cabc682733c'],
    ['{"version":"https://jsonfeed.org/version/1.1","items":[]}', 0, '652dbd63e9bba4fe'],
  ])('keeps the stored value for %j from %i, seeded with the length hashed', (text, start, expected) => {
    const bytes = new TextEncoder().encode(text);
    expect(hash64Bytes(bytes, start, bytes.length - start)).toBe(expected);
  });
});

describe('hash64', () => {
  // Item and picture uris are built with it and stored: these values must never change (lanes with leading
  // zero digits and with the top bit set included).
  it.each([
    ['', '488bdcb81aee8d83'],
    ['a', '501c2ba782c97901'],
    ['link:https://news.example/story-1', '7daca5ca54a66337'],
    ['headline:bridge plan stalls', '51ab8228fb12c864'],
    ['k181', '057815340d414c4f'],
    ['k233', '08560a630aaace6e'],
    ['k371', '0d4aa6fa0e80c5b9'],
    ['f157', 'fff9f83bb90daddc'],
  ])('keeps the value for %j', (text, expected) => {
    expect(hash64(text)).toBe(expected);
  });
});

describe('hash64After', () => {
  it.each<[string, string]>([
    ['', ''],
    ['', 'a'],
    ['0123456789abcdef\n\n', '{"id":"x","title":"Caf\u00e9 \u2014 \ud83d\ude00"}'],
    ['context\n', ''],
  ])('is hash64 of the prefix %j followed by %j', (prefix, rest) => {
    expect(hash64After(hashPrefix(prefix), rest)).toBe(hash64(prefix + rest));
  });

  it('depends on the prefix', () => {
    expect(hash64After(hashPrefix('a'), 'b')).not.toBe(hash64After(hashPrefix('b'), 'b'));
  });
});
