import { ParseError } from '../../errors.ts';
import { charForCodePoint as charFor, HTML_ENTITIES } from '../../util/html-entities.ts';
import { table } from '../../util/lookup-table.ts';
import { xmlSafe } from '../../util/xml-safe.ts';

/** The five entities XML predefines. */
export const XML_ENTITIES = table<string>({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" });

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
