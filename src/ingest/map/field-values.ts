import type { RawEntry } from '../../model.ts';
import { collapse } from '../../util/html-text.ts';

/** Trimmed text, `null` when empty. */
export function clean(s: string | null | undefined): string | null {
  const t = s?.trim();
  return t ? t : null;
}

/** A person's name out of `email (Name)`, `Name <email>`, `Name (email)`, or the string itself. */
export function personName(s: string): string | null {
  const t = collapse(s);
  if (t === '') return null;
  if (t.length > 500) return t; // Not a name; not worth the regexes either.
  const m =
    /^\S+@\S+\s*\((.+)\)$/.exec(t) ?? /^(.+?)\s*<[^<>\s]+@[^<>\s]+>$/.exec(t) ?? /^(.+?)\s*\([^()\s]+@[^()\s]+\)$/.exec(t);
  return clean(m ? m[1]!.replace(/^"(.*)"$/, '$1') : t);
}

/** Joins names with ", ", dropping empties and repeats; `null` when none. */
export function joinNames(names: Array<string | null>): string | null {
  if (names.length === 0) return null;
  if (names.length === 1) return names[0]!;
  const unique = [...new Set(names.filter((n): n is string => n !== null))];
  return unique.length ? unique.join(', ') : null;
}

/** Whitespace-collapsed values, dropping empties and repeats. */
export function uniqueStrings(values: Array<string | null>): string[] {
  const out: string[] = [];
  if (values.length === 0) return out;
  const seen = new Set<string>();
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    const c = v === null ? '' : collapse(v as string);
    if (c === '' || seen.has(c)) continue;
    seen.add(c);
    out.push(c);
  }
  return out;
}

/** A positive whole number (a byte length, a pixel size), `null` otherwise. */
export function parseLength(s: string | undefined): number | null {
  const t = s?.trim() ?? '';
  if (!/^\d{1,15}$/.test(t)) return null;
  const n = Number(t);
  return n > 0 ? n : null;
}

/** Whether an entry carries nothing at all (it is dropped). */
export function emptyEntry(e: RawEntry): boolean {
  return (
    e.id === null && e.title === null && e.link === null && e.published === null && e.updated === null &&
    e.author === null && e.categories.length === 0 && e.summary === null && e.content === null &&
    e.enclosures.length === 0 && e.media.length === 0
  );
}
