import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FetchError } from '../../src/errors.ts';
import { createFetcher, parseRetryAfter, type FetchResult } from '../../src/ingest/fetch.ts';

const ETAG = '"v1"';
const LAST_MODIFIED = 'Tue, 01 Apr 2025 10:00:00 GMT';
const FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>';
const RETRY_DATE_OFFSET_S = 120;

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
}

let server: Server;
let port: number;
let base: string;
let seen: Seen[] = [];
let tmp: string;
const timers = new Set<NodeJS.Timeout>();

function route(path: string, headers: IncomingHttpHeaders, res: ServerResponse): void {
  const redirect = (location: string, status = 302): void => {
    res.writeHead(status, { Location: location });
    res.end();
  };
  const m = /^\/chain\/(\d+)$/.exec(path);
  if (m) {
    const n = Number(m[1]);
    if (n === 0) return void res.end(FEED);
    return redirect(`${base}/chain/${n - 1}`, n % 2 === 0 ? 301 : 307);
  }
  switch (path) {
    case '/feed':
      res.writeHead(200, {
        'Content-Type': 'application/rss+xml; charset=utf-8',
        ETag: ETAG,
        'Last-Modified': LAST_MODIFIED,
        'Cache-Control': 'max-age=300',
        Expires: 'Tue, 01 Apr 2025 10:05:00 GMT',
      });
      return void res.end(FEED);
    case '/cond':
      if (headers['if-none-match'] === ETAG || headers['if-modified-since'] === LAST_MODIFIED) {
        res.writeHead(304, { ETag: ETAG, 'Last-Modified': LAST_MODIFIED, 'Cache-Control': 'max-age=60' });
        return void res.end();
      }
      res.writeHead(200, { ETag: ETAG, 'Last-Modified': LAST_MODIFIED });
      return void res.end(FEED);
    case '/ua':
      return void res.end(String(headers['user-agent']));
    case '/relative/deeper/start':
      return redirect('../../feed');
    case '/loop':
      return redirect('/loop', 301);
    case '/to-file':
      return redirect('file:///etc/passwd');
    case '/same-host':
      return redirect(`http://localhost:${port}/feed`);
    case '/leave-host':
      return redirect(`http://127.0.0.1:${port}/feed`);
    case '/big': {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      for (let i = 0; i < 32; i++) res.write(chunk); // 2 MiB, chunked, no Content-Length
      return void res.end();
    }
    case '/big-declared':
      // Claims 2 MiB, sends a few bytes and stalls: only an early Content-Length check ends this quickly.
      res.writeHead(200, { 'Content-Length': String(2 * 1024 * 1024) });
      return void res.write('<rss>');
    case '/gzip-bomb': {
      const body = gzipSync(Buffer.alloc(2 * 1024 * 1024));
      res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': String(body.length) });
      return void res.end(body);
    }
    case '/gzip-small': {
      const body = gzipSync(Buffer.from(FEED));
      res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': String(body.length) });
      return void res.end(body);
    }
    case '/trickle': {
      res.writeHead(200, { 'Content-Length': '20' });
      let sent = 0;
      const t = setInterval(() => {
        res.write('x');
        if (++sent === 20) {
          clearInterval(t);
          res.end();
        }
      }, 200);
      timers.add(t);
      res.on('close', () => clearInterval(t));
      return;
    }
    case '/hang':
      return; // never answers
    case '/429':
      res.writeHead(429, { 'Retry-After': '30' });
      return void res.end('slow down');
    case '/503':
      res.writeHead(503, { 'Retry-After': new Date(Date.now() + RETRY_DATE_OFFSET_S * 1000).toUTCString() });
      return void res.end('maintenance');
    case '/404':
      res.writeHead(404);
      return void res.end('nope');
    default:
      res.writeHead(500);
      return void res.end(`no route ${path}`);
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    seen.push({ path, headers: req.headers });
    route(path, req.headers, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  tmp = await mkdtemp(join(tmpdir(), 'wirefeed-fetch-'));
});

afterAll(async () => {
  for (const t of timers) clearInterval(t);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(tmp, { recursive: true, force: true });
});

beforeEach(() => {
  seen = [];
});

/** A fetcher allowed to reach the loopback test server. */
const local = createFetcher();
const get = (path: string, extra: { etag?: string; lastModified?: string } = {}): Promise<FetchResult> =>
  local({ url: `${base}${path}`, allowPrivateNetwork: true, ...extra });

async function failure(p: Promise<unknown>): Promise<FetchError> {
  const err = await p.then(
    () => {
      throw new Error('expected the fetch to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FetchError);
  return err as FetchError;
}

const text = (r: FetchResult): string => {
  if (r.status !== 'ok') throw new Error(`expected ok, got ${r.status}`);
  return new TextDecoder().decode(r.bytes);
};

describe('createFetcher: plain GET', () => {
  it('returns the body, content type, validators and cache hints of a 200', async () => {
    const r = await get('/feed');
    expect(r).toMatchObject({
      status: 'ok',
      url: `${base}/feed`,
      contentType: 'application/rss+xml; charset=utf-8',
      etag: ETAG,
      lastModified: LAST_MODIFIED,
      headers: { cacheControl: 'max-age=300', expires: 'Tue, 01 Apr 2025 10:05:00 GMT', retryAfter: null },
    });
    expect(text(r)).toBe(FEED);
  });

  it('sends a User-Agent naming wirefeed and its URL, and an Accept preferring feeds', async () => {
    const r = await get('/ua');
    expect(text(r)).toContain('wirefeed');
    expect(text(r)).toContain('https://github.com/wirefeed/wirefeed');
    expect(seen[0]?.headers.accept).toMatch(/^application\/rss\+xml, application\/atom\+xml, application\/feed\+json/);
    expect(seen[0]?.headers['accept-encoding']).toMatch(/gzip/);
    expect(seen[0]?.headers['if-none-match']).toBeUndefined();
  });

  it('uses a configured User-Agent', async () => {
    const r = await createFetcher({ userAgent: 'wirefeed-test/9' })({ url: `${base}/ua`, allowPrivateNetwork: true });
    expect(text(r)).toBe('wirefeed-test/9');
  });

  it('decompresses a gzip body under the cap', async () => {
    expect(text(await get('/gzip-small'))).toBe(FEED);
  });
});

describe('createFetcher: conditional GET', () => {
  const BODY_MEMBERS = new Set(['body', 'bodyUsed', 'arrayBuffer', 'blob', 'bytes', 'formData', 'json', 'text', 'clone']);

  /** A fetcher on the real fetch that records each response's status and any touch of its body. */
  const spied = (): { fetcher: ReturnType<typeof createFetcher>; log: { status: number; bodyTouched: string[] }[] } => {
    const log: { status: number; bodyTouched: string[] }[] = [];
    const fetcher = createFetcher({
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        const entry = { status: res.status, bodyTouched: [] as string[] };
        log.push(entry);
        return new Proxy(res, {
          get(target, prop) {
            if (typeof prop === 'string' && BODY_MEMBERS.has(prop)) entry.bodyTouched.push(prop);
            const value: unknown = Reflect.get(target, prop, target);
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          },
        });
      },
    });
    return { fetcher, log };
  };

  it('the body spy sees a 200 body being read', async () => {
    const { fetcher, log } = spied();
    await fetcher({ url: `${base}/cond`, allowPrivateNetwork: true });
    expect(log[0]?.status).toBe(200);
    expect(log[0]?.bodyTouched).not.toEqual([]);
  });

  it('returns not-modified on a 304 to If-None-Match without reading a body', async () => {
    const { fetcher, log } = spied();
    const r = await fetcher({ url: `${base}/cond`, etag: ETAG, allowPrivateNetwork: true });
    expect(seen[0]?.headers['if-none-match']).toBe(ETAG);
    expect(seen[0]?.headers['if-modified-since']).toBeUndefined();
    expect(r).toEqual({
      status: 'not-modified',
      url: `${base}/cond`,
      etag: ETAG,
      lastModified: LAST_MODIFIED,
      headers: { cacheControl: 'max-age=60', expires: null, retryAfter: null },
    });
    expect(log).toEqual([{ status: 304, bodyTouched: [] }]);
  });

  it('returns not-modified on a 304 to If-Modified-Since', async () => {
    const { fetcher, log } = spied();
    const r = await fetcher({ url: `${base}/cond`, lastModified: LAST_MODIFIED, allowPrivateNetwork: true });
    expect(seen[0]?.headers['if-modified-since']).toBe(LAST_MODIFIED);
    expect(seen[0]?.headers['if-none-match']).toBeUndefined();
    expect(r.status).toBe('not-modified');
    expect(log).toEqual([{ status: 304, bodyTouched: [] }]);
  });

  it('returns the body when the validators no longer match', async () => {
    const r = await get('/cond', { etag: '"old"' });
    expect(seen[0]?.headers['if-none-match']).toBe('"old"');
    expect(text(r)).toBe(FEED);
  });
});

describe('createFetcher: redirects', () => {
  it('follows one redirect and reports the final URL', async () => {
    const r = await get('/chain/1');
    expect(r.url).toBe(`${base}/chain/0`);
    expect(text(r)).toBe(FEED);
    expect(seen.map((s) => s.path)).toEqual(['/chain/1', '/chain/0']);
  });

  it('resolves a relative Location against the current URL', async () => {
    const r = await get('/relative/deeper/start');
    expect(r.url).toBe(`${base}/feed`);
    expect(text(r)).toBe(FEED);
  });

  it('follows exactly five redirects', async () => {
    const r = await get('/chain/5');
    expect(r.url).toBe(`${base}/chain/0`);
    expect(seen).toHaveLength(6);
  });

  it('fails on the sixth redirect with too-many-redirects', async () => {
    const err = await failure(get('/chain/6'));
    expect(err.code).toBe('too-many-redirects');
    expect(seen.map((s) => s.path)).not.toContain('/chain/0');
  });

  it('catches a redirect loop by the same limit', async () => {
    const err = await failure(get('/loop'));
    expect(err.code).toBe('too-many-redirects');
    expect(seen).toHaveLength(6);
  });

  it('refuses a redirect to file: with bad-scheme, even when file: URLs are enabled', async () => {
    const fetcher = createFetcher({ readFile });
    const err = await failure(fetcher({ url: `${base}/to-file`, allowPrivateNetwork: true }));
    expect(err.code).toBe('bad-scheme');
  });
});

describe('createFetcher: address policy', () => {
  it('refuses a loopback URL without allowPrivateNetwork and never connects', async () => {
    const err = await failure(local({ url: `${base}/feed` }));
    expect(err.code).toBe('blocked-address');
    expect(seen).toHaveLength(0);
  });

  it('allows the same URL with allowPrivateNetwork', async () => {
    expect(text(await local({ url: `${base}/feed`, allowPrivateNetwork: true }))).toBe(FEED);
  });

  it.each([
    ['an IPv4-mapped IPv6 literal', `http://[::ffff:127.0.0.1]:1/feed`],
    ['a decimal IPv4 literal', `http://2130706433:1/feed`],
    ['the IPv6 loopback', `http://[::1]:1/feed`],
    ['the name localhost', `http://localhost:1/feed`],
  ])('refuses %s', async (_label, url) => {
    expect((await failure(local({ url }))).code).toBe('blocked-address');
  });

  it('refuses a host name that resolveHost maps to a private address', async () => {
    const asked: string[] = [];
    const fetcher = createFetcher({
      resolveHost: async (host) => {
        asked.push(host);
        return ['93.184.215.14', '10.1.2.3'];
      },
    });
    const err = await failure(fetcher({ url: 'http://feeds.example.test/rss' }));
    expect(err.code).toBe('blocked-address');
    expect(err.message).toContain('10.1.2.3');
    expect(asked).toEqual(['feeds.example.test']);
  });

  it('reports a resolver failure as a network error', async () => {
    const fetcher = createFetcher({
      resolveHost: async () => {
        throw new Error('getaddrinfo ENOTFOUND feeds.example.test');
      },
    });
    expect((await failure(fetcher({ url: 'http://feeds.example.test/rss' }))).code).toBe('network');
  });

  // The same server answers on both names; only the change of host can explain the refusal.
  it('with allowPrivateNetwork, follows a redirect that stays on the original host', async () => {
    const r = await local({ url: `http://localhost:${port}/same-host`, allowPrivateNetwork: true });
    expect(r.url).toBe(`http://localhost:${port}/feed`);
    expect(seen.map((s) => s.path)).toEqual(['/same-host', '/feed']);
  });

  it('with allowPrivateNetwork, refuses a redirect that leaves the original host for a private address', async () => {
    const err = await failure(local({ url: `http://localhost:${port}/leave-host`, allowPrivateNetwork: true }));
    expect(err.code).toBe('blocked-address');
    expect(err.message).toContain(`http://127.0.0.1:${port}/feed`);
    expect(seen.map((s) => s.path)).toEqual(['/leave-host']);
  });
});

describe('createFetcher: size cap', () => {
  const capped = createFetcher({ maxBytes: 1024 * 1024 });

  it('aborts a plain body past maxBytes with too-large', async () => {
    const err = await failure(capped({ url: `${base}/big`, allowPrivateNetwork: true }));
    expect(err.code).toBe('too-large');
  });

  it('counts decompressed bytes: a small gzip body inflating past the cap is too-large', async () => {
    expect(gzipSync(Buffer.alloc(2 * 1024 * 1024)).length).toBeLessThan(1024 * 1024);
    const err = await failure(capped({ url: `${base}/gzip-bomb`, allowPrivateNetwork: true }));
    expect(err.code).toBe('too-large');
  });

  it('rejects early when Content-Length already exceeds the cap', async () => {
    const started = Date.now();
    const err = await failure(
      createFetcher({ maxBytes: 1024 * 1024, timeoutMs: 5_000 })({
        url: `${base}/big-declared`,
        allowPrivateNetwork: true,
      }),
    );
    expect(err.code).toBe('too-large');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("takes a request's own cap over the fetcher's, lower or higher", async () => {
    const err = await failure(capped({ url: `${base}/feed`, allowPrivateNetwork: true, maxBytes: 8 }));
    expect(err.code).toBe('too-large');
    expect(err.message).toMatch(/exceeds 8 bytes$/);
    expect(text(await createFetcher({ maxBytes: 8 })({ url: `${base}/feed`, allowPrivateNetwork: true, maxBytes: 1024 * 1024 }))).toBe(FEED);
    // Absent, the fetcher's cap stands.
    expect((await failure(capped({ url: `${base}/big`, allowPrivateNetwork: true }))).message).toMatch(/exceeds 1048576 bytes$/);
  });
});

describe('createFetcher: deadline', () => {
  it('cuts a body trickling 1 byte every 200 ms at the deadline', async () => {
    const started = Date.now();
    const err = await failure(
      createFetcher({ timeoutMs: 500 })({ url: `${base}/trickle`, allowPrivateNetwork: true }),
    );
    const elapsed = Date.now() - started;
    expect(err.code).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(1_500); // the full body would take 4 s
  });

  it('times out a server that never answers', async () => {
    const err = await failure(createFetcher({ timeoutMs: 300 })({ url: `${base}/hang`, allowPrivateNetwork: true }));
    expect(err.code).toBe('timeout');
  });
});

describe('createFetcher: error statuses', () => {
  it('turns a 429 with Retry-After seconds into http-status with retryAfter', async () => {
    const err = await failure(get('/429'));
    expect(err).toMatchObject({ code: 'http-status', kind: 'fetch', status: 429, retryAfter: 30 });
    expect(err.message).toBe(`HTTP 429 Too Many Requests from ${base}/429`);
  });

  it('turns a 503 with a Retry-After HTTP-date into seconds from now', async () => {
    const err = await failure(get('/503'));
    expect(err.code).toBe('http-status');
    expect(err.status).toBe(503);
    expect(err.message).toBe(`HTTP 503 Service Unavailable from ${base}/503`);
    // toUTCString drops milliseconds, so allow a second either way.
    expect(err.retryAfter).toBeGreaterThanOrEqual(RETRY_DATE_OFFSET_S - 2);
    expect(err.retryAfter).toBeLessThanOrEqual(RETRY_DATE_OFFSET_S + 1);
  });

  it('leaves retryAfter undefined when the upstream gives none', async () => {
    const err = await failure(get('/404'));
    expect(err).toMatchObject({ code: 'http-status', status: 404, retryAfter: undefined });
  });

  it('reports a refused connection as a network error with its cause', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const err = await failure(local({ url: `http://127.0.0.1:${closedPort}/`, allowPrivateNetwork: true }));
    expect(err.code).toBe('network');
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.cause).toBeDefined();
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-04-01T10:00:00Z');
  it.each<[string | null, number | null]>([
    ['120', 120],
    [' 0 ', 0],
    ['999999', 999_999],
    ['Tue, 01 Apr 2025 10:01:30 GMT', 90],
    ['Tue, 01 Apr 2025 09:00:00 GMT', 0],
    ['Wed, 09 Apr 2025 10:00:00 GMT', 8 * 86_400],
    [null, null],
    ['', null],
    ['-5', null],
    ['1.5', null],
    ['soon', null],
  ])('%j → %j', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('createFetcher: file: URLs', () => {
  it('reads a file: URL through readFile', async () => {
    const path = join(tmp, 'feed with space.xml');
    await writeFile(path, FEED);
    const r = await createFetcher({ readFile })({ url: pathToFileURL(path).href });
    expect(r).toMatchObject({ status: 'ok', etag: null, lastModified: null, contentType: null });
    expect(text(r)).toBe(FEED);
  });

  it('applies the size cap to files', async () => {
    const path = join(tmp, 'big.xml');
    await writeFile(path, Buffer.alloc(2048));
    const err = await failure(createFetcher({ readFile, maxBytes: 1024 })({ url: pathToFileURL(path).href }));
    expect(err.code).toBe('too-large');
  });

  it('refuses file: URLs without readFile', async () => {
    const err = await failure(createFetcher()({ url: pathToFileURL(join(tmp, 'feed.xml')).href }));
    expect(err.code).toBe('bad-scheme');
  });

  it('refuses other schemes', async () => {
    expect((await failure(createFetcher()({ url: 'ftp://example.com/feed' }))).code).toBe('bad-scheme');
  });
});
