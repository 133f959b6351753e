import type { RawEnclosure, RawEntry, RawFeed } from '../../model.ts';
import { parseDate } from '../../util/dates.ts';
import type { XNode } from '../xml/tree.ts';
import { clean, emptyEntry, joinNames, parseLength, personName, uniqueStrings } from './field-values.ts';
import { mediaTextNode, mergeEnclosures, readMedia } from './media-rss.ts';
import { baseOf, firstDate, firstNode, firstText, kids, nodeAttr, nodeText } from './nodes.ts';
import { asHtml, asText, textConstruct } from './text-construct.ts';
import { absolutizeHtml, cleanUrl, feedBase } from './urls.ts';

/** An Atom person element's name (`<name>`, else `<email>`, else its text). */
function atomPerson(node: XNode): string | null {
  const name = kids(node, 'name').map(nodeText).find((t) => clean(t));
  if (name) return personName(name);
  const email = kids(node, 'email').map(nodeText).find((t) => clean(t));
  return email ? clean(email) : personName(nodeText(node));
}

/** The `rel="alternate"` (or rel-less) link with an href, resolved. */
function atomLink(holder: XNode, base: string | null): string | null {
  for (const node of kids(holder, 'link')) {
    const rel = (nodeAttr(node, 'rel') ?? 'alternate').trim().toLowerCase();
    const href = nodeAttr(node, 'href');
    if ((rel === 'alternate' || rel === '') && clean(href) !== null) {
      const resolved = cleanUrl(href, baseOf(node, base));
      if (resolved) return resolved;
    }
  }
  return null;
}

function atomCategories(holder: XNode): string[] {
  return uniqueStrings(
    kids(holder, 'category').map((n) => clean(nodeAttr(n, 'term')) ?? clean(nodeAttr(n, 'label')) ?? nodeText(n)),
  );
}

function atomAuthor(holder: XNode): string | null {
  return joinNames(kids(holder, 'author').map(atomPerson));
}

/** Maps a canonical Atom 1.0 or 0.3 tree onto `RawFeed`. */
export function mapAtom(out: XNode, url: string | null): RawFeed {
  const link = atomLink(out, url);
  const fallbackBase = feedBase(link, url);
  const items = kids(out, 'entry');
  const entries = items.map((entry): RawEntry => {
    const enclosures: RawEnclosure[] = [];
    for (const node of kids(entry, 'link')) {
      if ((nodeAttr(node, 'rel') ?? '').trim().toLowerCase() !== 'enclosure') continue;
      const href = cleanUrl(nodeAttr(node, 'href'), baseOf(node, fallbackBase));
      if (href) enclosures.push({ url: href, type: clean(nodeAttr(node, 'type')), length: parseLength(nodeAttr(node, 'length')) });
    }
    const contentNode = kids(entry, 'content')[0];
    // Out-of-line content (<content src="…"/>) has nothing inline to show.
    const content = contentNode !== undefined && nodeAttr(contentNode, 'src') === undefined ? textConstruct(contentNode, 'text', true) : null;
    const media = readMedia(entry, fallbackBase);
    let summaryNode = kids(entry, 'summary')[0];
    let summary = textConstruct(summaryNode, 'text', true);
    if (summary === null && content === null) {
      // Video feeds (YouTube) describe an entry only in Media RSS: that is its summary when it has no other body.
      summaryNode = mediaTextNode(entry, 'media:description');
      summary = textConstruct(summaryNode, 'text');
    }
    return {
      id: firstText(entry, 'id'),
      // An entry without a title of its own (a video feed) is called by its Media RSS title.
      title: asText(textConstruct(kids(entry, 'title')[0], 'text', true)) ?? asText(textConstruct(mediaTextNode(entry, 'media:title'), 'text')),
      link: atomLink(entry, fallbackBase),
      // Atom 0.3 says issued/modified/created where Atom 1.0 says published/updated.
      published: firstDate(entry, 'published', 'issued', 'created'),
      updated: firstDate(entry, 'updated', 'modified'),
      author: atomAuthor(entry),
      categories: atomCategories(entry),
      summary: absolutizeHtml(asHtml(summary), baseOf(summaryNode, fallbackBase)),
      content: absolutizeHtml(asHtml(content), baseOf(contentNode, fallbackBase)),
      enclosures: mergeEnclosures(enclosures, media, entry, fallbackBase),
      media,
    };
  });
  const subtitleNode = firstNode(out, 'subtitle', 'tagline');
  return {
    format: 'atom',
    title: asText(textConstruct(kids(out, 'title')[0], 'text', true)),
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
