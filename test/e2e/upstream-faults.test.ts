/**
 * Upstream faults, end to end: the real service (startNodeServer: store, scheduler tick, fetcher, HTTP app) polls
 * one source per hostile case plus healthy ones. Each source is first seeded with a good feed; then its upstream
 * turns hostile and the next tick polls it. Every case must end the same way: the service stays up, the source
 * either records a clear error in /status (kind, message, time, next retry) or is read leniently where the
 * reading is unambiguous (the table below says which), its seed stories are still served, and the other sources
 * carry on.
 *
 * Upstreams, all on 127.0.0.1:
 * - `corpus`: our server. In the seed phase it answers every path with a good feed for that source; in the
 *   hostile phase `/corpus/<id>` serves a file of ../shared/corpus/hostile (d1/d2, 50 MB each, are generated and
 *   streamed), and any other path is relayed byte for byte (gzip and all) to `hostile`.
 * - `hostile`: ../shared/tools/hostile-upstream.mjs as a child process. Its sources are configured on
 *   `localhost`, so the redirect to http://127.0.0.1/secret leaves the source's host: refused even though the
 *   source is allowed a private network.
 * - `sentinel`: the target of the b3 XXE (rewritten from 127.0.0.1:9 to this port): it must see no connection.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import type { PollOutcome } from '../../src/ingest/run.ts';
import { startNodeServer } from '../../src/runtime/node.ts';
import { jsonLines } from '../support/log-lines.ts';

const SHARED = resolve(import.meta.dirname, '../../../shared');
const CORPUS = join(SHARED, 'corpus/hostile');
const HOSTILE_UPSTREAM = join(SHARED, 'tools/hostile-upstream.mjs');

const MAX_FEED_BYTES = 2 * 1024 * 1024;
/**
 * The fetch deadline. Parsing runs on the service's event loop, so a fetch's wall-clock deadline also covers the
 * time other sources' parses hold the loop (a2 and c2 take some 0.5 s each): 4 s leaves the byte-cap cases a wide
 * margin to reach the cap first, and still cuts the 1 byte/s body early.
 */
const FETCH_TIMEOUT_MS = 4000;
/** Minutes: every source is due again 1.2 s after a success, so the hostile round follows the seed round at once. */
const INTERVAL = 0.02;
const HOUR = 3_600_000;

type Ending =
  | { ends: 'error'; kind: 'fetch' | 'parse'; message: RegExp; retryAfterMs?: number }
  | {
      ends: 'lenient';
      /** What the lenient reading makes of the document. */
      reading: string;
      /** Headlines this source's hostile poll adds to the served feed (exact, or a pattern). */
      served: Array<string | RegExp>;
      /** Never in any served feed. */
      never?: RegExp[];
      /** Served headline → the item's link as served (undefined: none). */
      links?: Array<[string, string | undefined]>;
    };

interface FaultCase {
  id: string;
  /** `/corpus/<id>` on our server (`body` below), or a path of hostile-upstream.mjs. */
  upstream: 'corpus' | 'hostile';
  path?: string;
  ending: Ending;
}

const tooLarge = { ends: 'error', kind: 'fetch', message: new RegExp(`^Body of http://\\S+ exceeds ${MAX_FEED_BYTES} bytes$`) } as const;
const lenient = (reading: string, served: Array<string | RegExp>, never?: RegExp[], links?: Array<[string, string | undefined]>): Ending => ({
  ends: 'lenient',
  reading,
  served,
  ...(never ? { never } : {}),
  ...(links ? { links } : {}),
});

/** Every fault case and how it ends. */
const CASES: FaultCase[] = [
  // Entity bombs and XXE: nothing is expanded or fetched; the entity reference stays as literal text.
  { id: 'a1', upstream: 'corpus', ending: lenient('billion laughs: entities are not expanded, "&lol9;" stays literal', ['&lol9;'], [/(?:lol){4}/]) },
  { id: 'a2', upstream: 'corpus', ending: lenient('quadratic blow-up: the 50 kB entity is not expanded 50,000 times', ['x'], [/A{1000}/]) },
  { id: 'a3', upstream: 'corpus', ending: lenient('a small, plain internal entity is expanded', ['Hello ACME Corp']) },
  { id: 'a4', upstream: 'corpus', ending: lenient('the Netscape RSS 0.91 public DTD is accepted (and never fetched)', ['Netscape & co']) },
  { id: 'b1', upstream: 'corpus', ending: lenient('XXE file:///etc/hostname: not read, the reference stays literal', ['XXE:&xxe;']) },
  { id: 'b2', upstream: 'corpus', ending: lenient('parameter-entity XXE: not read', ['P']) },
  { id: 'b3', upstream: 'corpus', ending: lenient('XXE over http: no connection is made, the reference stays literal', ['H:&h;']) },
  // Deep nesting: parsed, the nesting unwrapped.
  { id: 'c1', upstream: 'corpus', ending: lenient('10,000 nested elements', ['deep']) },
  { id: 'c2', upstream: 'corpus', ending: lenient('100,000 nested elements', ['deep']) },
  { id: 'c3', upstream: 'corpus', ending: lenient('10,000 unclosed nested elements', ['deep']) },
  // 50 MB: cut at the byte cap while streaming.
  { id: 'd1', upstream: 'corpus', ending: tooLarge },
  { id: 'd2', upstream: 'corpus', ending: tooLarge },
  // Bytes and characters.
  { id: 'e1', upstream: 'corpus', ending: lenient('invalid UTF-8: the bytes are read as windows-1252', [/^T\S* bad /]) },
  { id: 'e2', upstream: 'corpus', ending: lenient('raw C0 controls and NUL are dropped', ['ctl end']) },
  { id: 'e3', upstream: 'corpus', ending: lenient('references to illegal characters are dropped', ['ref end']) },
  { id: 'f1', upstream: 'corpus', ending: lenient('ISO-8859-1 as declared', ['Café naïve über ©']) },
  { id: 'f2', upstream: 'corpus', ending: lenient('windows-1252 as declared: smart quotes, dash and euro', ['“Smart quotes” — €5 café']) },
  { id: 'f3', upstream: 'corpus', ending: lenient('Latin-1 bytes declared UTF-8: invalid UTF-8, read as windows-1252', ['Café naïve über ©']) },
  { id: 'f4', upstream: 'corpus', ending: lenient('Latin-1 without a declaration: invalid UTF-8, read as windows-1252', ['Café naïve über ©']) },
  { id: 'g1', upstream: 'corpus', ending: lenient('UTF-8 BOM', ['BOM café']) },
  { id: 'g2', upstream: 'corpus', ending: lenient('UTF-16LE with BOM', ['UTF16 café']) },
  { id: 'g3', upstream: 'corpus', ending: lenient('BOM then whitespace before the declaration', ['BOM+ws']) },
  { id: 'g4', upstream: 'corpus', ending: lenient('whitespace before the declaration', ['ws before decl']) },
  { id: 'h1', upstream: 'corpus', ending: lenient('undeclared HTML entities are read as HTML', [/^A\sB été — © &/]) },
  { id: 'h2', upstream: 'corpus', ending: lenient('bare ampersands are read as text', ['Tom & Jerry'], undefined, [['Tom & Jerry', 'https://example.com/?a=1&b=2']]) },
  { id: 'i1', upstream: 'corpus', ending: lenient('"]]>" inside CDATA: the section ends at the first "]]>", the rest is text', ['before after]]>']) },
  { id: 'i2', upstream: 'corpus', ending: lenient('a correctly split CDATA section', ['a ]]> b']) },
  { id: 'i3', upstream: 'corpus', ending: lenient('an unterminated CDATA section ends at the element', ['never closed']) },
  // Fields and dates.
  {
    id: 'j1',
    upstream: 'corpus',
    ending: lenient(
      'missing/duplicate guids, links and titles: one story per link, else guid, else headline (the first wins); a missing title comes from the text; relative links resolved against the feed; javascript: dropped',
      ['rel link', 'js link', 'perma', 'body', 'Item', 'no guid no link', 'desc only'],
      [/javascript:/i],
      [['rel link', 'https://example.com/relative/path'], ['js link', undefined], ['perma', 'https://example.com/p'], ['Item', 'https://example.com/no-guid']],
    ),
  },
  { id: 'j2', upstream: 'corpus', ending: lenient('32 date variants: every entry links to https://example.com/1, so by identity they are one story (D0)', ['D0']) },
  // Not a feed: an error, never "0 items".
  { id: 'k1', upstream: 'corpus', ending: { ends: 'error', kind: 'parse', message: /^not a feed: this is an HTML page/ } },
  { id: 'k2', upstream: 'corpus', ending: { ends: 'error', kind: 'parse', message: /^not a feed: the document is empty/ } },
  { id: 'k3', upstream: 'corpus', ending: { ends: 'error', kind: 'parse', message: /^truncated document/ } },
  { id: 'k4', upstream: 'corpus', ending: lenient('a JSON Feed with bad ids and dates: null items skipped, ids stringified, bad dates dropped', ['Untitled']) },
  { id: 'k4b', upstream: 'corpus', ending: { ends: 'error', kind: 'parse', message: /not a JSON Feed/ } },
  { id: 'k5', upstream: 'corpus', ending: lenient('__proto__ and constructor elements are ordinary elements', ['pp']) },
  { id: 'k6', upstream: 'corpus', ending: lenient('Atom with garbage <updated> and scripted xhtml: dates dropped, script and onclick sanitized away', ['x &'], [/<script/i, /onclick/i]) },
  // hostile-upstream.mjs, through the relay, on the host name localhost.
  { id: 'h-redirect-internal', upstream: 'hostile', path: '/redirect-internal', ending: { ends: 'error', kind: 'fetch', message: /^Refusing to fetch http:\/\/127\.0\.0\.1:\d+\/secret: 127\.0\.0\.1 is a private address$/ } },
  { id: 'h-redirect-file', upstream: 'hostile', path: '/redirect-file', ending: { ends: 'error', kind: 'fetch', message: /^Redirect from http:\/\/localhost:\d+\/redirect-file to unsupported scheme file:$/ } },
  { id: 'h-redirect-loop', upstream: 'hostile', path: '/redirect-loop', ending: { ends: 'error', kind: 'fetch', message: /^More than 5 redirects fetching http:\/\/localhost:\d+\/redirect-loop/ } },
  { id: 'h-429', upstream: 'hostile', path: '/429', ending: { ends: 'error', kind: 'fetch', message: /^HTTP 429 Too Many Requests from /, retryAfterMs: 120_000 } },
  // Retry-After: Wed, 21 Oct 2037 07:28:00 GMT — honoured up to the cap of a day.
  { id: 'h-503', upstream: 'hostile', path: '/503', ending: { ends: 'error', kind: 'fetch', message: /^HTTP 503 Service Unavailable from /, retryAfterMs: 86_400_000 } },
  { id: 'h-gzip-bomb', upstream: 'hostile', path: '/gzip-bomb', ending: tooLarge },
  { id: 'h-infinite', upstream: 'hostile', path: '/infinite', ending: tooLarge },
  { id: 'h-slow', upstream: 'hostile', path: '/slow', ending: { ends: 'error', kind: 'fetch', message: new RegExp(`^Timed out after ${FETCH_TIMEOUT_MS} ms fetching http://localhost:\\d+/slow$`) } },
  // `<!doctype html><title>…` without <html>: the parser names the root element rather than "an HTML page".
  { id: 'h-html', upstream: 'hostile', path: '/html', ending: { ends: 'error', kind: 'parse', message: /^not a feed: (?:this is an HTML page|the root element <title> is not RSS, RDF, Atom or CDF)/ } },
  { id: 'h-empty', upstream: 'hostile', path: '/empty', ending: { ends: 'error', kind: 'parse', message: /^not a feed: the document is empty/ } },
  { id: 'h-ok', upstream: 'hostile', path: '/ok', ending: lenient('a good feed (control on the localhost side)', ['ok']) },
];

/** Corpus files by case id (k4b is JSON that is not a JSON Feed; d1/d2 are generated). */
const FILES: Record<string, string> = {
  a1: 'a1_billion_laughs.xml', a2: 'a2_quadratic_blowup.xml', a3: 'a3_internal_entity_small.xml', a4: 'a4_netscape_public_dtd.xml',
  b1: 'b1_xxe_file.xml', b2: 'b2_xxe_param.xml', b3: 'b3_xxe_http.xml',
  c1: 'c1_deep_nesting_10k.xml', c2: 'c2_deep_nesting_100k.xml', c3: 'c3_deep_nesting_10k_unclosed.xml',
  e1: 'e1_invalid_utf8.xml', e2: 'e2_control_chars.xml', e3: 'e3_illegal_charrefs.xml',
  f1: 'f1_iso8859_1.xml', f2: 'f2_windows1252.xml', f3: 'f3_mislabelled_latin1_as_utf8.xml', f4: 'f4_latin1_no_decl.xml',
  g1: 'g1_bom_utf8.xml', g2: 'g2_bom_utf16le.xml', g3: 'g3_bom_then_whitespace.xml', g4: 'g4_leading_whitespace_before_decl.xml',
  h1: 'h1_html_entities.xml', h2: 'h2_bare_ampersand.xml',
  i1: 'i1_cdata_nested_terminator.xml', i2: 'i2_cdata_properly_split.xml', i3: 'i3_cdata_unterminated.xml',
  j1: 'j1_missing_and_duplicate_fields.xml', j2: 'j2_date_variants.xml',
  k1: 'k1_html_page.html', k2: 'k2_empty.xml', k3: 'k3_truncated.xml', k4: 'k4_json_feed_garbage.json', k5: 'k5_proto_pollution.xml', k6: 'k6_atom_basic.xml',
};

const seedTitles = (id: string): [string, string] => [`Seed story one of ${id}`, `Seed story two of ${id}`];

/** The good feed a source is seeded with. */
function seedFeed(id: string): string {
  const [one, two] = seedTitles(id);
  const at = (h: number): string => new Date(Date.now() - h * HOUR).toUTCString();
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Seed ${id}</title><link>https://seed.example/${id}/</link><description>seed</description>
<item><title>${one}</title><guid>seed-${id}-1</guid><link>https://seed.example/${id}/1</link><pubDate>${at(2)}</pubDate><description>First seed paragraph of ${id}.</description></item>
<item><title>${two}</title><guid>seed-${id}-2</guid><link>https://seed.example/${id}/2</link><pubDate>${at(1)}</pubDate><description>Second seed paragraph of ${id}.</description></item>
</channel></rss>`;
}

/** The healthy source: one more story on every poll. */
function healthyFeed(poll: number): string {
  const items = Array.from({ length: poll }, (_, i) => `<item><title>Healthy story ${i + 1}</title><guid>healthy-${i + 1}</guid><link>https://healthy.example/${i + 1}</link><description>Healthy paragraph ${i + 1}.</description></item>`);
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Healthy</title><link>https://healthy.example/</link><description>ok</description>${items.join('')}</channel></rss>`;
}

/** Writes chunks with back-pressure until done or the client goes away (the loop is bounded by the generator). */
function pump(res: ServerResponse, chunks: Iterator<Buffer>): void {
  let closed = false;
  res.on('close', () => (closed = true));
  const go = (): void => {
    while (!closed) {
      const next = chunks.next();
      if (next.done) {
        res.end();
        return;
      }
      if (!res.write(next.value)) {
        res.once('drain', go);
        return;
      }
    }
  };
  go();
}

const FIFTY_MB = 50 * 1024 * 1024;

/** d1: about 50 MB of RSS, some 26,000 items of 2 kB. */
function* d1Chunks(): Generator<Buffer> {
  const head = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Big</title><link>https://example.com/</link><description>d</description>');
  yield head;
  const body = 'Lorem ipsum dolor sit amet &amp; consectetur. '.repeat(40);
  let sent = head.length;
  for (let i = 0; sent < FIFTY_MB; i++) {
    const item = Buffer.from(`<item><title>Item ${i}</title><guid>g${i}</guid><link>https://example.com/${i}</link><pubDate>Tue, 16 Mar 2021 14:00:00 GMT</pubDate><description>${body}</description></item>`);
    sent += item.length;
    yield item;
  }
  yield Buffer.from('</channel></rss>\n');
}

/** d2: one 50 MB text node. */
function* d2Chunks(): Generator<Buffer> {
  yield Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>T</title><link>https://example.com/</link><description>d</description><item><title>big</title><guid>g1</guid><description>');
  const chunk = Buffer.alloc(64 * 1024, 'A');
  for (let sent = 0; sent < FIFTY_MB; sent += chunk.length) yield chunk;
  yield Buffer.from('</description></item></channel></rss>\n');
}

function contentTypeOf(file: string): string {
  if (file.endsWith('.html')) return 'text/html; charset=utf-8';
  if (file.endsWith('.json')) return 'application/feed+json';
  // No charset: the legacy-charset cases must be decoded from their bytes (BOM, declaration, fallback).
  return 'application/rss+xml';
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

/** Starts hostile-upstream.mjs on a free port and waits for its "listening" line (it first builds a 1 GiB gzip bomb). */
async function startHostileUpstream(): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [HOSTILE_UPSTREAM], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`hostile-upstream.mjs did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes(`listening 127.0.0.1:${port}`)) {
        clearTimeout(timer);
        resolveStart();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hostile-upstream.mjs exited with ${code}:\n${output}`));
    });
  });
  return { child, port };
}

interface SourceHealth {
  id: string;
  healthy: boolean;
  items: number;
  lastFetchAt: string | null;
  lastSuccessAt: string | null;
  nextFetchAt: string;
  errorCount: number;
  lastError: { kind: string; message: string; at: string } | null;
}

interface JsonFeed {
  items: Array<{ id: string; url?: string; title?: string; content_html?: string; content_text?: string }>;
}

describe('upstream faults: the service stays up, records or recovers, keeps serving and carries on', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-faults-'));
  let hostile: { child: ChildProcess; port: number } | undefined;
  const servers: Server[] = [];
  let service: Awaited<ReturnType<typeof startNodeServer>> | undefined;
  const log: string[] = [];

  let phase: 'seed' | 'hostile' = 'seed';
  let healthyPolls = 0;
  let sentinelConnections = 0;
  const corpusRequests = new Map<string, number>();

  let seedOutcomes: PollOutcome[] = [];
  let outcomes: PollOutcome[] = [];
  let upDuringTick: number[] = [];
  let before: Map<string, SourceHealth>;
  let after: Map<string, SourceHealth>;
  let feed: JsonFeed;
  let servedText: string;
  let rssText: string;
  let statusText: string;
  let hostileHits: Record<string, number>;

  beforeAll(async () => {
    if (!existsSync(HOSTILE_UPSTREAM) || !existsSync(join(CORPUS, 'INDEX.md'))) {
      throw new Error(`../shared is missing (looked for ${HOSTILE_UPSTREAM} and ${CORPUS}): these tests need the hostile corpus and upstream (CI always has ../shared)`);
    }
    hostile = await startHostileUpstream();
    const hostilePort = hostile.port;

    const sentinel = createNetServer((socket) => socket.destroy());
    sentinel.on('connection', () => sentinelConnections++);
    await new Promise<void>((r) => sentinel.listen(0, '127.0.0.1', r));
    const sentinelPort = (sentinel.address() as AddressInfo).port;
    servers.push(sentinel as unknown as Server);

    const bodies = new Map<string, Buffer>();
    for (const [id, file] of Object.entries(FILES)) {
      let bytes = readFileSync(join(CORPUS, file));
      if (id === 'b3') bytes = Buffer.from(bytes.toString('utf8').replace('http://127.0.0.1:9/', `http://127.0.0.1:${sentinelPort}/`));
      bodies.set(id, bytes);
    }
    expect(bodies.get('b3')!.toString()).toContain(`127.0.0.1:${sentinelPort}`);
    bodies.set('k4b', Buffer.from('{"status":"ok","results":[{"headline":"not a feed"}],"version":2}'));
    const hostileIdByPath = new Map(CASES.filter((c) => c.upstream === 'hostile').map((c) => [c.path!, c.id]));

    const relay = (req: IncomingMessage, res: ServerResponse): void => {
      const upstream = request({ host: '127.0.0.1', port: hostilePort, path: req.url, method: req.method, headers: req.headers }, (up) => {
        const headers = { ...up.headers };
        delete headers.connection;
        delete headers['keep-alive'];
        delete headers['transfer-encoding'];
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      res.on('close', () => upstream.destroy());
      upstream.end();
    };

    const corpus = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/healthy') {
        res.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8' }).end(healthyFeed(++healthyPolls));
        return;
      }
      const id = path.startsWith('/corpus/') ? path.slice('/corpus/'.length) : hostileIdByPath.get(path);
      if (phase === 'seed') {
        if (!id) return void res.writeHead(404).end();
        res.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8' }).end(seedFeed(id));
        return;
      }
      if (!path.startsWith('/corpus/')) return relay(req, res); // every other path, /redirect-loop hops included
      corpusRequests.set(id!, (corpusRequests.get(id!) ?? 0) + 1);
      if (id === 'd1' || id === 'd2') {
        res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
        pump(res, id === 'd1' ? d1Chunks() : d2Chunks());
        return;
      }
      const body = bodies.get(id!);
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': contentTypeOf(FILES[id!] ?? '.json'), 'Content-Length': body.length }).end(body);
    });
    const corpusPort = await listen(corpus);
    servers.push(corpus);

    const urlOf = (c: FaultCase): string => (c.upstream === 'corpus' ? `http://127.0.0.1:${corpusPort}/corpus/${c.id}` : `http://localhost:${corpusPort}${c.path}`);
    const config = validateConfig({
      sources: [
        ...CASES.map((c) => ({ id: c.id, url: urlOf(c), title: `Case ${c.id}`, interval: INTERVAL, allowPrivateNetwork: true })),
        { id: 'healthy', url: `http://127.0.0.1:${corpusPort}/healthy`, title: 'Healthy', interval: INTERVAL, allowPrivateNetwork: true },
      ],
      // The scheduler's own cron stays out of the way (1 January, midnight): the test drives the ticks.
      schedule: { cron: '0 0 0 1 1 *', concurrency: 8, batchSize: 200, perHostConcurrency: 3 },
      limits: { fetchTimeoutMs: FETCH_TIMEOUT_MS, maxFeedBytes: MAX_FEED_BYTES, maxRedirects: 5 },
      rateLimit: null,
    });
    service = await startNodeServer({ config, dbPath: join(dir, 'faults.db'), port: 0, host: '127.0.0.1', log: (line) => log.push(line) });
    const status = async (): Promise<Map<string, SourceHealth>> => {
      statusText = await (await fetch(`${service!.url}/status`)).text();
      return new Map((JSON.parse(statusText) as { sources: SourceHealth[] }).sources.map((s) => [s.id, s]));
    };

    // Seed round: the tick that start-up began, joined (overlapping ticks share one run).
    seedOutcomes = await service.service.tick();
    before = await status();

    // Hostile round: wait until every source is due again, turn the upstreams hostile, tick.
    const due = Math.max(...[...before.values()].map((s) => Date.parse(s.nextFetchAt)));
    await new Promise((r) => setTimeout(r, Math.min(Math.max(0, due - Date.now()) + 50, 10_000)));
    phase = 'hostile';
    const tick = service.service.tick();
    // The HTTP side answers while the tick fights the hostile upstreams.
    upDuringTick = await Promise.all(['/healthz', '/feeds/all.json', '/status'].map(async (p) => (await fetch(`${service!.url}${p}`)).status));
    outcomes = await tick;

    after = await status();
    servedText = await (await fetch(`${service.url}/feeds/all.json?limit=500`)).text();
    feed = JSON.parse(servedText) as JsonFeed;
    rssText = await (await fetch(`${service.url}/feeds/all.rss?limit=500`)).text();
    hostileHits = (await (await fetch(`http://127.0.0.1:${hostilePort}/hits`)).json()) as Record<string, number>;
  }, 120_000);

  afterAll(async () => {
    await service?.close();
    for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
    if (hostile && hostile.child.exitCode === null) {
      const exited = new Promise((r) => hostile!.child.once('exit', r));
      hostile.child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const titlesOf = (id: string): string[] => feed.items.filter((i) => i.id.startsWith(`urn:wirefeed:${id}:`)).map((i) => i.title ?? '');
  const outcomeOf = (id: string): PollOutcome | undefined => outcomes.find((o) => o.source === id);

  it('seeds every source with its good feed first', () => {
    expect(seedOutcomes.map((o) => [o.source, o.status])).toEqual(expect.arrayContaining([...CASES.map((c) => [c.id, 'ok']), ['healthy', 'ok']]));
    expect(seedOutcomes).toHaveLength(CASES.length + 1);
    for (const c of CASES) expect(before.get(c.id), c.id).toMatchObject({ healthy: true, items: 2, errorCount: 0, lastError: null });
  });

  it('polls every source again once its upstream has turned hostile, and stays up meanwhile', async () => {
    expect(outcomes.map((o) => o.source).sort()).toEqual([...CASES.map((c) => c.id), 'healthy'].sort());
    expect(upDuringTick).toEqual([200, 200, 200]);
    expect((await fetch(`${service!.url}/healthz`)).status).toBe(200);
    for (const c of CASES.filter((c) => c.upstream === 'corpus')) expect(corpusRequests.get(c.id), c.id).toBe(1);
  });

  it.each(CASES.filter((c) => c.ending.ends === 'error'))('$id ends in an error recorded in /status: $ending.kind $ending.message', (c) => {
    const ending = c.ending as Extract<Ending, { ends: 'error' }>;
    const s = after.get(c.id)!;
    expect(outcomeOf(c.id)).toMatchObject({ status: 'error', kind: ending.kind, message: expect.stringMatching(ending.message) });
    expect(s).toMatchObject({ healthy: false, errorCount: 1, items: 2, lastError: { kind: ending.kind, message: expect.stringMatching(ending.message) } });
    const at = Date.parse(s.lastError!.at);
    expect(at).toBeGreaterThan(Date.parse(before.get(c.id)!.lastFetchAt!));
    expect(s.lastFetchAt).toBe(s.lastError!.at);
    expect(s.lastSuccessAt).toBe(before.get(c.id)!.lastSuccessAt);
    const retryIn = Date.parse(s.nextFetchAt) - at;
    if (ending.retryAfterMs !== undefined) {
      expect(retryIn).toBe(ending.retryAfterMs);
    } else {
      // Back-off after a first failure: one interval, ±10% jitter.
      expect(retryIn).toBeGreaterThanOrEqual(INTERVAL * 60_000 * 0.9);
      expect(retryIn).toBeLessThanOrEqual(INTERVAL * 60_000 * 1.1);
    }
  });

  it.each(CASES.filter((c) => c.ending.ends === 'lenient'))('$id is read leniently: $ending.reading', (c) => {
    const ending = c.ending as Extract<Ending, { ends: 'lenient' }>;
    expect(outcomeOf(c.id)).toMatchObject({ status: 'ok' });
    expect((outcomeOf(c.id) as { items: number }).items).toBeGreaterThan(0);
    expect(after.get(c.id)).toMatchObject({ healthy: true, errorCount: 0, lastError: null });
    // A story the same as one of another source is merged into that one (f1/f3/f4, c1–c3): look in every title.
    const titles = feed.items.map((i) => i.title ?? '');
    for (const want of ending.served) {
      expect(titles.some((t) => (typeof want === 'string' ? t === want : want.test(t))), `${c.id}: no served title ${String(want)}`).toBe(true);
    }
    for (const [title, url] of ending.links ?? []) {
      expect(feed.items.find((i) => i.id.startsWith(`urn:wirefeed:${c.id}:`) && i.title === title)?.url, `${c.id}: link of ${title}`).toBe(url);
    }
    for (const bad of ending.never ?? []) {
      expect(servedText).not.toMatch(bad);
      expect(rssText).not.toMatch(bad);
    }
  });

  it.each([...CASES.map((c) => c.id)])('%s: its seed stories are still served', (id) => {
    expect(titlesOf(id)).toEqual(expect.arrayContaining(seedTitles(id)));
    expect(after.get(id)!.items).toBeGreaterThanOrEqual(2);
  });

  it('the healthy source carries on: its new story is served', () => {
    expect(outcomeOf('healthy')).toMatchObject({ status: 'ok', items: 2 });
    expect(after.get('healthy')).toMatchObject({ healthy: true, items: 2, errorCount: 0 });
    expect(titlesOf('healthy')).toEqual(expect.arrayContaining(['Healthy story 1', 'Healthy story 2']));
  });

  it('XXE reads no file and makes no connection', () => {
    const names = [existsSync('/etc/hostname') ? readFileSync('/etc/hostname', 'utf8').trim() : '', hostname()].filter((n) => n.length > 0);
    const titles = feed.items.map((i) => i.title ?? '');
    for (const name of names) {
      expect(titles).not.toContain(`XXE:${name}`);
      expect(titles.filter((t) => t.startsWith('P') && t.includes(name))).toEqual([]);
      // A long host name would show up anywhere it leaked.
      if (name.length >= 6) for (const text of [servedText, rssText, statusText]) expect(text).not.toContain(name);
    }
    expect(sentinelConnections).toBe(0);
  });

  it('the redirect to 127.0.0.1/secret is refused before any connection', () => {
    expect(hostileHits['/redirect-internal']).toBe(1);
    expect(hostileHits['/secret']).toBeUndefined();
    expect(servedText).not.toContain('INTERNAL-SECRET');
  });

  it('the gzip bomb, the endless body and the 50 MB documents are cut at the cap, and no prototype is polluted', () => {
    expect(process.memoryUsage().rss).toBeLessThan(2 * 1024 ** 3);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted2).toBeUndefined();
  });

  it('what it serves afterwards is still a readable feed', async () => {
    const parsed = await new Parser().parseString(rssText);
    expect(parsed.items.length).toBe(feed.items.length);
    expect(jsonLines(log.join('\n')).filter((l) => l.event === 'poll' && l.status === 'error')).toHaveLength(CASES.filter((c) => c.ending.ends === 'error').length);
  });
});
