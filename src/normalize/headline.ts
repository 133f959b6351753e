/**
 * Headlines: the item title cleaned (markup, site suffixes such as "| Red Deer Advocate" and labels such as
 * "Updated:" removed), and the copies of it a site repeats at the top of the body dropped.
 */
import { htmlToText } from '../util/html-text.ts';
import type { TextBlock } from './blocks.ts';
import type { CompiledRules } from './matchers.ts';
import { cleanText, endsLikeSentence, fold, words } from './text.ts';

/** The title cleaned: plain text, one line, without the site's suffixes and labels. '' when none is left. */
export function cleanHeadline(title: string | null | undefined, rules: CompiledRules): string {
  if (!title) return '';
  const text = cleanText(hasMarkup(title) ? htmlToText(title) : title);
  return rules.stripHeadlineAffixes(text);
}

/** True when a block repeats the headline (compared folded, so quotes and case do not matter). */
export function isHeadlineCopy(text: string, headline: string, rules: CompiledRules): boolean {
  if (!headline) return false;
  return isCopy(cleanHeadline(text, rules), headline, rules);
}

/** {@link cleanHeadline} of a block's text, which is already clean (only markup or entities in it need work). */
export function cleanBlockHeadline(text: string, rules: CompiledRules): string {
  return rules.stripHeadlineAffixes(hasMarkup(text) ? cleanText(htmlToText(text)) : text);
}

/** `/[<&]/.test(text)`: two one-character searches are cheaper than a class regex's scan of a paragraph. */
function hasMarkup(text: string): boolean {
  return text.includes('<') || text.includes('&');
}

/** {@link isHeadlineCopy} of a block's text. */
function isBlockHeadlineCopy(text: string, headline: string, rules: CompiledRules): boolean {
  if (!headline) return false;
  return isCopy(cleanBlockHeadline(text, rules), headline, rules);
}

function isCopy(line: string, headline: string, rules: CompiledRules): boolean {
  if (!headline) return false;
  const folded = fold(headline);
  // Most lines compared are paragraphs far longer than the headline: counted, they need not be folded.
  if (asciiNonSpaceOver(line, asciiNonSpaceCount(folded))) return false;
  return fold(line) === folded;
}

/** Blocks without the copies of the headline at their top (the seed's site repeats it twice). */
export function dropHeadlineCopies(blocks: TextBlock[], headline: string, rules: CompiledRules): TextBlock[] {
  let i = 0;
  while (i < blocks.length && isBlockHeadlineCopy(blocks[i]!.text, headline, rules)) i++;
  return i === 0 ? blocks : blocks.slice(i);
}

/**
 * A headline for an entry without a title: the first block when it reads like one (short, no sentence
 * punctuation) — preferably repeated right below, as sites print it twice — else null.
 */
export function inferHeadline(blocks: TextBlock[], rules: CompiledRules): string | null {
  const first = blocks[0];
  if (!first?.text) return null;
  const text = cleanHeadline(first.text, rules);
  const repeated = blocks[1] !== undefined && fold(blocks[1].text) === fold(first.text);
  const looksLikeOne = (first.heading || words(text).length <= 20) && !endsLikeSentence(text.replace(/[?!]$/, ''));
  return repeated || looksLikeOne ? text : null;
}

/**
 * True when `text` holds more than `limit` ASCII characters other than white space. `fold` keeps each of them
 * as one such character (it only lowers its case, or turns a backtick into a quote), so such a text cannot fold
 * to a string with `limit` of them.
 */
function asciiNonSpaceOver(text: string, limit: number): boolean {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (isAsciiNonSpace(text.charCodeAt(i)) && ++n > limit) return true;
  return false;
}

function asciiNonSpaceCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (isAsciiNonSpace(text.charCodeAt(i))) n++;
  return n;
}

function isAsciiNonSpace(c: number): boolean {
  return c < 0x80 && c !== 0x20 && (c < 0x09 || c > 0x0d);
}
