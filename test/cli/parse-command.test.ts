import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/cli/parse-command.ts';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
const fixture = (name: string): string => path.join(FIXTURES, name);

async function run(files: string[]): Promise<Array<Record<string, unknown>>> {
  const lines: string[] = [];
  await parseCommand(files, (line) => lines.push(line));
  for (const line of lines) expect(line).not.toContain('\n');
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

const FEED_KEYS = ['file', 'format', 'title', 'link', 'description', 'id', 'author', 'categories', 'published', 'updated', 'entries'];
const ENTRY_KEYS = ['id', 'title', 'link', 'published', 'updated', 'author', 'categories', 'summary', 'content', 'enclosures'];

describe('parseCommand', () => {
  it('writes one JSON line per file, in order, with the documented keys in the documented order', async () => {
    const files = [fixture('parse/rss20-full.xml'), fixture('parse/atom10.xml'), fixture('parse/jsonfeed11.json'), fixture('parse/rss10-rdf.xml')];
    const out = await run(files);
    expect(out.map((l) => [l.file, l.format])).toEqual([
      [files[0], 'rss'],
      [files[1], 'atom'],
      [files[2], 'json'],
      [files[3], 'rdf'],
    ]);
    for (const line of out) {
      expect(Object.keys(line)).toEqual(FEED_KEYS);
      for (const e of line.entries as Array<Record<string, unknown>>) {
        expect(Object.keys(e)).toEqual(ENTRY_KEYS);
        for (const enc of e.enclosures as Array<Record<string, unknown>>) expect(Object.keys(enc)).toEqual(['url', 'type', 'length']);
      }
    }
  });

  it('prints the parsed values: ISO-8601 UTC dates, null for absent fields, no media', async () => {
    const [line] = await run([fixture('parse/rss20-full.xml')]);
    expect(line).toMatchObject({
      title: 'Northwire Newsroom',
      id: null,
      author: null,
      published: null,
      updated: '2021-03-16T14:30:00Z',
      categories: ['World', 'Politics'],
    });
    const entries = line!.entries as Array<Record<string, unknown>>;
    expect(entries[0]).toMatchObject({
      id: 'nw-2021-0316-001',
      published: '2021-03-16T19:00:00Z',
      updated: null,
      author: 'Maria Lopez, Sam Okafor',
      enclosures: [
        { url: 'https://audio.example.com/talks.mp3', type: 'audio/mpeg', length: 5120000 },
        { url: 'https://img.example.com/border.jpg', type: 'image/jpeg', length: 123456 },
      ],
    });
    expect(entries[0]).not.toHaveProperty('media');
  });

  it('writes {"file","error"} for what cannot be read or parsed, and carries on', async () => {
    const files = [
      fixture('parse/html-page.html'),
      fixture('parse/empty.xml'),
      fixture('parse/not-jsonfeed.json'),
      fixture('hostile/k3_truncated.xml'),
      fixture('parse/no-such-file.xml'),
      FIXTURES,
      fixture('parse/atom03.xml'),
    ];
    const out = await run(files);
    expect(out).toEqual([
      { file: files[0], error: 'not a feed: this is an HTML page' },
      { file: files[1], error: 'not a feed: the document is empty' },
      { file: files[2], error: 'not a JSON Feed: "version" is not a https://jsonfeed.org/version/… URL' },
      { file: files[3], error: 'truncated document: it ends inside <rss> before any complete entry' },
      { file: files[4], error: 'cannot read the file: no such file' },
      { file: files[5], error: 'cannot read the file: is a directory' },
      expect.objectContaining({ file: files[6], format: 'atom', title: 'Old & Gold' }),
    ]);
  });

  it('writes nothing for no files', async () => {
    expect(await run([])).toEqual([]);
  });
});
