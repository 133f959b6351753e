import { ParseError } from '../../errors.ts';
import { HTML_ENTITIES } from '../../util/html-entities.ts';
import { table } from '../../util/lookup-table.ts';
import { xmlSafe } from '../../util/xml-safe.ts';

/** The five entities XML predefines. */
export const XML_ENTITIES = table<string>({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" });

/** windows-1252 meaning of 0x80–0x9F, for C1 controls and `&#128;`–`&#159;` ("demoronize"). */
const CP1252_C1: Record<number, number> = {
  0x80: 0x20ac, 0x82: 0x201a, 0x83: 0x0192, 0x84: 0x201e, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021,
  0x88: 0x02c6, 0x89: 0x2030, 0x8a: 0x0160, 0x8b: 0x2039, 0x8c: 0x0152, 0x8e: 0x017d, 0x91: 0x2018,
  0x92: 0x2019, 0x93: 0x201c, 0x94: 0x201d, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02dc,
  0x99: 0x2122, 0x9a: 0x0161, 0x9b: 0x203a, 0x9c: 0x0153, 0x9e: 0x017e, 0x9f: 0x0178,
};

/** The character for a code point, or '' when XML 1.0 forbids it. C1 code points are read as windows-1252. */
function charFor(cp: number): string {
  if (cp >= 0x80 && cp <= 0x9f) {
    const mapped = CP1252_C1[cp];
    return mapped === undefined ? '' : String.fromCodePoint(mapped);
  }
  const legal =
    cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff);
  return legal ? String.fromCodePoint(cp) : '';
}

/** Anything `cleanChars` may change (surrogates too, paired or not): one scan without the `u` flag. */
const MAYBE_UNCLEAN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u0080-\u009F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Removes what XML 1.0 forbids (C0 controls but tab/LF/CR, U+FFFE/FFFF, lone surrogates); maps C1 as cp1252. */
export function cleanChars(s: string): string {
  if (!MAYBE_UNCLEAN.test(s)) return s;
  return xmlSafe(s).replace(/[\u0080-\u009F]/g, (c) => charFor(c.charCodeAt(0)));
}

/** Expansion budget shared by one document's internal entities. */
export interface EntityContext {
  declared: Map<string, string>;
  budget: number;
}

/**
 * Decodes character and entity references in text or an attribute value. Numeric references to
 * forbidden characters vanish; unknown names (and a bare `&`) are kept literally.
 */
export function decodeRefs(s: string, ctx: EntityContext | null): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(?:#(\d{1,8});?|#[xX]([0-9a-fA-F]{1,7});?|([A-Za-z][A-Za-z0-9._-]{0,63});)/g, (whole, dec?: string, hex?: string, name?: string) => {
    if (dec !== undefined) return charFor(parseInt(dec, 10));
    if (hex !== undefined) return charFor(parseInt(hex, 16));
    const n = name!;
    const xml = XML_ENTITIES[n];
    if (xml !== undefined) return xml;
    const declared = ctx?.declared.get(n);
    if (declared !== undefined && ctx) {
      ctx.budget -= declared.length;
      if (ctx.budget < 0) {
        throw new ParseError('refusing the document: its DTD entities expand past 1 MiB (an entity-expansion attack?)');
      }
      return declared;
    }
    const cp = HTML_ENTITIES.get(n);
    return cp === undefined ? whole : String.fromCodePoint(cp);
  });
}

/** Decodes HTML character references (named and numeric) for text extraction. */
export function decodeHtmlEntities(s: string): string {
  return decodeRefs(s, null);
}
