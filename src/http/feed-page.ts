import { html, raw } from 'hono/html';
import type { FeedSpec } from '../model.ts';
import { collectPage } from '../publish/collect.ts';
import type { Rendered } from '../publish/representation.ts';
import type { Store } from '../store/store.ts';
import { feedRequestOf } from './feed-render.ts';
import { pageShell, PAGE_CONTENT_TYPE, type Html } from './page-layout.ts';
import { storyCard } from './story-card.ts';
import { storyView } from './story-view.ts';

/** The subscribe formats a page links to, with their autodiscovery types. */
export const SUBSCRIBE_FORMATS = [
  { ext: 'rss', label: 'RSS', type: 'application/rss+xml' },
  { ext: 'atom', label: 'Atom', type: 'application/atom+xml' },
  { ext: 'json', label: 'JSON Feed', type: 'application/feed+json' },
  { ext: 'ninjs', label: 'ninjs', type: 'application/json' },
] as const;

/** The fields of the filter form, in order: parameter, label, placeholder. */
const FIELDS: [string, string, string][] = [
  ['q', 'Words', 'wildfire evacuation'],
  ['category', 'Categories (any of)', 'Alberta, Politics'],
  ['exclude_category', 'Leave out categories', 'Sports'],
  ['provider', 'Agency', 'The Canadian Press'],
  ['located', 'Dateline place', 'Calgary'],
  ['by', 'Byline', 'Jane Doe'],
];
const SINCE: [string, string][] = [['', 'any time'], ['PT6H', 'last 6 hours'], ['P1D', 'last day'], ['P2D', 'last 2 days'], ['P7D', 'last week']];
const LIMITS = ['', '10', '25', '100'];
// Parameters the form has fields for (and the cursor, which a new filter starts over from); others ride along hidden.
const FORM_PARAMS = new Set([...FIELDS.map(([name]) => name), 'since', 'limit', 'before']);

/** Whether a `/feeds/:file` request asks for the HTML page: `.html`, or no extension and no `?format=`. */
export function isFeedPage(file: string, formatParam: string | null): { name: string } | null {
  if (file.endsWith('.html') && formatParam === null) return { name: file.slice(0, -'.html'.length) };
  if (!file.includes('.') && formatParam === null) return { name: file };
  return null;
}

/** The query of a page URL without its empty parameters (what a submitted form leaves), or null when it has none. */
export function withoutEmptyParams(search: string): string | null {
  const params = new URLSearchParams(search);
  const kept = [...params].filter(([, v]) => v.trim() !== '');
  if (kept.length === [...params].length) return null;
  const q = new URLSearchParams(kept).toString();
  return q ? `?${q}` : '';
}

/**
 * Renders the HTML page of a published feed: its stories as normalized (one page of the feed, the same
 * filters and paging cursor), a filter form whose GET builds the URL of what is shown, and subscribe links.
 * @throws HTTPException 400 for a filter the request cannot have.
 */
export async function renderFeedPage(
  deps: { store: Store; title: string; now: number },
  request: { spec: FeedSpec; url: URL; base: string },
): Promise<Rendered> {
  const { spec, url, base } = request;
  const feedRequest = feedRequestOf(spec, url, deps.now);
  const page = await collectPage(deps.store, feedRequest);
  const feedPath = `/feeds/${spec.name}`;
  const filters = new URLSearchParams(url.search);
  filters.delete('before');
  const query = filters.toString() ? `?${filters.toString()}` : '';
  const feedUrl = (ext: string): string => `${base}${feedPath}.${ext}${query}`;
  const paged = (before: string | null): string => {
    const p = new URLSearchParams(filters);
    if (before) p.set('before', before);
    return `${base}${feedPath}${p.toString() ? `?${p.toString()}` : ''}`;
  };
  const newest = page.items.reduce((max, s) => Math.max(max, Date.parse(s.item.versionCreated) || 0), 0);
  const heading = spec.name === 'all' ? 'All stories' : spec.title;
  const body = html`<h1>${heading}</h1>
${spec.description && spec.name !== 'all' ? html`<p>${spec.description}</p>` : ''}
<p class="subscribe"><span>Subscribe:</span>${SUBSCRIBE_FORMATS.map((f) => html`<a href="${feedUrl(f.ext)}" type="${f.type}">${f.label}</a>`)}
<button type="button" id="copy-url" data-url="${feedUrl('rss')}">Copy URL</button></p>
<p class="muted">This page as a feed: <code id="feed-url">${feedUrl('rss')}</code></p>
<script>${raw(COPY_SCRIPT)}</script>
${filterForm(`${base}${feedPath}`, filters)}
${page.items.length === 0 ? html`<p>No stories match${query ? ' these filters' : ' yet'}.</p>` : ''}
${page.items.map((s) => storyCard(storyView(s.item), { base, feedPath }))}
<nav class="paging" aria-label="Pages">${url.searchParams.get('before') ? html`<a href="${paged(null)}">Newest stories</a>` : ''}${page.next ? html`<a rel="next" href="${paged(page.next)}">Older stories</a>` : ''}</nav>
`;
  const head = SUBSCRIBE_FORMATS.filter((f) => f.ext !== 'ninjs').map(
    (f) => html`<link rel="alternate" type="${f.type}" title="${heading} (${f.label})" href="${feedUrl(f.ext)}">
`,
  );
  const doc = await pageShell({ siteTitle: deps.title, base, title: `${heading} — ${deps.title}`, head, body });
  return { body: String(doc), contentType: PAGE_CONTENT_TYPE, lastModified: new Date(Math.floor(newest / 1000) * 1000) };
}

// Copies the feed URL; where the Clipboard API is refused, selects it for the reader to copy.
const COPY_SCRIPT = `document.getElementById('copy-url').addEventListener('click', function (e) {
  var b = e.currentTarget, done = function () { b.textContent = 'Copied'; }, pick = function () { getSelection().selectAllChildren(document.getElementById('feed-url')); };
  if (navigator.clipboard) navigator.clipboard.writeText(b.dataset.url).then(done, pick); else pick();
});`;

function filterForm(action: string, params: URLSearchParams): Html {
  const since = params.get('since') ?? '';
  const limit = params.get('limit') ?? '';
  return html`<form class="filter" method="get" action="${action}" aria-label="Filter the stories">
${FIELDS.map(([name, label, placeholder]) => html`<label>${label}<input name="${name}" value="${params.getAll(name).join(', ')}" placeholder="${placeholder}"></label>
`)}<label>Published<select name="since">${SINCE.some(([v]) => v === since) ? '' : html`<option value="${since}" selected>${since}</option>`}${SINCE.map(([v, l]) => html`<option value="${v}"${v === since ? raw(' selected') : ''}>${l}</option>`)}</select></label>
<label>Stories per page<select name="limit">${LIMITS.includes(limit) ? '' : html`<option value="${limit}" selected>${limit}</option>`}${LIMITS.map((v) => html`<option value="${v}"${v === limit ? raw(' selected') : ''}>${v || 'default (50)'}</option>`)}</select></label>
${[...params].filter(([name]) => !FORM_PARAMS.has(name)).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<div class="actions"><button type="submit">Show stories</button><a href="${action}">Clear</a></div>
</form>`;
}
