import type { RawFeed } from '../../model.ts';
import { mapAtom } from '../map/atom.ts';
import { entryNodes, feedNode } from '../map/nodes.ts';
import { mapRss } from '../map/rss.ts';
import { repairXml } from './repair.ts';

/** An XML feed → `RawFeed`: read and repaired into one canonical tree, then mapped as RSS/RDF or Atom. */
export function parseXmlFeed(text: string, url: string | null): RawFeed {
  const { tree, family } = repairXml(text, url);
  if (family === 'atom') return mapAtom(tree, url);
  return mapRss(feedNode(tree, family), entryNodes(tree, family), family, url);
}
