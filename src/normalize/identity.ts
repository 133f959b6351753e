/**
 * Identity: the stable ninjs `uri` of a story, shared by a "Just Posted" teaser and the full story it
 * announces, and a content fingerprint that recognises one wire story syndicated by several sites.
 */
import { hash64 } from '../util/hash.ts';
import { canonicalLink } from './links.ts';
import { firstSentence, foldWords, words } from './text.ts';

/** What identifies a story upstream. */
export interface StoryIdentity {
  link: string | null;
  guid: string | null;
  headline: string;
}

/**
 * The identity key of a story: its canonical link, else its guid, else its headline. The link comes first
 * because it is what a teaser and its full story share; the text (body, edits) never enters the key.
 */
export function storyKey(identity: StoryIdentity, base?: string | null): string {
  return linkKey(identity.link, base) ?? guidKey(identity.guid) ?? headlineKey(identity.headline);
}

/** The key of a page link (canonical form), or null when the link is unusable. */
export function linkKey(link: string | null | undefined, base?: string | null): string | null {
  const canonical = canonicalLink(link, base);
  return canonical ? `link:${canonical}` : null;
}

/** The key of an upstream guid, or null when blank. */
export function guidKey(guid: string | null | undefined): string | null {
  const id = guid?.trim();
  return id ? `id:${id}` : null;
}

/** The key of a headline: its words folded (case, accents, quotes and punctuation do not matter). */
export function headlineKey(headline: string): string {
  return `headline:${foldWords(headline)}`;
}

/** The stable ninjs `uri` of a story key within a source: `urn:wirefeed:<source>:<hash>`. */
export function itemUri(sourceId: string, key: string): string {
  return `urn:wirefeed:${sourceId}:${hash64(key)}`;
}

/** The `uri` of a picture: from its image file when it has one (shared across stories), else its place in the item. */
export function pictureUri(itemUri: string, index: number, imageHref: string | null): string {
  return imageHref ? `urn:wirefeed:image:${hash64(imageHref)}` : `${itemUri}:picture${index}`;
}

const FINGERPRINT_WORDS = 12;

/**
 * The content fingerprint of a story: its headline and the first words of its first sentence (dateline and
 * site furniture already removed), folded and hashed. The same wire story syndicated by two sites gets the
 * same fingerprint. For a cut-off lede (`truncated`), the possibly cut last word is ignored and null is
 * returned when too few words are left to be sure.
 */
export function fingerprint(headline: string, firstParagraph: string | null, truncated = false): string | null {
  const head = foldWords(headline);
  if (!head || !firstParagraph) return null;
  const sentence = firstSentence(firstParagraph);
  const cutOff = truncated && sentence.length >= firstParagraph.trim().length - 1;
  let ws: string[] = [];
  // Only the first words count: folded up to a space, a sentence's start gives its first folded words.
  const lead = cutOff ? sentence : beforeSpace(sentence, FINGERPRINT_WORDS);
  if (lead !== sentence) ws = words(foldWords(lead));
  if (ws.length < FINGERPRINT_WORDS) ws = words(foldWords(sentence));
  if (cutOff) {
    ws = ws.slice(0, -1);
    if (ws.length < FINGERPRINT_WORDS) return null;
  }
  if (ws.length === 0) return null;
  return `fp1:${hash64(`${head}\n${ws.slice(0, FINGERPRINT_WORDS).join(' ')}`)}`;
}

/** The text before its `n`th space (U+0020); the text itself when it has fewer. */
function beforeSpace(text: string, n: number): string {
  let k = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0x20 && ++k === n) return text.slice(0, i);
  return text;
}
