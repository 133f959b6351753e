/**
 * Property-based fuzzing of article-page extraction with generated hostile pages: random nesting (deep, unclosed,
 * misnested), scripts and styles everywhere (also unclosed, and inside attributes), event handlers, script
 * URLs, broken JSON-LD, entities, control characters, and bytes sometimes truncated or in UTF-16. Fixed seed
 * and run count, so a failure reproduces.
 *
 * What must hold, for every page: `extractArticlePage` returns an `ArticlePage` or throws a `PageError` —
 * nothing else; no script or style text reaches the output; every normalized body is safe HTML; the
 * normalized items are valid ninjs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizePage } from '../../src/cli/page-items.ts';
import { extractArticlePage, PageError } from '../../src/ingest/page/extract.ts';
import type { SourceConfig } from '../../src/model.ts';
import { ninjsErrors } from '../normalize/support/ninjs-schema.ts';
import { assertHtmlSafe } from '../support/html-safety.ts';

const MARK = 'XSCRIPTLEAKX';
const source: SourceConfig = { id: 'fuzz', url: 'https://fuzz.example/feed', title: 'Fuzz', interval: 15, categories: [], allowPrivateNetwork: false };
const words = fc.array(fc.constantFrom('the', 'harbour', 'council', 'said', 'on', 'Tuesday', 'ferry', 'vote', '&amp;', '&nbsp;', '—', '“quoted”', '\u0000', '\u202e', '<', '>', '&#0;', '&bogus;'), { minLength: 1, maxLength: 40 }).map((w) => w.join(' '));
const hostile = fc.constantFrom(
  `<script>document.write("${MARK}")</script>`,
  `<script>${MARK}`,
  `<style>${MARK}{}</style>`,
  `<img src=x onerror="${MARK}()">`,
  `<a href="javascript:${MARK}()">link</a>`,
  `<iframe src="https://evil.example/${MARK}"></iframe>`,
  `<svg><script>${MARK}</script></svg>`,
  `<noscript><p>${MARK}</p></noscript>`,
  `<template><p>${MARK}</p></template>`,
  '<script type="application/ld+json">{"@type":"NewsArticle","articleBody":</script>',
  `<script type="application/ld+json">{"@type":"NewsArticle","headline":"H","articleBody":"<script>${MARK}<\\/script> body"}</script>`,
  '<!-- unclosed comment',
  '</div></div></p></section>',
  '<h2>Just Posted</h2><h3><a href="/x">Sibling headline here</a></h3><p>Lede… <a href="/x">Continue reading</a></p>',
  '<figure><img src="/p.jpg"><figcaption>A caption. (AP Photo/Someone)</figcaption></figure>',
);
const tags = fc.constantFrom('div', 'p', 'section', 'article', 'span', 'b', 'li', 'ul', 'table', 'td', 'h1', 'h3', 'figure', 'a', 'form', 'main');

type Tree = string;
const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    words.map((w) => `<p>${w} ${w} ${w}</p>`),
    hostile,
    fc.tuple(tags, fc.array(tie('node'), { maxLength: 4 }), fc.boolean()).map(([t, kids, close]) => `<${t} class="c">${kids.join('')}${close ? `</${t}>` : ''}`),
  ),
})).node;

const page = fc.tuple(fc.array(tree, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 300 }), fc.constantFrom('utf8', 'utf16', 'truncated')).map(
  ([parts, depth, form]) => {
    const html = `<!doctype html><html><head><title>T</title></head><body>${'<div>'.repeat(depth)}${parts.join('')}</body></html>`;
    const bytes = new TextEncoder().encode(html);
    if (form === 'utf16') return { bytes: new Uint8Array([0xff, 0xfe, ...new Uint8Array(new Uint16Array([...html].map((c) => c.charCodeAt(0))).buffer)]) };
    if (form === 'truncated') return { bytes: bytes.subarray(0, Math.max(1, bytes.length - 7)) };
    return { bytes };
  },
);

describe('article pages, fuzzed', () => {
  it('extract to a page or a PageError; no script text, safe bodies, valid ninjs', () => {
    fc.assert(
      fc.property(page, ({ bytes }) => {
        let extracted;
        try {
          extracted = extractArticlePage({ bytes, url: 'https://fuzz.example/story' });
        } catch (err) {
          expect(err).toBeInstanceOf(PageError);
          return;
        }
        const items = normalizePage(extracted, { source, now: new Date('2026-01-01T00:00:00Z') });
        const everything = JSON.stringify(extracted) + JSON.stringify(items);
        expect(everything).not.toContain(MARK);
        expect(everything).not.toMatch(/javascript:/i);
        for (const { item } of items) {
          expect(ninjsErrors(item)).toBe('');
          for (const b of item.bodies ?? []) assertHtmlSafe(b.value, item.uri);
        }
      }),
      { seed: 1313, numRuns: 60 },
    );
  }, 180_000);
});
