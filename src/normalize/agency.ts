/**
 * Wire agencies and outlets by their canonical names: `AP` → The Associated Press, `CP` → The Canadian
 * Press, `Reuters`, `AFP` → Agence France-Presse, plus the outlets the rules know ("Advocate Staff" →
 * Red Deer Advocate). The alias table is data (`NormalizeRules.agencies` / `.outlets`).
 */
import type { CompiledRules, KnownOrganisation } from './matchers.ts';
import { cleanText } from './text.ts';

/** The canonical name of a wire agency written any known way, or null when it names no agency. */
export function canonicalAgency(name: string, rules: CompiledRules): string | null {
  const org = rules.organisation(cleanText(name));
  return org?.kind === 'agency' ? org.name : null;
}

/** The agency or outlet a name means (canonical name and kind), or null when the rules do not know it. */
export function knownOrganisation(name: string, rules: CompiledRules): KnownOrganisation | null {
  return rules.organisation(cleanText(name));
}

/**
 * The organisation named in a byline or credit: the canonical name when the rules know it, else the name as
 * written without a trailing "Staff" (an unknown outlet is still an outlet).
 */
export function organisationName(name: string, rules: CompiledRules): string {
  const known = knownOrganisation(name, rules);
  if (known) return known.name;
  return cleanText(name).replace(/\s+staff$/i, '').trim() || cleanText(name);
}

/** The agency a title closes with ("… rally (Reuters)", "… (AP)"), or null. */
export function titleAgency(title: string | null | undefined, rules: CompiledRules): string | null {
  const m = /\(([^()]{1,40})\)\s*$/.exec(cleanText(title ?? ''));
  return m ? canonicalAgency(m[1]!, rules) : null;
}
