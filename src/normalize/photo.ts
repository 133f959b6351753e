/**
 * Photos: a caption split from its credit — `(AP Photo/Name)`, `(AP Photo/Name, File)`,
 * `THE CANADIAN PRESS/Name`, `(Photo by NAME/Outlet Staff)`, `(photography by Name/Organisation)`,
 * `(Advocate file photo)`, a bare `File photo`, `REUTERS/Name`, `NAME / AFP` — and the ninjs `picture`
 * association built from them.
 */
import type { NinjsAssociation, NinjsText } from '../model.ts';
import { knownOrganisation, organisationName } from './agency.ts';
import { naturalCase, namesOf } from './byline.ts';
import type { CompiledRules } from './matchers.ts';
import { cleanText, hasMoreWords, trimEndOf, words } from './text.ts';
import { StringMemo } from '../util/string-memo.ts';

/** A photo credit, read. */
export interface PhotoCredit {
  /** The credit as printed, without brackets ("AP Photo/Scott Sonner, File"). */
  text: string;
  /** The photographer in natural case, when the credit names one. */
  photographer: string | null;
  /** The agency or outlet (canonical name when known: "The Associated Press", "Red Deer Advocate"). */
  organisation: string | null;
  /** A file (archive) photo. */
  file: boolean;
}

/** An image file of a picture. */
export interface PictureImage {
  href: string;
  contentType: string | null;
  width: number | null;
  height: number | null;
  /** `web` for an image shown in the page, `original` for a media file the feed attaches. */
  rendition: 'web' | 'original';
}

/** A picture: caption, credit and image files, each when known. */
export interface Picture {
  caption: string | null;
  credit: PhotoCredit | null;
  images: PictureImage[];
}

const CREDIT_WORD = /file|photo|image|picture|submitted|contributed|supplied|handout|courtesy|credit|\//i;

/**
 * False when no credit can be read from a clean text or any part of it: every credit form needs one of the
 * credit words or a slash (`cleanText` of a part of a clean text adds no ASCII letter), so most lines are
 * settled by one scan.
 */
export function mayHoldCredit(clean: string): boolean {
  return CREDIT_WORD.test(clean);
}

// The longest credit `readCredit` reads, and the brackets around it.
const CREDIT_TAIL_CHARS = 140 + 2;

/**
 * False when neither {@link cleanCreditOnly} nor {@link splitCleanCaption} can read a credit from a clean text:
 * the credit either reads ends the text (but for spaces and dots after it, and a closing bracket), is at most
 * 140 characters long and holds a credit word, so only the text's last characters need a scan (a paragraph is
 * mostly longer).
 */
export function mayEndWithCredit(clean: string): boolean {
  let t = trimEndOf(clean, ' .');
  // A bracketed credit is read without the spaces and dots before its closing bracket.
  if (t.endsWith(')')) t = trimEndOf(t.slice(0, -1), ' .');
  return CREDIT_WORD.test(t.length > CREDIT_TAIL_CHARS ? t.slice(t.length - CREDIT_TAIL_CHARS) : t);
}
const PAREN_TAIL = /\s*\(([^()]{2,140})\)[\s.]*$/;

/**
 * A caption split from the credit at its end. `caption` is the text without the credit (the whole text
 * when there is none).
 */
export function splitCaption(text: string, rules: CompiledRules): { caption: string; credit: PhotoCredit | null } {
  return splitCleanCaption(cleanText(text), rules);
}

/** {@link splitCaption} of a text already `cleanText`ed (a block's). */
export function splitCleanCaption(t: string, rules: CompiledRules): { caption: string; credit: PhotoCredit | null } {
  // The bracketed credit ends the caption: most lines cannot have one, and the regex would try every space.
  const paren = trimEndOf(t, ' .').endsWith(')') ? PAREN_TAIL.exec(t) : null;
  if (paren) {
    const credit = parseCredit(paren[1]!, rules, { bracketed: true });
    if (credit) return { caption: t.slice(0, paren.index).trim(), credit };
  }
  for (const { re, needs } of tailPatterns(rules)) {
    if (!needs.test(t)) continue;
    const m = re.exec(t);
    if (!m?.groups?.credit) continue;
    const credit = parseCredit(m.groups.credit, rules, { bracketed: false });
    if (credit) return { caption: t.slice(0, m.index + m[0].indexOf(m.groups.credit)).trim(), credit };
  }
  return { caption: t, credit: null };
}

/** A line that is nothing but a credit ("File photo", "(Advocate file photo)", "THE CANADIAN PRESS/Name"). */
export function creditOnly(text: string, rules: CompiledRules): PhotoCredit | null {
  return cleanCreditOnly(cleanText(text), rules);
}

/** {@link creditOnly} of a text already `cleanText`ed (a block's). */
export function cleanCreditOnly(clean: string, rules: CompiledRules): PhotoCredit | null {
  const t = trimEndOf(clean, ' .');
  if (!t || hasMoreWords(t, 12)) return null;
  const bracketed = /^\((.+)\)$/.exec(t);
  return parseCredit(bracketed ? bracketed[1]! : t, rules, { bracketed: Boolean(bracketed) });
}

/**
 * Reads a credit (without brackets). `bracketed` credits may name organisations the rules do not know;
 * unbracketed ones need a form that cannot be ordinary text. Null when the text is no credit.
 */
export function parseCredit(raw: string, rules: CompiledRules, opts: { bracketed: boolean }): PhotoCredit | null {
  if (raw.length > CREDIT_MEMO_MAX_CHARS) return readCredit(raw, rules, opts.bracketed);
  let memos = creditMemos.get(rules);
  if (!memos) {
    memos = [new StringMemo(CREDIT_MEMO_CHARS), new StringMemo(CREDIT_MEMO_CHARS)];
    creditMemos.set(rules, memos);
  }
  const memo = memos[opts.bracketed ? 1 : 0];
  const hit = memo.get(raw);
  if (hit !== undefined) return hit;
  const credit = readCredit(raw, rules, opts.bracketed);
  memo.set(raw, credit && Object.freeze(credit));
  return credit;
}

// The same photographers and agencies sign many pictures, and each poll brings them again: credits read are
// remembered per rules (unbracketed, bracketed), a bounded number of them, shared frozen.
const creditMemos = new WeakMap<CompiledRules, [StringMemo<PhotoCredit | null>, StringMemo<PhotoCredit | null>]>();
const CREDIT_MEMO_CHARS = 1 << 18;
const CREDIT_MEMO_MAX_CHARS = 256;

function readCredit(raw: string, rules: CompiledRules, bracketed: boolean): PhotoCredit | null {
  // `cleanText` leaves no white space but single spaces: `trimEndOf` is the `/[\s.]+$/` strip.
  const text = trimEndOf(cleanText(raw), ' .');
  // A credit is one short phrase: brackets or a sentence break inside mean this is a caption, not a credit.
  // Every form below needs one of these words or a slash.
  if (!text || text.length > 140 || !CREDIT_WORD.test(text) || /[()]/.test(text) || /[.!?]\s+\p{Lu}/u.test(text.replace(/\b\p{Lu}\.(?=\s)/gu, ''))) return null;
  let body = text;
  let file = false;
  // AP marks archive pictures with a trailing ", File"; pool pictures with ", Pool".
  const tail = /,\s*(File|Pool)$/i.exec(body);
  if (tail) {
    file = /file/i.test(tail[1]!);
    body = body.slice(0, tail.index).trim();
  }

  // "File photo", "Advocate file photo", "File photo/Name"
  const filePhoto = /^(?:(.{1,40}?)\s+)?file\s+(?:photo|image|picture)(?:\s*\/\s*(.+))?$/i.exec(body);
  if (filePhoto) return credit(text, filePhoto[2] ?? null, filePhoto[1] ?? null, true, rules);
  if (/^file$/i.test(body)) return credit(text, null, null, true, rules);

  // "Submitted photo", "Contributed", "Handout"
  if (/^(?:submitted|contributed|supplied|handout)(?:\s+(?:photo|image|picture))?$/i.test(body)) return credit(text, null, null, file, rules);

  // "AP Photo/Name", "Reuters Photo/Name", "AP Photo"
  const agencyPhoto = /^(.{1,40}?)\s+Photos?(?:\s*\/\s*(.+))?$/i.exec(body);
  if (agencyPhoto && (bracketed || knownOrganisation(agencyPhoto[1]!, rules))) {
    return credit(text, agencyPhoto[2] ?? null, agencyPhoto[1]!, file, rules);
  }

  // "Photo by NAME/Outlet Staff", "photography by Name/Organisation", "Photo courtesy of X"
  const photoBy = /^(?:photo|photos|photograph|photography|image|picture)\s+(by|courtesy(?:\s+of)?)\s+(.+)$/i.exec(body);
  if (photoBy) {
    const [who, org] = splitSlash(photoBy[2]!);
    if (org) return credit(text, who, org, file, rules);
    // "Photo courtesy of X" credits whoever supplied it: an organisation as far as we can tell.
    return /^by$/i.test(photoBy[1]!) && namesOf(who) ? credit(text, who, null, file, rules) : credit(text, null, who, file, rules);
  }

  // "Photo: Name/Outlet"
  const labelled = /^(?:photo|image|credit)\s*:\s*(.+)$/i.exec(body);
  if (labelled) return parseCredit(labelled[1]!, rules, { bracketed: true });

  // "Courtesy of X", "Handout by X"
  const courtesy = /^(?:courtesy(?:\s+of)?|handout(?:\s+by)?)\s+(.+)$/i.exec(body);
  if (courtesy) return credit(text, null, courtesy[1]!, file, rules);

  // "THE CANADIAN PRESS/Name", "REUTERS/Name", "NAME / AFP", "Name/AFP via Getty Images"
  const [left, right] = splitSlash(body);
  if (right) {
    const leftOrg = knownOrganisation(left, rules);
    const rightOrg = knownOrganisation(right.replace(/\s+via\s+.+$/i, ''), rules);
    if (leftOrg && words(right).length <= 5) return credit(text, right, left, file, rules);
    if (rightOrg && words(left).length <= 5) return credit(text, left, right.replace(/\s+via\s+.+$/i, ''), file, rules);
    if (bracketed) return namesOf(left) ? credit(text, left, right, file, rules) : credit(text, namesOf(right) ? right : null, left, file, rules);
  }
  return null;
}

/** A credit read: the photographer in natural case, the organisation by its canonical name. */
function credit(text: string, photographer: string | null, organisation: string | null, file: boolean, rules: CompiledRules): PhotoCredit {
  return {
    text,
    photographer: photographer ? naturalCase(photographer) : null,
    organisation: organisation ? organisationName(organisation, rules) : null,
    file,
  };
}

/** Two credits printed for one picture (a bare "File photo" line beside a caption's own credit) as one. */
export function mergeCredits(first: PhotoCredit | null, second: PhotoCredit | null): PhotoCredit | null {
  if (!first) return second;
  if (!second) return first;
  return {
    text: `${first.text}; ${second.text}`,
    photographer: second.photographer ?? first.photographer,
    organisation: second.organisation ?? first.organisation,
    file: first.file || second.file,
  };
}

/** The ninjs association of a picture: caption and credit in `descriptions`, photographer in `by`, agency as source. */
export function pictureAssociation(picture: Picture, name: string, uri: string): NinjsAssociation {
  const assoc: NinjsAssociation = { name, uri, type: 'picture' };
  const descriptions: NinjsText[] = [];
  if (picture.caption) descriptions.push({ role: 'caption', contentType: 'text/plain', value: picture.caption });
  if (picture.credit) descriptions.push({ role: 'credit', contentType: 'text/plain', value: picture.credit.text });
  if (descriptions.length) assoc.descriptions = descriptions;
  const credit = picture.credit;
  if (credit?.photographer) assoc.by = credit.photographer;
  if (credit?.organisation) {
    assoc.copyrightHolder = credit.organisation;
    assoc.infoSources = [{ name: credit.organisation, role: 'originator' }];
  }
  if (credit?.file) assoc.genres = [{ name: 'File photo', literal: 'file' }];
  if (picture.images.length) {
    assoc.renditions = picture.images.map((image) => ({
      name: image.rendition,
      href: image.href,
      ...(image.contentType ? { contentType: image.contentType } : {}),
      ...(image.width ? { width: image.width } : {}),
      ...(image.height ? { height: image.height } : {}),
    }));
  }
  return assoc;
}

function splitSlash(text: string): [string, string | null] {
  const i = text.lastIndexOf('/');
  if (i <= 0 || i === text.length - 1) return [text.trim(), null];
  const left = text.slice(0, i).trim();
  const right = text.slice(i + 1).trim();
  if (!left || !right || left.includes('/') || /^https?:/i.test(text)) return [text.trim(), null];
  return [left, right];
}

// A word of a name in a credit: "CAMILLE", "O'Toole", "Jean-Paul", or an initial "J." (not "Paris.", a sentence end).
const NAME_TOKEN = String.raw`(?:\p{Lu}\.|\p{Lu}[\p{L}'’-]*)`;

const tailCache = new WeakMap<CompiledRules, TailPattern[]>();

/** A tail pattern, and a cheap test the text must pass for the pattern to have any chance (most lines fail it). */
interface TailPattern {
  re: RegExp;
  needs: { test(text: string): boolean };
}
const SLASH = { test: (text: string): boolean => lastSlash(text) >= 0 };

// The tail patterns look at the same line one after the other: its last slash and whether it says "photo", once.
let slashText = '';
let slashAt = -1;
function lastSlash(text: string): number {
  if (text !== slashText) {
    slashText = text;
    slashAt = text.lastIndexOf('/');
  }
  return slashAt;
}

const PHOTO = /photo/iu;
let photoText = '';
let photoSaid = false;
const SAYS_PHOTO = {
  test(text: string): boolean {
    if (text !== photoText) {
      photoText = text;
      photoSaid = PHOTO.test(text);
    }
    return photoSaid;
  },
};
const FILE_PHOTO = /file\s+photo/iu;

/**
 * The text has a last '/' followed by `min`–`max` characters (none of them a bracket, when `noBrackets`): what a
 * credit after a slash needs on a `cleanText` line (single spaces, so `\s*` there is at most one character).
 */
function slashTail(min: number, max: number, noBrackets: boolean): { test(text: string): boolean } {
  return {
    test(text) {
      const k = lastSlash(text);
      if (k < 0) return false;
      const length = text.length - k - 1;
      if (length < min || length > max) return false;
      return !noBrackets || !/[()]/.test(text.slice(k + 1));
    },
  };
}

function isSpace(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c < 0x80 ? c === 0x20 || (c >= 0x09 && c <= 0x0d) : /\s/.test(text[i]!);
}

// An alias's word as compared with ASCII text: lower case, ſ and the Kelvin sign as the letters `iu` matches
// them with; null for a word with other non-ASCII characters (which no ASCII text matches).
function asciiWordKey(word: string): string | null {
  const w = word.replace(/\u017f/g, 's').replace(/\u212a/g, 'k');
  return /^[\x00-\x7f]*$/.test(w) ? w.toLowerCase() : null;
}

const NON_ASCII = /[^\x00-\x7f]/;
const PHOTO_WORD = /^photos?$/i;

/**
 * What "alias, optional `Photo`, optional white space, the last `/`" needs: the last word before the slash (or
 * the one before a `Photo` there) ends with an alias's last word; an alias match ends where a word does, and
 * starts where one does or after a sentence's punctuation. Non-ASCII words always pass.
 */
function aliasBeforeSlash(aliases: string[]): { test(text: string): boolean } {
  const keys = aliases.map((a) => a.trim().split(/\s+/).at(-1) ?? '').map(asciiWordKey);
  if (keys.some((k) => k === '')) return { test: () => true };
  const words = new Set(keys.filter((k): k is string => k !== null));
  const lengths = [...new Set([...words].map((w) => w.length))];
  const endsWithWord = (word: string): boolean => {
    if (NON_ASCII.test(word)) return true;
    const lower = word.toLowerCase();
    return lengths.some((n) => n <= lower.length && words.has(lower.slice(lower.length - n)));
  };
  return {
    test(text) {
      let end = lastSlash(text);
      while (end > 0 && isSpace(text, end - 1)) end--;
      let start = end;
      while (start > 0 && !isSpace(text, start - 1)) start--;
      const last = text.slice(start, end);
      if (endsWithWord(last)) return true;
      if (!PHOTO_WORD.test(last) || start === 0) return false;
      end = start;
      while (end > 0 && isSpace(text, end - 1)) end--;
      start = end;
      while (start > 0 && !isSpace(text, start - 1)) start--;
      return start < end && endsWithWord(text.slice(start, end));
    },
  };
}

/**
 * What "the last `/`, optional white space, an alias" needs: the first word after the slash is an alias's first
 * word (the alias match starts and ends with whole words there). Non-ASCII words always pass.
 */
function aliasAfterSlash(aliases: string[]): { test(text: string): boolean } {
  const keys = aliases.map((a) => a.trim().split(/\s+/)[0] ?? '').map(asciiWordKey);
  if (keys.some((k) => k === '')) return { test: () => true };
  const words = new Set(keys.filter((k): k is string => k !== null));
  return {
    test(text) {
      let start = lastSlash(text) + 1;
      while (start < text.length && isSpace(text, start)) start++;
      let end = start;
      while (end < text.length && !isSpace(text, end)) end++;
      const first = text.slice(start, end);
      return NON_ASCII.test(first) || words.has(first.toLowerCase());
    },
  };
}

function both(a: { test(text: string): boolean }, b: { test(text: string): boolean }): { test(text: string): boolean } {
  return { test: (text) => a.test(text) && b.test(text) };
}

// Credits printed after the caption's last sentence without brackets; each captures the credit as `credit`.
function tailPatterns(rules: CompiledRules): TailPattern[] {
  const hit = tailCache.get(rules);
  if (hit) return hit;
  const alias = rules.aliases.map((a) => a.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace(/\s+/g, '\\s+')).join('|');
  const start = String.raw`(?:^|(?<=[.!?"”’)\]])\s*|\s+)`;
  const longestAlias = Math.max(0, ...rules.aliases.map((a) => a.length));
  // "/ Name" (at most a space, then 2–60 code points: up to 120 UTF-16 units); "/ Alias via Getty Images" (a space,
  // the alias, " via " and 2–30 letters).
  const agencySlash = both(slashTail(2, 1 + 120, true), aliasBeforeSlash(rules.aliases));
  const nameSlash = rules.aliases.some((a) => a.includes('/'))
    ? SLASH
    : both(slashTail(1, 1 + longestAlias + 5 + 60, false), aliasAfterSlash(rules.aliases));
  const patterns = [
    // "… 2021. THE CANADIAN PRESS/Nathan Denette", "… 2021.THE CANADIAN PRESS/Jeff McIntosh", "REUTERS/Name"
    alias ? { re: new RegExp(`${start}(?<credit>(?:${alias})(?:\\s+Photos?)?\\s*/\\s*[^/()]{2,60})$`, 'iu'), needs: agencySlash } : null,
    // "… LUDOVIC MARIN / AFP", "… Jane Doe/AFP via Getty Images"
    alias ? { re: new RegExp(`${start}(?<credit>(?:${NAME_TOKEN}\\s+){0,3}${NAME_TOKEN}\\s*/\\s*(?:${alias})(?:\\s+via\\s+[\\p{L} ]{2,30})?)$`, 'u'), needs: nameSlash } : null,
    // "… Photo by Jane Doe/Gazette", "… photography by Name/Organisation"
    { re: new RegExp(`(?:^|(?<=[.!?"”’)\\]])\\s*)(?<credit>(?:Photos?|Photograph|Photography)\\s+(?:by|courtesy(?:\\s+of)?)\\s+[^()]{2,80})$`, 'iu'), needs: SAYS_PHOTO },
    // "… in 2019. File photo", "… Advocate file photo"
    { re: new RegExp(`(?:^|(?<=[.!?"”’)\\]])\\s*)(?<credit>(?:[\\p{Lu}][\\p{L}]*\\s+)?file\\s+photo)[\\s.]*$`, 'iu'), needs: { test: (text: string) => SAYS_PHOTO.test(text) && FILE_PHOTO.test(text) } },
  ].filter((p): p is TailPattern => p !== null);
  tailCache.set(rules, patterns);
  return patterns;
}
