import type { RawEntry } from '../model.ts';
import { hash64 } from '../util/hash.ts';

/**
 * The upstream identity of an entry: its guid, else its link, else a hash of its title and date.
 * Stable across polls as long as the upstream keeps its guid (or link).
 */
export function entryKey(entry: RawEntry): string {
  const id = entry.id?.trim();
  if (id) return `id:${id}`;
  const link = entry.link?.trim();
  if (link) return `link:${link}`;
  return `hash:${hash64(`${entry.title ?? ''}\u0000${entry.published ?? entry.updated ?? ''}`)}`;
}

/** The stable ninjs `uri` of an entry of a source: never changes when the story's text is edited. */
export function itemUri(sourceId: string, key: string): string {
  return `urn:wirefeed:${sourceId}:${hash64(key)}`;
}
