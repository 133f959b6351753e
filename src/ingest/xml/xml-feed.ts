import Parser from 'rss-parser';
import { ParseError } from '../../errors.ts';
import type { RawFeed } from '../../model.ts';
import { mapAtom } from '../map/atom.ts';
import { rawFields, type RawHolder } from './raw-fields.ts';
import { mapRss } from '../map/rss.ts';
import { repairXml } from './repair.ts';

/** An XML feed → `RawFeed`: repaired, read by rss-parser, then mapped as RSS/RDF or Atom. */
export async function parseXmlFeed(text: string, url: string | null): Promise<RawFeed> {
  const { xml, family } = repairXml(text, url);
  const parser = new Parser<RawHolder, RawHolder>({
    customFields: { feed: rawFields() as unknown as string[], item: rawFields() },
    defaultRSS: 2,
  });
  let out: RawHolder;
  try {
    out = (await parser.parseString(xml)) as unknown as RawHolder;
  } catch (err) {
    throw new ParseError(`the feed's XML could not be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (family === 'atom') return mapAtom(out, url);
  return mapRss(out, family === 'rdf' ? 'rdf' : 'rss', url);
}
