import { decodeHTML } from 'entities';

const BLOCK_TAGS = /<\/?(?:p|div|br|li|ul|ol|h[1-6]|blockquote|figure|figcaption|section|article|tr|table|pre)\b[^>]*>/gi;

/** Plain text of an HTML fragment on one line: tags dropped, entities decoded, white space collapsed. */
export function htmlToText(html: string): string {
  return decodeHTML(html.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

/** Plain text of an HTML fragment keeping block boundaries as line breaks (one block per line). */
export function htmlToLines(html: string): string[] {
  return decodeHTML(
    html
      .replace(/<!--[\s\S]*?-->/g, '')
      .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '')
      .replace(BLOCK_TAGS, '\n')
      .replace(/<[^>]*>/g, ''),
  )
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line.length > 0);
}
