import { clean } from './field-values.ts';
import { decodeEntities, escapeHtml, mapMarkup } from '../../util/html-text.ts';

/** Resolves `ref` against `base`; keeps `ref` when there is no usable base. */
export function resolveAgainst(ref: string, base: string | null): string {
  if (!base) return ref;
  try {
    return new URL(ref, base).href;
  } catch {
    return ref;
  }
}

/** Whether a URL runs or reads something locally (`javascript:`, `vbscript:`, `data:`, `file:`), blanks and controls ignored. */
function isDangerous(u: string): boolean {
  return /^(?:javascript|vbscript|data|file):/i.test(u.replace(/[\u0000-\u0020\u007F]+/g, ''));
}

/** Resolves a link; `null` for empty and dangerous (`javascript:`, `vbscript:`, `data:`, `file:`) URLs. */
export function cleanUrl(raw: string | null | undefined, base: string | null): string | null {
  const s = clean(raw);
  if (s === null) return null;
  if (isDangerous(s)) return null;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s)) return s;
  const resolved = resolveAgainst(s, base);
  return isDangerous(resolved) ? null : resolved;
}

/** The base for a feed's relative URLs: its own link when that is http(s), else the document's URL. */
export function feedBase(link: string | null, url: string | null): string | null {
  return link && /^https?:/i.test(link) ? link : url;
}

const URL_ATTRIBUTE = /(\s)(href|src)(\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;

/** Resolves relative `href` and `src` values of an HTML fragment against `base`. */
export function absolutizeHtml(html: string | null, base: string | null): string | null {
  if (html === null || base === null || !/(?:href|src)\s*=/i.test(html)) return html;
  return mapMarkup(html, (token, isTag) => {
    if (!isTag || !/href|src/i.test(token)) return token;
    return token.replace(URL_ATTRIBUTE, (whole, space: string, name: string, eq: string, dq?: string, sq?: string, uq?: string) => {
      const raw = decodeEntities(dq ?? sq ?? uq ?? '', { attribute: true }).trim();
      if (raw === '' || raw.startsWith('#') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(raw)) return whole;
      const resolved = resolveAgainst(raw, base);
      return resolved === raw ? whole : `${space}${name}${eq}"${escapeHtml(resolved)}"`;
    });
  });
}
