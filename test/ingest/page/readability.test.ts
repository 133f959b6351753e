/**
 * Readability with its two DOM helpers replaced (src/ingest/page/readability.ts) against Readability as
 * published, on every page of the article corpus: the same article, markup and text, and the same elements
 * from the tag walk as from `querySelectorAll`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { prunePage } from '../../../src/ingest/page/prune.ts';
import { allNodesWithTag, readabilityParse } from '../../../src/ingest/page/readability.ts';

const CORPUS = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'corpus', 'articles', 'html');
const pages = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.html.gz'))
  .map((f) => ({ file: f, html: prunePage(new TextDecoder().decode(gunzipSync(readFileSync(join(CORPUS, f))))).html }));

describe('readabilityParse', () => {
  it('finds the elements querySelectorAll finds, in its order', () => {
    const { document } = parseHTML('<html><body><div><P>a</P><section><p>b<span><p>c</p></span></p></section></div><h2>d</h2><p>e</p></body></html>');
    const body = document.body as never;
    for (const tags of [['p'], ['P', 'h2'], ['section', 'span'], ['table']]) {
      expect(allNodesWithTag(body, tags)).toEqual(Array.from(document.body.querySelectorAll(tags.join(','))));
    }
    expect(allNodesWithTag(document as never, ['html', 'p'])).toEqual(Array.from(document.querySelectorAll('html,p')));
  });

  it('reads every corpus page as Readability does', () => {
    const options = { serializer: (el: unknown) => el, charThreshold: 300, keepClasses: true };
    let compared = 0;
    for (const { file, html } of pages) {
      const ours = readabilityParse(parseHTML(html).document, options) as { content: { innerHTML: string }; textContent: string } | null;
      const theirs = new Readability(parseHTML(html).document as never, options).parse() as { content: unknown; textContent: string } | null;
      expect(ours === null, file).toBe(theirs === null);
      if (!ours || !theirs) continue;
      expect(ours.content.innerHTML, file).toBe((theirs.content as { innerHTML: string }).innerHTML);
      expect(ours.textContent, file).toBe(theirs.textContent);
      compared++;
    }
    expect(compared).toBeGreaterThan(80);
  });
});
