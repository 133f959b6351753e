import { describe, expect, it } from 'vitest';
import type { NewsItem } from '../../src/model.ts';
import { renderNinjs } from '../../src/publish/ninjs.ts';
import { renderFeed } from '../../src/publish/render.ts';
import { sanitizeHtml } from '../../src/publish/sanitize.ts';
import { htmlSafetyProblems, parseElements } from '../support/html-safety.ts';
import { ITEM_CREATED, newsItem, text } from '../support/items.ts';
// A copy of ../shared/corpus/hostile/xss_payloads.json (that corpus may be copied): workerd reads no files.
import payloads from '../fixtures/hostile/xss_payloads.json' with { type: 'json' };

// The same sanitizer, inside workerd: the 27 payloads come out harmless on the Workers runtime too.
describe('the XSS corpus inside workerd', () => {
  it('has the 27 payloads, and each is dangerous before sanitizing', () => {
    expect(payloads).toHaveLength(27);
    for (const payload of payloads as string[]) expect(htmlSafetyProblems(payload)).not.toEqual([]);
  });

  it.each((payloads as string[]).map((p, i) => [i, p] as const))('payload %i is harmless after sanitizeHtml', (_i, payload) => {
    expect(htmlSafetyProblems(sanitizeHtml(payload, 'https://news.example.com/story.html'))).toEqual([]);
  });

  it('every HTML slot of RSS, Atom, JSON Feed and ninjs is harmless', () => {
    const items: NewsItem[] = (payloads as string[]).map((payload, i) =>
      newsItem(i, {
        uri: `urn:wirefeed:xss:${i}`,
        headlines: [text(`Payload ${i}`)],
        descriptions: [text(payload, 'summary', 'text/html')],
        bodies: [text(payload, 'main', 'text/html')],
      }),
    );
    const meta = { id: 'urn:x', title: 'XSS', siteUrl: 'https://news.example.com/', selfUrl: 'https://news.example.com/feeds/x.rss', updated: new Date(ITEM_CREATED) };
    const json = JSON.parse(renderFeed(meta, items, 'json').body) as { items: { content_html?: string }[] };
    const htmlSlots = [
      ...json.items.map((i) => i.content_html ?? ''),
      ...(JSON.parse(renderNinjs(items).body) as NewsItem[]).flatMap((i) => [...(i.bodies ?? []), ...(i.descriptions ?? [])].map((t) => t.value)),
    ];
    for (const format of ['rss', 'atom'] as const) {
      const xml = renderFeed(meta, items, format).body;
      // Every escaped HTML payload inside the XML, unescaped back into the HTML a reader would render.
      for (const m of xml.matchAll(/<!\[CDATA\[([\s\S]*?)\]\]>/g)) htmlSlots.push(m[1]!);
      expect(parseElements(xml).some((e) => e.name === 'script')).toBe(false);
    }
    expect(htmlSlots.length).toBeGreaterThan(27 * 3);
    for (const html of htmlSlots) expect(htmlSafetyProblems(html)).toEqual([]);
  });
});
