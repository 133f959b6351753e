/**
 * Pictures gathered from where upstreams put them: caption lines and figures in the text (an image, bare
 * credit lines and a caption in a row make one picture), `media:content` and image enclosures.
 */
import type { RawEntry } from '../model.ts';
import { htmlToText } from '../util/html-text.ts';
import { StringMemo } from '../util/string-memo.ts';
import type { ImageRef, TextBlock } from './blocks.ts';
import { resolvedPath, resolveHttpUrl } from './links.ts';
import type { CompiledRules } from './matchers.ts';
import { cleanCreditOnly, mayEndWithCredit, mergeCredits, parseCredit, splitCaption, splitCleanCaption, type PhotoCredit, type Picture, type PictureImage } from './photo.ts';
import { namesOf } from './byline.ts';
import { fold } from './text.ts';

/** What a block is, for picture gathering. */
export type BlockKind =
  | { kind: 'image' }
  | { kind: 'credit'; credit: PhotoCredit }
  | { kind: 'caption'; caption: string; credit: PhotoCredit | null }
  | { kind: 'text' };

const IMAGE: BlockKind = Object.freeze({ kind: 'image' });
const TEXT: BlockKind = Object.freeze({ kind: 'text' });

/** Classifies a block: an image, a bare credit line, a caption (credit at its end, or a figcaption), or text. */
export function classifyBlock(block: TextBlock, rules: CompiledRules): BlockKind {
  if (!block.text) return IMAGE;
  // A block's text is already clean. Most blocks are paragraphs with no word a credit needs at their end:
  // neither a credit line nor a caption then.
  if (!block.figcaption && !mayEndWithCredit(block.text)) return TEXT;
  const credit = cleanCreditOnly(block.text, rules);
  if (credit) return { kind: 'credit', credit };
  const split = splitCleanCaption(block.text, rules);
  if (split.credit || block.figcaption) return { kind: 'caption', caption: split.caption, credit: split.credit };
  return TEXT;
}

/** A picture in the making while its blocks are read. */
class PictureBuilder {
  caption: string | null = null;
  credit: PhotoCredit | null = null;
  images: PictureImage[] = [];
  hasCaption = false;

  get empty(): boolean {
    return !this.caption && !this.credit && this.images.length === 0;
  }

  build(): Picture {
    return { caption: this.caption || null, credit: this.credit, images: this.images };
  }
}

/** Ends the picture in the making (kept when it has anything) and gives the builder to go on with. */
function flushPicture(current: PictureBuilder, pictures: Picture[]): PictureBuilder {
  if (current.empty) return current.hasCaption ? new PictureBuilder() : current;
  pictures.push(current.build());
  return new PictureBuilder();
}

/**
 * Splits blocks into pictures and the other blocks. Within a run of picture blocks, an image, bare credits
 * and one caption form a picture; a new image or caption after a caption starts the next one.
 */
export function collectPictures(
  blocks: TextBlock[],
  rules: CompiledRules,
  base: string | null,
): { pictures: Picture[]; rest: TextBlock[] } {
  const pictures: Picture[] = [];
  const rest: TextBlock[] = [];
  let current = new PictureBuilder();
  for (const block of blocks) {
    const tracker = block.image !== null && isTrackingImage(block.image, rules, base);
    // A tracking pixel is no picture: alone it is dropped, beside a caption the caption stays.
    if (tracker && !block.text) continue;
    const what = classifyBlock(block, rules);
    if (what.kind === 'text') {
      current = flushPicture(current, pictures);
      rest.push(block);
      continue;
    }
    const image = block.image && !tracker ? imageOf(block.image, base) : null;
    if (what.kind === 'image') {
      if (current.hasCaption || current.images.length > 0) current = flushPicture(current, pictures);
    } else if (what.kind === 'credit') {
      // A credit after a captioned picture that already has one starts the next picture ("File photo" above its caption).
      if (current.hasCaption && current.credit) current = flushPicture(current, pictures);
      current.credit = mergeCredits(current.credit, what.credit);
    } else {
      if (current.hasCaption) current = flushPicture(current, pictures);
      current.hasCaption = true;
      current.caption = what.caption;
      current.credit = mergeCredits(current.credit, what.credit);
    }
    if (image && !current.images.some((i) => i.href === image.href)) current.images.push(image);
  }
  flushPicture(current, pictures);
  return { pictures: pictures.length > 0 ? dedupePictures(pictures) : pictures, rest };
}

/**
 * True for an image that is a tracking pixel or an ad server's: 1×1 by its declared size, or an address
 * the rules name (`trackingImages`: wp.com stats, Feedburner flare, ad servers, counter scripts).
 */
export function isTrackingImage(ref: { src: string; width: number | null; height: number | null }, rules: CompiledRules, base: string | null): boolean {
  const w = ref.width;
  const h = ref.height;
  if ((w !== null && w <= 1 && (h === null || h <= 1)) || (h !== null && h <= 1 && w === null)) return true;
  const href = resolveHttpUrl(ref.src, base) ?? ref.src;
  return rules.isTrackingImage(href);
}

// Size and crop markers publishing systems put into one photo's file names: "-300x200", "-super-169", "_large".
const SIZE_SUFFIX =
  /(?:[-_](?:\d{2,5}x\d{2,5}|(?:x|xx|xxx)?(?:small|large)|medium|mini|thumb(?:nail)?|full|super|exlarge|horizontal|vertical|square|hero|overlay|story|gallery|wide|tease|card)(?:[-_]\d{1,4}(?:x\d{1,4})?)?)+(?=\.[a-z0-9]{2,5}$)/i;

/**
 * What makes two image addresses the same photo: host without "www.", path without size/crop markers, and
 * no query (width, quality and signature parameters) when the path names an image file. An image proxy
 * (`/api/image?url=…`) names the photo in its query, so there the query stays.
 */
export function photoKey(href: string): string {
  const hit = photoKeyMemo.get(href);
  return hit !== undefined ? hit : photoKeyMemo.set(href, photoKeyOf(href));
}

// Pictures are compared pairwise by their images' keys, and the same images come back in the next poll.
const photoKeyMemo = new StringMemo<string>(1 << 18);

function photoKeyOf(href: string): string {
  try {
    const u = new URL(href);
    const path = decodeURIComponent(u.pathname).replace(SIZE_SUFFIX, '').replace(/\/+$/, '');
    const query = /\.[a-z0-9]{2,5}$/i.test(path) ? '' : u.search;
    return `${u.hostname.toLowerCase().replace(/^www\./, '')}${path.toLowerCase()}${query}`;
  } catch {
    return href;
  }
}

/** One picture per photo: a picture whose images are all crops or sizes of an earlier one's joins it. */
export function dedupePictures(pictures: Picture[]): Picture[] {
  if (pictures.length < 2) return pictures;
  const out: Picture[] = [];
  for (const p of pictures) {
    const keys = new Set(p.images.map((i) => photoKey(i.href)));
    const same =
      keys.size > 0 ? out.find((o) => o.images.some((i) => keys.has(photoKey(i.href))) && (!p.caption || !o.caption || fold(p.caption) === fold(o.caption))) : undefined;
    if (!same) {
      out.push(p);
      continue;
    }
    same.caption ??= p.caption;
    same.credit ??= p.credit;
    for (const image of p.images) if (!same.images.some((i) => i.href === image.href)) same.images.push(image);
  }
  return out;
}

/** Pictures the entry attaches as media (`media:content`, `media:thumbnail`) or image enclosures. */
export function mediaPictures(entry: RawEntry, rules: CompiledRules, base: string | null): Picture[] {
  const pictures: Picture[] = [];
  const seen = new Set<string>();
  for (const m of entry.media) {
    if (m.medium && m.medium !== 'image') continue;
    if (!m.medium && m.type && !m.type.startsWith('image/')) continue;
    const href = resolveHttpUrl(m.url, base);
    if (!href || seen.has(href) || isTrackingImage({ src: href, width: whole(m.width), height: whole(m.height) }, rules, base)) continue;
    seen.add(href);
    const text = htmlToText(m.description ?? m.title ?? '');
    const split = text ? splitCaption(text, rules) : { caption: '', credit: null };
    const credit = mergeCredits(split.credit, m.credit ? mediaCredit(m.credit, rules) : null);
    pictures.push({
      caption: split.caption || null,
      credit,
      images: [{ href, contentType: m.type, width: whole(m.width), height: whole(m.height), rendition: 'original' }],
    });
  }
  for (const e of entry.enclosures) {
    if (!e.type?.startsWith('image/')) continue;
    const href = resolveHttpUrl(e.url, base);
    if (!href || seen.has(href) || rules.isTrackingImage(href)) continue;
    seen.add(href);
    pictures.push({ caption: null, credit: null, images: [{ href, contentType: e.type, width: null, height: null, rendition: 'original' }] });
  }
  return pictures;
}

/**
 * Pictures from the text first (the story's own order), completed by the media the feed attaches: a media
 * file joins the text picture with the same image or caption, or the first one shown without an image.
 */
export function mergePictures(fromText: Picture[], fromMedia: Picture[]): Picture[] {
  const out = fromText.map((p) => ({ ...p, images: [...p.images] }));
  for (const media of fromMedia) {
    const keys = new Set(media.images.map((i) => photoKey(i.href)));
    const sameImage = out.find((p) => p.images.some((i) => keys.has(photoKey(i.href))));
    const sameCaption = media.caption ? out.find((p) => p.caption && fold(p.caption) === fold(media.caption!)) : undefined;
    const target = sameImage ?? sameCaption ?? (!media.caption ? out.find((p) => p.images.length === 0) : undefined);
    if (!target) {
      out.push(media);
      continue;
    }
    target.caption ??= media.caption;
    target.credit ??= media.credit;
    for (const image of media.images) if (!target.images.some((i) => i.href === image.href)) target.images.push(image);
  }
  return dedupePictures(out);
}

/** An `<img>` as a picture image (absolute http(s) only). */
export function imageOf(ref: ImageRef, base: string | null): PictureImage | null {
  const href = resolveHttpUrl(ref.src, base);
  if (!href) return null;
  return { href, contentType: imageType(href), width: ref.width, height: ref.height, rendition: 'web' };
}

function mediaCredit(text: string, rules: CompiledRules): PhotoCredit {
  const parsed = parseCredit(text, rules, { bracketed: true });
  if (parsed) return parsed;
  const person = namesOf(text);
  return { text: text.trim(), photographer: person, organisation: null, file: false };
}

function whole(n: number | null): number | null {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
}

const IMAGE_TYPES: Record<string, string> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', avif: 'image/avif', svg: 'image/svg+xml',
};

// `href` is resolved (imageOf): its path is read off the string.
function imageType(href: string): string | null {
  const ext = /\.([a-z0-9]+)$/i.exec(resolvedPath(href))?.[1]?.toLowerCase();
  return ext ? (IMAGE_TYPES[ext] ?? null) : null;
}
