/**
 * The worked example (an AP story as the Red Deer Advocate shows it) is the agency's text: it is read from
 * ../shared at run time and never copied into the repository. This module loads it and builds, from its
 * lines, the HTML form a feed's `content:encoded` would carry.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RawEntry, RawFeed, SourceConfig } from '../../../src/model.ts';
import { repoRoot } from './ninjs-schema.ts';

/** Where the seed lives: ../shared beside the repository root. */
export const seedPath = fileURLToPath(new URL('../shared/seeds/000_ff14a7075f3aa725.txt', `file://${repoRoot}`));

/** The seed as plain text, exactly as the file has it. Throws a clear error when ../shared is not there. */
export function loadSeed(): string {
  if (!existsSync(seedPath)) {
    throw new Error(
      `Seed missing: ${seedPath} does not exist. The normalize tests read the agency's text from ../shared at run ` +
        'time (it is never copied into the repository); check out the shared folder beside the repository root.',
    );
  }
  return readFileSync(seedPath, 'utf8');
}

/** The seed's headline: the line the page prints twice after the lead photo. */
export const SEED_HEADLINE = 'Putin approved operations to help Trump against Biden';

/** The site the seed's HTML form pretends to come from. */
export const SITE = 'https://www.example.test';

// Test-local recognisers for the seed's layout, independent of the code under test.
const CAPTION = /(?:\((?:AP Photo|Photo by|photography by|Advocate file photo)[^()]*\)\.?|THE CANADIAN PRESS\/[^/]+)$/;
const isCaption = (line: string): boolean => line === 'File photo' || CAPTION.test(line);
const READ_MORE = /\u2026 Continue reading$/;

/** The slug a teaser's link gets in the HTML form. */
export function slug(headline: string): string {
  return headline
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** The link a sibling story's headline carries in the HTML form. */
export function teaserLink(headline: string): string {
  return `${SITE}/news/${slug(headline)}`;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const linkify = (s: string): string => esc(s).replace(/https?:\/\/\S+/g, (url) => `<a href="${url}">${url}</a>`);

/**
 * The seed as the HTML a site's feed would carry: every line an element — the lead caption a `<figure>`
 * with an `<img>` and a `<figcaption>`, each sibling story's caption lines one figure (lines joined by
 * `<br>`), its headline an `<h3>` linking to the story, its "Continue reading" a link, headings for
 * "Just Posted" and "Most Read".
 */
export function seedAsHtml(text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const out: string[] = ['<article class="story">'];
  let section: 'story' | 'teasers' | 'after' = 'story';
  let figures = 0;
  let lastHeadline: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === 'Just Posted' || line === 'Most Read') {
      section = line === 'Just Posted' ? 'teasers' : 'after';
      out.push(`</article>\n<section class="${slug(line)}">\n  <h2 class="section-title">${line}</h2>`);
      continue;
    }
    if (isCaption(line)) {
      const group = [line];
      while (section === 'teasers' && i + 1 < lines.length && isCaption(lines[i + 1]!)) group.push(lines[++i]!);
      figures++;
      out.push(
        `  <figure class="photo">\n    <img src="https://images.example.test/${section}/${figures}.jpg" alt="" width="640" height="427">\n` +
          `    <figcaption>${group.map(esc).join('<br>\n')}</figcaption>\n  </figure>`,
      );
      if (section === 'teasers' && i + 1 < lines.length) {
        lastHeadline = lines[++i]!;
        out.push(`  <h3 class="teaser-title"><a href="/news/${slug(lastHeadline)}">${esc(lastHeadline)}</a></h3>`);
      }
      continue;
    }
    if (section === 'story' && line === SEED_HEADLINE) {
      out.push(out.some((l) => l.includes('<h1')) ? `  <p class="deck">${esc(line)}</p>` : `  <h1>${esc(line)}</h1>`);
      continue;
    }
    if (section === 'teasers' && READ_MORE.test(line) && lastHeadline) {
      const href = `/news/${slug(lastHeadline)}`;
      out.push(`  <p class="lede">${esc(line.replace(/ Continue reading$/, ''))} <a href="${href}">Continue reading</a></p>`);
      continue;
    }
    out.push(`  <p>${linkify(line)}</p>`);
  }
  out.push(section === 'story' ? '</article>' : '</section>');
  return out.join('\n');
}

/** The source the seed's tests normalize under. */
export const seedSource: SourceConfig = {
  id: 'red-deer-advocate',
  url: `${SITE}/feed`,
  title: 'Red Deer Advocate',
  interval: 15,
  provider: 'Red Deer Advocate',
  categories: [],
  allowPrivateNetwork: false,
};

/** A feed around entries, as the parser would give it. */
export function feedOf(entries: RawEntry[], extra: Partial<RawFeed> = {}): RawFeed {
  return {
    format: 'rss',
    title: 'Red Deer Advocate',
    link: `${SITE}/`,
    description: null,
    id: null,
    author: null,
    categories: [],
    published: null,
    updated: null,
    entries,
    ...extra,
  };
}

/** An entry carrying `content`, with the seed's title and a link unless overridden. */
export function entryOf(content: string | null, extra: Partial<RawEntry> = {}): RawEntry {
  return {
    id: null,
    title: SEED_HEADLINE,
    link: `${SITE}/news/${slug(SEED_HEADLINE)}`,
    published: '2021-03-16T21:40:00Z',
    updated: null,
    author: null,
    categories: [],
    summary: null,
    content,
    enclosures: [],
    media: [],
    ...extra,
  };
}
