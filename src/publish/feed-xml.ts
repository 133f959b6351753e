/**
 * What RSS and Atom need around the `feed` package: safe encoding of the strings handed to it, and the
 * links (`rel="next"`, `rel="hub"`) that it cannot write.
 */
import type { FeedLinks } from './feed-meta.ts';

// `feed` hands strings to xml-js, which escapes only `"` in attributes, turns `&amp;` back into `&` in
// text before escaping, and splits only the first `]]>` inside CDATA. So every string we pass for XML
// goes in with markers for `&`, `<` and `]]>`, and the markers become proper XML after serialisation.
// A marker holds NUL, which xmlSafe has removed from all input, so no input can forge one.
const MARK_AMP = '\u0000A\u0000';
const MARK_LT = '\u0000L\u0000';
const MARK_GT = '\u0000G\u0000';
const MARK_CDATA_END = '\u0000C\u0000';
const TEXT_OPEN = '\u0000S\u0000';
const TEXT_CLOSE = '\u0000E\u0000';
const TEXT_CDATA = /<!\[CDATA\[\u0000S\u0000([^]*?)\u0000E\u0000\]\]>/g;
const MARKS = /\u0000([ALGC])\u0000/g;
const UNMARK: Record<string, string> = { A: '&amp;', L: '&lt;', G: '&gt;', C: ']]]]><![CDATA[>' };

/** A marked string for an element's text; {@link unmark} turns it into XML after serialisation. */
export function markText(s: string): string {
  return s.replace(/&/g, MARK_AMP);
}

/** A marked string for an attribute value. */
export function markAttr(s: string): string {
  return s.replace(/&/g, MARK_AMP).replace(/</g, MARK_LT);
}

/** A marked string for a CDATA section. */
export function markCdata(s: string): string {
  return s.replace(/]]>/g, MARK_CDATA_END);
}

/**
 * A marked string for a slot `feed` always wraps in CDATA (titles), to come out as escaped text instead:
 * libmrss (rsstail) reads only the first CDATA section, so a `]]>` split across two would cut the text.
 */
export function markCdataAsText(s: string): string {
  return TEXT_OPEN + s.replace(/&/g, MARK_AMP).replace(/</g, MARK_LT).replace(/>/g, MARK_GT) + TEXT_CLOSE;
}

/** Turns the markers in what `feed` wrote into proper XML. */
export function unmark(xml: string): string {
  return xml.replace(TEXT_CDATA, (_, t: string) => t).replace(MARKS, (_, k: string) => UNMARK[k] ?? '');
}

/** Adds the paging and hub links after the opening `anchor`. */
export function addXmlLinks(xml: string, anchor: string, element: string, links: FeedLinks): string {
  const attr = (u: string): string => u.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  let extra = '';
  if (links.next) extra += `\n    <${element} rel="next" href="${attr(links.next)}"/>`;
  if (links.hub) extra += `\n    <${element} rel="hub" href="${attr(links.hub)}"/>`;
  // Replacer functions, not strings: a URL may hold `$&`, `$'` or `` $` ``, which a replacement string expands.
  return extra ? xml.replace(anchor, () => `${anchor}${extra}`) : xml;
}
