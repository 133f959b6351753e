/**
 * Sibling stories: the entries of a site's "Just Posted" list — each a picture (caption + credit), a
 * headline and a lede cut off with "… Continue reading" — read one by one.
 */
import type { TextBlock } from './blocks.ts';
import { datelineLocated, splitDateline } from './dateline.ts';
import { cleanBlockHeadline, cleanHeadline } from './headline.ts';
import { resolveHttpUrl } from './links.ts';
import type { CompiledRules } from './matchers.ts';
import type { Picture } from './photo.ts';
import { classifyBlock, collectPictures } from './pictures.ts';

/** One entry of the sibling-story list. */
export interface Teaser {
  headline: string;
  /** The lede without the read-more marker and without its dateline; null when there is none. */
  lede: string | null;
  /** The lede was cut off (it ended with the read-more marker). */
  truncated: boolean;
  located: string | null;
  picture: Picture | null;
  /** The teaser's link (absolute http(s)), when the upstream gives one (HTML). */
  link: string | null;
}

/**
 * Reads the blocks of a sibling-story list. A teaser ends with its read-more line; a new one starts at a
 * picture (image, credit or caption), an HTML heading or a line linked elsewhere once the current one has
 * its headline.
 */
export function parseTeasers(blocks: TextBlock[], rules: CompiledRules, base: string | null): Teaser[] {
  return draftTeasers(blocks, rules, base).map((draft) => draft.complete());
}

/**
 * A teaser read as far as what identifies it (its headline and link); the rest (lede, dateline, picture) is
 * read by `complete`. A site lists the same siblings under every story: one already built is not read again.
 */
export class TeaserDraft {
  constructor(
    readonly headline: string,
    readonly link: string | null,
    private readonly photo: TextBlock[],
    private readonly lines: TextBlock[],
    private readonly firstCut: boolean,
    private readonly rules: CompiledRules,
    private readonly base: string | null,
  ) {}

  /** The whole teaser. */
  complete(): Teaser {
    const { lines, rules } = this;
    const cut = lines.length > 1 ? rules.stripReadMore(lines.slice(1).map((b) => b.text).join(' ')) : NOTHING_MORE;
    const truncated = cut.cut || this.firstCut;
    let lede: string | null = withoutEllipsis(cut.text).trim() || null;
    let located: string | null = null;
    if (lede) {
      const split = splitDateline(lede, rules);
      located = datelineLocated(split.dateline);
      lede = split.text || null;
    }
    const { pictures } = collectPictures(this.photo, rules, this.base);
    const picture = pictures.find((p) => p.caption) ?? pictures[0] ?? null;
    return { headline: this.headline, lede, truncated, located, picture, link: this.link };
  }
}

/** {@link parseTeasers} up to each teaser's headline and link. */
export function draftTeasers(blocks: TextBlock[], rules: CompiledRules, base: string | null): TeaserDraft[] {
  const teasers: TeaserDraft[] = [];
  let run = newRun();
  for (const block of blocks) {
    const kind = classifyBlock(block, rules).kind;
    if (kind !== 'text') {
      if (run.lines.length > 0) run = endRun(run, teasers, rules, base);
      run.photo.push(block);
      continue;
    }
    // A heading, or in a list of links each link to another page, is the next story.
    if (run.lines.length > 0 && (block.heading || (block.linked && block.href && !hasHref(run.lines, block.href)))) {
      run = endRun(run, teasers, rules, base);
    }
    const cut = rules.stripReadMore(block.text).cut;
    if (run.lines.length === 0) run.firstCut = cut;
    run.lines.push(block);
    if (cut) run = endRun(run, teasers, rules, base);
  }
  if (run.lines.length > 0) endRun(run, teasers, rules, base);
  return teasers;
}

/** The blocks of one teaser being read: its picture blocks, its lines, and whether the first line is cut off. */
interface TeaserRun {
  photo: TextBlock[];
  lines: TextBlock[];
  firstCut: boolean;
}

function newRun(): TeaserRun {
  return { photo: [], lines: [], firstCut: false };
}

/** Ends a teaser's blocks (kept when they make one) and gives the run to go on with. */
function endRun(run: TeaserRun, teasers: TeaserDraft[], rules: CompiledRules, base: string | null): TeaserRun {
  const teaser = toDraft(run.photo, run.lines, run.firstCut, rules, base);
  if (teaser) teasers.push(teaser);
  return newRun();
}

function hasHref(lines: TextBlock[], href: string): boolean {
  for (const line of lines) if (line.href === href) return true;
  return false;
}

function toDraft(photo: TextBlock[], lines: TextBlock[], firstCut: boolean, rules: CompiledRules, base: string | null): TeaserDraft | null {
  const first = lines[0];
  if (!first) return null;
  // A cut line is no block text any more: it is cleaned again.
  const headline = firstCut ? cleanHeadline(rules.stripReadMore(first.text).text, rules) : cleanBlockHeadline(first.text, rules);
  if (!headline) return null;
  const href = first.href ?? lines.find((b) => b.href)?.href ?? photo.find((b) => b.href)?.href ?? null;
  return new TeaserDraft(headline, resolveHttpUrl(href, base), photo, lines, firstCut, rules, base);
}

const NOTHING_MORE = Object.freeze({ text: '', cut: false });

/** The text without a final ellipsis (`text.replace(/\s*(?:\u2026|\.{3})\s*$/, '')`, which tries every white space of a text that has none). */
export function withoutEllipsis(text: string): string {
  const end = text.trimEnd();
  return end.endsWith('\u2026') || end.endsWith('...') ? text.replace(/\s*(?:\u2026|\.{3})\s*$/, '') : text;
}
