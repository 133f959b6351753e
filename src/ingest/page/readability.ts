/**
 * Mozilla Readability (pinned at 0.6.0 in package.json) with two of its DOM helpers done without linkedom's
 * selector engine, which compiles a selector on every call: `_getAllNodesWithTag` (a `querySelectorAll` of
 * tag names, dozens per page, most of them in `_cleanConditionally`) is a walk over the elements, and
 * `_isProbablyVisible` reads `node.style` (a style object linkedom builds and parses) only when the element
 * has a `style` attribute. Both return what the originals return; test/ingest/page/readability.test.ts runs
 * both on every corpus page and compares, so that an upgrade of Readability that changes them shows.
 */
import { Readability } from '@mozilla/readability';

/** The minimal element the helpers read (linkedom's and the browser's both fit). */
interface ReaderElement {
  localName: string;
  firstElementChild: ReaderElement | null;
  nextElementSibling: ReaderElement | null;
  className?: string;
  hasAttribute(name: string): boolean;
  getAttribute(name: string): string | null;
}

interface ReaderInternals {
  _getAllNodesWithTag(node: ReaderElement, tagNames: readonly string[]): ArrayLike<ReaderElement>;
  _isProbablyVisible(node: ReaderElement): boolean;
  parse(): unknown;
}

/** Readability's options, as far as the extractor passes them. */
export type ReaderOptions = ConstructorParameters<typeof Readability>[1];

/** The elements under `node` (not `node` itself) whose tag is one of `tagNames` (any case), in document order. */
export function allNodesWithTag(node: ReaderElement, tagNames: readonly string[]): ReaderElement[] {
  const names = new Set(tagNames.map((t) => t.toUpperCase()));
  // By `localName` as written (parsed elements have it in lower case, Readability's own in upper case): its
  // upper-case form, which `nodeName` builds anew on every read, is made once per distinct name.
  const byName = new Map<string, boolean>();
  const matches = (localName: string): boolean => {
    let m = byName.get(localName);
    if (m === undefined) byName.set(localName, (m = names.has(localName.toUpperCase())));
    return m;
  };
  const out: ReaderElement[] = [];
  // Iterative pre-order walk: the next element is the first child, else the next sibling of the nearest ancestor that has one.
  const stack: ReaderElement[] = [];
  let el = node.firstElementChild;
  while (el) {
    if (matches(el.localName)) out.push(el);
    const child = el.firstElementChild;
    if (child) {
      stack.push(el);
      el = child;
      continue;
    }
    let next = el.nextElementSibling;
    while (!next && stack.length > 0) next = stack.pop()!.nextElementSibling;
    el = next;
  }
  return out;
}

/** Readability's visibility test, the inline style read only when there is one. */
function isProbablyVisible(this: ReaderInternals, node: ReaderElement, original: (node: ReaderElement) => boolean): boolean {
  if (node.hasAttribute('style')) return original.call(this, node);
  return (
    !node.hasAttribute('hidden') &&
    (!node.hasAttribute('aria-hidden') || node.getAttribute('aria-hidden') != 'true' || !!node.className?.includes?.('fallback-image'))
  );
}

/** `new Readability(doc, options).parse()`, with the helpers above. */
export function readabilityParse(doc: unknown, options: ReaderOptions): ReturnType<Readability['parse']> {
  const reader = new Readability(doc as never, options) as unknown as ReaderInternals;
  const original = reader._isProbablyVisible;
  reader._getAllNodesWithTag = allNodesWithTag;
  reader._isProbablyVisible = function (node) {
    return isProbablyVisible.call(this, node, original);
  };
  return reader.parse() as ReturnType<Readability['parse']>;
}
