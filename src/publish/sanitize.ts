import sanitize from 'sanitize-html';

const LINK_SCHEMES = ['http:', 'https:', 'mailto:'];
const IMAGE_SCHEMES = ['http:', 'https:'];
const LINK_REL = 'noopener noreferrer';

// Elements whose text is never content: dropped whole instead of unwrapped.
const NON_TEXT_TAGS = [
  'script',
  'style',
  'textarea',
  'option',
  'noscript',
  'template',
  'title',
  'head',
  'iframe',
  'object',
  'embed',
  'svg',
  'math',
  'select',
];

/**
 * Resolves `value` against `baseUrl` and keeps it only when the result uses one of `schemes`.
 * Returns null for anything else: unparsable, relative without a base, `javascript:`, `data:`…
 */
function safeUrl(value: string | undefined, baseUrl: URL | null, schemes: string[]): string | null {
  if (value === undefined) return null;
  let url: URL;
  try {
    url = baseUrl ? new URL(value, baseUrl) : new URL(value);
  } catch {
    return null;
  }
  return schemes.includes(url.protocol) ? url.href : null;
}

function parseBase(baseUrl: string | undefined): URL | null {
  if (!baseUrl) return null;
  try {
    const url = new URL(baseUrl);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** A non-negative integer pixel size, or undefined (`"1"`, `"1px"` → `"1"`; `"auto"`, `"50%"` → undefined). */
function pixelSize(value: string | undefined): string | undefined {
  const m = value === undefined ? null : /^\s*(\d{1,6})(?:\.\d+)?\s*(?:px)?\s*$/i.exec(value);
  return m ? String(Number(m[1])) : undefined;
}

function buildOptions(base: URL | null): sanitize.IOptions {
  return {
    allowedTags: [
      'p', 'br', 'a', 'strong', 'b', 'em', 'i', 'ul', 'ol', 'li', 'blockquote',
      'h2', 'h3', 'h4', 'h5', 'h6', 'figure', 'figcaption', 'img', 'pre', 'code',
      'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td',
    ],
    allowedAttributes: {
      a: ['href', 'title', 'rel'],
      img: ['src', 'alt', 'width', 'height'],
      th: ['colspan', 'rowspan'],
      td: ['colspan', 'rowspan'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowedSchemesAppliedToAttributes: ['href', 'src'],
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    nonTextTags: NON_TEXT_TAGS,
    transformTags: {
      h1: 'h2',
      a: (tagName, attribs) => {
        const href = safeUrl(attribs.href, base, LINK_SCHEMES);
        const out: sanitize.Attributes = { rel: LINK_REL };
        if (href !== null) out.href = href;
        if (attribs.title !== undefined) out.title = attribs.title;
        return { tagName, attribs: out };
      },
      img: (tagName, attribs) => {
        const out: sanitize.Attributes = {};
        const src = safeUrl(attribs.src, base, IMAGE_SCHEMES);
        if (src !== null) out.src = src;
        if (attribs.alt !== undefined) out.alt = attribs.alt;
        const width = pixelSize(attribs.width);
        const height = pixelSize(attribs.height);
        if (width !== undefined) out.width = width;
        if (height !== undefined) out.height = height;
        return { tagName, attribs: out };
      },
    },
    exclusiveFilter: (frame) => {
      if (frame.tag !== 'img') return false;
      if (!frame.attribs.src) return true;
      // Tracking pixels: 1×1 (or 0×0) images that show nothing.
      const w = frame.attribs.width;
      const h = frame.attribs.height;
      return w !== undefined && h !== undefined && Number(w) <= 1 && Number(h) <= 1;
    },
  };
}

/**
 * Cleans upstream HTML with a Miniflux-like allowlist: paragraphs, links, emphasis, lists, quotes,
 * headings (`h1` becomes `h2`), figures, images, code and basic tables. Links keep only http(s) and
 * mailto URLs and get `rel="noopener noreferrer"`; images keep only http(s) URLs; relative URLs are
 * resolved against `baseUrl` (and dropped when there is none); 1×1 tracking pixels are removed;
 * scripts, styles, frames, event handlers and every other attribute are gone.
 */
export function sanitizeHtml(html: string, baseUrl?: string): string {
  return memo.get(html, baseUrl ?? '', () => sanitize(html, buildOptions(parseBase(baseUrl))));
}

/**
 * Results of a pure string function, least recently used out first, bounded by the characters of the
 * inputs and results it holds (a hit moves its entry to the back of the map's order).
 */
export class StringMemo {
  readonly #entries = new Map<string, string>();
  #chars = 0;
  constructor(readonly maxChars: number) {}

  /** The result for `input` under `scope` (e.g. a base URL), from the memo or computed once by `compute`. */
  get(input: string, scope: string, compute: () => string): string {
    const key = `${scope}\u0000${input}`;
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const value = compute();
    const size = key.length + value.length;
    if (size > this.maxChars) return value;
    this.#entries.set(key, value);
    this.#chars += size;
    for (const [k, v] of this.#entries) {
      if (this.#chars <= this.maxChars) break;
      this.#entries.delete(k);
      this.#chars -= k.length + v.length;
    }
    return value;
  }

  /** Characters held (keys and results). */
  get chars(): number {
    return this.#chars;
  }

  get size(): number {
    return this.#entries.size;
  }
}

// Feeds are re-rendered after every change of the data, mostly from the same stored bodies: each body pays
// for sanitize-html once. A pure function's cache, shared by every render of this isolate or process.
const memo = new StringMemo(4_000_000);
