import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { FeedSpec } from '../model.ts';

const FORMATS = [
  { ext: 'rss', label: 'RSS 2.0', type: 'application/rss+xml' },
  { ext: 'atom', label: 'Atom 1.0', type: 'application/atom+xml' },
  { ext: 'json', label: 'JSON Feed 1.1', type: 'application/feed+json' },
] as const;

const PARAMETERS: [string, string][] = [
  ['category=Alberta,Politics', 'any of these categories (repeatable)'],
  ['exclude_category=Sports', 'leave these out'],
  ['provider=The Canadian Press', 'the agency'],
  ['located=Calgary', 'the dateline place'],
  ['by=Jane Doe', 'words of the byline'],
  ['q=wildfire evacuation', 'every word in the headline or body'],
  ['since=P2D', 'published in the last two days (or an ISO time; until= too)'],
  ['limit=100', 'items per page, 1–500 (default 50)'],
  ['filter=Oilers|Flames', 'RSSHub-compatible regular expression; also filterout, filter_title, filter_case_sensitive=false, filter_time…'],
];

/** The `/` page: every published feed with subscribe links, and autodiscovery links in the head. */
export function indexPage(input: { title: string; baseUrl: string; feeds: FeedSpec[] }): HtmlEscapedString | Promise<HtmlEscapedString> {
  const url = (feed: FeedSpec, ext: string): string => `${input.baseUrl}/feeds/${feed.name}.${ext}`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${input.title}</title>
${input.feeds.flatMap((feed) =>
  FORMATS.map((f) => html`<link rel="alternate" type="${f.type}" title="${feed.title} (${f.label})" href="${url(feed, f.ext)}">
`),
)}<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; color: #222 }
section { border-top: 1px solid #ddd; padding: .5rem 0 }
h2 { font-size: 1.1rem; margin: .5rem 0 .25rem }
code { background: #f4f4f4; padding: 0 .25rem }
a.fmt { margin-right: 1rem }
</style>
</head>
<body>
<h1>${input.title}</h1>
<p>Published feeds. Subscribe in a feed reader with one of the links, or import them all at once from the
<a href="${input.baseUrl}/opml">OPML list</a>. Source health is at <a href="${input.baseUrl}/status">/status</a>.</p>
${input.feeds.map(
  (feed) => html`<section>
<h2>${feed.title}</h2>
${feed.description ? html`<p>${feed.description}</p>` : ''}
<p>${describeFilter(feed)}</p>
<p>${FORMATS.map((f) => html`<a class="fmt" href="${url(feed, f.ext)}" type="${f.type}">${f.label}</a>`)}<a class="fmt" href="${url(feed, 'ninjs')}">ninjs 3.1</a></p>
<p><code>${url(feed, 'rss')}</code></p>
</section>
`,
)}
<section>
<h2>Narrow any feed</h2>
<p>Add query parameters to any feed URL; they combine with the feed's own filter. For example
<code>${input.baseUrl}/feeds/all.rss?category=Alberta&amp;q=wildfire</code>.</p>
<table>
${PARAMETERS.map(([example, meaning]) => html`<tr><td><code>${example}</code></td><td>${meaning}</td></tr>
`)}</table>
<p>Every feed answers conditional requests (ETag, Last-Modified) with 304, and pages with <code>rel="next"</code> links.</p>
</section>
</body>
</html>
`;
}

function describeFilter(feed: FeedSpec): string {
  const parts: string[] = [];
  if (feed.filter.categories?.length) parts.push(`categories: ${feed.filter.categories.join(' or ')}`);
  if (feed.filter.excludeCategories?.length) parts.push(`excluding: ${feed.filter.excludeCategories.join(', ')}`);
  if (feed.filter.sources?.length) parts.push(`sources: ${feed.filter.sources.join(', ')}`);
  return parts.length ? `Filter — ${parts.join('; ')}.` : 'Every story from every source.';
}
