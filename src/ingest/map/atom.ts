import type { RawEnclosure, RawEntry, RawFeed } from '../../model.ts';
import { parseDate } from '../../util/dates.ts';
import { HIDDEN } from '../xml/quirks.ts';
import { clean, emptyEntry, joinNames, parseLength, personName, uniqueStrings } from './field-values.ts';
import { mergeEnclosures, readMedia } from './media-rss.ts';
import { baseOf, firstNode, firstText, nodeAttr, nodeText, rawItems, rawList, raws, type RawHolder, type RawNode } from '../xml/raw-fields.ts';
import { asHtml, asText, textConstruct } from './text-construct.ts';
import { absolutizeHtml, cleanUrl, feedBase } from './urls.ts';

/** An Atom person element's name (`<name>`, else `<email>`, else its text). */
function atomPerson(node: RawNode): string | null {
  const name = rawList(node, 'name').map(nodeText).find((t) => clean(t));
  if (name) return personName(name);
  const email = rawList(node, 'email').map(nodeText).find((t) => clean(t));
  return email ? clean(email) : personName(nodeText(node));
}

/** The `rel="alternate"` (or rel-less) link with an href, resolved. */
function atomLink(holder: RawHolder, base: string | null): string | null {
  for (const node of raws(holder, 'link')) {
    const rel = (nodeAttr(node, 'rel') ?? 'alternate').trim().toLowerCase();
    const href = nodeAttr(node, 'href');
    if ((rel === 'alternate' || rel === '') && clean(href) !== null) {
      const resolved = cleanUrl(href, baseOf(node, base));
      if (resolved) return resolved;
    }
  }
  return null;
}

function atomCategories(holder: RawHolder): string[] {
  return uniqueStrings(
    raws(holder, 'category').map((n) => clean(nodeAttr(n, 'term')) ?? clean(nodeAttr(n, 'label')) ?? nodeText(n)),
  );
}

function atomAuthor(holder: RawHolder): string | null {
  return joinNames(raws(holder, 'author').map(atomPerson));
}

/** Maps rss-parser's output for an Atom 1.0 or 0.3 document onto `RawFeed`. */
export function mapAtom(out: RawHolder, url: string | null): RawFeed {
  const link = atomLink(out, url);
  const fallbackBase = feedBase(link, url);
  const items = rawItems(out);
  const entries = items.map((entry): RawEntry => {
    const enclosures: RawEnclosure[] = [];
    for (const node of raws(entry, 'link')) {
      if ((nodeAttr(node, 'rel') ?? '').trim().toLowerCase() !== 'enclosure') continue;
      const href = cleanUrl(nodeAttr(node, 'href'), baseOf(node, fallbackBase));
      if (href) enclosures.push({ url: href, type: clean(nodeAttr(node, 'type')), length: parseLength(nodeAttr(node, 'length')) });
    }
    const contentNode = raws(entry, HIDDEN.content!)[0];
    // Out-of-line content (<content src="…"/>) has nothing inline to show.
    const content = contentNode !== undefined && nodeAttr(contentNode, 'src') === undefined ? textConstruct(contentNode, 'text', true) : null;
    const media = readMedia(entry, fallbackBase);
    const summaryNode = raws(entry, 'summary')[0];
    return {
      id: firstText(entry, 'id'),
      title: asText(textConstruct(raws(entry, 'title')[0], 'text', true)),
      link: atomLink(entry, fallbackBase),
      // Atom 0.3 says issued/modified/created where Atom 1.0 says published/updated.
      published: parseDate(firstText(entry, 'published', 'issued', 'created')),
      updated: parseDate(firstText(entry, 'updated', 'modified')),
      author: atomAuthor(entry),
      categories: atomCategories(entry),
      summary: absolutizeHtml(asHtml(textConstruct(summaryNode, 'text', true)), baseOf(summaryNode, fallbackBase)),
      content: absolutizeHtml(asHtml(content), baseOf(contentNode, fallbackBase)),
      enclosures: mergeEnclosures(enclosures, media, entry, fallbackBase),
      media,
    };
  });
  const subtitleNode = firstNode(out, 'subtitle', 'tagline');
  return {
    format: 'atom',
    title: asText(textConstruct(raws(out, 'title')[0], 'text', true)),
    link,
    description: absolutizeHtml(asHtml(textConstruct(subtitleNode, 'text', true)), baseOf(subtitleNode, fallbackBase)),
    id: firstText(out, 'id'),
    author: atomAuthor(out),
    categories: atomCategories(out),
    published: parseDate(firstText(out, 'published', 'issued')),
    updated: parseDate(firstText(out, 'updated', 'modified')),
    entries: entries.filter((e) => !emptyEntry(e)),
  };
}
