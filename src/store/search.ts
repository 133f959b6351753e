/**
 * The `q=` words as a query of the trigram index `items_search` (migration 0010): each word of three or more
 * characters as all of its trigrams (the index keeps no positions, so a word is the AND of its trigrams).
 * The index narrows a listing to candidates; the feed filter's own word test decides, so words the index
 * cannot answer (one or two characters; characters stored escaped in the body's HTML or the summaries' JSON)
 * are left to that test.
 */

/** At most this many candidates are listed from the index; a word more common than that is left to the scan. */
export const SEARCH_CANDIDATES = 2000;

// Escaped in the stored text (HTML: & < > "; JSON: " \ and control characters): the index holds the escape.
const UNINDEXABLE = /[&<>"\\\p{Cc}]/u;

/** The FTS5 MATCH expression for `words` (all must occur), or null when none of them can be looked up. */
export function searchMatch(words: readonly string[] | undefined): string | null {
  const grams = new Set<string>();
  for (const word of words ?? []) {
    const chars = Array.from(word);
    if (chars.length < 3 || UNINDEXABLE.test(word)) continue;
    for (let i = 0; i + 3 <= chars.length; i++) grams.add(chars.slice(i, i + 3).join(''));
  }
  // Each trigram quoted: FTS5 syntax characters (*, :, ^, parentheses) are then plain text.
  return grams.size ? [...grams].map((g) => `"${g}"`).join(' ') : null;
}
