import { describe, expect, it } from 'vitest';
import { createRepresentations, POLICY_EPOCH, RepresentationCache, type Rendered } from '../../src/publish/representation.ts';

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

/** A render that finishes when `release` is called, and says how often it ran. */
function gated(body: string): { render: () => Promise<Rendered>; release: () => void; runs: () => number } {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  let runs = 0;
  return {
    render: async () => {
      runs++;
      await gate;
      return rendered(body);
    },
    release: () => open(),
    runs: () => runs,
  };
}
/** Whether `promise` has settled once the pending callbacks have run (no timer: a settled one has by then). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true), () => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}
const text = (rep: { body: Uint8Array }): string => new TextDecoder().decode(rep.body);

describe('stale while revalidating', () => {
  it('while a new version renders, other requests get the previous bytes at once; the one that started it waits for the new', async () => {
    const reps = createRepresentations();
    const old = await reps.obtain('k', 1, () => rendered('old'));
    const next = gated('new');
    const first = reps.obtain('k', 2, next.render);
    expect(await settled(first)).toBe(false);
    const during = gated('never');
    const second = reps.obtain('k', 2, during.render);
    expect(await settled(second)).toBe(true);
    expect(await second).toBe(old);
    // The answer is the old bytes with their own validators: a cache that keeps them stays right.
    expect((await second).etag).toBe(old.etag);
    expect(reps.peek('k', 2)).toBe(old);
    expect(during.runs()).toBe(0);
    next.release();
    const fresh = await first;
    expect(text(fresh)).toBe('new');
    expect(fresh.version).toBe(2);
    expect(reps.peek('k', 2)).toBe(fresh);
    expect(await reps.obtain('k', 2, during.render)).toBe(fresh);
    expect(next.runs() + during.runs()).toBe(1);
  });

  it('only for the same key: another key (another filter, another entitlement) never gets those bytes', async () => {
    const reps = createRepresentations();
    await reps.obtain('feed|e:A', 1, () => rendered('A only'));
    const a = gated('A again');
    const pendingA = reps.obtain('feed|e:A', 2, a.render);
    const b = reps.obtain('feed|e:B', 2, () => rendered('B'));
    expect(text(await b)).toBe('B');
    expect(reps.peek('feed|e:B', 1)).toBeUndefined();
    a.release();
    await pendingA;
  });

  it('never across a policy epoch: after a licence change or a kill, everyone waits for the new render', async () => {
    const reps = createRepresentations();
    await reps.obtain('k', 7, () => rendered('with the restricted story'));
    const next = gated('without it');
    const first = reps.obtain('k', POLICY_EPOCH, next.render);
    expect(reps.peek('k', POLICY_EPOCH)).toBeUndefined();
    const second = reps.obtain('k', POLICY_EPOCH, next.render);
    expect(await settled(second)).toBe(false);
    next.release();
    expect(text(await second)).toBe('without it');
    expect(await first).toBe(await second);
    // Within the new epoch the previous bytes are served while a render is in flight, as before.
    const again = gated('later');
    const third = reps.obtain('k', POLICY_EPOCH + 1, again.render);
    expect(text(await reps.obtain('k', POLICY_EPOCH + 1, again.render))).toBe('without it');
    again.release();
    await third;
  });

  it('a slow render of an older version that ends last does not put its bytes back', async () => {
    const reps = createRepresentations();
    await reps.obtain('k', 1, () => rendered('v1'));
    const slow = gated('v2');
    const older = reps.obtain('k', 2, slow.render);
    const newer = await reps.obtain('k', 3, () => rendered('v3'));
    slow.release();
    expect(text(await older)).toBe('v2');
    expect(reps.cache.latest('k')).toBe(newer);
    expect(reps.peek('k', 3)).toBe(newer);
  });

  it('is bounded: past `staleForMs` of a render in flight, requests wait for it; 0 turns it off', async () => {
    let clock = 0;
    const reps = createRepresentations({ staleForMs: 100, now: () => clock });
    const old = await reps.obtain('k', 1, () => rendered('old'));
    const slow = gated('new');
    const first = reps.obtain('k', 2, slow.render);
    clock = 99;
    expect(await reps.obtain('k', 2, slow.render)).toBe(old);
    clock = 100;
    expect(reps.peek('k', 2)).toBeUndefined();
    const late = reps.obtain('k', 2, slow.render);
    expect(await settled(late)).toBe(false);
    slow.release();
    expect(await late).toBe(await first);

    const strict = createRepresentations({ staleForMs: 0 });
    await strict.obtain('k', 1, () => rendered('old'));
    const gate = gated('new');
    const one = strict.obtain('k', 2, gate.render);
    const two = strict.obtain('k', 2, gate.render);
    expect(await settled(two)).toBe(false);
    gate.release();
    expect(await two).toBe(await one);
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
