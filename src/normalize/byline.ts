/**
 * Bylines: "Eric Tucker, The Associated Press", "By JANE DOE", "By JANE DOE Gazette Staff", "The Canadian
 * Press", "(Reporting by …; Editing by …)" → the person in natural case and the agency or outlet.
 */
import { knownOrganisation, organisationName } from './agency.ts';
import type { CompiledRules } from './matchers.ts';
import { cleanText, isAllCaps, words } from './text.ts';

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
  let text = cleanText(line)
    .replace(/^[\s—–-]+/, '')
    .replace(/[\s.]+$/, '');
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

  // "Name, Organisation" / "Name, Staff Writer"
  const comma = text.lastIndexOf(',');
  if (comma > 0) {
    const names = text.slice(0, comma);
    const org = text.slice(comma + 1).trim();
    const person = namesOf(names);
    if (person) {
      if (TITLES.test(org)) return { by: person, agency: null, outlet: null };
      if (knownOrganisation(org, rules) || /\bstaff$/i.test(org)) return withOrg(person, org, rules);
    }
  }

  // "JANE DOE Gazette Staff" / "Jane Doe The Associated Press": the organisation is a known alias or ends in "Staff".
  const tokens = words(text);
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
  const people = cleaned.split(/\s*,\s*(?:and\s+)?|\s+(?:and|&|AND)\s+/);
  const out: string[] = [];
  for (const person of people) {
    const tokens = words(person);
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
        .replace(/^Mc(\p{L})/u, (_, ch: string) => `Mc${ch.toUpperCase()}`);
    })
    .join(' ');
}
