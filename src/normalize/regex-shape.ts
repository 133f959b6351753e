/**
 * What a rule's regular expression needs of a line before it can match, read from its source once: the ASCII
 * characters a match anchored at the line's start (`^…`) can begin with, those a match anchored at its end
 * (`…$`) can end with, and the longest line a pattern anchored at both ends can match. Rules run dozens of
 * patterns on every line; these tests rule most of them out without running them. The reading is
 * conservative: a construct it does not know makes the pattern "may match anything", never "cannot match".
 */

/** The line tests a pattern's source allows; every pattern still runs on the lines that pass them. */
export interface RegexShape {
  /** ASCII codes (1 = possible) a match may start with, when every match starts at the line's start. */
  first: Uint8Array | null;
  /** ASCII codes a match may end with, when every match ends at the line's end. */
  last: Uint8Array | null;
  /** The longest line (UTF-16 units) a match can cover, when it must cover the whole line; else Infinity. */
  maxLength: number;
}

const ANYTHING: RegexShape = { first: null, last: null, maxLength: Infinity };

/** The shape of a pattern; "may match any line" when its source holds anything not read here. */
export function regexShape(re: RegExp): RegexShape {
  // `m` moves the anchors to every line break, `v` changes the class syntax, `y` and `g` make `test` stateful.
  if (/[mvyg]/.test(re.flags)) return ANYTHING;
  try {
    const parser = new Parser(re.source, re.unicode, re.ignoreCase);
    const node = parser.disjunction();
    if (parser.i !== re.source.length) return ANYTHING;
    const info = analyse(node, re.unicode);
    return {
      first: startAnchored(node) && !info.nullable ? info.first : null,
      last: endAnchored(node) && !info.nullable ? info.last : null,
      maxLength: node.type === 'alt' ? Math.max(...node.alternatives.map((seq) => lineBound(seq, re.unicode))) : Infinity,
    };
  } catch {
    return ANYTHING;
  }
}

/** False when the shape rules the line out: the pattern cannot match it. */
export function mayMatch(shape: RegexShape, line: string): boolean {
  const n = line.length;
  if (n > shape.maxLength) return false;
  if (shape.first) {
    if (n === 0) return false;
    const c = line.charCodeAt(0);
    if (c < 128 && shape.first[c] === 0) return false;
  }
  if (shape.last) {
    if (n === 0) return false;
    const c = line.charCodeAt(n - 1);
    if (c < 128 && shape.last[c] === 0) return false;
  }
  return true;
}

/**
 * Patterns grouped by the first character of a line: `candidates(line)` lists, in their order, the patterns
 * whose shape allows the line's first character (the length and last character are checked by `mayMatch`).
 */
export function byFirstChar<T extends { shape: RegexShape }>(patterns: T[]): (line: string) => T[] {
  const table: T[][] = [];
  for (let c = 0; c < 128; c++) table.push(patterns.filter((p) => p.shape.first === null || p.shape.first[c] === 1));
  const anyFirst = patterns.filter((p) => p.shape.first === null);
  return (line) => {
    if (line.length === 0) return anyFirst;
    const c = line.charCodeAt(0);
    return c < 128 ? table[c]! : patterns;
  };
}

type Node =
  | { type: 'alt'; alternatives: Node[][] }
  | { type: 'set'; set: Uint8Array }
  | { type: 'group'; body: Node; min: number; max: number }
  | { type: 'start' }
  | { type: 'end' }
  // \b, \B and lookarounds: they consume nothing (a lookahead keeps its body: it may bound the line's length).
  | { type: 'zero'; ahead?: Node };

interface Info {
  nullable: boolean;
  first: Uint8Array;
  last: Uint8Array;
  max: number;
}

function analyse(node: Node, unicode: boolean): Info {
  switch (node.type) {
    case 'set':
      // With `u` one character may be a surrogate pair.
      return { nullable: false, first: node.set, last: node.set, max: unicode ? 2 : 1 };
    case 'start':
    case 'end':
    case 'zero':
      return { nullable: true, first: new Uint8Array(128), last: new Uint8Array(128), max: 0 };
    case 'group': {
      const body = analyse(node.body, unicode);
      const max = node.max === 0 || body.max === 0 ? 0 : node.max === Infinity ? Infinity : body.max * node.max;
      return { nullable: body.nullable || node.min === 0, first: body.first, last: body.last, max };
    }
    case 'alt': {
      const out: Info = { nullable: false, first: new Uint8Array(128), last: new Uint8Array(128), max: 0 };
      for (const seq of node.alternatives) {
        const infos = seq.map((n) => analyse(n, unicode));
        let nullable = true;
        for (const info of infos) {
          if (!nullable) break;
          union(out.first, info.first);
          nullable = info.nullable;
        }
        let tailNullable = true;
        for (let k = infos.length - 1; k >= 0 && tailNullable; k--) {
          union(out.last, infos[k]!.last);
          tailNullable = infos[k]!.nullable;
        }
        out.nullable ||= nullable;
        out.max = Math.max(out.max, infos.reduce((sum, info) => sum + info.max, 0));
      }
      return out;
    }
  }
}

/**
 * The longest line one top-level alternative can match: the length of its match when it is anchored at both
 * ends, or what a lookahead right after its `^` allows (`^(?=.{0,200}$)…`).
 */
function lineBound(seq: Node[], unicode: boolean): number {
  let bound = Infinity;
  let anchored = false;
  for (const n of seq) {
    if (n.type === 'start') anchored = true;
    else if (n.type !== 'zero') break;
    else if (anchored && n.ahead && endAnchored(n.ahead)) bound = Math.min(bound, analyse(n.ahead, unicode).max);
  }
  const whole: Node = { type: 'alt', alternatives: [seq] };
  if (startAnchored(whole) && endAnchored(whole)) bound = Math.min(bound, analyse(whole, unicode).max);
  return bound;
}

function union(into: Uint8Array, from: Uint8Array): void {
  for (let c = 0; c < 128; c++) if (from[c]) into[c] = 1;
}

// Every match starts at the line's start: each alternative reaches `^` before consuming anything.
function startAnchored(node: Node): boolean {
  if (node.type === 'start') return true;
  if (node.type === 'group') return node.min >= 1 && startAnchored(node.body);
  if (node.type !== 'alt') return false;
  return node.alternatives.every((seq) => {
    for (const n of seq) {
      if (n.type === 'start') return true;
      if (n.type === 'zero') continue;
      return startAnchored(n);
    }
    return false;
  });
}

function endAnchored(node: Node): boolean {
  if (node.type === 'end') return true;
  if (node.type === 'group') return node.min >= 1 && endAnchored(node.body);
  if (node.type !== 'alt') return false;
  return node.alternatives.every((seq) => {
    for (let k = seq.length - 1; k >= 0; k--) {
      const n = seq[k]!;
      if (n.type === 'end') return true;
      if (n.type === 'zero') continue;
      return endAnchored(n);
    }
    return false;
  });
}

class Unknown extends Error {}

function all(): Uint8Array {
  return new Uint8Array(128).fill(1);
}

function range(set: Uint8Array, from: number, to: number): void {
  for (let c = Math.max(0, from); c <= Math.min(127, to); c++) set[c] = 1;
}

const DIGITS = (): Uint8Array => {
  const s = new Uint8Array(128);
  range(s, 0x30, 0x39);
  return s;
};
const WORD = (): Uint8Array => {
  const s = DIGITS();
  range(s, 0x41, 0x5a);
  range(s, 0x61, 0x7a);
  s[0x5f] = 1;
  return s;
};
const SPACE = (): Uint8Array => {
  const s = new Uint8Array(128);
  range(s, 0x09, 0x0d);
  s[0x20] = 1;
  return s;
};

/** A recursive-descent reader of the pattern syntax rules use; anything else throws `Unknown`. */
class Parser {
  i = 0;
  constructor(
    private readonly src: string,
    private readonly unicode: boolean,
    private readonly ignoreCase: boolean,
  ) {}

  disjunction(): Node {
    const alternatives: Node[][] = [this.alternative()];
    while (this.src[this.i] === '|') {
      this.i++;
      alternatives.push(this.alternative());
    }
    return { type: 'alt', alternatives };
  }

  private alternative(): Node[] {
    const seq: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const atom = this.term();
      const q = this.quantifier();
      if (!q) {
        seq.push(atom);
        continue;
      }
      if (atom.type === 'start' || atom.type === 'end' || atom.type === 'zero') throw new Unknown();
      seq.push({ type: 'group', body: atom, min: q.min, max: q.max });
    }
    return seq;
  }

  private quantifier(): { min: number; max: number } | null {
    const c = this.src[this.i];
    let q: { min: number; max: number } | null = null;
    if (c === '*') q = { min: 0, max: Infinity };
    else if (c === '+') q = { min: 1, max: Infinity };
    else if (c === '?') q = { min: 0, max: 1 };
    if (q) this.i++;
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) {
        if (this.unicode) throw new Unknown();
        return null;
      }
      this.i += m[0].length;
      const min = Number(m[1]);
      q = { min, max: m[2] === undefined ? min : m[3] ? Number(m[3]) : Infinity };
    }
    if (q && this.src[this.i] === '?') this.i++;
    return q;
  }

  private term(): Node {
    const c = this.src[this.i]!;
    if (c === '^') {
      this.i++;
      return { type: 'start' };
    }
    if (c === '$') {
      this.i++;
      return { type: 'end' };
    }
    if (c === '(') return this.group();
    if (c === '.') {
      this.i++;
      return { type: 'set', set: all() };
    }
    if (c === '[') return { type: 'set', set: this.caseClosed(this.charClass()) };
    if (c === '\\') {
      const next = this.src[this.i + 1];
      if (next === 'b' || next === 'B') {
        this.i += 2;
        return { type: 'zero' };
      }
      return { type: 'set', set: this.caseClosed(this.escape(false)) };
    }
    if (c === '*' || c === '+' || c === '?' || (this.unicode && (c === ']' || c === '{' || c === '}'))) throw new Unknown();
    return { type: 'set', set: this.caseClosed(this.literal()) };
  }

  private group(): Node {
    const rest = this.src.slice(this.i, this.i + 4);
    let zero = false;
    let ahead = false;
    if (rest.startsWith('(?:')) this.i += 3;
    else if (rest.startsWith('(?=') || rest.startsWith('(?!')) {
      ahead = rest[2] === '=';
      this.i += 3;
      zero = true;
    } else if (rest.startsWith('(?<=') || rest.startsWith('(?<!')) {
      this.i += 4;
      zero = true;
    } else if (rest.startsWith('(?<')) {
      const close = this.src.indexOf('>', this.i);
      if (close < 0) throw new Unknown();
      this.i = close + 1;
    } else if (rest.startsWith('(?')) throw new Unknown();
    else this.i += 1;
    const body = this.disjunction();
    if (this.src[this.i] !== ')') throw new Unknown();
    this.i++;
    if (!zero) return { type: 'group', body, min: 1, max: 1 };
    return ahead ? { type: 'zero', ahead: body } : { type: 'zero' };
  }

  // One code point or unit as written, outside a class.
  private literal(): Uint8Array {
    const cp = this.unicode ? this.src.codePointAt(this.i)! : this.src.charCodeAt(this.i);
    this.i += cp > 0xffff ? 2 : 1;
    return this.one(cp);
  }

  // One character; under `i` a non-ASCII one may match ASCII letters (see `asciiFolds`).
  private one(cp: number): Uint8Array {
    const s = single(cp);
    if (cp >= 128) this.addFolds(s, cp, cp);
    return s;
  }

  // The ASCII letters characters from `from` to `to` match under this pattern's flags, added to `set`.
  private addFolds(set: Uint8Array, from: number, to: number): void {
    if (!this.ignoreCase || !this.unicode) return;
    for (const [cp, letter] of ASCII_FOLDS) if (from <= cp && cp <= to) set[letter] = set[letter ^ 0x20] = 1;
  }

  /** An escape (at `\`); inside a class `\b` is a backspace. Returns the characters it matches. */
  private escape(inClass: boolean): Uint8Array {
    const c = this.src[this.i + 1];
    if (c === undefined) throw new Unknown();
    this.i += 2;
    switch (c) {
      case 'd':
        return DIGITS();
      case 'w':
        return WORD();
      case 's':
        return SPACE();
      case 'D':
      case 'W':
      case 'S':
        return all();
      case 'p':
      case 'P': {
        if (!this.unicode || this.src[this.i] !== '{') throw new Unknown();
        const close = this.src.indexOf('}', this.i);
        if (close < 0) throw new Unknown();
        this.i = close + 1;
        return all();
      }
      case 't':
        return single(0x09);
      case 'n':
        return single(0x0a);
      case 'v':
        return single(0x0b);
      case 'f':
        return single(0x0c);
      case 'r':
        return single(0x0d);
      case 'b':
        if (inClass) return single(0x08);
        throw new Unknown();
      case 'x': {
        const m = /^[0-9A-Fa-f]{2}/.exec(this.src.slice(this.i, this.i + 2));
        if (!m) throw new Unknown();
        this.i += 2;
        return this.one(parseInt(m[0], 16));
      }
      case 'u': {
        const braced = this.unicode ? /^\{([0-9A-Fa-f]{1,6})\}/.exec(this.src.slice(this.i)) : null;
        if (braced) {
          this.i += braced[0].length;
          return this.one(parseInt(braced[1]!, 16));
        }
        const m = /^[0-9A-Fa-f]{4}/.exec(this.src.slice(this.i, this.i + 4));
        if (!m) throw new Unknown();
        this.i += 4;
        // A surrogate pair written as two escapes is one astral character: never ASCII.
        return this.one(parseInt(m[0], 16));
      }
      default:
        // Back references, \c, \0 and octal escapes are not read here.
        if (/[0-9ck]/.test(c)) throw new Unknown();
        // An identity escape of a syntax character ("\.", "\/", "\-").
        if (/[\^$\\.*+?()[\]{}|/\-]/.test(c)) return single(c.charCodeAt(0));
        if (this.unicode) throw new Unknown();
        return this.one(c.charCodeAt(0));
    }
  }

  private charClass(): Uint8Array {
    this.i++;
    const negated = this.src[this.i] === '^';
    if (negated) this.i++;
    const set = new Uint8Array(128);
    const fold = (cp: number): void => this.addFolds(set, cp, cp);
    // Returns the one character an item stands for, or -1 for a class escape (which cannot end a range).
    const item = (): number => {
      const c = this.src[this.i];
      if (c === undefined) throw new Unknown();
      if (c === '\\') {
        const at = this.i;
        const chars = this.escape(true);
        const escaped = this.src[at + 1]!;
        if (/[dwsDWSpP]/.test(escaped)) {
          // \D, \W, \S, \p{…} and \P{…} already match every ASCII character.
          union(set, chars);
          return -1;
        }
        return codeOf(chars, this.src, at);
      }
      const cp = this.unicode ? this.src.codePointAt(this.i)! : this.src.charCodeAt(this.i);
      this.i += cp > 0xffff ? 2 : 1;
      return cp;
    };
    while (this.src[this.i] !== ']') {
      if (this.i >= this.src.length) throw new Unknown();
      const from = item();
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && from >= 0) {
        this.i++;
        const to = item();
        if (to < 0) {
          // Annex B: "[\d-x]" and "[a-\d]" are their characters and a '-'.
          if (this.unicode) throw new Unknown();
          set[0x2d] = 1;
          add(from);
          continue;
        }
        if (to < from) throw new Unknown();
        range(set, from, to);
        if (to > 127) this.addFolds(set, from, to);
        continue;
      }
      if (from >= 0) add(from);
    }
    this.i++;
    if (negated) return all();
    return set;

    function add(cp: number): void {
      if (cp < 128) set[cp] = 1;
      else fold(cp);
    }
  }

  /** Under `i` a set holds both cases of its letters, and a non-ASCII character may fold to any ASCII letter. */
  private caseClosed(set: Uint8Array): Uint8Array {
    if (!this.ignoreCase) return set;
    for (let c = 0x41; c <= 0x5a; c++) {
      if (set[c] || set[c + 32]) set[c] = set[c + 32] = 1;
    }
    return set;
  }
}

/**
 * The non-ASCII characters that match an ASCII letter under `i`, with that letter: only with `u` (simple case
 * folding: ſ is s, the Kelvin sign is k); without it `i` never matches a character beyond ASCII with one in it.
 */
const ASCII_FOLDS: readonly (readonly [number, number])[] = [
  [0x17f, 0x73],
  [0x212a, 0x6b],
];

// A set of one ASCII character; empty for any other (`caseClosed` widens it under `i`).
function single(cp: number): Uint8Array {
  const s = new Uint8Array(128);
  if (cp < 128) s[cp] = 1;
  return s;
}

// The code point an escape in a class stood for (re-read from the source).
function codeOf(chars: Uint8Array, src: string, at: number): number {
  const ascii = chars.indexOf(1);
  if (ascii >= 0 && chars.lastIndexOf(1) === ascii) return ascii;
  const m = /^\\(?:u\{([0-9A-Fa-f]{1,6})\}|u([0-9A-Fa-f]{4})|x([0-9A-Fa-f]{2}))/.exec(src.slice(at));
  if (!m) throw new Unknown();
  return parseInt(m[1] ?? m[2] ?? m[3]!, 16);
}
