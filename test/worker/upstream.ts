import { readFileSync } from 'node:fs';

/** The origin the test upstream serves. Every outbound fetch of the workerd tests reaches `createUpstream`. */
export const UPSTREAM_ORIGIN = 'https://upstream.wirefeed.test';

/** Hosts `h<N>.fanout.test` serve `/feed/<id>.xml`, a small RSS feed per source id, for the fan-out tests. */
export const FANOUT_DOMAIN = 'fanout.test';

interface UpstreamFile {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  etag: string;
  lastModified: string;
}

/** One request the upstream answered, for tests to inspect (`GET /__control/log`). */
export interface UpstreamLogEntry {
  path: string;
  ifNoneMatch: string | null;
  ifModifiedSince: string | null;
  status: number;
}

const fixture = (name: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

/** A small RSS feed of two stories of its own for `/generated/<name>.xml` (sources added at run time). */
function generatedFeed(name: string): string {
  const items = [1, 2].map((i) => `<item><title>${name} story ${i}</title><link>https://${name}.example/s/${i}</link><guid>${name}-${i}</guid><pubDate>Mon, 20 Apr 2026 2${i}:00:00 GMT</pubDate><description>${name} body ${i}.</description></item>`);
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${name}</title><link>https://${name}.example/</link><description>generated</description>${items.join('')}</channel></rss>`;
}

/** One webhook POST the upstream took at `/__hook` (`GET /__control/hooks`). */
export interface HookEntry {
  headers: Record<string, string>;
  body: string;
  status: number;
}

/**
 * A wire upstream answered in the test process: `/wire.xml` (RSS 2.0), `/desk.atom` (Atom), each with a
 * strong ETag and Last-Modified, honouring `If-None-Match`, and `/generated/<name>.xml` (no validators). Tests steer it over HTTP from inside workerd:
 * `POST /__control/fail?path=/wire.xml&status=503`, `POST /__control/reset`, `GET /__control/log`.
 * It is a webhook receiver too: `POST /__hook` is recorded (answered 200, or what `/__control/fail` set for
 * `/__hook`), and `GET /__control/hooks` lists what came. Anything addressed to another host is refused: the
 * tests have no network.
 */
export function createUpstream(): (request: Request) => Promise<Response> {
  const files = new Map<string, UpstreamFile>([
    ['/wire.xml', { body: fixture('wire-feed.xml'), contentType: 'application/rss+xml; charset=utf-8', etag: '"wire-1"', lastModified: 'Mon, 20 Apr 2026 23:30:00 GMT' }],
    ['/desk.atom', { body: fixture('desk-feed.atom'), contentType: 'application/atom+xml; charset=utf-8', etag: '"desk-1"', lastModified: 'Mon, 20 Apr 2026 22:10:00 GMT' }],
  ]);
  const failing = new Map<string, number>();
  const log: UpstreamLogEntry[] = [];
  const hooks: HookEntry[] = [];
  // The fan-out feeds keep a log of their own (other test files reset the main one), and their own failures.
  const fanOutHits = new Map<string, number>();
  const fanOutFailing = new Set<string>();
  const fanOut = (url: URL, request: Request): Response => {
    if (url.pathname === '/__control/hits') return Response.json(Object.fromEntries(fanOutHits));
    if (url.pathname === '/__control/reset') {
      fanOutHits.clear();
      fanOutFailing.clear();
      return new Response('ok');
    }
    if (url.pathname === '/__control/fail') {
      for (const id of (url.searchParams.get('ids') ?? '').split(',')) if (id) fanOutFailing.add(id);
      return new Response('ok');
    }
    if (url.pathname === '/__control/heal') {
      fanOutFailing.clear();
      return new Response('ok');
    }
    const id = /^\/feed\/([a-z0-9-]+)\.xml$/.exec(url.pathname)?.[1];
    if (!id) return new Response('not found', { status: 404 });
    fanOutHits.set(id, (fanOutHits.get(id) ?? 0) + 1);
    if (fanOutFailing.has(id)) return new Response('upstream is down', { status: 503 });
    const etag = `"${id}-1"`;
    if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers: { ETag: etag } });
    const items = [1, 2]
      .map((n) => `<item><title>Story ${n} of ${id}</title><link>https://${url.host}/${id}/${n}</link><guid>${id}-${n}</guid><pubDate>Mon, 20 Apr 2026 0${n}:00:00 GMT</pubDate></item>`)
      .join('');
    const body = `<?xml version="1.0"?><rss version="2.0"><channel><title>${id}</title><link>https://${url.host}/</link>${items}</channel></rss>`;
    return new Response(body, { headers: { ETag: etag, 'Content-Type': 'application/rss+xml; charset=utf-8' } });
  };

  return async function upstream(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.protocol === 'https:' && (url.hostname === FANOUT_DOMAIN || url.hostname.endsWith(`.${FANOUT_DOMAIN}`))) return fanOut(url, request);
    if (url.origin !== UPSTREAM_ORIGIN) {
      return new Response(`no network in tests: ${url.origin}`, { status: 502 });
    }
    if (url.pathname === '/__control/fail') {
      failing.set(url.searchParams.get('path') ?? '', Number(url.searchParams.get('status') ?? 503));
      return new Response('ok');
    }
    if (url.pathname === '/__control/reset') {
      failing.clear();
      log.length = 0;
      hooks.length = 0;
      return new Response('ok');
    }
    if (url.pathname === '/__control/log') {
      return Response.json(log);
    }
    if (url.pathname === '/__control/hooks') {
      return Response.json(hooks);
    }
    if (url.pathname === '/__hook' && request.method === 'POST') {
      const status = failing.get('/__hook') ?? 200;
      hooks.push({ headers: Object.fromEntries(request.headers), body: await request.text(), status });
      return new Response(status === 200 ? 'ok' : 'failing', { status });
    }
    const ifNoneMatch = request.headers.get('if-none-match');
    const ifModifiedSince = request.headers.get('if-modified-since');
    const answer = (response: Response): Response => {
      log.push({ path: url.pathname, ifNoneMatch, ifModifiedSince, status: response.status });
      return response;
    };
    const failure = failing.get(url.pathname);
    if (failure !== undefined) return answer(new Response('upstream is down', { status: failure }));
    const generated = /^\/generated\/([a-z0-9-]+)\.xml$/.exec(url.pathname);
    if (generated) return answer(new Response(generatedFeed(generated[1]!), { status: 200, headers: { 'Content-Type': 'application/rss+xml; charset=utf-8' } }));
    const file = files.get(url.pathname);
    if (!file) return answer(new Response('not found', { status: 404 }));
    const validators = { ETag: file.etag, 'Last-Modified': file.lastModified };
    if (ifNoneMatch !== null && ifNoneMatch.split(',').map((t) => t.trim()).includes(file.etag)) {
      return answer(new Response(null, { status: 304, headers: validators }));
    }
    return answer(new Response(file.body, { status: 200, headers: { ...validators, 'Content-Type': file.contentType } }));
  };
}
