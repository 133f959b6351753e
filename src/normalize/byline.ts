/**
 * Bylines: "Eric Tucker, The Associated Press", "By JANE DOE", "By JANE DOE Gazette Staff", "The Canadian
 * Press", "By TAYLOR BROOKS AP Business Writer", "By A and B", "Staff writer", "(Reporting by …; Editing by …)"
 * → the people in natural case and the agency or outlet. An agency, an outlet or a desk is never a person.
 */
import { knownOrganisation, organisationName } from './agency.ts';
import type { CompiledRules } from './matchers.ts';
import { StringMemo } from '../util/string-memo.ts';
import { cleanText, isAllCaps, trimEndOf, trimStartOf, words } from './text.ts';
import { DESK_WORDS, MAC_NAMES, TITLE_HEADS, TITLE_MODIFIERS } from './vocabulary/byline-words.ts';

/** What a byline says: who wrote the story and for which agency or outlet. */
export interface Byline {
  /** The person (or people), natural case: "Jane Doe", "Jane Doe and John Roe". */
  by: string | null;
  /** Canonical wire agency name. */
  agency: string | null;
  /** A local outlet ("Red Deer Advocate", or an unknown one as written: "Gazette"). */
  outlet: string | null;
}

// Job titles that follow a name after a comma; they name no organisation.
const TITLES =
  /^(?:(?:senior |chief |local )?(?:staff )?(?:writer|reporter|correspondent|columnist|contributor|editor|photographer)|local journalism initiative reporter|special to .+|for .+)$/i;

/** Reads one line as a byline; null when it is not one. */
export function parseByline(line: string, rules: CompiledRules): Byline | null {
  return parseCleanByline(cleanText(line), rules);
}

/** {@link parseByline} of a line already `cleanText`ed (a block's: a story's lines are read for bylines without cleaning them again). */
export function parseCleanByline(clean: string, rules: CompiledRules): Byline | null {
  // A cleaned line's only white space is the single space: trimming these is `/^[\s—–-]+/` and `/[\s.]+$/`.
  let text = trimEndOf(trimStartOf(clean, ' —–-'), ' .');
  if (!text || text.length > 120 || words(text).length > 16) return null;

  // Reuters closes its copy with "(Reporting by Jane Doe in London; Editing by John Roe)".
  const reuters = /^\(?\s*(?:Reporting|Writing) by\s+([^;)]+)/i.exec(text);
  if (reuters) {
    const by = namesOf(reuters[1]!.replace(/\s+in\s+[\p{Lu}][\p{L} .'’-]*$/u, ''));
    return by ? { by, agency: null, outlet: null } : null;
  }

  const hasBy = /^by\s+/i.test(text);
  if (hasBy) text = text.replace(/^by\s+/i, '');

  const whole = knownOrganisation(text, rules);
  if (whole) return withOrg(null, whole.name, rules);
  const desk = deskCredit(text, rules);
  if (desk) return desk;

  // "TAYLOR BROOKS AP Business Writer": the title goes, the agency before it stays.
  const titled = stripTitle(text, rules);
  if (titled.title) {
    const head = titled.text.replace(/,$/, '').trim();
    const person = namesOf(head);
    if (person) return titled.org ? withOrg(person, titled.org, rules) : { by: person, agency: null, outlet: null };
    if (titled.org && !head) return withOrg(null, titled.org, rules);
  }

  // "Name, Organisation" / "Name, Staff Writer"
  const comma = text.lastIndexOf(',');
  if (comma > 0) {
    const names = text.slice(0, comma);
    const org = text.slice(comma + 1).trim();
    const person = namesOf(names);
    if (person) {
      if (TITLES.test(org)) return { by: person, agency: null, outlet: null };
      const t = stripTitle(org, rules);
      if (t.title && !t.text) return t.org ? withOrg(person, t.org, rules) : { by: person, agency: null, outlet: null };
      if (knownOrganisation(org, rules) || /\bstaff$/i.test(org)) return withOrg(person, org, rules);
    }
  }

  // "JANE DOE Gazette Staff" / "Jane Doe The Associated Press": the organisation is a known alias or ends in "Staff".
  // Every tail ends as the text does: when its last word ends no organisation and it is no "… Staff", none is one.
  const tokens = rules.mayEndOrganisation(text) || /\bstaff$/i.test(text) ? words(text) : [];
  for (let k = 1; k < tokens.length; k++) {
    const org = tokens.slice(k).join(' ');
    const head = tokens.slice(0, k).join(' ');
    const staffOutlet = /\bstaff$/i.test(org) && (isAllCaps(head) ? !isAllCaps(org) : k === tokens.length - 2);
    if (!knownOrganisation(org, rules) && !staffOutlet) continue;
    const person = namesOf(head);
    if (person) return withOrg(person, org, rules);
  }

  if (hasBy) {
    const person = namesOf(text);
    if (person) return { by: person, agency: null, outlet: null };
  }
  return null;
}

/**
 * Reads an upstream author field (`dc:creator`, Atom author): a byline, an "email (Name)" pair, or a plain
 * name. Null when it holds nothing usable.
 */
export function bylineFromAuthor(author: string | null | undefined, rules: CompiledRules): Byline | null {
  if (!author) return null;
  // A feed names the same few authors in every entry (and its own author for each of them).
  let memo = authorCache.get(rules);
  if (!memo) authorCache.set(rules, (memo = new StringMemo(1 << 18)));
  let hit = memo.get(author);
  if (hit === undefined) hit = memo.set(author, readAuthor(author, rules));
  return hit && { ...hit };
}

const authorCache = new WeakMap<CompiledRules, StringMemo<Byline | null>>();

function readAuthor(author: string, rules: CompiledRules): Byline | null {
  let text = cleanText(author);
  // RSS <author> is "email (Name)".
  const rss = /^\S+@\S+\s*\(([^)]+)\)$/.exec(text);
  if (rss) text = rss[1]!.trim();
  if (/^\S+@\S+$/.test(text)) return null;
  const parsed = parseByline(text, rules);
  if (parsed) return parsed;
  const person = namesOf(text);
  return person ? { by: person, agency: null, outlet: null } : null;
}

/**
 * A job title closing a byline ("AP Business Writer", "Chief White House Correspondent"): the text before
 * it, the organisation named just before the title (an alias the rules know), and whether there was one.
 */
export function stripTitle(text: string, rules: CompiledRules): { text: string; org: string | null; title: boolean } {
  const tokens = words(text);
  let i = tokens.length;
  const bare = (t: string): string => t.toLowerCase().replace(/[.,;:]+$/, '');
  const head = bare(tokens[i - 1] ?? '');
  if (!TITLE_HEADS.has(head) && !TITLE_HEADS.has(head.replace(/s$/, ''))) return { text, org: null, title: false };
  i--;
  while (i > 0 && TITLE_MODIFIERS.has(bare(tokens[i - 1]!))) i--;
  // "… Reporter for the Gazette" is not handled here; "AP Business Writer" names its agency first.
  for (let n = Math.min(4, i); n >= 1; n--) {
    const org = tokens.slice(i - n, i).join(' ');
    if (knownOrganisation(org, rules)) return { text: tokens.slice(0, i - n).join(' '), org, title: true };
  }
  return { text: tokens.slice(0, i).join(' '), org: null, title: true };
}

/**
 * A desk's credit rather than a person's: "Staff", "Staff writer", "The Editors", "Macworld Staff",
 * "DealPost Team", "Team Gizmodo". The outlet it names, if any; null when the text is not such a credit.
 */
function deskCredit(text: string, rules: CompiledRules): Byline | null {
  const tokens = words(text.replace(/[.,;:]+$/, ''));
  if (tokens.length === 0 || tokens.length > 6) return null;
  const bare = tokens.map((t) => t.toLowerCase().replace(/[.,;:]+$/, ''));
  const role = (t: string): boolean => DESK_WORDS.has(t) || TITLE_HEADS.has(t) || TITLE_HEADS.has(t.replace(/s$/, '')) || TITLE_MODIFIERS.has(t) || t === 'the' || t === 'of';
  if (bare.every(role)) return bare.some((t) => DESK_WORDS.has(t)) ? { by: null, agency: null, outlet: null } : null;
  // "Team Gizmodo" / "Gizmodo Team", "Macworld Staff", "Guardian staff reporter".
  let k = tokens.length;
  while (k > 0 && role(bare[k - 1]!)) k--;
  if (k < tokens.length && k > 0 && bare.slice(k).some((t) => DESK_WORDS.has(t))) {
    const org = tokens.slice(0, k).join(' ');
    if (!/,|\s(?:and|&|AND)\s/.test(org) && (knownOrganisation(org, rules) || !namesOf(org))) return withOrg(null, org, rules);
  }
  if (bare[0] === 'team' && tokens.length <= 3) return withOrg(null, tokens.slice(1).join(' '), rules);
  return null;
}

function withOrg(by: string | null, org: string, rules: CompiledRules): Byline {
  const known = knownOrganisation(org, rules);
  if (known?.kind === 'agency') return { by, agency: known.name, outlet: null };
  return { by, agency: null, outlet: organisationName(org, rules) };
}

const PARTICLES = new Set(['de', 'da', 'del', 'della', 'der', 'den', 'di', 'du', 'la', 'le', 'van', 'von', 'bin', 'al', 'dos', 'das', 'y']);
const NAME_TOKEN = /^(?:\p{Lu}[\p{L}'’.-]*|\p{Lu}\.(?:\p{Lu}\.)*|(?:de|da|del|della|der|den|di|du|la|le|van|von|bin|al|dos|das|y))$/u;

/** The names a byline lists ("JANE DOE and JOHN ROE") in natural case, or null when they are not names. */
export function namesOf(text: string): string | null {
  const cleaned = cleanText(text).replace(/[\s,;]+$/, '');
  if (!cleaned || cleaned.length > 80) return null;
  // A desk beside the people ("Macworld Staff and Glenn Fleishman") is left out of the names.
  const parts = cleaned.split(/\s*,\s*(?:and\s+)?|\s+(?:and|&|AND)\s+/);
  const isDesk = (part: string): boolean => words(part).some((t) => DESK_WORDS.has(t.toLowerCase()));
  const people = parts.length > 1 && !parts.every(isDesk) ? parts.filter((p) => !isDesk(p)) : parts;
  const out: string[] = [];
  for (const person of people) {
    const tokens = words(person);
    if (tokens.some((t) => DESK_WORDS.has(t.toLowerCase()))) return null;
    if (tokens.length < 2 || tokens.length > 5) return null;
    if (!tokens.every((t) => NAME_TOKEN.test(t))) return null;
    if (PARTICLES.has(tokens[0]!)) return null;
    out.push(naturalCase(person));
  }
  return out.length === 0 ? null : out.length <= 2 ? out.join(' and ') : `${out.slice(0, -1).join(', ')} and ${out.at(-1)}`;
}

/** A name written in capitals in natural case: "JANE DOE" → "Jane Doe", "O'TOOLE" → "O'Toole", "MCKAY" → "McKay". */
export function naturalCase(name: string): string {
  const tokens = words(cleanText(name));
  return tokens
    .map((token, i) => {
      if (!isAllCaps(token) || token.replace(/[^\p{L}]/gu, '').length < 2) return token;
      if (/^(?:II|III|IV|VI|VII|VIII)$/.test(token)) return token;
      if (/^(?:\p{Lu}\.)+$/u.test(token)) return token;
      const lower = token.toLowerCase();
      if (i > 0 && i < tokens.length - 1 && PARTICLES.has(lower)) return lower;
      return lower
        .replace(/(^|[-'’])(\p{L})/gu, (_, sep: string, ch: string) => sep + ch.toUpperCase())
        .replace(/^Mc(\p{L})/u, (_, ch: string) => `Mc${ch.toUpperCase()}`)
        .replace(/^Mac(\p{L}+)/u, (whole: string, rest: string) => (MAC_NAMES.has(rest.toLowerCase()) ? `Mac${rest[0]!.toUpperCase()}${rest.slice(1)}` : whole));
    })
    .join(' ');
}
