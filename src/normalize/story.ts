/**
 * The story part of a page, read in order: its pictures, the headline (and the copies a site repeats), a
 * byline at the top or bottom, the site's tag lines at the end, the dateline, and the body paragraphs.
 */
import type { TextBlock } from './blocks.ts';
import { parseCleanByline, type Byline } from './byline.ts';
import { splitDateline, type Dateline } from './dateline.ts';
import { cleanHeadline, dropHeadlineCopies, inferHeadline } from './headline.ts';
import type { CompiledRules } from './matchers.ts';
import type { Picture } from './photo.ts';
import { collectPictures } from './pictures.ts';
import { stripKillMarker } from './pub-status.ts';
import { endsLikeSentence, words } from './text.ts';

/** A story's parts, furniture already removed. */
export interface StoryParts {
  /** '' when neither the title nor the text gives one. */
  headline: string;
  pictures: Picture[];
  byline: Byline | null;
  /** The site's tag lines ("Russia"). */
  tags: string[];
  dateline: Dateline | null;
  /** Body paragraphs, the dateline removed from the first. */
  paragraphs: string[];
  /** The first line after the headline, as the upstream sent it (kill notices live there). */
  firstLine: string | null;
  /** The text ends with a read-more marker: the upstream sent an excerpt, not the story. */
  truncated: boolean;
}

const MAX_TAG_LINES = 3;

/** Reads the story blocks of an entry (see `splitSections`). */
export function parseStory(blocks: TextBlock[], title: string | null, rules: CompiledRules, base: string | null): StoryParts {
  const { pictures, rest: textBlocks } = collectPictures(blocks, rules, base);
  let rest = textBlocks;

  let headline = cleanHeadline(title, rules);
  if (!headline) headline = inferHeadline(rest, rules) ?? '';
  headline = stripKillMarker(headline, rules);
  rest = dropHeadlineCopies(rest, headline, rules);
  const firstLine = rest[0]?.text ?? null;
  // "Editors: kill this story" and the like open a kill notice; the status carries it, not the body.
  if (rest[0] && rules.killMarker(rest[0].text)) rest = dropHeadlineCopies(rest.slice(1), headline, rules);

  let byline: Byline | null = null;
  // A byline at the top: one of the first two lines ("By JANE DOE Gazette Staff").
  for (let i = 0; i < Math.min(2, rest.length); i++) {
    const found = parseCleanByline(rest[i]!.text, rules);
    if (found) {
      byline = found;
      rest = [...rest.slice(0, i), ...rest.slice(i + 1)];
      break;
    }
  }

  // From the end: the byline ("Eric Tucker, The Associated Press") and the site's tags ("Russia"), in any order.
  const tags: string[] = [];
  let tagLines = 0;
  while (rest.length > 1) {
    const last = rest.at(-1)!.text;
    const found = parseCleanByline(last, rules);
    if (found) {
      byline = mergeBylines(byline, found);
    } else if (
      rules.rules.trailingTags.enabled &&
      isTagLine(last, rules.rules.trailingTags.maxWords) &&
      // A site prints its tags on a line or two; a longer run of short lines is the story's own list.
      tagLines < MAX_TAG_LINES &&
      rest.at(-2)?.text !== last
    ) {
      tagLines++;
      tags.unshift(...last.split(/\s*[,;|•·]\s*/).filter(Boolean));
    } else {
      break;
    }
    rest = rest.slice(0, -1);
  }

  // A read-more line on its own inside the text ("Read more »" under a pull quote) points elsewhere.
  const paragraphs = rest.map((b) => b.text).filter((p, i, all) => i === all.length - 1 || !isOnlyReadMore(p, rules));
  let truncated = false;
  if (paragraphs.length > 0) {
    const cut = rules.stripReadMore(paragraphs.at(-1)!);
    if (cut.cut) {
      truncated = true;
      // The excerpt is cut off: say so with an ellipsis, as the teaser summaries do.
      if (cut.text) paragraphs[paragraphs.length - 1] = `${cut.text.replace(/\s*(?:\u2026|\.{3})$/, '')}…`;
      else paragraphs.pop();
    }
  }
  let dateline: Dateline | null = null;
  if (paragraphs[0]) {
    const split = splitDateline(paragraphs[0], rules);
    dateline = split.dateline;
    paragraphs[0] = split.text;
  }
  return { headline, pictures, byline, tags, dateline, paragraphs, firstLine, truncated };
}

/** Two bylines of one story (top and bottom) as one: the person from either, the agency from either. */
export function mergeBylines(a: Byline | null, b: Byline): Byline {
  if (!a) return b;
  return { by: a.by ?? b.by, agency: a.agency ?? b.agency, outlet: a.outlet ?? b.outlet };
}

function isOnlyReadMore(text: string, rules: CompiledRules): boolean {
  const cut = rules.stripReadMore(text);
  return cut.cut && !/[\p{L}\p{N}]/u.test(cut.text);
}

/** A site tag line: a few words, no sentence punctuation, not starting in lower case. */
function isTagLine(text: string, maxWords: number): boolean {
  if (endsLikeSentence(text) || /[:"“”]/.test(text) || /^\p{Ll}/u.test(text)) return false;
  return text.split(/\s*[,;|•·]\s*/).every((part) => {
    const n = words(part).length;
    return n >= 1 && n <= maxWords;
  });
}
