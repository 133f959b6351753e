/**
 * The site rules' selectors as the extractor's walk matches them (src/ingest/page/selectors.ts), against the
 * selector engine they stand in for (css-select through linkedom's `querySelectorAll`): on hand-written
 * markup that tries the edges (case, class words, descendants), and on every page of the article corpus.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { compileSelector, SelectorSet, type SelectorElement } from '../../../src/ingest/page/selectors.ts';
import { prunePage } from '../../../src/ingest/page/prune.ts';
import { GENERIC_SITE_RULE } from '../../../src/ingest/page/site-rules.ts';

const CORPUS = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'corpus', 'articles', 'html');

interface Node extends SelectorElement {
  firstElementChild: Node | null;
  nextElementSibling: Node | null;
}

/** Each selector's matches under `root`, in document order, by the set. */
function bySet(root: Node, selectors: readonly string[]): Node[][] {
  const set = new SelectorSet(selectors);
  const out: Node[][] = selectors.map(() => []);
  const walk = (el: Node): void => {
    for (let kid = el.firstElementChild; kid; kid = kid.nextElementSibling) {
      set.match(kid, (i) => out[i]!.push(kid));
      walk(kid);
    }
  };
  walk(root);
  return out;
}

const byEngine = (root: { querySelectorAll(s: string): ArrayLike<Node> }, selectors: readonly string[]): Node[][] =>
  selectors.map((s) => Array.from(root.querySelectorAll(s)));

const EXTRA = ['div.story p', 'a[rel=author]', '#main .byline', 'span[itemprop="name"]', 'time[datetime]', 'section article .author', '[data-x]', 'P.Lead'];

describe('SelectorSet', () => {
  it('matches as the selector engine does: case, class words, ids, descendants, unquoted values', () => {
    const { document } = parseHTML(
      '<html><body><div id="main" class="story  wide"><p class="lead">a</p><p class="Lead">b</p>' +
        '<a rel="Author" href="/x">c</a><a rel="author me">d</a><span class="byline">e</span></div>' +
        '<div itemprop="author"><span itemprop="name">f</span></div><span itemprop="name">g</span>' +
        '<time datetime="2024-01-01">h</time><time>i</time><div data-x="">j</div><P class="Lead">k</P>' +
        '<section><article><div><em class="author x">l</em></div></article></section></body></html>',
    );
    const selectors = [...GENERIC_SITE_RULE.author!, ...GENERIC_SITE_RULE.date!, ...EXTRA, '.lead', '[class="story  wide"]'];
    const body = document.body as unknown as Node;
    expect(bySet(body, selectors)).toEqual(byEngine(document.body as never, selectors));
    expect(bySet(body, ['a[rel=author]'])[0]).toHaveLength(1);
  });

  it('leaves every other form to the engine', () => {
    for (const s of ['div > p', 'p + p', 'a:not(.x)', '[href^="http"]', '[rel~=author]', '*', 'a, b', '[title="a b" i]', '.1x', '']) {
      expect(compileSelector(s), s).toBeNull();
    }
    expect(compileSelector('  div.a.b[x="1"] span#y  ')?.parts).toHaveLength(2);
  });

  it('matches the generic rule as the engine does on every corpus page', () => {
    const selectors = [...GENERIC_SITE_RULE.strip!, ...GENERIC_SITE_RULE.author!, ...GENERIC_SITE_RULE.date!, ...EXTRA].filter((s) => compileSelector(s));
    let matched = 0;
    for (const file of readdirSync(CORPUS).filter((f) => f.endsWith('.html.gz'))) {
      const html = prunePage(new TextDecoder().decode(gunzipSync(readFileSync(join(CORPUS, file)))), ['data-x']).html;
      const { document } = parseHTML(html);
      const set = bySet(document.documentElement as unknown as Node, selectors);
      expect(set, file).toEqual(byEngine(document.documentElement as never, selectors));
      matched += set.reduce((n, l) => n + l.length, 0);
    }
    expect(matched).toBeGreaterThan(500);
  });
});
