import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { startNodeServer } from '../../src/runtime/node.ts';
import { ninjsErrors } from '../normalize/support/ninjs-schema.ts';

// Real clients judge what the real server publishes: feedparser (Debian's python3-feedparser), newsboat,
// xmllint, jing with the Atom RELAX NG schema, and JSON Schema for JSON Feed 1.1 and ninjs 3.1.
const SHARED = resolve(import.meta.dirname, '../../../shared');
const ATOM_RNC = join(SHARED, 'schemas/atom.rnc');
const NINJS_SCHEMA = join(SHARED, 'schemas/ninjs-schema_3.1.json');
// The server runs in this process: clients run asynchronously so that it can answer them.
const run = promisify(execFile);
const SAMPLE = resolve(import.meta.dirname, '../../config/samples/wire-sample.xml');

function need(binary: string, debianPackage: string): string {
  for (const dir of ['/usr/bin', '/usr/local/bin']) if (existsSync(join(dir, binary))) return join(dir, binary);
  throw new Error(`${binary} is missing: install the Debian package ${debianPackage} (apt-get install ${debianPackage}); .ci/run does`);
}

interface JsonFeed {
  items: { id: string; url?: string; title: string; date_published: string; authors?: { name: string }[] }[];
}

describe('published feeds as real clients read them', () => {
  let server: Awaited<ReturnType<typeof startNodeServer>>;
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-clients-'));
  let reference: JsonFeed;

  beforeAll(async () => {
    if (!existsSync(ATOM_RNC) || !existsSync(NINJS_SCHEMA)) {
      throw new Error(`../shared/schemas is missing (looked in ${SHARED}): these tests read the Atom RELAX NG and ninjs schemas from there`);
    }
    const config = validateConfig({
      sources: [{ id: 'sample', url: pathToFileURL(SAMPLE).href, title: 'Sample' }],
      feeds: [{ name: 'alberta', title: 'Alberta', filter: { categories: ['Alberta'] } }],
    });
    server = await startNodeServer({ config, dbPath: join(dir, 'w.db'), port: 0, host: '127.0.0.1', log: () => {} });
    await server.service.tick();
    reference = (await (await fetch(`${server.url}/feeds/all.json`)).json()) as JsonFeed;
  });

  afterAll(async () => {
    await server?.close();
  });

  const fetchTo = async (path: string): Promise<{ file: string; text: string; res: Response }> => {
    const res = await fetch(`${server.url}${path}`);
    const text = await res.text();
    const file = join(dir, path.replace(/[^\w.]+/g, '_'));
    writeFileSync(file, text);
    return { file, text, res };
  };

  it('the sample upstream was ingested', () => {
    expect(reference.items.length).toBeGreaterThanOrEqual(5);
  });

  it.each(['rss', 'atom'])('%s is well-formed for xmllint', async (ext) => {
    const { file } = await fetchTo(`/feeds/all.${ext}`);
    await expect(run(need('xmllint', 'libxml2-utils'), ['--noout', file])).resolves.toMatchObject({ stderr: '' });
  });

  it('atom is valid against the RFC 4287 RELAX NG schema (jing)', async () => {
    const { file } = await fetchTo('/feeds/all.atom');
    const out = await run(need('jing', 'jing'), ['-c', ATOM_RNC, file]).then(
      (r) => r.stdout,
      (err: { stdout?: string }) => String(err.stdout ?? err),
    );
    expect(out).toBe('');
  });

  it.each(['rss', 'atom'])('feedparser reads %s with bozo 0 and the expected entries', async (ext) => {
    const { file } = await fetchTo(`/feeds/all.${ext}`);
    const script = `
import feedparser, json, sys
d = feedparser.parse(sys.argv[1])
print(json.dumps({"bozo": int(d.bozo), "error": str(d.get("bozo_exception", "")), "version": d.version,
  "entries": [{"title": e.get("title"), "link": e.get("link"), "author": e.get("author"),
               "published": e.get("published_parsed") and "%04d-%02d-%02dT%02d:%02d:%02d" % tuple(e.published_parsed[:6])} for e in d.entries]}))`;
    const result = JSON.parse((await run(need('python3', 'python3-feedparser'), ['-c', script, file])).stdout) as {
      bozo: number; error: string; version: string; entries: { title: string; link: string; author: string | null; published: string }[];
    };
    expect(result.error).toBe('');
    expect(result.bozo).toBe(0);
    expect(result.version).toBe(ext === 'rss' ? 'rss20' : 'atom10');
    expect(result.entries.map((e) => e.title)).toEqual(reference.items.map((i) => i.title));
    expect(result.entries.map((e) => e.link)).toEqual(reference.items.map((i) => i.url ?? `${server.url}/`));
    expect(result.entries.map((e) => e.published)).toEqual(reference.items.map((i) => i.date_published.slice(0, 19)));
    expect(result.entries.map((e) => e.author ?? null)).toEqual(reference.items.map((i) => i.authors?.[0]?.name ?? null));
  });

  it.each(['rss', 'atom'])('newsboat reads every item of %s', async (ext) => {
    const newsboat = need('newsboat', 'newsboat');
    const home = mkdtempSync(join(dir, `newsboat-${ext}-`));
    writeFileSync(join(home, 'urls'), `${server.url}/feeds/all.${ext}\n`);
    writeFileSync(join(home, 'config'), '');
    // newsboat exits 0 even when it fails: judge it by its count and its debug log.
    const { stdout: out } = await run(newsboat, ['-u', join(home, 'urls'), '-c', join(home, 'cache.db'), '-C', join(home, 'config'), '-d', join(home, 'log'), '-l', '3', '-x', 'reload', 'print-unread'], {
      env: { ...process.env, HOME: home, TERM: 'dumb' },
      timeout: 30_000,
    });
    const log = existsSync(join(home, 'log')) ? readFileSync(join(home, 'log'), 'utf8') : '';
    expect(log).not.toMatch(/parse error|Error while retrieving|XML error/i);
    expect(out.trim()).toBe(`${reference.items.length} unread articles`);
  });

  it('JSON Feed validates against the JSON Feed 1.1 rules', async () => {
    // ajv and ajv-formats are CommonJS: under NodeNext their default import's `default` is the export.
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const schema = JSON.parse(readFileSync(resolve(import.meta.dirname, '../schemas/jsonfeed-1.1.schema.json'), 'utf8'));
    const { text } = await fetchTo('/feeds/all.json');
    const valid = ajv.validate(schema, JSON.parse(text));
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('ninjs validates against the IPTC ninjs 3.1 schema', async () => {
    const { text } = await fetchTo('/feeds/all.ninjs');
    const items = JSON.parse(text) as unknown[];
    expect(items.length).toBe(reference.items.length);
    for (const item of items) expect(ninjsErrors(item)).toBe('');
  });

  it('a conditional GET with the returned ETag gets 304; a filter returns exactly the matching items', async () => {
    const first = await fetch(`${server.url}/feeds/all.atom`);
    await first.arrayBuffer();
    const again = await fetch(`${server.url}/feeds/all.atom`, { headers: { 'If-None-Match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const ninjs = (await (await fetch(`${server.url}/feeds/all.ninjs?limit=500`)).json()) as { uri: string; subjects?: { name: string }[] }[];
    const expected = ninjs.filter((i) => i.subjects?.some((s) => s.name.toLowerCase() === 'alberta')).map((i) => i.uri);
    const filtered = (await (await fetch(`${server.url}/feeds/alberta.ninjs?limit=500`)).json()) as { uri: string }[];
    expect(expected.length).toBeGreaterThan(0);
    expect(filtered.map((i) => i.uri)).toEqual(expected);
  });
});
