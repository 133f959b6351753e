import { describe, expect, it } from 'vitest';
import { byFirstChar, mayMatch, regexShape } from '../../src/normalize/regex-shape.ts';
import { DEFAULT_RULES } from '../../src/normalize/rules.ts';

const REGEX_LITERAL = /^\/(.+)\/([a-z]*)$/s;
const defaultPatterns = Object.values(DEFAULT_RULES)
  .filter((v): v is string[] => Array.isArray(v) && v.every((p) => typeof p === 'string'))
  .flat()
  .map((p) => REGEX_LITERAL.exec(p))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => new RegExp(m[1]!, m[2]!));

// Patterns written to trip a reader of regex sources up: case folding (ſ and the Kelvin sign fold to s and k
// under `iu`), escapes, classes, ranges, lookarounds, quantifiers, alternatives with and without anchors.
const tricky = [
  /^sign up$/iu,
  /^kill$/iu,
  /^[s-t]ay$/iu,
  /^\u017fay/iu,
  /^[\u212a]ey$/iu,
  /^[^a]b$/,
  /^\x41\u0042\u{43}$/u,
  /^[\dA-F]{2,4}$/i,
  /^\.{3}$/,
  /^(?:a|b)+c?$/,
  /^(?:)x/,
  /^a|b$/,
  /(?:^a|^b)c/,
  /^(?=.{0,5}$)\w+/,
  /^(?!x).{1,3}$/s,
  /^\s*-\s*\d+\s*$/,
  /^[\w-]+$/,
  /^(?<word>\p{Lu}\p{Ll}+)$/u,
  /^(?<=a)b/,
  /^x*$/,
  /^[\s.\u2026»›→>\]]+$/u,
  /\s*\[(?:…|\.{3})\]\s*$/u,
  /^a{2}b{1,}c{0,2}$/,
  /^a{/,
  /^[\b]$/,
  /^(a)\1$/,
  /^\cJ$/,
  /^a.b$/m,
];

// Lines near what the patterns match: matches, their case variants, extra characters at either end, empty.
const baseLines = [
  '', ' ', 'a', 'b', 'x', 'ab', 'ac', 'bc', 'abc', 'aab', 'aabbcc', 'xx', 'xxxxxx', 'kill', 'KILL', 'Kill', '\u212aill', 'sign up', 'SIGN UP',
  '\u017fign up', 'Sign Up!', 'say', 'Tay', '\u017fay', 'SAY', 'Key', 'key', '\u212aey', 'cb', 'ABC', 'abc', '1f', 'FF00', '...', '..', '-12', ' - 3 ',
  'word-word', 'Hello', 'Élan', 'a\nb', 'a b', '\u2026', ' …]', '[…]', 'text [...]', 'text […] ', '\u0008', '\n', 'aa', 'The post X appeared first on Y',
  'Share', 'share on Facebook', 'Tweet this', 'Email', '12 comments', '(3) replies', 'Advertisement', 'Sign up for our newsletter', '_____', '* * *',
  '-30-', 'jm/lb', 'burs-pfm/jj', '© 2026 Example Media. All rights reserved.', 'Copyright 2026', 'All rights reserved', 'CrunchBase Profile',
  'Just Posted', 'Most Read', 'Related stories', 'Read more', 'Continue reading', 'KILLED: story', 'Editor: please kill', 'Follow Jane on Twitter',
  'Like us on Facebook', 'Have a story tip?', '（完）', '(完)', 'View this post on Instagram', 'A post shared by someone', 'Filed under: News',
  'Tags: a, b', 'Posted in News', 'Étiquettes : a', 'Download the app', 'Get our app', 'permalink | email this', 'https://pixel.wp.com/x.gif',
];
const lines = baseLines.flatMap((l) => [l, ` ${l}`, `${l} `, `${l}.`, `x${l}`, l.toUpperCase(), l.toLowerCase(), l.repeat(3)]);

describe('regexShape', () => {
  it.each([...defaultPatterns, ...tricky].map((re) => [String(re), re] as const))('never rules out a line %s matches', (_name, re) => {
    const shape = regexShape(re);
    for (const line of lines) {
      if (re.test(line)) expect(mayMatch(shape, line), JSON.stringify(line)).toBe(true);
    }
  });

  it('reads the characters an anchored match starts and ends with, and the longest line', () => {
    const shape = regexShape(/^(?:Share|Tweet|Email) (?:this|on)\b.{0,40}$/i);
    expect(shape.maxLength).toBe(50);
    expect(mayMatch(shape, 'Share this')).toBe(true);
    expect(mayMatch(shape, 'A county voted')).toBe(false);
    expect(mayMatch(shape, `Share this ${'x'.repeat(60)}`)).toBe(false);
    const tail = regexShape(/\s*\[(?:…|\.{3})\]\s*$/u);
    expect(tail.first).toBeNull();
    expect(mayMatch(tail, 'A sentence.')).toBe(false);
    expect(mayMatch(tail, 'A sentence [...]')).toBe(true);
    expect(regexShape(/^(?=.{0,200}$)(?:Download|Get) (?:the|our) .{0,40}\bapp\b/is).maxLength).toBe(200);
  });

  it('lets a non-ASCII character that folds to an ASCII letter count as that letter', () => {
    const shape = regexShape(/^\u017fay/iu);
    expect(mayMatch(shape, 'Say')).toBe(true);
    expect(mayMatch(shape, 'say')).toBe(true);
    expect(mayMatch(shape, 'Tay')).toBe(false);
    expect(mayMatch(shape, '1ay')).toBe(false);
    expect(mayMatch(regexShape(/^[\u2100-\u2200]/iu), 'key')).toBe(true);
  });

  it('does not let other non-ASCII characters stand for ASCII letters under i', () => {
    const shape = regexShape(/^(?:Étiquettes|Schlagwörter|Tags)\s*:/i);
    expect(mayMatch(shape, 'Tags: a')).toBe(true);
    expect(mayMatch(shape, 'Étiquettes : a')).toBe(true);
    expect(mayMatch(shape, 'Do something')).toBe(false);
    expect(mayMatch(regexShape(/^[À-ÿ]x/iu), 'ax')).toBe(false);
  });

  // Whatever the engine's case folding does, the shape must allow it: every character beyond ASCII, in a class
  // as single items and as ranges, under `i` and `iu`, against every ASCII line of one character.
  it('never rules out an ASCII character a non-ASCII one matches under i', () => {
    const missed: string[] = [];
    const hex = (cp: number): string => `\\u${cp.toString(16).padStart(4, '0')}`;
    for (const flags of ['i', 'iu']) {
      for (let from = 0x80; from < 0x10000; from += 256) {
        const to = Math.min(from + 255, 0xffff);
        const items: string[] = [];
        for (let cp = from; cp <= to; cp++) items.push(hex(cp));
        for (const re of [new RegExp(`^[${items.join('')}]$`, flags), new RegExp(`^[${hex(from)}-${hex(to)}]$`, flags)]) {
          const shape = regexShape(re);
          for (let c = 0; c < 128; c++) {
            const line = String.fromCharCode(c);
            if (re.test(line) && !mayMatch(shape, line)) missed.push(`${re.source.slice(0, 12)} /${flags} ${line}`);
          }
        }
      }
    }
    expect(missed).toEqual([]);
  });

  it('gives up on what it does not read: the pattern then runs on every line', () => {
    for (const re of [/^(a)\1$/, /^a.b$/m, /\bpermalink\b/i, /^a|b$/]) {
      const shape = regexShape(re);
      expect(shape.first).toBeNull();
    }
  });

  it('lists the patterns a line’s first character allows, in their order', () => {
    const patterns = [/^Share$/i, /^Tweet$/i, /x$/, /^share on/i].map((re) => ({ re, shape: regexShape(re) }));
    const candidates = byFirstChar(patterns);
    expect(candidates('share on X').map((p) => String(p.re))).toEqual(['/^Share$/i', '/x$/', '/^share on/i']);
    expect(candidates('Quiet').map((p) => String(p.re))).toEqual(['/x$/']);
    expect(candidates('Ünter')).toHaveLength(4);
  });
});
