/**
 * rss-parser as a reference reader. It is not on the ingest path (`parse.ts` reads XML in one pass of its
 * own); the tests read well-formed feeds with both and compare, and the bench times both on the same bytes.
 * This is the only file that imports rss-parser.
 */
import Parser from 'rss-parser';
import { ParseError } from '../../errors.ts';

/** One item or entry as rss-parser reads it: the fields worth comparing, as it hands them over. */
export interface ReferenceItem {
  /** The title as written: text, or HTML source when `titleType` says so. */
  title: string | null;
  /** The title's `type` attribute (Atom: `text`, `html`, `xhtml`), `null` when it has none. */
  titleType: string | null;
  /** The link as written (rss-parser resolves nothing). */
  link: string | null;
  /** rss-parser's ISO-8601 reading of the item's date. */
  date: string | null;
  /** RSS `<guid>`, Atom `<id>`. */
  id: string | null;
}

/** A feed as rss-parser reads it. */
export interface ReferenceFeed {
  title: string | null;
  link: string | null;
  items: ReferenceItem[];
}

/** An element as xml2js hands it over: a string, or text (`_`), attributes (`$`) and child arrays. */
type XmlNode = string | { _?: unknown; $?: Record<string, string>; [child: string]: unknown };
type XmlObject = Exclude<XmlNode, string>;

/** The raw fields we ask rss-parser for (it drops the attributes of the ones it reads itself). */
const RAW_FIELDS: Array<[string, string, { keepArray: boolean }]> = [['title', 'raw:title', { keepArray: true }]];

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'object' && value !== null && typeof (value as XmlObject)._ === 'string') return text((value as XmlObject)._);
  return null;
}

function attr(node: unknown, name: string): string | null {
  if (typeof node !== 'object' || node === null) return null;
  const attrs = (node as XmlObject).$;
  return typeof attrs === 'object' && attrs !== null && typeof attrs[name] === 'string' ? attrs[name] : null;
}

/**
 * Atom links as rss-parser can read them: it reads `link.$.href` of every link and throws a TypeError on a
 * link without attributes, which is how xml2js hands over `<link>URL</link>` (an RSS habit).
 */
function fixAtomLinks(holder: XmlObject): void {
  if (!Array.isArray(holder.link)) return;
  holder.link = (holder.link as XmlNode[]).map((link) => {
    if (typeof link === 'object' && link !== null && link.$) return link;
    const href = text(link)?.trim();
    return href ? { $: { href } } : { $: {} };
  });
}

/**
 * Makes the rss-parser instance survive two kinds of Atom input it throws on (losing the whole feed):
 * - `published`/`updated` it cannot read: it runs `new Date(x).toISOString()` and throws RangeError, so
 *   such dates are taken out of the entry first;
 * - an entry with neither attributes nor children: xml2js hands it over as a string, on which rss-parser
 *   reads `entry.link` (`String.prototype.link`, a function) and throws; it is read as an empty entry.
 */
function patchAtom(parser: Parser): void {
  const target = parser as unknown as {
    parseItemAtom(entry: XmlNode): Record<string, unknown>;
    buildAtomFeed(xmlObj: { feed: XmlObject }): unknown;
  };
  const parseItemAtom = target.parseItemAtom.bind(parser);
  const buildAtomFeed = target.buildAtomFeed.bind(parser);
  target.parseItemAtom = (entry) => {
    if (typeof entry !== 'object' || entry === null) return {};
    const copy: XmlObject = { ...entry };
    fixAtomLinks(copy);
    for (const name of ['published', 'updated']) {
      const dates = copy[name];
      if (!Array.isArray(dates)) continue;
      const readable = dates.filter((d: unknown) => typeof d !== 'string' || d === '' || !Number.isNaN(new Date(d).getTime()));
      if (readable.length > 0) copy[name] = readable;
      else delete copy[name];
    }
    return parseItemAtom(copy);
  };
  target.buildAtomFeed = (xmlObj) => {
    if (typeof xmlObj.feed === 'object' && xmlObj.feed !== null) fixAtomLinks(xmlObj.feed);
    return buildAtomFeed(xmlObj);
  };
}

/**
 * Reads a feed with rss-parser's `parseString` (RSS 0.9x/1.0/2.0 and Atom), for comparison with our own
 * reader. Throws `ParseError` when rss-parser cannot read it.
 */
export async function parseWithRssParser(xml: string): Promise<ReferenceFeed> {
  const parser = new Parser<Record<string, unknown>, Record<string, unknown>>({ customFields: { item: RAW_FIELDS }, defaultRSS: 2 });
  patchAtom(parser);
  let out: Awaited<ReturnType<typeof parser.parseString>>;
  try {
    out = await parser.parseString(xml);
  } catch (err) {
    throw new ParseError(`rss-parser could not read the feed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return {
    title: text(out.title),
    link: text(out.link),
    items: out.items.map((item) => {
      const rawTitle = Array.isArray(item['raw:title']) ? (item['raw:title'] as unknown[])[0] : undefined;
      return {
        title: text(item.title),
        titleType: attr(rawTitle, 'type'),
        link: text(item.link),
        date: text(item.isoDate),
        id: text(item.guid) ?? text(item.id),
      };
    }),
  };
}

/**
 * rss-parser's `parseString` alone, with its default options: what the bench times our parser against.
 * Its output is not used.
 */
export async function rssParserParseString(xml: string): Promise<unknown> {
  return new Parser().parseString(xml);
}
