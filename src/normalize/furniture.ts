/**
 * Site furniture: the page parts of the site that syndicated a story, removed by rule (data in
 * `NormalizeRules`): social follow lines, share bars, tag lines and promos are dropped, "Just Posted" opens
 * the list of sibling stories, a heading such as "More from …:" followed by links is a list of sibling
 * stories wherever it stands, and "Most Read" ends everything that belongs to the item.
 */
import type { TextBlock } from './blocks.ts';
import { LineRule, type CompiledRules } from './matchers.ts';

/** Which rule took a block out of the story. */
export type FurnitureRule = 'drop-line' | 'cut' | 'teaser-heading' | 'sibling-heading' | 'sibling-link' | 'code' | 'copyright';

/** A block that left the story as furniture, and the rule that named it. */
export interface Furniture {
  rule: FurnitureRule;
  text: string;
}

/** The blocks of an entry by the part of the page they belong to. */
export interface PageSections {
  /** The story (furniture lines removed). */
  story: TextBlock[];
  /** The blocks of the "Just Posted" list, without its heading. */
  teasers: TextBlock[];
  /** Lists of links to sibling stories found under a heading ("More from …:"), each without its heading. */
  lists: TextBlock[][];
  /** Copyright boilerplate lines, for the item's `copyrightNotice`. */
  copyright: string[];
  /** The lines of a fact box the site appended (its heading first), for a body of its own; empty when none. */
  factBox: string[];
  /** How many blocks were removed as furniture (for diagnostics). */
  removed: number;
  /** The blocks removed as furniture, with the rule that named each. */
  furniture: Furniture[];
}

// A list of one link is a pointer, not a list of stories: it leaves the body but gives no teaser.
const MIN_LIST_LINKS = 2;

/** Splits an entry's blocks into the story and the sibling-story lists, dropping furniture. */
export function splitSections(blocks: TextBlock[], rules: CompiledRules): PageSections {
  const story: TextBlock[] = [];
  const teasers: TextBlock[] = [];
  const lists: TextBlock[][] = [];
  const furniture: Furniture[] = [];
  const copyright: string[] = [];
  const factBox: string[] = [];
  let inTeasers = false;
  let inFactBox = false;
  let inComment = false;
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    const text = block.text;
    if (text && (inComment || isCodeText(text))) {
      // A style sheet or script escaped into the text ("<!--@font-face {…}"), often over many paragraphs.
      const opens = text.lastIndexOf('<!--');
      const closes = text.lastIndexOf('-->');
      inComment = opens > closes || (inComment && closes < 0);
      furniture.push({ rule: 'code', text });
      continue;
    }
    // Every rule list is asked of each line (in this order), so they are asked at once.
    const is = text ? rules.lineRules(text) : 0;
    if (is & LineRule.cut) {
      for (const b of blocks.slice(i)) if (b.text) furniture.push({ rule: 'cut', text: b.text });
      break;
    }
    if (inFactBox || (!inTeasers && is & LineRule.factBox)) {
      // A company profile box runs to the end of the entry (or to a cut line); its pictures are logos.
      inFactBox = true;
      if (text) factBox.push(text);
      continue;
    }
    if (is & LineRule.teaserStart) {
      inTeasers = true;
      furniture.push({ rule: 'teaser-heading', text });
      continue;
    }
    if (!inTeasers && is & LineRule.siblingHeading) {
      const end = linkListEnd(blocks, i + 1);
      const list = blocks.slice(i + 1, end);
      const links = list.filter((b) => b.text && b.linked).length;
      if (links > 0) {
        furniture.push({ rule: 'sibling-heading', text });
        if (links >= MIN_LIST_LINKS) lists.push(list);
        else for (const b of list) if (b.text) furniture.push({ rule: 'sibling-link', text: b.text });
        i = end - 1;
        continue;
      }
    }
    if (is & LineRule.copyright) {
      if (!inTeasers) copyright.push(text);
      furniture.push({ rule: 'copyright', text });
      continue;
    }
    if (is & LineRule.drop) {
      furniture.push({ rule: 'drop-line', text });
      continue;
    }
    (inTeasers ? teasers : story).push(block);
  }
  return { story, teasers, lists, copyright, factBox, removed: furniture.length, furniture };
}

// A CSS rule ("a.b > c { color: red }"), an at-rule, a declaration list, or a script statement.
const CSS_RULE = /[\w#.\-\]>*:()"'=[]\s*\{\s*[\w-]+\s*:[^{}]*(?:\}|;)/;
const CSS_AT_RULE = /(?:^|[\s{};>])@(?:font-face|media|import|keyframes|charset|supports)\b/;
const DECLARATIONS = /^(?:[\w-]+\s*:\s*[^;{}]{1,200};\s*){2,}\}?$/;
const SCRIPT = /^(?:(?:var|let|const)\s+[\w$]+\s*=|function\s*[\w$]*\s*\(|\(function\s*\(|document\.write\(|window\.[\w$.]+\s*=|googletag\.|_gaq\.push\(|dataLayer\.push\()/;

/**
 * True when a paragraph is style sheet or script text that leaked into the content (an escaped `<style>`
 * or `<script>`, an HTML comment printed as text), not prose.
 */
export function isCodeText(text: string): boolean {
  const t = text.trim();
  if (t.startsWith('<!--') || t.endsWith('-->') || SCRIPT.test(t)) return true;
  // The other patterns each need one character ('@', ';', '{'): most paragraphs hold none of them (a search for
  // one character is cheaper than a class regex's scan).
  const at = t.includes('@');
  const semicolon = t.includes(';');
  const brace = t.includes('{');
  if (!at && !semicolon && !brace) return false;
  if ((at && CSS_AT_RULE.test(t)) || (semicolon && DECLARATIONS.test(t))) return true;
  if (!brace || !CSS_RULE.test(t)) return false;
  // Prose may hold one brace; code is dense with braces, colons and semicolons.
  const marks = (t.match(/[{};:]/g) ?? []).length;
  return marks >= 3 && marks * 12 >= (t.match(/\s/g) ?? []).length;
}

/** Where a list of links that starts at `from` ends: at the first block of text that is not a link. */
function linkListEnd(blocks: TextBlock[], from: number): number {
  let i = from;
  while (i < blocks.length) {
    const b = blocks[i]!;
    if (b.text && !b.linked && !b.figcaption) break;
    if (b.heading && i > from && !b.linked) break;
    i++;
  }
  // Pictures after the last link belong to what follows.
  while (i > from && !blocks[i - 1]!.text) i--;
  return i;
}

/** A line without its read-more marker ("… Continue reading"), and whether it was cut off there. */
export function stripReadMore(text: string, rules: CompiledRules): { text: string; cut: boolean } {
  return rules.stripReadMore(text);
}
