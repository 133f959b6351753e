import { describe, expect, it } from 'vitest';
import { forgetMemos, StringMemo } from '../../src/util/string-memo.ts';

describe('StringMemo', () => {
  it('remembers results until its budget of characters is spent, then starts over', () => {
    const memo = new StringMemo<string>(10);
    memo.set('abc', 'x');
    expect(memo.get('abc')).toBe('x');
    memo.set('defghij', 'y'); // 4 + 8 = 12 > 10: what was held is forgotten first
    expect(memo.get('abc')).toBeUndefined();
    expect(memo.get('defghij')).toBe('y');
  });

  it('counts an object result as a few characters, so a memo of objects stays bounded', () => {
    const memo = new StringMemo<{ n: number }>(40);
    memo.set('a', { n: 1 });
    memo.set('b', { n: 2 });
    memo.set('c', { n: 3 }); // 3 × (1 + 16) = 51 > 40
    expect(memo.get('a')).toBeUndefined();
    expect(memo.get('c')).toEqual({ n: 3 });
  });

  it('forgetMemos empties every memo of the process', () => {
    const a = new StringMemo<string>();
    const b = new StringMemo<string | null>();
    a.set('k', 'v');
    b.set('k', null);
    forgetMemos();
    expect(a.get('k')).toBeUndefined();
    expect(b.get('k')).toBeUndefined();
    a.set('k', 'again');
    expect(a.get('k')).toBe('again');
  });
});
