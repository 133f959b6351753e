import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewsItem, NinjsText } from '../../src/model.ts';
import { renderFeed, type FeedMeta, type OutputFormat } from '../../src/publish/render.ts';
import { htmlToText } from '../../src/util/html-text.ts';
import { newsItem, text } from '../support/items.ts';

// Real feed readers judge what we publish: Universal Feed Parser (python3-feedparser), rsstail (libmrss),
// sfeed, xmllint (libxml2-utils) and jing (jing) against the RFC 4287 grammar in ../shared. CI installs them all.

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ATOM_RNC = resolve(REPO_ROOT, '../shared/schemas/atom.rnc');

const META: FeedMeta = {
  id: 'urn:wirefeed:feed:readers',
  title: 'Example Gazette — Central Alberta',
  description: 'Wire and local news, republished',
  siteUrl: 'https://news.example.com/',
  selfUrl: 'https://news.example.com/feeds/central.xml',
  updated: new Date('2024-05-14T18:00:00Z'),
  language: 'en-CA',
};

const ITEMS: NewsItem[] = [
  newsItem('4411', {
    uri: 'urn:newsml:wire.example.com:20240514:story-4411',
    version: '2',
    firstCreated: '2024-05-14T15:00:00Z',
    versionCreated: '2024-05-14T17:30:00Z',
    contentCreated: '2024-05-14T14:45:00Z',
    headlines: [text('Province pledges $40M for rural clinics & paramedics')],
    descriptions: [text('The money targets 22 towns without a 24-hour emergency room.', 'summary')],
    bodies: [
      text(
        '<p>EDMONTON — The province will spend $40 million on rural clinics.</p><p><a href="/health/clinics.html">Full list</a></p><script>track()</script>',
        'main',
        'text/html',
      ),
    ],
    by: 'Dana Whitcombe, The Canadian Press',
    subjects: [{ name: 'Politics' }, { name: 'Alberta' }],
    renditions: [{ name: 'web', href: 'https://news.example.com/politics/rural-clinics.html?src=wire&id=4411', contentType: 'text/html' }],
    associations: [
      {
        name: 'featureimage',
        uri: 'urn:test:featureimage',
        type: 'picture',
        descriptions: [text('A paramedic unit outside a clinic in Olds. (THE CANADIAN PRESS/Ivo Marchetti)', 'caption')],
        by: 'Ivo Marchetti',
        renditions: [{ name: 'original', href: 'https://img.example.com/clinic.jpg', contentType: 'image/jpeg', width: 1200, height: 800 }],
      },
    ],
  }),
  newsItem('4412', {
    uri: 'https://wire.example.com/items/4412',
    version: '1',
    firstCreated: '2024-05-14T16:10:00Z',
    versionCreated: '2024-05-14T16:10:00Z',
    headlines: [text('Rebels’ “comeback kids” force Game 7 in Red Deer')],
    bodies: [text('RED DEER, Alta. — Down three goals, the Rebels came back.\n\nGame 7 is Friday.', 'main', 'text/plain')],
    by: 'Kenji Alvarez, Advocate Staff',
    subjects: [{ name: 'Sports' }],
    renditions: [{ name: 'web', href: 'https://news.example.com/sports/rebels-game-7.html', contentType: 'text/html' }],
  }),
  newsItem('4413', {
    uri: 'wire 4413/v1',
    representationType: 'partial',
    version: '1',
    firstCreated: '2024-05-14T12:00:00Z',
    versionCreated: '2024-05-14T13:00:00Z',
    headlines: [text('Frost warning: lows < -2 °C expected ]]> cover your tomatoes 🍅')],
    descriptions: [text('<p>Environment Canada says <b>cover plants</b> tonight.</p>', 'summary', 'text/html')],
    subjects: [{ name: 'Weather' }],
    renditions: [{ name: 'web', href: 'https://news.example.com/weather/frost.html', contentType: 'text/html' }],
  }),
];

const EXPECTED = [
  {
    title: 'Province pledges $40M for rural clinics & paramedics',
    link: 'https://news.example.com/politics/rural-clinics.html?src=wire&id=4411',
    id: 'urn:newsml:wire.example.com:20240514:story-4411',
    author: 'Dana Whitcombe, The Canadian Press',
    published: '2024-05-14T14:45:00Z',
  },
  {
    title: 'Rebels’ “comeback kids” force Game 7 in Red Deer',
    link: 'https://news.example.com/sports/rebels-game-7.html',
    id: 'https://wire.example.com/items/4412',
    author: 'Kenji Alvarez, Advocate Staff',
    published: '2024-05-14T16:10:00Z',
  },
  {
    title: 'Frost warning: lows < -2 °C expected ]]> cover your tomatoes 🍅',
    link: 'https://news.example.com/weather/frost.html',
    id: 'urn:wirefeed:wire%204413%2Fv1',
    author: null,
    published: '2024-05-14T12:00:00Z',
  },
];

// Reads each feed file named on the command line and prints what the reader saw, as JSON.
// feedparser 6.0.10 (Debian bookworm) cannot read JSON Feed; for those files the check falls back to
// the json module and the fields JSON Feed 1.1 requires.
const READER_PY = String.raw`
import html, importlib.util, json, sys, time
from datetime import datetime, timezone
import feedparser

JSON_FEED = importlib.util.find_spec('feedparser.parsers.json') is not None

def iso(t):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', t) if t else None

def utc(rfc3339):
    return datetime.fromisoformat(rfc3339.replace('Z', '+00:00')).astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')

def from_feedparser(path):
    d = feedparser.parse(path)
    entries = []
    for e in d.entries:
        title = e.get('title')
        if title is not None and e.get('title_detail', {}).get('type') == 'text/html':
            title = html.unescape(title)
        entries.append({'title': title, 'link': e.get('link'), 'id': e.get('id'),
                        'author': e.get('author'), 'published': iso(e.get('published_parsed')),
                        'enclosures': [x.get('href') for x in e.get('enclosures', [])]})
    return {'reader': 'feedparser ' + feedparser.__version__, 'bozo': int(bool(d.bozo)),
            'bozo_exception': repr(d.get('bozo_exception')) if d.bozo else None,
            'version': d.version, 'feed_title': d.feed.get('title'), 'entries': entries}

def from_json_module(path):
    with open(path, encoding='utf-8') as f:
        doc = json.load(f)
    problems = []
    if not str(doc.get('version', '')).startswith('https://jsonfeed.org/version/'): problems.append('version')
    if not isinstance(doc.get('title'), str): problems.append('title')
    if not isinstance(doc.get('items'), list): problems.append('items')
    entries = []
    for i, item in enumerate(doc.get('items') or []):
        if not isinstance(item.get('id'), str): problems.append('items[%d].id' % i)
        if not isinstance(item.get('content_html', item.get('content_text')), str): problems.append('items[%d].content' % i)
        published = item.get('date_published')
        entries.append({'title': item.get('title'), 'link': item.get('url'), 'id': item.get('id'),
                        'author': ((item.get('authors') or [{}])[0]).get('name'),
                        'published': utc(published) if published else None,
                        'enclosures': [item['image']] if item.get('image') else []})
    return {'reader': 'json module (feedparser %s has no JSON Feed support)' % feedparser.__version__,
            'bozo': int(bool(problems)), 'bozo_exception': ', '.join(problems) or None,
            'version': doc.get('version'), 'feed_title': doc.get('title'), 'entries': entries}

out = {}
for path in sys.argv[1:]:
    out[path] = from_json_module(path) if path.endswith('.json') and not JSON_FEED else from_feedparser(path)
print(json.dumps(out))
`;

interface ReaderView {
  reader: string;
  bozo: number;
  bozo_exception: string | null;
  version: string;
  feed_title: string | null;
  entries: { title: string | null; link: string | null; id: string | null; author: string | null; published: string | null; enclosures: string[] }[];
}

/** What each story is in ninjs, as a reader should show it: headline, web page, publication time, byline. */
const STORIES = ITEMS.map((item) => ({
  title: item.headlines[0]?.value ?? null,
  link: item.renditions?.find((r) => r.name === 'web')?.href ?? null,
  published: Date.parse(item.contentCreated ?? item.firstCreated),
  // When it last changed: a story changed since we first saw it (version 2 and up) by its version's save time.
  updated: Math.max(Date.parse(item.contentCreated ?? item.firstCreated), Number(item.version) > 1 ? Date.parse(item.versionCreated) : 0),
  author: item.by ?? null,
  // What a description-only reader should show: the summary, else the body's first paragraph.
  description: firstParagraph(item.descriptions?.find((d) => d.role === 'summary') ?? item.bodies?.[0]),
}));

function firstParagraph(t: NinjsText | undefined): string | null {
  if (!t) return null;
  const paragraphs = /html/.test(t.contentType ?? '') ? htmlToText(t.value, { lines: true }).split('\n') : t.value.split(/\n\s*\n/);
  return paragraphs[0]?.trim() ?? null;
}

/** The items rsstail prints (`Title: …`, `Link: …`, … one per line; a value's further lines follow it). */
function rsstailItems(out: string): Record<string, string>[] {
  const items: Record<string, string>[] = [];
  let current: Record<string, string> | undefined;
  let last: string | undefined;
  for (const line of out.split('\n')) {
    const m = /^(Title|Link|Description|Pub\.date|Author): (.*)$/.exec(line);
    if (m) {
      const [, heading, value] = m as unknown as [string, string, string];
      if (heading === 'Title' || !current) items.push((current = {}));
      current[heading] = value;
      last = heading;
    } else if (current && last && line !== '') {
      current[last] += `\n${line}`;
    }
  }
  return items;
}

// libmrss prints Atom times with a weekday of its own (Sunday for a Tuesday): the instant is what counts.
const rsstailTime = (value: string | undefined): number => Date.parse((value ?? '').replace(/^[A-Za-z]{3}, /, ''));

function run(cmd: string, args: string[], debianPackage: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(`${cmd} is not installed: install the Debian package ${debianPackage}`);
  }
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The first python3 that can import feedparser (pyenv and venv shims often cannot see Debian's). */
function findPython(): string {
  const candidates = [process.env.WIREFEED_PYTHON, 'python3', '/usr/bin/python3'].filter(
    (c): c is string => typeof c === 'string' && c !== '',
  );
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import feedparser'], { encoding: 'utf8' });
    if (!r.error && r.status === 0) return python;
  }
  throw new Error(
    `no python3 that can import feedparser (tried ${candidates.join(', ')}): install the Debian package python3-feedparser`,
  );
}

describe('feeds as real readers see them', () => {
  let dir: string;
  const files = {} as Record<OutputFormat, string>;
  // rsstail reads only http URLs: a loopback server hands it the rendered files.
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wirefeed-readers-'));
    for (const format of ['rss', 'atom', 'json'] as const) {
      files[format] = join(dir, `feed.${format}`);
      writeFileSync(files[format], renderFeed(META, ITEMS, format).body);
    }
    server = createServer((req, res) => {
      const format = (['rss', 'atom'] as const).find((f) => req.url === `/feed.${f}`);
      if (!format) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': renderFeed(META, ITEMS, format).contentType }).end(readFileSync(files[format]));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    if (server) await new Promise((done) => server.close(done));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(['rss', 'atom'] as const)('rsstail shows every %s item with its title, link, date, author and a description', async (format) => {
    const rsstail = '/usr/bin/rsstail';
    if (!existsSync(rsstail)) throw new Error('rsstail is not installed: install the Debian package rsstail');
    // Async: the server answering rsstail runs in this process. Without -z a parser error is fatal.
    const { stdout } = await promisify(execFile)(rsstail, ['-u', `${origin}/feed.${format}`, '-1', '-l', '-p', '-a', '-d'], { timeout: 30_000 });
    const items = rsstailItems(stdout);
    expect(items.map((i) => i.Title ?? null)).toEqual(STORIES.map((s) => s.title));
    expect(items.map((i) => i.Link ?? null)).toEqual(STORIES.map((s) => s.link));
    // Atom readers date by <updated>: a changed story (version 2 and up) by when it changed, else its publication.
    expect(items.map((i) => rsstailTime(i['Pub.date']))).toEqual(STORIES.map((s) => (format === 'atom' ? s.updated : s.published)));
    // libmrss reads RSS's <author>, an e-mail address by RSS 2.0, which bylines are not: RSS carries them as dc:creator.
    expect(items.map((i) => i.Author ?? null)).toEqual(format === 'atom' ? STORIES.map((s) => s.author) : STORIES.map(() => null));
    if (format === 'rss') {
      expect(items.map((i) => htmlToText(i.Description ?? ''))).toEqual(STORIES.map((s) => s.description));
    }
  });

  it.each(['rss', 'atom'] as const)('sfeed reads every %s item with its title, link, date, id and author', (format) => {
    const r = spawnSync('sfeed', [], { input: readFileSync(files[format]), encoding: 'utf8' });
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error('sfeed is not installed: install the Debian package sfeed');
    expect(r.status).toBe(0);
    // One TSV line per item: timestamp, title, link, content, content-type, id, author, enclosure, categories.
    const rows = r.stdout.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
    expect(rows.map(([time, title, link, , , id, author]) => ({ published: Number(time) * 1000, title, link, id, author: author || null }))).toEqual(
      STORIES.map((s, i) => ({ published: s.published, title: s.title, link: s.link, id: EXPECTED[i]?.id, author: s.author })),
    );
  });

  it('feedparser reads RSS, Atom and JSON without complaint and sees the same stories', () => {
    const python = findPython();
    const r = run(python, ['-c', READER_PY, files.rss, files.atom, files.json], 'python3-feedparser');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const views = JSON.parse(r.stdout) as Record<string, ReaderView>;
    // feedparser names the versions it knows; the JSON fallback reports the document's own.
    const versions: Record<OutputFormat, string[]> = {
      rss: ['rss20'],
      atom: ['atom10'],
      json: ['json11', 'https://jsonfeed.org/version/1.1'],
    };
    for (const format of ['rss', 'atom', 'json'] as const) {
      const view = views[files[format]];
      expect(view, format).toBeDefined();
      if (!view) continue;
      expect({ format, bozo: view.bozo, why: view.bozo_exception }).toEqual({ format, bozo: 0, why: null });
      expect(versions[format], format).toContain(view.version);
      expect(view.feed_title).toBe(META.title);
      expect(view.entries.map(({ title, link, id, author, published }) => ({ title, link, id, author, published }))).toEqual(
        EXPECTED,
      );
      expect(view.entries[0]?.enclosures).toEqual(['https://img.example.com/clinic.jpg']);
    }
  });

  it.each(['rss', 'atom'] as const)('xmllint finds %s well-formed', (format) => {
    const r = run('xmllint', ['--noout', '--nonet', files[format]], 'libxml2-utils');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('jing validates Atom against the RFC 4287 grammar', () => {
    if (!existsSync(ATOM_RNC)) {
      throw new Error(`${ATOM_RNC} is missing: the readers test needs the shared checkout at ../shared (CI always has it)`);
    }
    const r = run('jing', ['-c', ATOM_RNC, files.atom], 'jing');
    // jing reports validation errors on stdout; its wrapper script also warns about optional jars on stderr.
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
