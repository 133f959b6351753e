import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { NewsItem } from '../../src/model.ts';
import { ninjsErrors } from '../normalize/support/ninjs-schema.ts';
import { SEED_HEADLINE, loadSeed, seedAsHtml } from '../normalize/support/seed.ts';

const run = promisify(execFile);

/** An RSS 2.0 file carrying the seed story (read from ../shared at run time) as an upstream would. */
function seedFeed(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-normalize-'));
  const file = join(dir, 'seed.xml');
  writeFileSync(
    file,
    `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Local site</title><link>https://www.example.test/</link><description>x</description>
<item><title>${SEED_HEADLINE}</title><link>https://www.example.test/putin-approved</link><guid>seed-1</guid>
<pubDate>Tue, 16 Mar 2021 22:00:00 GMT</pubDate>
<content:encoded><![CDATA[${body}]]></content:encoded></item>
</channel></rss>`,
  );
  return file;
}

describe('wirefeed normalize', () => {
  it.each([
    ['HTML', () => seedAsHtml(loadSeed())],
    ['plain text', () => loadSeed()],
  ])('prints the seed story and its 13 siblings as valid ninjs (%s form)', async (_form, body) => {
    const { stdout } = await run(process.execPath, ['bin/wirefeed.mjs', 'normalize', seedFeed(body())], { maxBuffer: 16 * 1024 * 1024 });
    const items = JSON.parse(stdout) as NewsItem[];
    expect(items).toHaveLength(14);
    expect(items[0]).toMatchObject({ representationType: 'full', by: 'Eric Tucker', located: 'WASHINGTON' });
    expect(items[0]!.headlines[0]!.value).toBe(SEED_HEADLINE);
    expect(items.slice(1).every((i) => i.representationType === 'partial')).toBe(true);
    for (const item of items) expect(ninjsErrors(item)).toBe('');
  });

  it('says clearly when the file is not a feed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wirefeed-normalize-'));
    writeFileSync(join(dir, 'page.html'), '<!doctype html><html><body>Login</body></html>');
    const err = await run(process.execPath, ['bin/wirefeed.mjs', 'normalize', join(dir, 'page.html')]).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toMatch(/^wirefeed: .+/);
  });

  const pageFile = join(import.meta.dirname, '..', 'fixtures', 'pages', 'harbour-ferry.html');

  it('reads an article page (HTML, detected) and prints the story first, then its siblings', async () => {
    const { stdout } = await run(process.execPath, ['bin/wirefeed.mjs', 'normalize', pageFile], { maxBuffer: 16 * 1024 * 1024 });
    const items = JSON.parse(stdout) as NewsItem[];
    expect(items.map((i) => i.representationType)).toEqual(['full', 'partial', 'partial', 'partial']);
    expect(items[0]).toMatchObject({ by: 'Dana Whitlock', located: 'HALIFAX', copyrightHolder: 'The Canadian Press' });
    expect(items[0]!.headlines[0]!.value).toBe('Harbour ferry returns to service after winter refit');
    expect(items[1]!.headlines[0]!.value).toBe('North-end library opens its doors');
    for (const item of items) expect(ninjsErrors(item)).toBe('');
  });

  it('--jsonl prints one line per file: its items, or its error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wirefeed-normalize-'));
    const missing = join(dir, 'missing.html');
    const feed = seedFeed(seedAsHtml(loadSeed()));
    const { stdout } = await run(process.execPath, ['bin/wirefeed.mjs', 'normalize', '--jsonl', pageFile, missing, feed], { maxBuffer: 16 * 1024 * 1024 });
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; items?: NewsItem[]; error?: string });
    expect(lines.map((l) => l.file)).toEqual([pageFile, missing, feed]);
    expect(lines[0]!.items).toHaveLength(4);
    expect(lines[1]).toEqual({ file: missing, error: expect.stringMatching(/missing\.html/) });
    expect(lines[2]!.items).toHaveLength(14);
  });
});
