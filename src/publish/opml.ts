import type { FeedSpec } from '../model.ts';

/** The `Content-Type` of the OPML subscription list. */
export const OPML_CONTENT_TYPE = 'text/x-opml; charset=utf-8';

/** An OPML 2.0 subscription list of every published feed (RSS URLs, with the site as htmlUrl). */
export function renderOpml(input: { title: string; baseUrl: string; feeds: FeedSpec[]; updated: Date }): string {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const outlines = input.feeds
    .map((f) => {
      const text = esc(f.title);
      const xml = esc(`${input.baseUrl}/feeds/${f.name}.rss`);
      return `    <outline type="rss" text="${text}" title="${text}" xmlUrl="${xml}" htmlUrl="${esc(`${input.baseUrl}/`)}"${f.description ? ` description="${esc(f.description)}"` : ''}/>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0">
  <head>
    <title>${esc(input.title)}</title>
    <dateCreated>${input.updated.toUTCString()}</dateCreated>
    <docs>http://opml.org/spec2.opml</docs>
  </head>
  <body>
${outlines}
  </body>
</opml>
`;
}
