// XML 1.0 `Char`: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// With the `u` flag a well-formed surrogate pair is one code point, so `\p{Cs}` matches only lone halves.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\p{Cs}]/gu;

/**
 * Removes every character XML 1.0 forbids: C0 controls other than tab, LF and CR, U+FFFE, U+FFFF and
 * lone surrogate halves. Everything else, including well-formed astral characters, is kept as is.
 */
export function xmlSafe(s: string): string {
  return s.replace(FORBIDDEN, '');
}
