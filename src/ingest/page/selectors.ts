/**
 * The site rules' selectors, matched in the extractor's one walk over the page instead of one selector-engine
 * walk each. Only the forms rules are written in are read here: compound selectors (`tag`, `.class`, `#id`,
 * `[attr]`, `[attr="v"]`) joined by descendant combinators; anything else (`>`, pseudo-classes, `*=` …) is
 * left to the DOM's own engine. Matching follows css-select on an HTML document (what linkedom's
 * `querySelector` runs): tag names and attribute names are case-insensitive, attribute values are not, except
 * for the attributes HTML lists as case-insensitive (`rel`, `type`, `lang`, …); a class is one of the
 * white-space separated words of `class`.
 */

/** The element a selector is matched against (linkedom's and the browser's both fit). */
export interface SelectorElement {
  nodeName: string;
  parentElement: SelectorElement | null;
  getAttributeNode(name: string): { value: string } | null;
}

interface AttributeTest {
  name: string;
  /** null: the attribute is present, whatever its value. */
  value: string | null;
  ignoreCase: boolean;
}

/** One compound selector: a tag name (upper case, as `nodeName` has it), classes and attribute tests, all to hold. */
interface Compound {
  tag: string | null;
  classes: string[];
  attrs: AttributeTest[];
}

/** A selector read: its compounds, outermost first; the last is the element itself. */
export interface CompiledSelector {
  parts: Compound[];
}

// HTML's attributes whose values a selector matches case-insensitively (css-select's list, from the HTML spec).
const CASE_INSENSITIVE = new Set([
  'accept', 'accept-charset', 'align', 'alink', 'axis', 'bgcolor', 'charset', 'checked', 'clear', 'codetype', 'color', 'compact',
  'declare', 'defer', 'dir', 'direction', 'disabled', 'enctype', 'face', 'frame', 'hreflang', 'http-equiv', 'lang', 'language',
  'link', 'media', 'method', 'multiple', 'nohref', 'noresize', 'noshade', 'nowrap', 'readonly', 'rel', 'rev', 'rules', 'scope',
  'scrolling', 'selected', 'shape', 'target', 'text', 'type', 'valign', 'valuetype', 'vlink',
]);

const IDENT = '-?[_a-zA-Z][\\w-]*';
const TOKEN = new RegExp(`(\\s+)|(${IDENT})|\\.(${IDENT})|#(${IDENT})|\\[(${IDENT})(?:=(?:"([^"\\\\]*)"|'([^'\\\\]*)'|(${IDENT})))?\\]`, 'y');

// Rules are configuration: a bounded set of strings, each read once.
const COMPILED = new Map<string, CompiledSelector | null>();
const COMPILED_MAX = 4096;

/** Reads a selector in the forms above; null for any other (the caller leaves it to the DOM's engine). */
export function compileSelector(selector: string): CompiledSelector | null {
  let c = COMPILED.get(selector);
  if (c === undefined) {
    if (COMPILED.size >= COMPILED_MAX) COMPILED.clear();
    COMPILED.set(selector, (c = readSelector(selector)));
  }
  return c;
}

function readSelector(selector: string): CompiledSelector | null {
  const s = selector.trim();
  if (!s) return null;
  const parts: Compound[] = [];
  let current: Compound | null = null;
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < s.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(s);
    if (!m || m.index !== at) return null;
    if (m[1]) {
      current = null;
      continue;
    }
    if (m[2] !== undefined) {
      if (current) return null; // a tag name only opens a compound
      current = { tag: m[2].toUpperCase(), classes: [], attrs: [] };
      parts.push(current);
      continue;
    }
    if (!current) parts.push((current = { tag: null, classes: [], attrs: [] }));
    if (m[3] !== undefined) current.classes.push(m[3]);
    else if (m[4] !== undefined) current.attrs.push({ name: 'id', value: m[4], ignoreCase: false });
    else {
      const name = m[5]!.toLowerCase();
      const value = m[6] ?? m[7] ?? m[8] ?? null;
      const ignoreCase = CASE_INSENSITIVE.has(name);
      current.attrs.push({ name, value: value !== null && ignoreCase ? value.toLowerCase() : value, ignoreCase });
    }
  }
  return parts.length > 0 ? { parts } : null;
}

function hasClass(value: string, name: string): boolean {
  if (!value.includes(name)) return false;
  for (const word of value.split(/\s+/)) if (word === name) return true;
  return false;
}

function matchesCompound(el: SelectorElement, c: Compound): boolean {
  if (c.tag !== null && el.nodeName !== c.tag) return false;
  if (c.classes.length > 0) {
    const cls = el.getAttributeNode('class')?.value;
    if (cls === undefined) return false;
    for (const name of c.classes) if (!hasClass(cls, name)) return false;
  }
  for (const a of c.attrs) {
    const v = el.getAttributeNode(a.name)?.value;
    if (v === undefined) return false;
    if (a.value !== null && (a.ignoreCase ? v.length !== a.value.length || v.toLowerCase() !== a.value : v !== a.value)) return false;
  }
  return true;
}

/** True when `el` matches the selector (its ancestors, up to the document element, for the outer compounds). */
export function matchesSelector(el: SelectorElement, selector: CompiledSelector): boolean {
  const { parts } = selector;
  if (!matchesCompound(el, parts[parts.length - 1]!)) return false;
  // Descendant combinators only: the nearest ancestor that matches each outer compound is as good as any.
  let at: SelectorElement | null = el;
  for (let i = parts.length - 2; i >= 0; i--) {
    for (at = at!.parentElement; at && !matchesCompound(at, parts[i]!); at = at.parentElement);
    if (!at) return false;
  }
  return true;
}

/**
 * Selector lists to match in one walk: each element is tested only against the selectors whose own compound
 * could match it (by its tag, its classes, the attributes the selectors name).
 */
export class SelectorSet {
  private readonly byTag = new Map<string, number[]>();
  private readonly byClass = new Map<string, number[]>();
  private readonly byAttr = new Map<string, number[]>();
  private readonly compiled: Array<CompiledSelector | null>;
  /** The last `match` call each selector was tried in (an element is tried once per selector). */
  private readonly tried: Uint32Array;
  private call = 0;

  /** `selectors[i]` compiled, or null when it is left to the DOM's engine. */
  constructor(readonly selectors: readonly string[]) {
    this.compiled = selectors.map(compileSelector);
    this.tried = new Uint32Array(selectors.length);
    this.compiled.forEach((c, i) => {
      if (!c) return;
      const own = c.parts[c.parts.length - 1]!;
      const [map, key] = own.tag !== null ? [this.byTag, own.tag] : own.classes.length > 0 ? [this.byClass, own.classes[0]!] : [this.byAttr, own.attrs[0]!.name];
      map.set(key, [...(map.get(key) ?? []), i]);
    });
  }

  /** True when selector `i` is matched here (false: the caller asks the DOM's engine). */
  isCompiled(i: number): boolean {
    return this.compiled[i] !== null;
  }

  /**
   * Calls `found(i)` for each selector `i` that `el` matches (once each, in no particular order). `cls`: the
   * element's `class` as written, when the caller has read it.
   */
  match(el: SelectorElement, found: (i: number) => void, cls: string | null | undefined = el.getAttributeNode('class')?.value): void {
    const call = ++this.call;
    const tag = this.byTag.get(el.nodeName);
    if (tag) this.test(tag, el, call, found);
    if (cls) {
      // Few rule classes: each is looked for in the element's class, rather than the class split into words.
      for (const [name, list] of this.byClass) if (hasClass(cls, name)) this.test(list, el, call, found);
    }
    for (const [name, list] of this.byAttr) if (el.getAttributeNode(name)) this.test(list, el, call, found);
  }

  private test(list: readonly number[], el: SelectorElement, call: number, found: (i: number) => void): void {
    for (const i of list) {
      if (this.tried[i] === call) continue;
      this.tried[i] = call;
      if (matchesSelector(el, this.compiled[i]!)) found(i);
    }
  }
}
