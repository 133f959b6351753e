import { describe, expect, it } from 'vitest';
import { createRepresentations, RepresentationCache, type Rendered } from '../../src/publish/representation.ts';

const rendered = (body: string): Rendered => ({ body, contentType: 'text/plain', lastModified: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) });

describe('the representation pipeline', () => {
  it('renders once per key and data version, and concurrent misses share the render', async () => {
    const reps = createRepresentations();
    let renders = 0;
    const render = async (): Promise<Rendered> => {
      renders++;
      await new Promise((r) => setTimeout(r, 5));
      return rendered('hello');
    };
    const [a, b] = await Promise.all([reps.obtain('k', 1, render), reps.obtain('k', 1, render)]);
    expect(renders).toBe(1);
    expect(a).toBe(b);
    expect(await reps.obtain('k', 1, render)).toBe(a);
    expect(reps.peek('k', 1)).toBe(a);
    const next = await reps.obtain('k', 2, render);
    expect(renders).toBe(2);
    expect(next).not.toBe(a);
    expect(reps.peek('k', 1)).toBeUndefined();
  });

  it('turns the text into bytes, an ETag of the text, an HTTP date and the compressed copies', async () => {
    const reps = createRepresentations({ compress: async (bytes) => ({ gzip: bytes.slice(0, 2) }) });
    const rep = await reps.obtain('k', 7, () => rendered('héllo'));
    expect(new TextDecoder().decode(rep.body)).toBe('héllo');
    expect(rep.etag).toMatch(/^"[0-9a-f]{16}"$/);
    expect((await createRepresentations().obtain('other', 1, () => rendered('héllo'))).etag).toBe(rep.etag);
    expect(rep.lastModifiedHttp).toBe('Fri, 02 Jan 2026 03:04:05 GMT');
    expect(rep.gzip).toEqual(rep.body.slice(0, 2));
    expect(rep.br).toBeUndefined();
    expect(rep.version).toBe(7);
  });

  it('a failed render is not cached: the next request renders again', async () => {
    const reps = createRepresentations();
    await expect(reps.obtain('k', 1, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect((await reps.obtain('k', 1, () => rendered('ok'))).body.byteLength).toBe(2);
  });
});

describe('the representation cache', () => {
  it('evicts the least recently used beyond its bound; a hit counts as a use', async () => {
    const cache = new RepresentationCache(2);
    const reps = createRepresentations({ cache });
    await reps.obtain('a', 1, () => rendered('a'));
    await reps.obtain('b', 1, () => rendered('b'));
    expect(cache.get('a', 1)).toBeDefined();
    await reps.obtain('c', 1, () => rendered('c'));
    expect(cache.size).toBe(2);
    expect(cache.get('b', 1)).toBeUndefined();
    expect(cache.get('a', 1)).toBeDefined();
    expect(cache.get('c', 1)).toBeDefined();
  });
});
