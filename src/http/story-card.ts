import { html, raw } from 'hono/html';
import { timeTag, type Html } from './page-layout.ts';
import type { PictureView, StoryView } from './story-view.ts';

/** The page of one stored item (`/items/:id`). */
export function itemHref(base: string, uri: string): string {
  return `${base}/items/${encodeURIComponent(uri)}`;
}

/** One story in a list: headline, dateline and time, byline, picture, summary, subjects and its links. */
export function storyCard(story: StoryView, input: { base: string; feedPath: string; level?: 2 | 3 }): Html {
  const normalized = itemHref(input.base, story.uri);
  const headline = html`<a href="${story.link ?? normalized}">${story.headline}</a>`;
  return html`<article class="story">
${input.level === 3 ? html`<h3>${headline}</h3>` : html`<h2>${headline}</h2>`}
${storyMeta(story)}
${story.picture ? picture(story.picture) : ''}
${story.summaryHtml ? html`<div class="summary">${raw(story.summaryHtml)}</div>` : ''}
${subjectList(story.subjects, `${input.base}${input.feedPath}`)}
<p class="meta">${story.link ? html`<a href="${story.link}" rel="noopener noreferrer">Original story</a> · ` : ''}<a href="${normalized}">As normalized</a></p>
</article>
`;
}

/** Dateline, time, byline and provider on one line. */
export function storyMeta(story: StoryView): Html {
  const parts: Html[] = [];
  if (story.dateline) parts.push(html`<span class="dateline">${story.dateline}</span>`);
  if (story.published !== undefined) parts.push(timeTag(story.published) as Html);
  if (story.byline) parts.push(html`<span class="byline">By ${story.byline}</span>`);
  if (story.provider) parts.push(html`<span class="provider">${story.provider}</span>`);
  if (story.status !== 'usable') parts.push(html`<strong>${story.status}</strong>`);
  return html`<p class="meta">${parts.map((p, i) => (i === 0 ? p : html` · ${p}`))}</p>`;
}

/** The lead picture with its caption and credit. */
export function picture(p: PictureView, lazy = true): Html {
  const caption = p.caption || p.credit ? html`<figcaption>${p.caption ?? ''}${p.credit ? html` <span class="credit">(${p.credit})</span>` : ''}</figcaption>` : '';
  return html`<figure><img src="${p.src}" alt="${p.alt}"${p.width ? html` width="${p.width}"` : ''}${p.height ? html` height="${p.height}"` : ''}${lazy ? raw(' loading="lazy"') : ''}>${caption}</figure>`;
}

/** Subjects as links to the feed narrowed to each. */
export function subjectList(subjects: string[], feedUrl: string): Html | string {
  if (subjects.length === 0) return '';
  return html`<ul class="subjects">${subjects.map((s) => html`<li><a href="${feedUrl}?category=${encodeURIComponent(s)}">${s}</a></li>`)}</ul>`;
}
