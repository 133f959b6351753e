import { clean } from './field-values.ts';
import { collapse, escapeHtml, htmlToText } from '../../util/html-text.ts';
import type { XNode } from '../xml/tree.ts';
import { nodeAttr, nodeText } from './nodes.ts';
import { cleanChars } from '../xml/chars.ts';

/** Decodes base64 to UTF-8 text; `null` when it is not base64 or not text. */
function decodeBase64Text(s: string): string | null {
  try {
    const binary = atob(s.replace(/\s+/g, ''));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.includes('\u0000') ? null : cleanChars(text);
  } catch {
    return null;
  }
}

/** Whether a text element's value is plain text or HTML. */
export type TextKind = 'text' | 'html';

/** A text element's value, and whether that value is text or HTML. */
export interface TextConstruct {
  value: string;
  kind: TextKind;
}

/**
 * Reads an Atom (or RSS) text element: its value and whether that value is text or HTML. Only Atom says
 * that a non-text media type means base64 (RFC 4287 §4.1.3.3); elsewhere only `mode="base64"` does.
 */
export function textConstruct(node: XNode | undefined, defaultKind: TextKind, atom = false): TextConstruct | null {
  if (node === undefined) return null;
  let value = nodeText(node);
  const type = (nodeAttr(node, 'type') ?? '').trim().toLowerCase();
  const mode = (nodeAttr(node, 'mode') ?? '').trim().toLowerCase();
  let kind: TextKind = defaultKind;
  if (type === 'html' || type === 'text/html' || type === 'xhtml' || type === 'application/xhtml+xml') kind = 'html';
  else if (type === 'text' || type === 'text/plain') kind = 'text';
  else if (type.endsWith('+xml') || type.endsWith('/xml')) kind = 'html';
  const base64 =
    mode === 'base64' ||
    (atom && type !== '' && !type.startsWith('text/') && !type.endsWith('xml') && !['text', 'html', 'xhtml'].includes(type));
  if (base64) {
    const decoded = decodeBase64Text(value);
    if (decoded === null) return null;
    value = decoded;
    // Base64 of a type that is neither text nor HTML is read as HTML, as feedparser does.
    if (!type.startsWith('text/') || type === 'text/html') kind = 'html';
  }
  return clean(value) === null ? null : { value, kind };
}

/** A text construct as plain text. */
export function asText(tc: TextConstruct | null): string | null {
  if (!tc) return null;
  return clean(tc.kind === 'html' ? htmlToText(tc.value) : collapse(tc.value));
}

/** A text construct as HTML (plain text escaped). */
export function asHtml(tc: TextConstruct | null): string | null {
  if (!tc) return null;
  return clean(tc.kind === 'html' ? tc.value : escapeHtml(tc.value));
}
