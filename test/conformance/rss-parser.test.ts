/**
 * Cross-check against rss-parser, our reference reader (`src/ingest/xml/rss-parser.ts`): every well-formed
 * feed of our fixtures and of the feedparser corpus (`../shared/corpus/feedparser/`, the files of its
 * `wellformed: true` cases, read in place) is read by both, and each item's title and link must agree.
 *
 * - titles: ours are plain text; rss-parser hands over what is written, so an HTML-typed title (Atom
 *   `type="html"`) is compared by its text (tags stripped, entities decoded), any other whitespace-collapsed;
 * - links: ours are resolved against the feed; a relative link of rss-parser is resolved the same way;
 * - an entry with nothing in it is dropped by us, kept by rss-parser: when the counts differ, the items
 *   with no title, link, id or date are left out on both sides (item numbers then count what is left).
 * Every difference must be listed in ACCEPTED_DIFFERENCES (by `file#item:field`, or `file` for a feed
 * rss-parser cannot read) with the reason; one not listed fails the test, and a listed one that now agrees
 * is reported so the list can shrink. Dates and ids are counted and printed, not asserted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeFeedBytes } from '../../src/ingest/decode.ts';
import { parseFeed } from '../../src/ingest/parse.ts';
import { parseWithRssParser, type ReferenceFeed } from '../../src/ingest/xml/rss-parser.ts';
import type { RawFeed } from '../../src/model.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures');
const CORPUS = path.resolve(ROOT, '../shared/corpus/feedparser');
const CASES_FILE = path.join(CORPUS, 'cases.json');

/** Our well-formed XML fixtures (the hostile ones that are not well-formed XML are left out). */
const OUR_FIXTURES = [
  'parse/atom-garbage-updated.xml', 'parse/atom03.xml', 'parse/atom10.xml', 'parse/prefixes.xml', 'parse/rss091.xml',
  'parse/rss10-rdf.xml', 'parse/rss20-full.xml', 'hostile/a4_netscape_public_dtd.xml', 'hostile/b2_xxe_param.xml',
  'hostile/f1_iso8859_1.xml', 'hostile/f2_windows1252.xml', 'hostile/f4_latin1_no_decl.xml', 'hostile/g1_bom_utf8.xml',
  'hostile/g2_bom_utf16le.xml', 'hostile/g3_bom_then_whitespace.xml', 'hostile/g4_leading_whitespace_before_decl.xml',
  'hostile/h1_html_entities.xml', 'hostile/i2_cdata_properly_split.xml', 'hostile/j1_missing_and_duplicate_fields.xml',
  'hostile/j2_date_variants.xml', 'hostile/k5_proto_pollution.xml', 'hostile/k6_atom_basic.xml',
];

const NO_CDF = 'rss-parser does not read Microsoft CDF (we read it as RSS)';
const NO_NS = 'rss-parser matches element names as written: RSS in a prefixed namespace is not found (we resolve namespaces)';
const NO_XHTML = 'rss-parser does not read inline XHTML titles (xml2js hands over an object); we give their text';
const NO_BASE64 = 'rss-parser does not decode base64 titles (mode="base64" or a non-text type); we do (RFC 4287 §4.1.3.3)';
const NAKED = 'xml2js keeps only the text outside child elements of a title with naked markup; we read the markup as HTML';
const GUID = 'RSS 2.0: a guid is the permalink unless isPermaLink="false"; rss-parser does not use it as the link';
const TEXT_HREF = '<link rel="alternate">URL</link> (an RSS habit in Atom): we read the text as the href; rss-parser finds none';
const FIRST_LINK = 'with no alternate link rss-parser takes the first link whatever its rel (here an enclosure); we take none';
const XML_BASE = 'rss-parser ignores xml:base; we resolve links against it';
const DANGEROUS = 'we drop javascript: links; rss-parser hands them over';
const DOCTYPE = 'sax (strict) does not expand internal DTD entities and throws; we expand plain-text ones';

/** `file#item:field` (or `file`) → why rss-parser and we differ. */
const ACCEPTED_DIFFERENCES: Record<string, string> = {
  ...Object.fromEntries(
    ['channel_abstract_map_description', 'channel_abstract_map_tagline', 'channel_href_map_link', 'channel_lastmod_parsed',
      'channel_title', 'item_abstract_map_description', 'item_abstract_map_summary', 'item_href_map_link',
      'item_lastmod_parsed', 'item_title'].map((f) => [`wellformed/cdf/${f}.xml`, NO_CDF]),
  ),
  'parse/atom10.xml#1:title': NO_XHTML,
  'parse/atom10.xml#1:link': XML_BASE,
  'parse/rss20-full.xml#1:link': GUID,
  'parse/rss20-full.xml#2:link': DANGEROUS,
  'hostile/j1_missing_and_duplicate_fields.xml#8:link': GUID,
  'hostile/j1_missing_and_duplicate_fields.xml#10:link': DANGEROUS,
  'wellformed/namespace/rss1.0withModulesNoDefNS.xml': NO_NS,
  'wellformed/namespace/rss1.0withModulesNoDefNSLocalNameClash.xml': NO_NS,
  'wellformed/namespace/rss2.0NSwithModulesNoDefNS.xml': NO_NS,
  'wellformed/namespace/rss2.0NSwithModulesNoDefNSLocalNameClash.xml': NO_NS,
  'wellformed/rss/entity_in_doctype.xml': DOCTYPE,
  'wellformed/rss/item_description_not_a_doctype.xml':
    'sax (strict) reads "<!\'" in the description as a declaration and loses the channel; we read it as text',
  'wellformed/rss/item_description_not_a_doctype2.xml':
    'sax (strict) reads "<!" in the description as a declaration and loses the channel; we read it as text',
  ...Object.fromEntries(
    ['amp/amp59', 'amp/amp60', 'amp/amp61', 'amp/amp62', 'amp/amp63', 'amp/amp64', 'amp/attr04', 'amp/attr05', 'amp/attr06',
      'atom/entry_title_inline_markup', 'atom/entry_title_inline_markup_2', 'atom10/entry_title_inline_markup',
      'atom10/entry_title_inline_markup_2'].map((f) => [`wellformed/${f}.xml#0:title`, NO_XHTML]),
  ),
  ...Object.fromEntries(
    ['atom/entry_title_base64', 'atom/entry_title_base64_2', 'atom10/entry_title_base64', 'atom10/entry_title_base64_2']
      .map((f) => [`wellformed/${f}.xml#0:title`, NO_BASE64]),
  ),
  'wellformed/atom/entry_title_naked_markup.xml#0:title': NAKED,
  'wellformed/rss/item_guid.xml#0:link': GUID,
  'wellformed/rss/item_guid_isPermaLink_map_link.xml#0:link': GUID,
  'wellformed/rss/item_guid_map_link.xml#0:link': GUID,
  'wellformed/atom/entry_link_no_href_link_priority.xml#0:link': TEXT_HREF,
  'wellformed/atom/entry_link_no_href_link_priority.xml#1:link': TEXT_HREF,
  'wellformed/atom10/entry_link_no_href_link_priority.xml#0:link': TEXT_HREF,
  'wellformed/atom10/entry_link_no_href_link_priority.xml#1:link': TEXT_HREF,
  'wellformed/atom10/entry_link_rel_enclosure_map_enclosure_length.xml#0:link': FIRST_LINK,
  'wellformed/atom10/entry_link_rel_enclosure_map_enclosure_type.xml#0:link': FIRST_LINK,
  'wellformed/atom10/entry_link_rel_enclosure_map_enclosure_url.xml#0:link': FIRST_LINK,
};

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** XML white space collapsed (a no-break space is not white space). */
function collapse(s: string): string {
  return s.replace(/[ \t\n\r]+/g, ' ').trim();
}

/** The text of an HTML fragment: tags stripped, entities decoded, whitespace collapsed. */
function htmlText(s: string): string {
  const stripped = s.replace(/<!--[\s\S]*?-->|<\/?[a-z](?:[^>"']|"[^"]*"|'[^']*')*>|<![^>]*>/gi, '');
  return collapse(
    stripped.replace(/&(?:#(\d+)|#x([0-9a-f]+)|([a-z]+));/gi, (whole, dec?: string, hex?: string, name?: string) =>
      name !== undefined ? (NAMED[name] ?? whole) : String.fromCodePoint(dec !== undefined ? Number(dec) : parseInt(hex!, 16)),
    ),
  );
}

function theirTitle(title: string | null, type: string | null): string | null {
  if (title === null) return null;
  const t = (type ?? '').trim().toLowerCase();
  const text = t === 'html' || t === 'text/html' ? htmlText(title) : collapse(title);
  return text === '' ? null : text;
}

function theirLink(link: string | null, feed: RawFeed): string | null {
  if (link === null) return null;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(link.trim())) return link.trim();
  try {
    return new URL(link.trim(), feed.link ?? undefined).href;
  } catch {
    return link.trim();
  }
}

interface Difference {
  key: string;
  ours: unknown;
  theirs: unknown;
}

interface Tally {
  files: number;
  items: number;
  dates: { same: number; total: number };
  ids: { same: number; total: number };
  differences: Difference[];
}

async function crossCheck(files: Array<{ key: string; file: string }>): Promise<Tally> {
  const tally: Tally = { files: 0, items: 0, dates: { same: 0, total: 0 }, ids: { same: 0, total: 0 }, differences: [] };
  for (const { key, file } of files) {
    tally.files++;
    const { text } = decodeFeedBytes(new Uint8Array(fs.readFileSync(file)));
    const ours = await parseFeed(text);
    let theirs: ReferenceFeed;
    try {
      theirs = await parseWithRssParser(text);
    } catch (err) {
      tally.differences.push({ key, ours: `${ours.entries.length} entries`, theirs: String(err) });
      continue;
    }
    let items = theirs.items;
    let entries = ours.entries;
    if (items.length !== entries.length) {
      items = items.filter((i) => i.title !== null || i.link !== null || i.id !== null || i.date !== null);
      entries = entries.filter((e) => e.title !== null || e.link !== null || e.id !== null || (e.published ?? e.updated) !== null);
    }
    if (items.length !== entries.length) {
      tally.differences.push({ key: `${key}:count`, ours: ours.entries.length, theirs: theirs.items.length });
      continue;
    }
    entries.forEach((entry, i) => {
      const item = items[i]!;
      tally.items++;
      const title = theirTitle(item.title, item.titleType);
      if (entry.title !== title) tally.differences.push({ key: `${key}#${i}:title`, ours: entry.title, theirs: item.title });
      const link = theirLink(item.link, ours);
      if (entry.link !== link) tally.differences.push({ key: `${key}#${i}:link`, ours: entry.link, theirs: item.link });
      if (item.date !== null) {
        tally.dates.total++;
        if (item.date === (entry.published ?? entry.updated)?.replace(/Z$/, '.000Z')) tally.dates.same++;
      }
      if (item.id !== null) {
        tally.ids.total++;
        if (collapse(item.id) === entry.id) tally.ids.same++;
      }
    });
  }
  return tally;
}

function check(name: string, tally: Tally, files: string[]): void {
  console.log(
    `rss-parser cross-check, ${name}: ${tally.files} feeds, ${tally.items} items compared; ` +
      `${tally.differences.length} differences (${tally.differences.filter((d) => Object.hasOwn(ACCEPTED_DIFFERENCES, d.key)).length} accepted); ` +
      `dates agree ${tally.dates.same}/${tally.dates.total}, ids ${tally.ids.same}/${tally.ids.total}`,
  );
  const unexpected = tally.differences
    .filter((d) => !Object.hasOwn(ACCEPTED_DIFFERENCES, d.key))
    .map((d) => `${d.key}: ours ${JSON.stringify(d.ours)}, rss-parser ${JSON.stringify(d.theirs)}`);
  expect(unexpected, 'differences not in ACCEPTED_DIFFERENCES').toEqual([]);
  const checked = new Set(files);
  const found = new Set(tally.differences.map((d) => d.key));
  const nowAgreeing = Object.keys(ACCEPTED_DIFFERENCES).filter((k) => checked.has(k.split('#')[0]!) && !found.has(k));
  if (nowAgreeing.length > 0) console.warn(`accepted differences that now agree (remove them):\n  ${nowAgreeing.join('\n  ')}`);
}

describe('rss-parser cross-check', () => {
  it('nothing in src/ but the adapter imports rss-parser', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.tsx?$/.test(entry.name) && /from\s+['"]rss-parser['"]|require\(['"]rss-parser['"]\)/.test(fs.readFileSync(full, 'utf8'))) {
          offenders.push(path.relative(ROOT, full));
        }
      }
    };
    walk(path.join(ROOT, 'src'));
    expect(offenders).toEqual(['src/ingest/xml/rss-parser.ts']);
  });

  it('the adapter reads an Atom feed whose dates rss-parser alone throws RangeError on', async () => {
    const { text } = decodeFeedBytes(new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'parse/atom-garbage-updated.xml'))));
    const feed = await parseWithRssParser(text);
    expect(feed.items.map((i) => [i.title, i.link, i.date])).toEqual([['Still here', 'https://clock.example.com/1', null]]);
  });

  it('the adapter reads hollow Atom entries and text-only links that rss-parser alone throws TypeError on', async () => {
    const feed = await parseWithRssParser(
      '<feed xmlns="http://www.w3.org/2005/Atom"><link>https://a.example/</link><entry/>' +
        '<entry><title>t</title><link>https://a.example/1</link></entry></feed>',
    );
    expect(feed.link).toBe('https://a.example/');
    expect(feed.items.map((i) => [i.title, i.link])).toEqual([[null, null], ['t', 'https://a.example/1']]);
  });

  it('agrees with us on the title and link of every item of our well-formed fixtures', async () => {
    check('our fixtures', await crossCheck(OUR_FIXTURES.map((f) => ({ key: f, file: path.join(FIXTURES, f) }))), OUR_FIXTURES);
  });

  it('finds the feedparser corpus at ../shared/corpus/feedparser', () => {
    expect(fs.existsSync(CASES_FILE), `The feedparser conformance corpus is missing: expected ${CASES_FILE}.`).toBe(true);
  });

  it.runIf(fs.existsSync(CASES_FILE))('agrees with us on the corpus, but for the accepted differences', async () => {
    const cases = JSON.parse(fs.readFileSync(CASES_FILE, 'utf8')) as Array<{ file: string; wellformed: boolean }>;
    const files = [...new Set(cases.filter((c) => c.wellformed).map((c) => c.file))].sort();
    expect(files.length).toBeGreaterThan(300);
    const tally = await crossCheck(files.map((f) => ({ key: f, file: path.join(CORPUS, 'files', f) })));
    check('feedparser corpus', tally, files);
    expect(tally.items).toBeGreaterThan(200);
  });
});
