import type { FeedSpec } from '../model.ts';
import { escapeHtml as esc } from '../util/html-text.ts';

/** The `Content-Type` of the OPML subscription list. */
export const OPML_CONTENT_TYPE = 'text/x-opml; charset=utf-8';

/**
 * An OPML 2.0 subscription list of every published feed (RSS URLs, with the site as htmlUrl), dated
 * (`dateCreated`, `dateModified`, RFC 822) by `updated`; undated when `updated` is undefined.
 */
export function renderOpml(input: { title: string; baseUrl: string; feeds: FeedSpec[]; updated: Date | undefined }): string {
  const outlines = input.feeds
    .map((f) => {
      const text = esc(f.title);
      const xml = esc(`${input.baseUrl}/feeds/${f.name}.rss`);
      return `    <outline type="rss" text="${text}" title="${text}" xmlUrl="${xml}" htmlUrl="${esc(`${input.baseUrl}/`)}"${f.description ? ` description="${esc(f.description)}"` : ''}/>`;
    })
    .join('\n');
  const time = input.updated?.getTime();
  const date = time !== undefined && Number.isFinite(time) ? new Date(time).toUTCString() : undefined;
  const dates = date ? `    <dateCreated>${date}</dateCreated>\n    <dateModified>${date}</dateModified>\n` : '';
  return `<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0">
  <head>
    <title>${esc(input.title)}</title>
${dates}    <docs>http://opml.org/spec2.opml</docs>
  </head>
  <body>
${outlines}
  </body>
</opml>
`;
}
