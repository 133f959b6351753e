/**
 * Sibling stories: the entries of a site's "Just Posted" list — each a picture (caption + credit), a
 * headline and a lede cut off with "… Continue reading" — read one by one.
 */
import type { TextBlock } from './blocks.ts';
import { datelineLocated, splitDateline } from './dateline.ts';
import { cleanHeadline } from './headline.ts';
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
  const teasers: Teaser[] = [];
  let photo: TextBlock[] = [];
  let lines: TextBlock[] = [];
  const flush = (): void => {
    const teaser = lines.length > 0 ? toTeaser(photo, lines, rules, base) : null;
    if (teaser) teasers.push(teaser);
    photo = [];
    lines = [];
  };
  for (const block of blocks) {
    const kind = classifyBlock(block, rules).kind;
    if (kind !== 'text') {
      if (lines.length > 0) flush();
      photo.push(block);
      continue;
    }
    if (block.heading && lines.length > 0) flush();
    // In a list of links, each link to another page is the next story.
    else if (block.linked && block.href && lines.length > 0 && !lines.some((l) => l.href === block.href)) flush();
    lines.push(block);
    if (rules.stripReadMore(block.text).cut) flush();
  }
  flush();
  return teasers;
}

function toTeaser(photo: TextBlock[], lines: TextBlock[], rules: CompiledRules, base: string | null): Teaser | null {
  const [first, ...more] = lines;
  if (!first) return null;
  const headline = cleanHeadline(rules.stripReadMore(first.text).text, rules);
  if (!headline) return null;
  const cut = rules.stripReadMore(more.map((b) => b.text).join(' '));
  const truncated = cut.cut || rules.stripReadMore(first.text).cut;
  let lede: string | null = withoutEllipsis(cut.text).trim() || null;
  let located: string | null = null;
  if (lede) {
    const split = splitDateline(lede, rules);
    located = datelineLocated(split.dateline);
    lede = split.text || null;
  }
  const { pictures } = collectPictures(photo, rules, base);
  const picture = pictures.find((p) => p.caption) ?? pictures[0] ?? null;
  const href = first.href ?? lines.find((b) => b.href)?.href ?? photo.find((b) => b.href)?.href ?? null;
  return { headline, lede, truncated, located, picture, link: resolveHttpUrl(href, base) };
}

// `text.replace(/\s*(?:\u2026|\.{3})\s*$/, '')`; the regex tries every white space of a lede that has no ellipsis.
function withoutEllipsis(text: string): string {
  const end = text.trimEnd();
  return end.endsWith('\u2026') || end.endsWith('...') ? text.replace(/\s*(?:\u2026|\.{3})\s*$/, '') : text;
}
