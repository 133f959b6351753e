import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/** A fragment of a page: escaped HTML made by hono's `html` template. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The media type of every page. */
export const PAGE_CONTENT_TYPE = 'text/html; charset=utf-8';

const STYLE = `
:root { color-scheme: light; --muted: #5b6470; --line: #dde1e6; --accent: #0b5cad }
* { box-sizing: border-box }
body { font: 16px/1.5 system-ui, sans-serif; max-width: 72rem; margin: 0 auto; padding: 0 1rem 3rem; color: #1d232a }
header.site { display: flex; gap: 1.5rem; align-items: baseline; border-bottom: 1px solid var(--line); padding: .75rem 0; margin-bottom: 1rem; flex-wrap: wrap }
header.site a { color: inherit; text-decoration: none } header.site .name { font-weight: 700 }
a { color: var(--accent) }
h1 { font-size: 1.6rem; margin: .5rem 0 } h2 { font-size: 1.15rem; margin: .25rem 0 } h3 { font-size: 1rem; margin: .75rem 0 .25rem }
.muted, .meta { color: var(--muted); font-size: .9rem }
.story { border-top: 1px solid var(--line); padding: .9rem 0; display: grid; grid-template-columns: 1fr auto; gap: 0 1rem }
.story figure { margin: 0; max-width: 14rem; grid-column: 2; grid-row: 1 / span 5 }
.story figure img, .item figure img { max-width: 100%; height: auto; display: block; background: #eef1f4 }
figcaption { font-size: .85rem; color: var(--muted) }
.item figure { margin: 1rem 0; max-width: 40rem }
.subjects { list-style: none; padding: 0; margin: .25rem 0; display: flex; gap: .4rem; flex-wrap: wrap }
.subjects li { background: #eef1f4; border-radius: 3px; padding: 0 .4rem; font-size: .85rem }
.layout { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 1fr); gap: 2rem }
@media (max-width: 50rem) { .layout { grid-template-columns: 1fr } .story { grid-template-columns: 1fr } .story figure { grid-column: 1; grid-row: auto } }
form.filter { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: .5rem 1rem; background: #f6f8fa; padding: .75rem; border-radius: 4px }
form.filter label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted) }
form.filter input, form.filter select { font: inherit; padding: .2rem .3rem }
form.filter .actions { display: flex; align-items: end; gap: .75rem }
.subscribe { display: flex; gap: .75rem; flex-wrap: wrap; align-items: center; margin: .5rem 0 }
code { background: #f1f3f5; padding: 0 .25rem; overflow-wrap: anywhere }
pre { background: #f6f8fa; padding: .75rem; overflow: auto; font-size: .85rem }
.paging { display: flex; gap: 1.5rem; margin: 1rem 0 }
section.source { border-top: 1px solid var(--line); padding: .75rem 0 }
.charts { display: flex; gap: 2rem; flex-wrap: wrap }
.charts figure { margin: 0 }
.bad { color: #a11b1b } .good { color: #1a6b2f }
table { border-collapse: collapse } td, th { padding: .15rem .6rem .15rem 0; text-align: left; vertical-align: top }
`;

/** A whole page: head (title, autodiscovery links, style), the site header, and `body` inside `<main>`. */
export function pageShell(input: { siteTitle: string; base: string; title: string; head?: Html | Html[]; body: Html }): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${input.title}</title>
${input.head ?? ''}<link rel="icon" href="data:,">
<style>${raw(STYLE)}</style>
</head>
<body>
<header class="site"><a class="name" href="${input.base}/">${input.siteTitle}</a><a href="${input.base}/feeds/all">Stories</a><a href="${input.base}/status">Source status</a><a href="${input.base}/opml">OPML</a></header>
<main>
${input.body}
</main>
</body>
</html>
`;
}

/** A time as a `<time>` element: UTC, to the minute. */
export function timeTag(ms: number | null | undefined): Html | string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  return html`<time datetime="${new Date(ms).toISOString()}">${formatTime(ms)}</time>`;
}

/** `1 Dec 2026, 14:05 UTC`. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  return `${d.getUTCDate()} ${month} ${d.getUTCFullYear()}, ${clock(ms)} UTC`;
}

/** `14:05` (UTC). */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

/** How far `ms` is from `now`, in words: `in 5 minutes`, `3 hours ago`. */
export function relative(ms: number, now: number): string {
  const diff = ms - now;
  const abs = Math.abs(diff);
  const [n, unit] =
    abs < 60_000 ? [0, ''] : abs < 3_600_000 ? [Math.round(abs / 60_000), 'minute'] : abs < 86_400_000 ? [Math.round(abs / 3_600_000), 'hour'] : [Math.round(abs / 86_400_000), 'day'];
  if (n === 0) return diff >= 0 ? 'in less than a minute' : 'less than a minute ago';
  const words = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return diff >= 0 ? `in ${words}` : `${words} ago`;
}
