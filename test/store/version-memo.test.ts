import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.ts';
import { memoizeDataVersion } from '../../src/store/version-memo.ts';

describe('memoizeDataVersion', () => {
  it('answers from memory within the TTL, asks again after it or after invalidate()', async () => {
    let version = 1;
    let queries = 0;
    let t = 0;
    const base = { dataVersion: async () => (queries++, version) } as unknown as Store;
    const memo = memoizeDataVersion(base, 1000, () => t);
    expect(await memo.store.dataVersion()).toBe(1);
    version = 2;
    t = 999;
    expect(await memo.store.dataVersion()).toBe(1);
    expect(queries).toBe(1);
    t = 1000;
    expect(await memo.store.dataVersion()).toBe(2);
    version = 3;
    memo.invalidate();
    expect(await memo.store.dataVersion()).toBe(3);
    expect(queries).toBe(3);
  });
});
