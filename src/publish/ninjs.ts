import type { NewsItem } from '../model.ts';
import { sanitizeHtml } from './sanitize.ts';
import { xmlSafe } from './xml-safe.ts';

/** The `Content-Type` of a ninjs document (a JSON array of ninjs 3.1 items). */
export const NINJS_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Renders items as a ninjs 3.1 JSON array. HTML bodies are sanitized like every other output, and
 * characters that no JSON consumer wants (C0 controls, lone surrogates) are dropped.
 */
export function renderNinjs(items: NewsItem[]): { body: string; contentType: string } {
  const clean = items.map((item) => {
    const copy: NewsItem = { ...item };
    if (item.bodies) {
      const base = item.renditions?.find((r) => r.name === 'web')?.href;
      copy.bodies = item.bodies.map((b) => (b.contentType === 'text/html' ? { ...b, value: sanitizeHtml(b.value, base) } : b));
    }
    return copy;
  });
  return { body: JSON.stringify(clean, (_key, value: unknown) => (typeof value === 'string' ? xmlSafe(value) : value), 2), contentType: NINJS_CONTENT_TYPE };
}
