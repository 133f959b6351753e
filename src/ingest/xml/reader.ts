import { cleanChars, decodeRefs, type EntityContext, XML_ENTITIES } from './chars.ts';
import { NO_ATTRS, type XNode } from './tree.ts';

/** Elements nested deeper than this are unwrapped. */
const MAX_DEPTH = 128;
/** Internal DTD entities longer than this are not expanded. */
const MAX_ENTITY_VALUE = 1024;
/** Total characters internal entities may add to a document. */
const MAX_ENTITY_EXPANSION = 1024 * 1024;

interface Frame {
  name: string;
  /** `null` for an element that is not kept (too deep, or after the root). */
  node: XNode | null;
  /** Where text inside this element goes. */
  target: XNode;
  /** The count of open frames of this name (null for the document's own frame). */
  count: OpenCount | null;
}

/** How many open frames have one name; `folded`: the count of every spelling of it (by lower case). */
interface OpenCount {
  n: number;
  folded: OpenCount | null;
}

// A name never starts with white space, Unicode spaces (U+2028, U+3000, U+FEFF…) included.
const NAME_START = /(?!\s)[A-Za-z_:\u00C0-\uFFFF]/;

/** `/\s/` (JavaScript white space), without a regex for ASCII. */
function isSpace(code: number, c: string): boolean {
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return /\s/.test(c);
}

/** The end of the name (of a tag or an attribute) at `i`: the first white space or one of `/>"'=<`. */
function nameEnd(src: string, i: number): number {
  const n = src.length;
  for (; i < n; i++) {
    const code = src.charCodeAt(i);
    if (code === 0x2f || code === 0x3e || code === 0x22 || code === 0x27 || code === 0x3d || code === 0x3c || isSpace(code, src[i]!)) break;
  }
  return i;
}

/** Whether `c` may start a tag name (see NAME_START), without a regex for ASCII. */
function startsName(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code < 0x80) return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f || code === 0x3a;
  return NAME_START.test(c);
}

/** Reads the internal subset of a DOCTYPE for plain-text entities; returns the index after the DOCTYPE. */
function readDoctype(src: string, start: number, entities: Map<string, string>): number {
  let i = start + 9;
  let quote = '';
  let subsetStart = -1;
  let subsetEnd = -1;
  for (; i < src.length; i++) {
    const c = src[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '[' && subsetStart === -1) {
      subsetStart = i + 1;
    } else if (c === ']' && subsetStart !== -1 && subsetEnd === -1) {
      subsetEnd = i;
    } else if (c === '<' && subsetStart !== -1 && subsetEnd === -1 && src.startsWith('<!--', i)) {
      const e = src.indexOf('-->', i + 4);
      i = e === -1 ? src.length : e + 2;
    } else if (c === '>' && (subsetStart === -1 || subsetEnd !== -1)) {
      break;
    }
  }
  if (subsetStart !== -1) {
    const subset = src.slice(subsetStart, subsetEnd === -1 ? i : subsetEnd);
    const decl = /<!ENTITY\s+(%\s+)?([A-Za-z_][\w.-]*)\s+(?:"([^"]*)"|'([^']*)'|(SYSTEM|PUBLIC)\b)/g;
    for (const m of subset.matchAll(decl)) {
      // Parameter and external entities (XXE) are never defined: references to them stay literal text.
      if (m[1] || m[5] || XML_ENTITIES[m[2]!] !== undefined || entities.has(m[2]!)) continue;
      const value = cleanChars(decodeRefs(m[3] ?? m[4] ?? '', null));
      // Only plain text is expanded, so entities can never nest (no billion laughs, no markup injection).
      if (value.length > MAX_ENTITY_VALUE || /[&%<]/.test(value)) continue;
      entities.set(m[2]!, value);
    }
  }
  return Math.min(i + 1, src.length);
}

/**
 * Reads a document into a tree, repairing what a lenient reader can: bare `&`, unknown entities, unclosed,
 * mismatched and stray tags, unterminated CDATA, excessive nesting; content after the root is ignored.
 * Throws `ParseError` when DTD entities expand past the budget.
 */
export function readTree(src: string): XNode | null {
  const ctx: EntityContext = { declared: new Map(), budget: MAX_ENTITY_EXPANSION };
  const doc: XNode = { name: '#document', attrs: new Map(), children: [], closed: true };
  const sink: XNode = { name: '#sink', attrs: new Map(), children: [], closed: true };
  const stack: Frame[] = [{ name: '#document', node: doc, target: doc, count: null }];
  let root: XNode | null = null;
  const n = src.length;
  let i = 0;
  // How many open frames have each name (exact, and lower-cased): a stray end tag is found in O(1).
  const exactCounts = new Map<string, OpenCount>();
  const foldedCounts = new Map<string, OpenCount>();
  const countOf = (name: string): OpenCount => {
    let count = exactCounts.get(name);
    if (count === undefined) {
      const low = name.toLowerCase();
      let folded = foldedCounts.get(low);
      if (folded === undefined) foldedCounts.set(low, (folded = { n: 0, folded: null }));
      count = { n: 0, folded };
      exactCounts.set(name, count);
    }
    return count;
  };
  const pop = (): void => {
    const frame = stack.pop()!;
    frame.count!.n--;
    frame.count!.folded!.n--;
    if (frame.node) frame.node.closed = true;
  };
  // Set once ']]>' is known not to occur from this index on (repeated unterminated CDATA stays linear).
  let noCdataEndFrom = n + 1;

  const addText = (text: string): void => {
    if (text === '') return;
    const target = stack[stack.length - 1]!.target;
    if (target === doc || target === sink) return;
    const kids = target.children;
    const last = kids[kids.length - 1];
    if (typeof last === 'string') kids[kids.length - 1] = last + text;
    else kids.push(text);
  };

  const open = (name: string, attrs: Map<string, string>, selfClosing: boolean): void => {
    const top = stack[stack.length - 1]!;
    let node: XNode | null = null;
    let target: XNode;
    if (top.target === sink || (top.target === doc && root !== null)) {
      // Anything after the root element is ignored.
      target = sink;
    } else if (stack.length > MAX_DEPTH) {
      // Too deep: the element is unwrapped, its text goes to the nearest kept ancestor.
      target = top.target;
    } else {
      node = { name, attrs, children: [], closed: selfClosing };
      top.target.children.push(node);
      if (root === null) root = node;
      target = node;
    }
    if (!selfClosing) {
      const count = countOf(name);
      count.n++;
      count.folded!.n++;
      stack.push({ name, node, target, count });
    }
  };

  const close = (name: string): void => {
    // The usual case: the end tag of the innermost open element.
    if (stack.length > 1 && stack[stack.length - 1]!.name === name) return pop();
    const exact = (exactCounts.get(name)?.n ?? 0) > 0;
    if (!exact && (foldedCounts.get(name.toLowerCase())?.n ?? 0) === 0) return; // A stray end tag.
    // The scan below is paid for by the frames it pops.
    let k = stack.length - 1;
    if (exact) while (k > 0 && stack[k]!.name !== name) k--;
    else while (k > 0 && stack[k]!.name.toLowerCase() !== name.toLowerCase()) k--;
    while (stack.length > k) pop();
  };

  while (i < n) {
    const lt = src.indexOf('<', i);
    const stop = lt === -1 ? n : lt;
    if (stop > i) addText(decodeRefs(src.slice(i, stop), ctx));
    i = stop;
    if (lt === -1) break;
    const next = src.charCodeAt(i + 1);
    if (next === 0x21 && src.startsWith('<!--', i)) {
      const e = src.indexOf('-->', i + 4);
      i = e === -1 ? n : e + 3;
    } else if (next === 0x21 && src.startsWith('<![CDATA[', i)) {
      let e = i + 9 >= noCdataEndFrom ? -1 : src.indexOf(']]>', i + 9);
      let after = e + 3;
      if (e === -1) {
        noCdataEndFrom = Math.min(noCdataEndFrom, i + 9);
        // Unterminated CDATA: it ends where its element does, if that element's end tag follows.
        const top = stack[stack.length - 1]!;
        e = top.node ? src.indexOf(`</${top.name}`, i + 9) : -1;
        if (e === -1) e = n;
        after = e;
      }
      addText(src.slice(i + 9, e));
      i = after;
    } else if (next === 0x21) {
      if (/^<!doctype/i.test(src.slice(i, i + 9))) {
        i = readDoctype(src, i, root === null ? ctx.declared : new Map());
      } else {
        const e = src.indexOf('>', i + 2);
        i = e === -1 ? n : e + 1;
      }
    } else if (next === 0x3f) {
      const e = src.indexOf('?>', i + 2);
      i = e === -1 ? n : e + 2;
    } else if (next === 0x2f) {
      let e = src.indexOf('>', i + 2);
      if (e === -1) e = n;
      // The name: what follows `</` and any white space, up to white space or `/`.
      let start = i + 2;
      while (start < e && isSpace(src.charCodeAt(start), src[start]!)) start++;
      let end = start;
      while (end < e && src.charCodeAt(end) !== 0x2f && !isSpace(src.charCodeAt(end), src[end]!)) end++;
      if (end > start) close(src.slice(start, end));
      i = e === n ? n : e + 1;
    } else if (i + 1 < n && startsName(src[i + 1]!)) {
      let j = nameEnd(src, i + 1);
      const name = src.slice(i + 1, j);
      let attrs = NO_ATTRS;
      let selfClosing = false;
      let complete = false;
      while (j < n) {
        const c = src[j]!;
        if (c === '>') {
          j++;
          complete = true;
          break;
        }
        if (c === '/' && src[j + 1] === '>') {
          j += 2;
          selfClosing = complete = true;
          break;
        }
        if (c === '<') {
          complete = true; // A tag missing its '>': end it here.
          break;
        }
        const code = src.charCodeAt(j);
        if (code === 0x2f || isSpace(code, c)) {
          j++;
          continue;
        }
        const end = nameEnd(src, j);
        if (end === j) {
          j++; // A stray quote or '='.
          continue;
        }
        const attrName = src.slice(j, end);
        j = end;
        while (j < n && isSpace(src.charCodeAt(j), src[j]!)) j++;
        let value = '';
        if (src[j] === '=') {
          j++;
          while (j < n && isSpace(src.charCodeAt(j), src[j]!)) j++;
          const q = src[j];
          if (q === '"' || q === "'") {
            let e = src.indexOf(q, j + 1);
            if (e === -1) e = src.indexOf('>', j + 1);
            if (e === -1) e = n;
            value = src.slice(j + 1, e);
            j = src[e] === q ? e + 1 : e;
          } else {
            const start = j;
            while (j < n && src.charCodeAt(j) !== 0x3e && !isSpace(src.charCodeAt(j), src[j]!)) j++;
            value = src.slice(start, j);
          }
        }
        if (attrs === NO_ATTRS) attrs = new Map();
        if (!attrs.has(attrName)) attrs.set(attrName, decodeRefs(value, ctx));
      }
      i = j;
      if (complete) open(name, attrs, selfClosing); // A tag cut off by the end of the document is dropped.
    } else {
      addText('<'); // A '<' that starts no markup is text.
      i++;
    }
  }
  return root;
}
