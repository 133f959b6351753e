import { describe, expect, it } from 'vitest';
import { normalizePage } from '../../src/cli/page-items.ts';
import { extractArticlePage } from '../../src/ingest/page/extract.ts';
// The fixture page, bundled as text by Vite: workerd reads no files.
import html from '../fixtures/pages/harbour-ferry.html?raw';

// linkedom and Readability inside workerd: the fixture page reads as it does on Node.
describe('article page extraction inside workerd', () => {
  it('extracts the fixture page: the story first, its byline and dateline, the caption and credit, three teasers', () => {
    const page = extractArticlePage({ bytes: new TextEncoder().encode(html), url: 'https://www.lakeside.example/news/harbour-ferry-returns-to-service' });
    expect(page.method).toBe('readability');
    expect(page.picture).toMatchObject({ caption: expect.stringMatching(/^The passenger ferry Ellen Marsh/), credit: 'THE CANADIAN PRESS/Dana Whitlock' });
    const items = normalizePage(page, {
      source: { id: 'courier', url: 'https://www.lakeside.example/feed', title: 'Lakeside Courier', interval: 15, categories: [], allowPrivateNetwork: false },
      now: new Date('2026-03-05T00:00:00Z'),
    });
    expect(items.map((i) => i.item.representationType)).toEqual(['full', 'partial', 'partial', 'partial']);
    expect(items[0]!.item).toMatchObject({ by: 'Dana Whitlock', located: 'HALIFAX', copyrightHolder: 'The Canadian Press' });
    expect(items[0]!.item.bodies![0]!.value.match(/<p>/g)).toHaveLength(6);
    expect(JSON.stringify(items)).not.toContain('SCRIPT_SHOULD_NOT_LEAK');
  });
});
