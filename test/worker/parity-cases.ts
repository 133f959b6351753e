/**
 * The requests whose answers the Workers build must give exactly as the Node build does, after both
 * ingested the same upstream at the same instant (`INGEST_AT`). test/worker/node-reference.ts records the
 * Node answers in Node; test/worker/worker.test.ts replays the requests inside workerd and compares.
 */

/** The origin both builds are asked under (no `server.baseUrl`: self links use it). */
export const SITE = 'https://feeds.wirefeed.test';

/** When both builds poll the upstream: Date.now() on both sides. */
export const INGEST_AT = Date.UTC(2026, 3, 21, 6, 0, 0);

/** One request; a conditional one reuses the validator of the unconditional answer for the same path. */
export interface ParityCase {
  name: string;
  path: string;
  method?: 'GET' | 'HEAD';
  conditional?: 'if-none-match' | 'if-modified-since';
}

/** What a build answered: status, the headers both builds set, and the body. */
export interface ParityAnswer {
  status: number;
  headers: Record<string, string | null>;
  body: string;
}

/** The response headers compared between builds. */
export const COMPARED_HEADERS = ['content-type', 'etag', 'last-modified', 'cache-control', 'vary', 'access-control-allow-origin', 'link'];

export const PARITY_CASES: ParityCase[] = [
  { name: 'all as RSS', path: '/feeds/all.rss' },
  { name: 'all as Atom', path: '/feeds/all.atom' },
  { name: 'all as JSON Feed', path: '/feeds/all.json' },
  { name: 'a configured feed (categories and exclusions)', path: '/feeds/alberta.rss' },
  { name: 'another configured feed as JSON Feed', path: '/feeds/politics.json' },
  { name: 'all as ninjs', path: '/feeds/all.ninjs' },
  { name: '?format= instead of an extension', path: '/feeds/alberta?format=atom' },
  { name: '?category= narrows', path: '/feeds/all.json?category=Politics' },
  { name: '?category= comma-separated, any of', path: '/feeds/all.atom?category=health,Sports' },
  { name: '?exclude_category= and ?limit=', path: '/feeds/all.rss?exclude_category=politics&limit=2' },
  { name: 'If-None-Match with the current ETag', path: '/feeds/all.rss', conditional: 'if-none-match' },
  { name: 'If-Modified-Since with the current Last-Modified', path: '/feeds/politics.json', conditional: 'if-modified-since' },
  { name: 'HEAD', path: '/feeds/all.atom', method: 'HEAD' },
  { name: 'an unknown feed', path: '/feeds/nowhere.rss' },
  { name: 'an invalid limit', path: '/feeds/all.json?limit=0' },
];

/** A key naming one case in the recorded reference. */
export function caseKey(c: ParityCase): string {
  return `${c.method ?? 'GET'} ${c.path}${c.conditional ? ` (${c.conditional})` : ''}`;
}

/** The request a case makes, given the reference answers recorded so far (for conditional validators). */
export function caseRequest(c: ParityCase, reference: Record<string, ParityAnswer>): Request {
  const headers = new Headers();
  if (c.conditional) {
    const base = reference[caseKey({ name: '', path: c.path })];
    const validator = base?.headers[c.conditional === 'if-none-match' ? 'etag' : 'last-modified'];
    if (!validator) throw new Error(`no validator recorded for ${c.path}`);
    headers.set(c.conditional, validator);
  }
  return new Request(`${SITE}${c.path}`, { method: c.method ?? 'GET', headers });
}

/** Reduces a response to what builds are compared on. */
export async function parityAnswer(res: Response): Promise<ParityAnswer> {
  return {
    status: res.status,
    headers: Object.fromEntries(COMPARED_HEADERS.map((h) => [h, res.headers.get(h)])),
    body: await res.text(),
  };
}

declare module 'vitest' {
  interface ProvidedContext {
    /** The Node build's answers to PARITY_CASES, keyed by `caseKey`. */
    nodeReference: Record<string, ParityAnswer>;
  }
}
