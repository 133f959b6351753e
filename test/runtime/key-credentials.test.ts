import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createGrantResolver } from '../../src/runtime/key-credentials.ts';
import { generateKey } from '../../src/util/secret-keys.ts';

// The fast path's key lookup on Node: the hash is remembered per credential, and only under the credential
// the key came from.

const sha = (key: string) => createHash('sha256').update(key).digest('hex');

function setup() {
  const key = generateKey();
  const peeks: Array<{ hash: string; inUrl: boolean }> = [];
  const resolve = createGrantResolver((hash, inUrl) => {
    peeks.push({ hash, inUrl });
    return hash === sha(key) ? { subscriber: 's' } : null;
  });
  return { key, peeks, resolve };
}

describe('createGrantResolver', () => {
  it('finds the grant of a Bearer key and of a ?key=, and nothing without a key', () => {
    const { key, peeks, resolve } = setup();
    expect(resolve({ headers: { authorization: `Bearer ${key}` }, url: '/feeds/all.rss' })).toEqual({ subscriber: 's' });
    expect(resolve({ headers: {}, url: `/feeds/all.rss?key=${key}` })).toEqual({ subscriber: 's' });
    expect(peeks.map((p) => p.inUrl)).toEqual([false, true]);
    expect(resolve({ headers: {}, url: '/feeds/all.rss' })).toBeNull();
    expect(resolve({ headers: { authorization: 'Bearer not-a-key' }, url: '/feeds/all.rss' })).toBeNull();
    expect(peeks).toHaveLength(2);
  });

  it('never lets a header that carries no bearer key stand for the ?key= it came with', () => {
    const { key, resolve } = setup();
    for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', '', `Bearer \u00a0`]) {
      // The key in the URL counts for that request…
      expect(resolve({ headers: { authorization }, url: `/feeds/all.rss?key=${key}` })).toEqual({ subscriber: 's' });
      // …and the same header without it gets nothing, on the first and every later request.
      expect(resolve({ headers: { authorization }, url: '/feeds/all.rss' })).toBeNull();
      expect(resolve({ headers: { authorization }, url: '/feeds/politics.rss' })).toBeNull();
    }
  });

  it('gives a Bearer key its grant on every request target', () => {
    const { key, peeks, resolve } = setup();
    for (let i = 0; i < 3; i++) resolve({ headers: { authorization: `Bearer ${key}` }, url: `/feeds/all.rss?page=${i}` });
    expect(new Set(peeks.map((p) => p.hash))).toEqual(new Set([sha(key)]));
    expect(peeks).toHaveLength(3);
  });
});
