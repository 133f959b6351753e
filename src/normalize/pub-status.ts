/**
 * Publication status: an upstream kill or withdrawal — a title or first line starting "KILLED",
 * "WITHDRAWN", "Editors: kill …", or a category such as "kill" — makes the item `canceled`.
 */
import type { PubStatus } from '../model.ts';
import type { CompiledRules } from './matchers.ts';
import { cleanText } from './text.ts';

/** Where an upstream may mark a kill. */
export interface KillEvidence {
  title: string | null;
  /** The body's first line as its block holds it: already `cleanText`ed. */
  firstLine: string | null;
  categories: string[];
}

/** The ninjs `pubStatus` of an entry: `canceled` when killed or withdrawn, else `usable`. */
export function pubStatusOf(evidence: KillEvidence, rules: CompiledRules): PubStatus {
  if (evidence.title && rules.killMarker(cleanText(evidence.title))) return 'canceled';
  if (evidence.firstLine && rules.killMarker(evidence.firstLine)) return 'canceled';
  return evidence.categories.some((c) => rules.isKillCategory(c)) ? 'canceled' : 'usable';
}

/** A title without its kill marker ("KILLED: Headline" → "Headline"); unchanged when it has none. */
export function stripKillMarker(title: string, rules: CompiledRules): string {
  const marker = rules.killMarker(title);
  if (!marker) return title;
  const rest = title.slice(title.indexOf(marker) + marker.length).replace(/^[\s:;.,–—-]+/, '').trim();
  return rest || title;
}
