import { describe, expect, it } from 'vitest';
import { sanitizeHtml, StringMemo } from '../../src/publish/sanitize.ts';

describe('StringMemo', () => {
  it('computes each input once per scope and answers repeats from memory', () => {
    const memo = new StringMemo(1000);
    let calls = 0;
    const upper = (s: string) => memo.get(s, 'a', () => (calls++, s.toUpperCase()));
    expect(upper('abc')).toBe('ABC');
    expect(upper('abc')).toBe('ABC');
    expect(calls).toBe(1);
    expect(memo.get('abc', 'b', () => 'other scope')).toBe('other scope');
    expect(memo.size).toBe(2);
  });

  it('stays within its character bound, least recently used out first', () => {
    // Each entry holds 'scope\0' + input (6 + 4 chars) + a 10-char result: 20 characters.
    const memo = new StringMemo(60);
    const put = (s: string) => memo.get(s, 'scope', () => s.repeat(10).slice(0, 10));
    put('k001');
    put('k002');
    put('k003');
    expect(memo.chars).toBe(60);
    put('k001'); // used again: k002 is now the oldest
    put('k004');
    expect(memo.size).toBe(3);
    expect(memo.chars).toBeLessThanOrEqual(60);
    let recomputed: string[] = [];
    const probe = (s: string) => memo.get(s, 'scope', () => (recomputed.push(s), s));
    probe('k001');
    probe('k003');
    probe('k004');
    expect(recomputed).toEqual([]);
    recomputed = [];
    probe('k002');
    expect(recomputed).toEqual(['k002']);
  });

  it('never keeps a single entry larger than the bound', () => {
    const memo = new StringMemo(10);
    expect(memo.get('a long input string', '', () => 'result')).toBe('result');
    expect(memo.size).toBe(0);
    expect(memo.chars).toBe(0);
  });
});

describe('sanitizeHtml through its memo', () => {
  it('gives the same answer on a repeat, per base URL', () => {
    const html = '<p>Hi <a href="/story">there</a><script>x()</script></p>';
    const first = sanitizeHtml(html, 'https://a.example/news/');
    expect(first).toBe('<p>Hi <a rel="noopener noreferrer" href="https://a.example/story">there</a></p>');
    expect(sanitizeHtml(html, 'https://a.example/news/')).toBe(first);
    expect(sanitizeHtml(html, 'https://b.example/')).toBe('<p>Hi <a rel="noopener noreferrer" href="https://b.example/story">there</a></p>');
    expect(sanitizeHtml(html)).toBe('<p>Hi <a rel="noopener noreferrer">there</a></p>');
  });
});
