import type { NewsItem, NinjsAssociation, NinjsText } from '../model.ts';
import { sanitizeHtml } from './sanitize.ts';
import { xmlSafe } from '../util/xml-safe.ts';

/** The `Content-Type` of a ninjs document (a JSON array of ninjs 3.1 items). */
export const NINJS_CONTENT_TYPE = 'application/json; charset=utf-8';

/** True for a text block a consumer renders as HTML (`text/html`, `text/html; charset=…`, `application/xhtml+xml`…). */
function isHtml(t: NinjsText): boolean {
  return /html/i.test(t.contentType ?? '');
}

function cleanTexts(texts: NinjsText[] | undefined, base: string | undefined): NinjsText[] | undefined {
  return texts?.map((t) => (isHtml(t) ? { ...t, value: sanitizeHtml(t.value ?? '', base) } : t));
}

/**
 * Renders items as a ninjs 3.1 JSON array. Every HTML text block (headlines, descriptions, bodies, and those
 * of associations) is sanitized like every other output, and characters that no JSON consumer wants (C0
 * controls, lone surrogates) are dropped.
 */
export function renderNinjs(items: NewsItem[]): { body: string; contentType: string } {
  const clean = items.map((item) => {
    // A kill notice carries no copy of the killed story.
    if (item.pubStatus === 'canceled') {
      const { bodies: _b, associations: _a, descriptions: _d, ...rest } = item;
      return { ...rest, headlines: cleanTexts(item.headlines, undefined) ?? item.headlines, descriptions: [{ role: 'summary', contentType: 'text/plain', value: 'This story has been killed: do not publish it, and remove it wherever it was published.' }] };
    }
    const base = item.renditions?.find((r) => r.name === 'web')?.href;
    const copy: NewsItem = { ...item, headlines: cleanTexts(item.headlines, base) ?? item.headlines };
    if (item.descriptions) copy.descriptions = cleanTexts(item.descriptions, base);
    if (item.bodies) copy.bodies = cleanTexts(item.bodies, base);
    if (item.associations) {
      copy.associations = item.associations.map((a): NinjsAssociation => {
        const assoc: NinjsAssociation = { ...a };
        if (a.headlines) assoc.headlines = cleanTexts(a.headlines, base);
        if (a.descriptions) assoc.descriptions = cleanTexts(a.descriptions, base);
        return assoc;
      });
    }
    return copy;
  });
  return { body: JSON.stringify(clean, (_key, value: unknown) => (typeof value === 'string' ? xmlSafe(value) : value), 2), contentType: NINJS_CONTENT_TYPE };
}
