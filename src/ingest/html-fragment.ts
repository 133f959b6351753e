import { decodeHtmlEntities } from './xml/chars.ts';

/** Escapes text for HTML element content. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes text for a double-quoted HTML attribute value. */
export function escapeAttr(s: string): string {
  return escapeHtml(s).replace(/"/g, '&quot;');
}

/**
 * Walks the tags, comments and declarations of an HTML fragment the way an HTML tokenizer delimits them:
 * quoted attribute values may hold '>', an unquoted one may hold quotes, a '<' that starts no tag is
 * text, and a tag still open at the end swallows the rest (so the walk is linear, never re-scanning).
 * `onTag` gets each markup token and returns its replacement.
 */
export function mapMarkup(html: string, onTag: (token: string, isTag: boolean) => string): string {
  const out: string[] = [];
  const n = html.length;
  let i = 0;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      out.push(html.slice(i));
      break;
    }
    out.push(html.slice(i, lt));
    const next = html[lt + 1] ?? '';
    let end = -1;
    let isTag = false;
    if (html.startsWith('<!--', lt)) {
      end = html.indexOf('-->', lt + 4);
      end = end === -1 ? n : end + 3;
    } else if (next === '!' || next === '?') {
      end = html.indexOf('>', lt + 2);
      end = end === -1 ? n : end + 1;
    } else if (/[A-Za-z]/.test(next) || (next === '/' && /[A-Za-z]/.test(html[lt + 2] ?? ''))) {
      end = tagEnd(html, lt + 1);
      isTag = true;
    }
    if (end === -1) {
      out.push('<');
      i = lt + 1;
    } else {
      out.push(onTag(html.slice(lt, end), isTag));
      i = end;
    }
  }
  return out.join('');
}

/** Removes tags, comments and declarations from HTML (each leaves a space). */
function stripTags(html: string): string {
  return mapMarkup(html, () => ' ');
}

function isHtmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

/** Index after the '>' closing the tag whose name starts at `start`; the end of input when it never closes. */
function tagEnd(html: string, start: number): number {
  const n = html.length;
  let i = start;
  const SLASH = 0x2f;
  const GT = 0x3e;
  const EQ = 0x3d;
  while (i < n) {
    const c = html.charCodeAt(i); // The tag name.
    if (isHtmlSpace(c) || c === SLASH || c === GT) break;
    i++;
  }
  while (i < n) {
    const c = html.charCodeAt(i);
    if (c === GT) return i + 1;
    if (isHtmlSpace(c) || c === SLASH) {
      i++;
      continue;
    }
    while (i < n) {
      const d = html.charCodeAt(i); // An attribute name.
      if (isHtmlSpace(d) || d === SLASH || d === GT || d === EQ) break;
      i++;
    }
    while (i < n && isHtmlSpace(html.charCodeAt(i))) i++;
    if (html.charCodeAt(i) !== EQ) continue;
    i++;
    while (i < n && isHtmlSpace(html.charCodeAt(i))) i++;
    const q = html[i];
    if (q === '"' || q === "'") {
      const close = html.indexOf(q, i + 1);
      if (close === -1) return n;
      i = close + 1;
    } else {
      while (i < n) {
        const d = html.charCodeAt(i); // An unquoted value (quotes allowed in it).
        if (isHtmlSpace(d) || d === GT) break;
        i++;
      }
    }
  }
  return n;
}

/**
 * Plain text of an HTML fragment: tags dropped, references decoded, whitespace collapsed. Not the same as
 * `util/html-text.ts`: tags end where an HTML tokenizer ends them, only HTML 4 names with their `;` are
 * decoded, and U+00A0 is kept.
 */
export function htmlToText(html: string): string {
  return collapse(decodeHtmlEntities(stripTags(html)));
}

/** Collapses runs of ASCII whitespace (not U+00A0 and friends, which HTML does not collapse either). */
export function collapse(s: string): string {
  return s.replace(/[ \t\n\r\f]+/g, ' ').trim();
}
