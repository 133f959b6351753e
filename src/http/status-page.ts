import { html } from 'hono/html';
import type { SourceErrorRecord } from '../model.ts';
import type { Rendered } from '../publish/representation.ts';
import type { PollHour, SourceStatus } from '../store/store.ts';
import { clock, formatTime, pageShell, PAGE_CONTENT_TYPE, relative, timeTag, type Html } from './page-layout.ts';

const DAY_MS = 86_400_000;
/** Days the status page charts. */
export const STATUS_DAYS = 7;

/** The first hour the status page reads the poll history from, for a page rendered at `now`. */
export function statusHistorySince(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS - (STATUS_DAYS - 1) * DAY_MS;
}

/**
 * Explains a source's last error in plain words, with when we try again: "the upstream answered 503
 * Service Unavailable; we retry at 14:05 UTC (in 5 minutes)". Reads the kinds of `src/errors.ts` and the
 * messages the fetcher and parser write.
 */
export function explainError(error: SourceErrorRecord, nextFetchAt: number, now: number): string {
  return `${describeFailure(error)}; we retry at ${clock(nextFetchAt)} UTC (${relative(nextFetchAt, now)})`;
}

function describeFailure({ kind, message }: SourceErrorRecord): string {
  if (kind === 'fetch') {
    const status = /^HTTP (\d{3})( [^\n]*?)? from /.exec(message);
    if (status) {
      const code = Number(status[1]);
      const reason = status[2] ? `${status[1]}${status[2]}` : status[1];
      const hint =
        code === 404 || code === 410 ? ' (the feed is gone from that address: check the source URL)'
        : code === 401 || code === 403 ? ' (it refuses us: the feed may need credentials, or blocks our address)'
        : code === 429 ? ' (it asks us to poll less often)'
        : code >= 500 ? ' (a fault on its side)'
        : '';
      return `the upstream answered ${reason}${hint}`;
    }
    const timeout = /^Timed out after (\d+) ms/.exec(message);
    if (timeout) return `the upstream did not answer within ${Math.round(Number(timeout[1]) / 1000)} seconds`;
    if (message.startsWith('Could not resolve')) return `the upstream's host name does not resolve (DNS): ${message}`;
    if (message.startsWith('Refusing to fetch')) return `the address is in a private or reserved network, which this source may not fetch (allowPrivateNetwork): ${message}`;
    if (/^Body of .* exceeds (\d+) bytes/.test(message)) return `the feed is larger than the size limit (limits.maxFeedBytes): ${message}`;
    if (message.startsWith('More than')) return `the upstream redirects too many times: ${message}`;
    if (/scheme|file: URL|Not a valid URL/.test(message)) return `the source URL cannot be fetched: ${message}`;
    return `the connection to the upstream failed: ${message}`;
  }
  if (kind === 'parse') return `the upstream answered, but not with a feed we can read: ${message}`;
  if (kind === 'store') return `saving the poll in our database failed: ${message}`;
  if (kind === 'config') return `the configuration is invalid: ${message}`;
  return `an unexpected error in wirefeed: ${message}`;
}

/** The health of one source in words. */
export function healthSentence(s: SourceStatus, now: number): { ok: boolean; text: string } {
  if (s.lastFetchAt === null) return { ok: true, text: `Not polled yet; the first poll is due ${relative(s.nextFetchAt, now)}.` };
  if (s.errorCount > 0) {
    const since = s.lastSuccessAt === null ? 'it has never been fetched successfully' : `last success ${formatTime(s.lastSuccessAt)} (${relative(s.lastSuccessAt, now)})`;
    return { ok: false, text: `Failing: ${s.errorCount} poll${s.errorCount === 1 ? '' : 's'} in a row failed; ${since}.` };
  }
  return { ok: true, text: `Healthy: last polled ${formatTime(s.lastFetchAt)} (${relative(s.lastFetchAt, now)}).` };
}

/** Sources per page of `/status` (HTML): each has its charts. */
export const STATUS_PAGE_SIZE = 100;

/**
 * Renders `/status` as a page: each source's health in plain words, its last error explained, its next poll
 * and item count, and charts of new stories per day and poll time over the last 7 days. `sources` is one
 * page (failing sources first); `counts` covers every source; `next` is the URL of the next page.
 */
export async function renderStatusPage(input: {
  title: string;
  base: string;
  sources: SourceStatus[];
  history: PollHour[];
  now: number;
  counts?: { total: number; failing: number; paused: number } | undefined;
  next?: string | null | undefined;
}): Promise<Rendered> {
  const { sources, now, base } = input;
  const total = input.counts?.total ?? sources.length;
  const healthy = input.counts ? total - input.counts.failing : sources.filter((s) => healthSentence(s, now).ok).length;
  const paused = input.counts?.paused ? html` ${input.counts.paused} paused.` : '';
  const paging = input.counts && total > sources.length ? html`<p>This page shows ${sources.length} of them, failing sources first.</p>` : '';
  const body = html`<h1>Source status</h1>
<p>${healthy} of ${total} source${total === 1 ? '' : 's'} healthy.${paused} Page made ${formatTime(now)}; the same as JSON at <a href="${base}/status.json">/status.json</a>.</p>
${paging}
${[...sources].sort((a, b) => Number(healthSentence(a, now).ok) - Number(healthSentence(b, now).ok)).map((s) => sourceSection(s, input.history.filter((h) => h.sourceId === s.id), now))}
${input.next ? html`<p><a rel="next" href="${input.next}">Next ${STATUS_PAGE_SIZE} sources</a></p>` : ''}
`;
  const doc = await pageShell({ siteTitle: input.title, base, title: `Source status — ${input.title}`, body });
  return { body: String(doc), contentType: PAGE_CONTENT_TYPE, lastModified: new Date(Math.floor(now / 1000) * 1000) };
}

function sourceSection(s: SourceStatus, hours: PollHour[], now: number): Html {
  const health = healthSentence(s, now);
  const days = perDay(hours, now);
  return html`<section class="source" id="source-${s.id}">
<h2>${s.title} <span class="muted">(${s.id})</span></h2>
<p class="${health.ok ? 'good' : 'bad'}">${health.text}</p>
${s.lastError ? html`<p>Last error, ${timeTag(s.lastError.at)}: ${explainError(s.lastError, s.nextFetchAt, now)}.</p>` : ''}
<table>
<tr><th scope="row">Next poll</th><td>${s.nextFetchAt <= now ? 'due now' : html`${timeTag(s.nextFetchAt)} (${relative(s.nextFetchAt, now)})`}</td></tr>
<tr><th scope="row">Stories stored</th><td>${Number.isNaN(s.itemCount) ? 'licensed (not shown)' : s.itemCount}</td></tr>
<tr><th scope="row">Upstream</th><td><code>${s.url}</code></td></tr>
<tr><th scope="row">Polls, last 7 days</th><td>${sum(days, 'polls')} (${sum(days, 'notModified')} unchanged, ${sum(days, 'failures')} failed)</td></tr>
${s.pages ? pagesRow(s.pages) : ''}
</table>
<div class="charts">
${barChart(`New stories per day, ${s.title}`, 'New stories per day', days.map((d) => ({ label: d.label, value: d.newItems, tip: `${d.label}: ${d.newItems} new stories` })), '')}
${barChart(`Average poll time per day, ${s.title}`, 'Poll time per day (average)', days.map((d) => ({ label: d.label, value: d.avgMs, tip: `${d.label}: ${d.polls} poll${d.polls === 1 ? '' : 's'}, ${d.timed ? `average ${d.avgMs} ms, longest ${d.maxMs} ms` : 'none timed'}` })), ' ms')}
</div>
</section>
`;
}

/** Full text: the source's article page fetches, and the latest failure with its reason. */
function pagesRow(pages: NonNullable<SourceStatus['pages']>): Html {
  const failure = pages.lastFailure;
  return html`<tr><th scope="row">Article pages (full text)</th><td>${pages.fetched} fetched, ${pages.failed} failed, ${pages.pending} pending${
    failure ? html`<br>Last failure, ${timeTag(failure.at)}: <code>${failure.url}</code> (attempt ${failure.attempts}): ${failure.reason}; the item keeps the feed's text` : ''
  }</td></tr>`;
}

interface Day {
  label: string;
  polls: number;
  notModified: number;
  failures: number;
  newItems: number;
  /** Polls whose duration is known. */
  timed: number;
  avgMs: number;
  maxMs: number;
}

function perDay(hours: PollHour[], now: number): Day[] {
  const first = statusHistorySince(now);
  return Array.from({ length: STATUS_DAYS }, (_, i) => {
    const start = first + i * DAY_MS;
    const inDay = hours.filter((h) => h.hour >= start && h.hour < start + DAY_MS);
    const timed = inDay.reduce((a, h) => a + h.timedPolls, 0);
    const total = inDay.reduce((a, h) => a + h.totalMs, 0);
    const d = new Date(start);
    return {
      label: `${d.getUTCDate()}/${d.getUTCMonth() + 1}`,
      polls: inDay.reduce((a, h) => a + h.polls, 0),
      notModified: inDay.reduce((a, h) => a + h.notModified, 0),
      failures: inDay.reduce((a, h) => a + h.failures, 0),
      newItems: inDay.reduce((a, h) => a + h.newItems, 0),
      timed,
      avgMs: timed ? Math.round(total / timed) : 0,
      maxMs: inDay.reduce((a, h) => Math.max(a, h.maxMs), 0),
    };
  });
}

function sum(days: Day[], key: 'polls' | 'notModified' | 'failures'): number {
  return days.reduce((a, d) => a + d[key], 0);
}

const W = 38;
const H = 80;

/** A small bar chart as inline SVG, one bar a day, with the largest value written above it. */
function barChart(label: string, caption: string, bars: { label: string; value: number; tip: string }[], unit: string): Html {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const width = bars.length * W;
  return html`<figure>
<svg role="img" aria-label="${label}" width="${width}" height="${H + 30}" viewBox="0 0 ${width} ${H + 30}" xmlns="http://www.w3.org/2000/svg">
<title>${label}</title>
${bars.map((b, i) => {
  const h = Math.round((b.value / max) * H);
  return html`<rect x="${i * W + 4}" y="${12 + H - h}" width="${W - 8}" height="${Math.max(h, 1)}" fill="${b.value ? '#0b5cad' : '#c9d1d9'}"><title>${b.tip}</title></rect><text x="${i * W + W / 2}" y="${H + 26}" font-size="9" text-anchor="middle" fill="#5b6470">${b.label}</text>`;
})}
<text x="0" y="10" font-size="10" fill="#5b6470">max ${Math.max(...bars.map((b) => b.value))}${unit}</text>
<line x1="0" y1="${H + 12}" x2="${width}" y2="${H + 12}" stroke="#5b6470" stroke-width="1"/>
</svg>
<figcaption>${caption}</figcaption>
</figure>`;
}
