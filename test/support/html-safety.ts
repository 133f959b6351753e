/**
 * Is a piece of republished HTML harmless? Parses it with htmlparser2 (the tokenizer sanitize-html itself
 * uses) and checks every element and attribute against an allowlist of its own — deliberately not imported
 * from `src/publish/sanitize.ts`, so that widening the sanitizer is a visible change here too.
 *
 * Pure (no `node:` imports): the Workers tests run the same checks in workerd.
 *
 * What counts as harmless:
 * - every `<` in the source starts an allowlisted start or end tag: no comment, doctype, processing
 *   instruction or CDATA section, and no tag-like text the parser might read differently from a browser;
 * - elements are on ALLOWED_ELEMENTS only (so no script, style, iframe, object, embed, svg, math, form,
 *   input, meta, base, link, template, noscript, xmp, details…), and are named in DANGEROUS_ELEMENTS' error
 *   message when they are among the well-known vectors;
 * - attributes are on the element's allowlist only; in particular no `on*` handler, `style`, `srcset`,
 *   `srcdoc`, `formaction`, `action`, `target`…;
 * - URLs (`href`, `src`) are relative or use an allowed scheme: http, https, mailto for links, http and https
 *   for images. `javascript:`, `vbscript:` and `data:` are refused everywhere — data: images too (the
 *   sanitizer drops them: they can carry SVG and they are a tracking/size hazard in syndicated copy);
 * - no URL has a `javascript:` or `vbscript:` scheme, even with whitespace or control characters spliced in
 *   (as browsers strip them), and no style holds them or a CSS `expression(` (styles are refused anyway);
 * - links carry `rel="noopener noreferrer"`; images that are 1×1 (or smaller) tracking pixels are gone.
 */
import { Parser } from 'htmlparser2';

/** Elements republished HTML may contain. */
export const ALLOWED_ELEMENTS: ReadonlySet<string> = new Set([
  'p', 'br', 'a', 'strong', 'b', 'em', 'i', 'ul', 'ol', 'li', 'blockquote',
  'h2', 'h3', 'h4', 'h5', 'h6', 'figure', 'figcaption', 'img', 'pre', 'code',
  'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td',
]);

/** Attributes each allowed element may carry (none for the others). */
export const ALLOWED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  a: ['href', 'title', 'rel'],
  img: ['src', 'alt', 'width', 'height'],
  th: ['colspan', 'rowspan'],
  td: ['colspan', 'rowspan'],
};

/** Well-known script and navigation vectors, named as such in problems. */
export const DANGEROUS_ELEMENTS: ReadonlySet<string> = new Set([
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'param', 'svg', 'math',
  'form', 'input', 'button', 'textarea', 'select', 'option', 'meta', 'base', 'link', 'template', 'noscript',
  'xmp', 'plaintext', 'noembed', 'noframes', 'details', 'dialog', 'video', 'audio', 'source', 'portal',
  'title', 'head', 'body', 'html', 'marquee', 'isindex', 'keygen', 'image', 'animate', 'set', 'use',
]);

/** Attributes that run script, load content or navigate, named as such in problems. */
export const DANGEROUS_ATTRIBUTES: ReadonlySet<string> = new Set([
  'style', 'srcset', 'srcdoc', 'formaction', 'action', 'target', 'background', 'dynsrc', 'lowsrc', 'poster',
  'data', 'codebase', 'xlink:href', 'xmlns', 'ping', 'http-equiv', 'content', 'autofocus', 'open', 'is',
]);

const URL_ATTRIBUTES = new Set(['href', 'src', 'cite', 'action', 'formaction', 'background', 'poster', 'data', 'xlink:href']);
const LINK_SCHEMES = new Set(['http', 'https', 'mailto']);
const IMAGE_SCHEMES = new Set(['http', 'https']);
const REQUIRED_REL = ['noopener', 'noreferrer'];

/** One element as the parser saw it (names lower-cased, entities decoded). */
export interface ParsedElement {
  name: string;
  attribs: Record<string, string>;
}

/** The elements of an HTML fragment in document order, as htmlparser2 reads it. */
export function parseElements(html: string): ParsedElement[] {
  const elements: ParsedElement[] = [];
  const parser = new Parser(
    { onopentag: (name, attribs) => elements.push({ name, attribs: { ...attribs } }) },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  return elements;
}

/** What a browser makes of a URL attribute before reading its scheme: no controls, spaces or tabs in it. */
function urlScheme(value: string): string | null {
  // eslint-disable-next-line no-control-regex
  const compact = value.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(compact);
  return m ? m[1]!.toLowerCase() : null;
}

/** Script-bearing content in any attribute value, whitespace and controls ignored. */
function scriptInValue(value: string): string | null {
  // eslint-disable-next-line no-control-regex
  const compact = value.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
  if (compact.includes('javascript:')) return 'javascript:';
  if (compact.includes('vbscript:')) return 'vbscript:';
  if (compact.includes('expression(')) return 'CSS expression(';
  return null;
}

function pixels(value: string | undefined): number | null {
  if (value === undefined) return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$/i.exec(value);
  return m ? Number(m[1]) : null;
}

/** Every `<` that does not open an allowlisted start or end tag (comments, doctypes, unknown tags, stray markup). */
function strayMarkup(html: string): string[] {
  const problems: string[] = [];
  const lt = /</g;
  let m: RegExpExecArray | null;
  while ((m = lt.exec(html)) !== null) {
    const tag = /^<\/?([A-Za-z][A-Za-z0-9]*)(?=[\s/>])/.exec(html.slice(m.index, m.index + 40));
    if (!tag || !ALLOWED_ELEMENTS.has(tag[1]!.toLowerCase())) {
      problems.push(`markup that is not an allowed tag: ${JSON.stringify(html.slice(m.index, m.index + 30))}`);
    }
  }
  return problems;
}

/** Every reason `html` is not harmless republished HTML; empty when it is. */
export function htmlSafetyProblems(html: string): string[] {
  const problems = strayMarkup(html);
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (DANGEROUS_ELEMENTS.has(name)) problems.push(`dangerous element <${name}>`);
        else if (!ALLOWED_ELEMENTS.has(name)) problems.push(`element <${name}> is not on the allowlist`);
        const allowed = ALLOWED_ATTRIBUTES[name] ?? [];
        for (const [attr, value] of Object.entries(attribs)) {
          const where = `<${name} ${attr}=${JSON.stringify(value)}>`;
          if (attr.startsWith('on')) problems.push(`event handler attribute ${where}`);
          else if (DANGEROUS_ATTRIBUTES.has(attr)) problems.push(`dangerous attribute ${where}`);
          else if (!allowed.includes(attr)) problems.push(`attribute not on the allowlist ${where}`);
          // Script in a style (a URL is judged by its scheme below: `https://x/?q=javascript:` is harmless, and so
          // is "javascript:" in an alt or title text).
          const script = attr === 'style' ? scriptInValue(value) : null;
          if (script) problems.push(`${script} in ${where}`);
          if (URL_ATTRIBUTES.has(attr)) {
            const scheme = urlScheme(value);
            const schemes = name === 'img' ? IMAGE_SCHEMES : LINK_SCHEMES;
            if (scheme !== null && !schemes.has(scheme)) problems.push(`${scheme}: URL in ${where}`);
          }
        }
        if (name === 'a') {
          const rel = (attribs.rel ?? '').toLowerCase().split(/\s+/);
          if (!REQUIRED_REL.every((r) => rel.includes(r))) problems.push(`link without rel="noopener noreferrer": rel=${JSON.stringify(attribs.rel ?? null)}`);
        }
        if (name === 'img') {
          const w = pixels(attribs.width);
          const h = pixels(attribs.height);
          if (w !== null && h !== null && w <= 1 && h <= 1) problems.push(`tracking pixel <img src=${JSON.stringify(attribs.src ?? '')} ${w}×${h}>`);
        }
      },
      oncomment(data) {
        problems.push(`comment <!--${data.slice(0, 30)}-->`);
      },
      onprocessinginstruction(name) {
        problems.push(`declaration or processing instruction <${name}>`);
      },
      oncdatastart() {
        problems.push('CDATA section');
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  return [...new Set(problems)];
}

/** Throws an error listing every problem when `html` is not harmless; `where` says which output it came from. */
export function assertHtmlSafe(html: string, where = 'HTML'): void {
  const problems = htmlSafetyProblems(html);
  if (problems.length > 0) {
    throw new Error(`${where} is not safe:\n  ${problems.join('\n  ')}\nin: ${JSON.stringify(html.slice(0, 500))}`);
  }
}
