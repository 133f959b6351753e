/**
 * A small news site in our own words, for the full-text tests: a summary-only RSS feed whose entries link to
 * article pages, and the pages (a story with its photo, dateline, byline and a "Just Posted" list). Pure
 * strings: the Node tests serve them on loopback, the workerd test from its `fetch`.
 */

/** One story of the site. */
export interface SiteStory {
  slug: string;
  headline: string;
  /** The feed's text: a summary (or, for "auto" tests, the whole story). */
  summary: string;
  paragraphs: string[];
  /** Where the entry links (default `/articles/<slug>`, on the site's origin). */
  link?: string;
  /** Bumped to make an edited entry version. */
  edition?: number;
  /** The entry's `pubDate` in the feed (default Mon, 02 Mar 2026 09:00:00 GMT). */
  pubDate?: string;
}

const TOWNS = ['HALIFAX', 'TRURO, N.S.', 'MONCTON, N.B.', 'SYDNEY, N.S.', 'KENTVILLE, N.S.', 'YARMOUTH, N.S.'];

/** Story `i` of a site: a summary in the feed, five paragraphs on the page, the first with a dateline. */
export function story(i: number, over: Partial<SiteStory> = {}): SiteStory {
  const town = TOWNS[i % TOWNS.length]!;
  const topic = ['the ferry terminal', 'the rink', 'the library', 'the market', 'the bridge', 'the harbour'][i % 6]!;
  return {
    slug: `story-${i}`,
    headline: `Council weighs a new plan for ${topic}, number ${i}`,
    summary: `Councillors heard a proposal for ${topic} on Monday night.`,
    paragraphs: [
      `${town} — Councillors heard a proposal on Monday night to rebuild ${topic}, the ${i}th such plan brought before them in as many years, and sent it back to staff for costing.`,
      `The plan would close ${topic} for eight months starting next spring, a schedule that shop owners nearby said would cost them the busiest season of the year.`,
      `“We have waited a long time for this work, but not at any price,” said Marguerite Oduya, who has run a hardware store across the street for two decades.`,
      `Staff estimated the work at $${i + 2}.4 million, most of it covered by a provincial grant that must be spent before the end of the next fiscal year.`,
      `A final vote is expected in April, after a public meeting at the community hall that the mayor promised would run as long as residents had questions.`,
    ],
    ...over,
  };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The site's RSS feed: one summary-only entry per story, linking to its page. */
export function siteFeed(origin: string, stories: SiteStory[]): string {
  const items = stories
    .map(
      (s) => `<item><title>${esc(s.headline)}</title><guid isPermaLink="false">${s.slug}</guid><link>${esc(s.link ?? `${origin}/articles/${s.slug}`)}</link>
<pubDate>${s.pubDate ?? 'Mon, 02 Mar 2026 09:00:00 GMT'}</pubDate><description>${esc(s.edition ? `${s.summary} (Updated, edition ${s.edition}.)` : s.summary)}</description></item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Herald</title><link>${origin}/</link><description>News from the harbour towns</description>
${items}
</channel></rss>`;
}

/** The article page of a story, with a lead photo, byline, tags, a newsletter promo and a "Just Posted" list. */
export function articlePage(origin: string, s: SiteStory, siblings: SiteStory[]): string {
  return `<!doctype html>
<html lang="en-CA"><head><meta charset="utf-8"><title>${esc(s.headline)} | Harbour Herald</title>
<meta property="og:site_name" content="Harbour Herald">
<meta property="og:title" content="${esc(s.headline)}">
<meta property="article:published_time" content="2026-03-02T10:00:00Z">
<meta property="article:modified_time" content="2026-03-02T12:30:00Z">
<link rel="canonical" href="${origin}/articles/${s.slug}">
<script>document.title = "SCRIPT_SHOULD_NOT_LEAK";</script>
</head><body>
<header><a href="/">Harbour Herald</a><nav><a href="/news">News</a> <a href="/sports">Sports</a></nav></header>
<main><article>
<figure><img src="/images/${s.slug}.jpg" alt="" width="1200" height="800"><figcaption>Councillors listen to a presentation at city hall on Monday. <span class="credit">Harbour Herald/Ines Calloway</span></figcaption></figure>
<h1>${esc(s.headline)}</h1>
<div class="story-body">
${s.paragraphs.map((p) => `<p>${esc(p)}</p>`).join('\n')}
<p class="byline">Ines Calloway, Harbour Herald</p>
</div>
<aside class="newsletter-promo"><p>Get the harbour's news in your inbox every morning.</p><p><a href="/newsletters">Sign up here</a></p></aside>
</article>
<section class="just-posted"><h2 class="section-title">Just Posted</h2>
${siblings
  .map((t) => {
    const href = esc(t.link ?? `/articles/${t.slug}`);
    return `<div class="teaser"><h3 class="teaser-title"><a href="${href}">${esc(t.headline)}</a></h3><p class="lede">${esc(t.summary)} <a href="${href}">Continue reading</a></p></div>`;
  })
  .join('\n')}
</section></main>
<footer><p>© 2026 Harbour Herald.</p></footer>
</body></html>`;
}
