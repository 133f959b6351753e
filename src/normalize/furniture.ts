/**
 * Site furniture: the page parts of the site that syndicated a story, removed by rule (data in
 * `NormalizeRules`): social follow lines and newsletter promos are dropped, "Just Posted" opens the list of
 * sibling stories, "Most Read" ends everything that belongs to the item.
 */
import type { TextBlock } from './blocks.ts';
import type { CompiledRules } from './matchers.ts';

/** The blocks of an entry by the part of the page they belong to. */
export interface PageSections {
  /** The story (furniture lines removed). */
  story: TextBlock[];
  /** The blocks of the sibling-story list, without its heading. */
  teasers: TextBlock[];
  /** How many furniture lines were removed (for diagnostics). */
  removed: number;
}

/** Splits an entry's blocks into the story and the sibling-story list, dropping furniture. */
export function splitSections(blocks: TextBlock[], rules: CompiledRules): PageSections {
  const story: TextBlock[] = [];
  const teasers: TextBlock[] = [];
  let inTeasers = false;
  let removed = 0;
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    const text = block.text;
    if (text && rules.isCut(text)) {
      removed += blocks.length - i;
      break;
    }
    if (text && rules.isTeaserStart(text)) {
      inTeasers = true;
      removed++;
      continue;
    }
    if (text && rules.isDropLine(text)) {
      removed++;
      continue;
    }
    (inTeasers ? teasers : story).push(block);
  }
  return { story, teasers, removed };
}

/** A line without its read-more marker ("… Continue reading"), and whether it was cut off there. */
export function stripReadMore(text: string, rules: CompiledRules): { text: string; cut: boolean } {
  return rules.stripReadMore(text);
}
