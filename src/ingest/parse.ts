/**
 * Upstream document → `RawFeed`. Pure: no I/O, no `node:` imports (runs on Workers too).
 *
 * Formats: JSON Feed 1.0/1.1, RSS 0.9x/2.0, RSS 1.0 and 0.90 (RDF), Atom 1.0 and 0.3; the odd Microsoft
 * CDF channel is read as RSS.
 *
 * XML is read in one pass of our own: a tolerant reader builds a tree (`xml/reader.ts`), the repair step
 * canonicalizes it and applies the feed formats' quirks (`xml/repair.ts`, `canonicalize.ts`, `quirks.ts`),
 * and the mappers read that tree directly (`map/rss.ts`, `map/atom.ts`, over `map/nodes.ts`). The reader
 * does what feedparser's lenient mode does and refuses what is dangerous:
 * - the DOCTYPE is dropped: external entities (XXE) are never resolved, parameter entities are ignored,
 *   and internal entities are expanded only when their value is plain text of at most 1 KiB (so
 *   billion-laughs and quadratic blow-ups do not expand); past 1 MiB of expansion the document is refused;
 * - characters XML 1.0 forbids are removed, C1 controls and `&#128;`–`&#159;` are read as windows-1252
 *   (the "demoronize" rule), HTML named entities (`&nbsp;`, `&rsquo;` …) become characters and a bare or
 *   unknown `&` stays a literal `&`;
 * - unclosed or mismatched tags are closed, stray end tags dropped, and elements nested deeper than 128
 *   levels are unwrapped (their text kept); an item or entry cut off by the end of a truncated document is
 *   dropped;
 * - namespace prefixes are rewritten to the usual ones (`dc:`, `content:`, `media:` …), whatever the
 *   document called them, so that extension elements are found and same-named elements of foreign
 *   namespaces never shadow the feed's own;
 * - inline markup in text elements (Atom `type="xhtml"`, RSS descriptions with naked HTML) is serialised
 *   to an HTML string;
 * - the feed vocabularies' element names are matched whatever their case (`<pubdate>`, `<Title>`), as
 *   feedparser does;
 * - a field of double-encoded UTF-8 ("Ã©" for "é": UTF-8 read as windows-1252 and encoded again) is undone
 *   when the whole field maps back to valid UTF-8 (`mojibake.ts`; `decode.ts` does the same for a whole
 *   document).
 *
 * What comes out:
 * - `title` (feed and entry), `author` and `categories` are plain text;
 * - an RSS entry's author is its `author`/`dc:creator` (an `<author>` with a `<name>` child too), else its
 *   `atom:author`, else its `itunes:author`; a JSON Feed item without authors has the feed's; an entry
 *   without a title or any body takes its own Media RSS title or description (a `media:group`'s, as in
 *   YouTube's feeds, but never one `media:content`'s caption); RSS items read Atom's dates and bodies too;
 * - `description`, `summary` and `content` are HTML (text-typed values, such as an Atom `type="text"`
 *   summary or a JSON Feed `content_text`, are HTML-escaped);
 * - dates are ISO-8601 UTC (see `dates.ts`), `null` when missing or unreadable — a bad date never loses the
 *   entry (an Atom entry takes the first readable one of published/issued/created and of updated/modified);
 * - links and enclosure URLs are resolved against `xml:base`, then the feed's own link, then `options.url`;
 *   `javascript:`, `vbscript:`, `data:` and `file:` URLs are dropped; a relative URL with nothing to resolve
 *   it against is kept as written; ids are never rewritten;
 * - empty strings are `null`; entries with nothing at all in them are dropped.
 *
 * JSON goes to `map/json-feed.ts`; XML to `xml/xml-feed.ts`, which repairs it into the canonical tree
 * (`xml/repair.ts`) and maps it (`map/rss.ts`, `map/atom.ts`). rss-parser is not on this path: it is a
 * reference reader (`xml/rss-parser.ts`) that the tests cross-check us against and the bench times us against.
 */
import { ParseError } from '../errors.ts';
import type { RawFeed } from '../model.ts';
import { parseJsonFeed } from './map/json-feed.ts';
import { cleanChars } from './xml/chars.ts';
import { parseXmlFeed } from './xml/xml-feed.ts';

/** Documents longer than this (in UTF-16 code units) are refused. */
const MAX_DOCUMENT_CHARS = 64 * 1024 * 1024;

/**
 * Parses a decoded upstream document (see `decodeFeedBytes`) into a `RawFeed`.
 *
 * `options.url` is the document's own URL: the last resort for resolving relative links.
 * Throws `ParseError` for anything that is not a feed (empty body, HTML page, JSON that is not a JSON
 * Feed, XML of another vocabulary, a document truncated before its first entry, an entity bomb) — never
 * an empty feed in their place.
 */
export async function parseFeed(text: string, options?: { url?: string }): Promise<RawFeed> {
  const url = options?.url && /^https?:\/\//i.test(options.url) ? options.url : null;
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (body === '') throw new ParseError('not a feed: the document is empty');
  if (body.length > MAX_DOCUMENT_CHARS) throw new ParseError('refusing the document: it is larger than 64 MiB');
  if (body.startsWith('{') || body.startsWith('[')) return parseJsonFeed(body, url);
  // Server-side warnings printed before the feed ("<br />\n<b>Warning</b>: … on line 3") are skipped; a
  // prefix holding a declaration, comment or <html> is not junk and stays.
  const start = body.slice(0, 65536).search(/<(?:\?xml\s|rss[\s>]|feed[\s>]|rdf:RDF[\s>])/);
  const junk = start > 0 && !/<[!?]|<html[\s>]/i.test(body.slice(0, start)) ? start : 0;
  if (junk === 0 && !body.startsWith('<')) throw new ParseError('not a feed: the document is neither XML nor JSON');
  return parseXmlFeed(cleanChars(body.slice(junk)), url);
}
