/**
 * Article pages end to end: the fixture page (a fictional story in the seed's shape, written for these tests)
 * read by the extractor and normalized as a feed entry would be — the story first, its headline, dateline,
 * byline, picture caption and credit, the "Just Posted" list as teasers, the page furniture gone, no script.
 * Then the seed itself (read from ../shared) served as a page, site rules, the size cap and page detection.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizePage } from '../../../src/cli/page-items.ts';
import { rulesForPage } from '../../../src/ingest/full-text.ts';
import { extractArticlePage, looksLikeHtmlPage, MAX_PAGE_BYTES, PageError, pageFeed } from '../../../src/ingest/page/extract.ts';
import { siteRuleFor } from '../../../src/ingest/page/site-rules.ts';
import type { NewsItem, SourceConfig } from '../../../src/model.ts';
import { DEFAULT_RULES } from '../../../src/normalize/index.ts';
import { sanitizeHtml } from '../../../src/publish/sanitize.ts';
import { ninjsErrors } from '../../normalize/support/ninjs-schema.ts';
import { loadSeed, SEED_HEADLINE, seedAsHtml, seedSource, SITE } from '../../normalize/support/seed.ts';
import { assertHtmlSafe } from '../../support/html-safety.ts';

const FIXTURE = new URL('../../fixtures/pages/harbour-ferry.html', import.meta.url);
const PAGE_URL = 'https://www.lakeside.example/news/harbour-ferry-returns-to-service?utm_source=feed';
const source: SourceConfig = { id: 'courier', url: 'https://www.lakeside.example/feed', title: 'Lakeside Courier', interval: 15, categories: [], allowPrivateNetwork: false };
const now = new Date('2026-03-05T00:00:00Z');
const bytes = new Uint8Array(readFileSync(FIXTURE));
const body = (item: NewsItem): string => item.bodies?.[0]?.value ?? '';
const caption = (item: NewsItem, role: string): string | undefined => item.associations?.[0]?.descriptions?.find((d) => d.role === role)?.value;

describe('the fixture page', () => {
  const page = extractArticlePage({ bytes, url: PAGE_URL, contentType: 'text/html' });
  const items = normalizePage(page, { source, now });
  const story = items[0]!.item;

  it('reads the page: headline, byline, dateline, times, canonical link, language, site', () => {
    expect(page.headline).toBe('Harbour ferry returns to service after winter refit');
    expect(page.byline).toBe('Dana Whitlock, The Canadian Press');
    expect(page.dateline).toBe('HALIFAX');
    expect(page.published).toBe('2026-03-04T14:05:00.000Z');
    expect(page.updated).toBe('2026-03-04T16:30:00.000Z');
    expect(page.entry.link).toBe('https://www.lakeside.example/news/harbour-ferry-returns-to-service');
    expect(page.language).toBe('en-CA');
    expect(page.siteName).toBe('Lakeside Courier');
    expect(page.method).toBe('readability');
    expect(page.paragraphs[0]).toMatch(/^HALIFAX — The Ellen Marsh carried/);
  });

  it('gives the story first, then the three "Just Posted" siblings as teasers, and nothing from "Most Read"', () => {
    expect(items.map((i) => [i.item.representationType, i.item.headlines[0]!.value])).toEqual([
      ['full', 'Harbour ferry returns to service after winter refit'],
      ['partial', 'North-end library opens its doors'],
      ['partial', 'Teal rink wins provincial curling title'],
      ['partial', 'Council delays vote on downtown bike lanes'],
    ]);
    expect(items.slice(1).map((i) => i.link)).toEqual([
      'https://www.lakeside.example/news/north-end-library-opens-its-doors',
      'https://www.lakeside.example/sports/teal-rink-wins-provincial-title',
      'https://www.lakeside.example/news/council-delays-vote-on-bike-lanes',
    ]);
    expect(items[2]!.item.located).toBe('TRURO, N.S.');
    expect(caption(items[2]!.item, 'caption')).toBe('Skip Morgan Teal delivers a stone at the provincial championship in Truro, N.S., on Sunday.');
    for (const { item } of items) expect(ninjsErrors(item)).toBe('');
  });

  it('normalizes the story as a wire item: byline, agency, dateline, subjects, time', () => {
    expect(story).toMatchObject({ by: 'Dana Whitlock', located: 'HALIFAX', copyrightHolder: 'The Canadian Press', contentCreated: '2026-03-04T14:05:00.000Z' });
    expect(story.subjects).toContainEqual({ name: 'Transportation' });
  });

  it('splits the lead picture caption from its credit', () => {
    expect(story.associations).toHaveLength(1);
    expect(caption(story, 'caption')).toBe('The passenger ferry Ellen Marsh leaves the Dartmouth terminal on its first crossing of the season, Wednesday, March 4, 2026.');
    expect(caption(story, 'credit')).toBe('THE CANADIAN PRESS/Dana Whitlock');
    expect(story.associations![0]!.renditions![0]!.href).toBe('https://www.lakeside.example/images/2026/ferry-dock.jpg');
  });

  it('keeps the six story paragraphs and drops the furniture', () => {
    expect(body(story).match(/<p>/g)).toHaveLength(6);
    expect(body(story)).toMatch(/^<p>The Ellen Marsh carried its first passengers/);
    expect(body(story)).toMatch(/summer schedule begins in June\.<\/p>$/);
    const everything = JSON.stringify(items);
    for (const furniture of ['Advertisement', 'Follow Dana', 'Sign up here', 'Get local stories', 'Most Read', 'Snowplow contract', 'All rights reserved', 'Obituaries', '_____', '2:05 p.m.']) {
      expect(body(story)).not.toContain(furniture);
      if (furniture !== '_____') expect(everything).not.toContain(furniture);
    }
  });

  it('lets no script, style or event handler through, and every body is what the sanitizer keeps', () => {
    const everything = JSON.stringify(items) + JSON.stringify(page);
    for (const leak of ['SCRIPT_SHOULD_NOT_LEAK', 'STYLE_SHOULD_NOT_LEAK', 'tracking pixel', 'onerror', 'loader.js', '<script']) expect(everything).not.toContain(leak);
    // The entry's content is rebuilt from text: only p, h2/h3, section, figure, img, figcaption and a, no attribute but href/src/alt.
    const content = page.entry.content ?? '';
    expect([...new Set([...content.matchAll(/<([a-z0-9]+)/g)].map((m) => m[1]))].sort()).toEqual(['a', 'figcaption', 'figure', 'h2', 'h3', 'img', 'p', 'section']);
    expect([...new Set([...content.matchAll(/\s([a-z-]+)=/g)].map((m) => m[1]))].sort()).toEqual(['alt', 'href', 'src']);
    for (const { item } of items) {
      for (const b of item.bodies ?? []) {
        assertHtmlSafe(b.value, item.uri);
        expect(sanitizeHtml(b.value).replace(/\s+/g, ' ')).toBe(b.value.replace(/\s+/g, ' '));
      }
    }
  });

  it('reads the same page from text, from bytes in another encoding, and through the CLI rules helper', () => {
    const text = readFileSync(FIXTURE, 'utf8');
    expect(extractArticlePage({ html: text, url: PAGE_URL }).paragraphs).toEqual(page.paragraphs);
    expect(rulesForPage(page).teaserSectionStart).toEqual(DEFAULT_RULES.teaserSectionStart);
    expect(pageFeed(page)).toMatchObject({ format: 'html', link: 'https://www.lakeside.example/', title: 'Lakeside Courier', entries: [page.entry] });
  });
});

describe('the seed served as a page', () => {
  // The seed's HTML form (test/normalize/support/seed.ts) inside the page a site would serve around it.
  const html = (): string => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${SEED_HEADLINE} | Red Deer Advocate</title>
<meta property="og:site_name" content="Red Deer Advocate"><meta property="article:published_time" content="2021-03-16T21:40:00Z">
<script>var leak = "SCRIPT_SHOULD_NOT_LEAK";</script></head>
<body><header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sports">Sports</a></nav></header><main>${seedAsHtml(loadSeed())}</main>
<footer><p>Copyright Black Press Media</p></footer></body></html>`;

  it('gives the story and its 13 siblings, read as the seed tests read its feed form', () => {
    const page = extractArticlePage({ html: html(), url: `${SITE}/news/putin-approved` });
    const items = normalizePage(page, { source: seedSource, now: new Date('2021-04-11T12:00:00Z') });
    expect(items).toHaveLength(14);
    expect(items[0]!.item).toMatchObject({ by: 'Eric Tucker', located: 'WASHINGTON', copyrightHolder: 'The Associated Press', representationType: 'full' });
    expect(items[0]!.item.headlines[0]!.value).toBe(SEED_HEADLINE);
    expect(body(items[0]!.item)).toMatch(/^<p>Russian President Vladimir Putin authorized /);
    expect(body(items[0]!.item)).toMatch(/had changed votes\.<\/p>$/);
    expect(caption(items[0]!.item, 'credit')).toBe('AP Photo/Scott Sonner, File');
    expect(page.siblings[0]!.items).toHaveLength(13);
    expect(items.slice(1).every((i) => i.partial)).toBe(true);
    expect(JSON.stringify(items)).not.toContain('SCRIPT_SHOULD_NOT_LEAK');
  });
});

describe('site rules', () => {
  const html = `<html><body><div class="chrome"><p>${'Menu item. '.repeat(40)}</p></div>
<div class="copy"><p>First paragraph of the story, long enough to be a paragraph of news.</p><div class="promo">Buy a subscription today</div>
<p>Second paragraph of the story, with its own facts.</p></div><span class="who">By Ana Ruiz</span><span class="when" data-ts="x">2025-01-02T03:04:05Z</span></body></html>`;
  const rules = [{ hosts: ['rules.example'], body: ['.copy'], strip: ['.promo'], author: ['.who'], date: ['.when'] }];

  it('reads body, strip, author and date from the rule for the host and its subdomains', () => {
    const page = extractArticlePage({ html, url: 'https://www.rules.example/a' }, { siteRules: rules });
    expect(page.method).toBe('site-rule');
    expect(page.paragraphs).toEqual(['First paragraph of the story, long enough to be a paragraph of news.', 'Second paragraph of the story, with its own facts.']);
    expect(page.byline).toBe('By Ana Ruiz');
    expect(page.published).toBe('2025-01-02T03:04:05.000Z');
  });

  it('does not apply to other hosts', () => {
    expect(siteRuleFor('notrules.example', rules).body).toEqual([]);
    expect(siteRuleFor('a.rules.example', rules).body).toEqual(['.copy']);
  });
});

describe('hostile and odd pages', () => {
  it('refuses a page over the cap (5 MiB by default), before parsing it', () => {
    expect(MAX_PAGE_BYTES).toBe(5 * 1024 * 1024);
    expect(() => extractArticlePage({ bytes: new Uint8Array(MAX_PAGE_BYTES + 1), url: 'https://x.example/' })).toThrow(PageError);
    expect(() => extractArticlePage({ html: '<p>x</p>'.repeat(20), url: 'https://x.example/' }, { maxBytes: 100 })).toThrow(/over the 100-byte cap/);
  });

  it('throws a PageError, not a crash, for a page without text', () => {
    expect(() => extractArticlePage({ html: '<html><body><script>x()</script></body></html>', url: 'https://x.example/' })).toThrow(PageError);
  });

  it('survives deep nesting (5000 levels), its text kept', () => {
    const deep = `<html><body>${'<div>'.repeat(5000)}<p>${'Deep text here. '.repeat(30)}</p>${'</div>'.repeat(5000)}</body></html>`;
    const page = extractArticlePage({ html: deep, url: 'https://x.example/' });
    expect(page.paragraphs.join(' ')).toContain('Deep text here.');
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html><html><head></head><body></body></html>', null, true],
    ['an HTML page after a comment', '<!-- x -->\n<!doctype html><html>', null, true],
    ['a page served as text/html', '<div>hi</div>', 'text/html; charset=utf-8', true],
    ['RSS', '<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', 'text/html', false],
    ['Atom without a declaration', '<feed xmlns="http://www.w3.org/2005/Atom"></feed>', null, false],
    ['JSON Feed', '{"version":"https://jsonfeed.org/version/1.1"}', null, false],
  ])('tells %s apart', (_name, text, type, expected) => {
    expect(looksLikeHtmlPage(text, type)).toBe(expected);
  });
});
