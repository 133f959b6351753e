/**
 * Page furniture inside the story region, by its words: lines that are never story (buttons, gallery controls,
 * time stamps, copyright lines), the heading from which a page lists other stories, lists of links to other
 * stories, and the notes a site puts after a story (the author's Twitter, newsletter and comment notices).
 * The vocabulary is data: one alternation per kind, English first, a few other languages where the corpus
 * showed them.
 */
import type { PageBlock } from './blocks.ts';

/** A story paragraph being read: its block and its text. */
export interface StoryLine {
  block: PageBlock;
  text: string;
}

/** What the page itself says, to tell its furniture: the headline, the byline, the texts of its time stamps. */
export interface FurnitureContext {
  headline: string | null;
  byline: string | null;
  /** The page's own URLs (as fetched, canonical): a line that is one of them is a share widget. */
  urls: readonly string[];
  isStamp(text: string): boolean;
}

const BOILERPLATE = new RegExp(
  '^(?:' +
    [
      'advertisements?', 'advert', 'ad', 'iklan', 'anzeige', 'publicidad', 'publicité', 'sponsored',
      'story continues below(?: advertisement)?', 'continue reading below', 'scroll to continue(?: with content)?',
      'share this (?:article|story)', 'share', 'share tweet(?: submit| email| pin)*', 'print', 'email', 'comments?',
      'post (?:a )?comments?(?: \\(\\+\\))?', 'related(?: articles| stories)?:?', 'read more:?', 'recommended(?: for you)?:?',
      'sign (?:in|up)(?: for| to).{0,80}', 'sign in', 'log ?in', 'subscribe(?: now| today)?(?: to.{0,80})?',
      'newsletters?', 'breaking news', 'home', 'close', 'caption', 'enlarge (?:this )?image', 'image \\d+ of\\s*/?\\s*\\d*',
      'skip to (?:main )?content', 'this slideshow requires javascript\\.?', 'click here.{0,80}', 'follow us.{0,60}',
      'image', 'photo', 'video', 'listen to (?:this|the) (?:article|story).{0,40}', '\\d+ min(?:ute)?s? read',
      '(?:reading time|tempo de leitura|lesezeit|temps de lecture|tiempo de lectura):?\\s*\\d+\\s*\\w+',
      'filed under:?.{0,80}', 'tags?:?', '(?:copyright|©|ⓒ|\\(c\\))\\s.{0,160}',
      'this website uses cookies.{0,300}', 'we use cookies.{0,300}',
    ].join('|') +
    ')$',
  'i',
);

// A line that opens the page's list of other stories, inside the region Readability kept: nothing after it is story.
const TAIL_START = new RegExp(
  '^(?:' +
    [
      'you (?:may|might) (?:also )?like', 'related(?: stories| articles| content| coverage| posts)?',
      'more (?:stories|from .{1,40}|on this(?: story| topic)?)', 'more great .{1,30} stories', 'more', 'recommended(?: for you| stories| reading)?',
      'want more stories like this\\??', 'read more(?: stories)?:', 'read next(?: stories)?', 'trending(?: now| stories)?',
      'most (?:read|popular|viewed)', 'popular (?:stories|now|this week|today)', 'recent (?:articles|posts|stories|news)',
      'also (?:read|see)', 'sponsored (?:content|stories)', 'around the web', 'from our partners', 'top stories',
      'something to consider', 'tags', 'leave a (?:comment|reply)', '\\d+ comments?',
    ].join('|') +
    ')\\s*(?:[:.]|\\.\\.\\.|…)?$',
  'i',
);

// A time stamp line ("Updated Nov 19, 6:55 AM; Posted …", "Published 1 day ago").
const STAMP_LINE = /^(?:(?:first )?(?:published|updated|posted|last updated|modified)\b[^.]{0,70}(?:\d|\bago\b)[^.]{0,40}|\d{1,2}:\d{2}\s*[ap]\.?m\.?.{0,40})$/i;
// The words a date line is made of; a line of nothing else (and a digit) is a time stamp.
const DATE_WORDS =
  /\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?|first|published|updated|posted|modified|last|on|at|[ap]\.?m\.?|gmt|utc|[ecmp][sd]t|hst|bst|cet|ist|aest|\d+(?:st|nd|rd|th)?)\b/gi;
// A month, a weekday or a clock time: what a line of date words needs to be a time stamp (not a phone number).
const DATE_SIGN = /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\d:\d\d/i;
// A caption that ends with (or is) its picture's credit: "… (AP Photo/Alan Diaz)", "(credit: NASA)", "Image: Reuters".
const CAPTION_CREDIT = /\((?:[A-Z][\w.]*\s)?(?:photo|image|picture|foto|credit)s?(?:\s*credit)?\s*[:/][^)]{2,80}\)$|^(?:photo|image|picture|credit)s?(?:\s*credit)?\s*:\s*\S.{0,80}$/i;
const CLICK_HERE = /\bclick(?:ing)? here\b/i;
// The notes after a story: how to reach or follow its author, newsletters, comment rules, membership pitches.
const TAIL_NOTE =
  /\bfollow (?:him|her|them|us|me)\b.{0,60}\b(?:twitter|facebook|instagram)\b|\bon twitter (?:at )?@\w|\b(?:may|can) be reached at\b|\breach (?:the )?(?:reporters?|writers?|authors?|him|her|them) (?:at|on|by)\b|\bhave a (?:news )?tip\b|\bcontributed (?:reporting|to this report)\b|\bnewsletters?\b|\bsubscribe\b|\bsign up\b|\bcomments?\b.{0,80}\b(?:moderat|approv|spam)|\bif you enjoyed this article\b|\bjoin our .{1,40}\b(?:forums?|community)\b|\bis (?:a|an|the|\w+'s) (?:[\w-]+ ){0,2}(?:writer|reporter|editor|correspondent|curator|columnist|contributor)\b|\bfollow us (?:on|at) (?:twitter|facebook)\b/i;
/** How many closing paragraphs may be notes, and how long a note is at most. */
const TAIL_NOTES = 4;
const NOTE_MAX_CHARS = 400;

/** True for a line that is never story, wherever it stands. */
export function isFurnitureLine(text: string, context: FurnitureContext): boolean {
  if (BOILERPLATE.test(text) || STAMP_LINE.test(text) || context.isStamp(text)) return true;
  if (text.length < 160 && CLICK_HERE.test(text)) return true;
  if (text.length <= 300 && CAPTION_CREDIT.test(text)) return true;
  if (text.length <= 80 && DATE_SIGN.test(text) && text.replace(DATE_WORDS, '').replace(/[\s,.:;|/\-–—()]+/g, '') === '') return true;
  if (context.headline && text === context.headline) return true;
  if (context.urls.includes(text)) return true;
  if (context.byline && text.length <= 120) {
    const line = text.replace(/^by\s+/i, '').toLowerCase();
    if (line === context.byline.toLowerCase().replace(/^by\s+/i, '')) return true;
  }
  return false;
}

/** True for a paragraph that is all link: a pointer to another story, or to a product (a price in it). */
function isLinkLine(line: StoryLine): boolean {
  const b = line.block;
  const linked = b.kind === 'h' ? b.href !== null : b.kind === 'p' && b.linkText >= b.text.length * 0.8;
  return linked && line.text.length <= 200 && !PRICE.test(line.text);
}
const PRICE = /[$€£¥₹]\s?\d|\d\s?[$€£¥₹]|\b(?:usd|eur|gbp|rs\.?)\s?\d/i;
// A single link that says what it is: "Related: …", "READ MORE: …", or a headline in capitals (no figures in it).
const POINTER = /^(?:related(?: \w+)?|read more|read also|also read|see also|more|watch|listen|recommended)\s*:/i;
const isPointer = (text: string): boolean => POINTER.test(text) || (text.length >= 20 && text === text.toUpperCase() && /[A-Z]{3}/.test(text) && !/\d[.,]\d|%/.test(text));

/**
 * The story without its furniture: everything from a "Related"-style heading in the last part of the text on,
 * runs of link-only lines (and the short title above a run), lines that are never story, and the notes among
 * the last paragraphs.
 */
export function dropFurniture(lines: readonly StoryLine[], context: FurnitureContext): StoryLine[] {
  // Only in the last part of the text: a "Related" line mid-story is an inline pointer, not where the story ends.
  const total = lines.reduce((n, p) => n + p.text.length, 0);
  let seen = 0;
  const tail = lines.findIndex((p) => {
    seen += p.text.length;
    return seen > total * 0.6 && p.text.length <= 60 && TAIL_START.test(p.text);
  });
  let out = tail > 0 ? lines.slice(0, tail) : [...lines];

  // Two or more link-only lines in a row are a list of other stories; a short line with no full stop right above
  // them is its title. A single link is story (a product, a source) unless it says it is a pointer.
  const drop = new Set<number>();
  const link = out.map(isLinkLine);
  for (let i = 0; i < out.length; i++) {
    if (!link[i]) continue;
    const run = (i > 0 && link[i - 1]) || (i + 1 < out.length && link[i + 1]);
    if (!run && !isPointer(out[i]!.text)) continue;
    drop.add(i);
    if (run && i > 0 && !link[i - 1] && !drop.has(i - 1)) {
      const above = out[i - 1]!.text;
      if (above.length <= 50 && !/[.!?"”]$/.test(above)) drop.add(i - 1);
    }
  }
  out = out.filter((p, i) => !drop.has(i) && !isFurnitureLine(p.text, context));

  let end = out.length;
  while (end > 0 && out.length - end < TAIL_NOTES && out[end - 1]!.text.length <= NOTE_MAX_CHARS && TAIL_NOTE.test(out[end - 1]!.text)) end--;
  return end > 0 ? out.slice(0, end) : out;
}
