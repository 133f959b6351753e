import { html, raw } from 'hono/html';
import type { Rendered } from '../publish/representation.ts';
import type { StoredItemRecord } from '../store/store.ts';
import { pageShell, PAGE_CONTENT_TYPE, timeTag } from './page-layout.ts';
import { picture, storyMeta, subjectList } from './story-card.ts';
import { httpUrl, storyView } from './story-view.ts';

/**
 * Renders the page of one stored item, for an editor checking what normalization made of an upstream entry:
 * the story as the feeds carry it, where it came from (source, upstream link, times, version) and its ninjs
 * JSON as stored (pretty-printed, escaped as text).
 */
export function renderItemPage(input: { title: string; base: string; record: StoredItemRecord; sourceTitle: string | null }): Promise<Rendered> | Rendered {
  const { record, base } = input;
  const story = storyView(record.item);
  const upstream = httpUrl(record.link ?? undefined);
  const also = (record.item.altIds ?? []).map((a) => httpUrl(a.value)).filter((u): u is string => u !== undefined);
  const body = html`<article class="item">
<h1>${story.headline}</h1>
${storyMeta(story)}
${story.picture ? picture(story.picture, false) : ''}
${story.bodyHtml ? html`<div class="body">${raw(story.bodyHtml)}</div>` : story.summaryHtml ? html`<div class="summary">${raw(story.summaryHtml)}</div>` : html`<p class="muted">This item has no text.</p>`}
${subjectList(story.subjects, `${base}/feeds/all`)}
</article>
<h2>Where it came from</h2>
<table>
<tr><th scope="row">Source</th><td>${input.sourceTitle ?? record.sourceId} <span class="muted">(${record.sourceId})</span></td></tr>
<tr><th scope="row">Upstream entry</th><td>${upstream ? html`<a href="${upstream}" rel="noopener noreferrer">${upstream}</a>` : html`<span class="muted">no link</span>`}</td></tr>
${story.link && story.link !== upstream ? html`<tr><th scope="row">Story page</th><td><a href="${story.link}" rel="noopener noreferrer">${story.link}</a></td></tr>` : ''}
${also.length ? html`<tr><th scope="row">Also published at</th><td>${also.map((u) => html`<a href="${u}" rel="noopener noreferrer">${u}</a> `)}</td></tr>` : ''}
<tr><th scope="row">uri</th><td><code>${record.item.uri}</code></td></tr>
<tr><th scope="row">Kind</th><td>${record.partial ? 'teaser ("Just Posted"), until the full story arrives' : 'full story'}; status ${story.status}</td></tr>
<tr><th scope="row">Published</th><td>${timeTag(record.published)}</td></tr>
<tr><th scope="row">First seen</th><td>${timeTag(record.firstSeen)}</td></tr>
<tr><th scope="row">Last changed</th><td>${timeTag(story.updated)} (version ${record.item.version})</td></tr>
</table>
<h2>ninjs</h2>
<p class="muted">The item as stored, before the per-format sanitizing of the published feeds (<a href="${base}/feeds/all.ninjs">all stories as ninjs</a>).</p>
<pre><code>${JSON.stringify(record.item, null, 2)}</code></pre>
`;
  return (async () => {
    const doc = await pageShell({ siteTitle: input.title, base, title: `${story.headline} — ${input.title}`, body });
    return { body: String(doc), contentType: PAGE_CONTENT_TYPE, lastModified: new Date(Math.floor((story.updated ?? 0) / 1000) * 1000) };
  })();
}
