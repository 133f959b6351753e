import type { Representation } from '../publish/representation.ts';

/** Seconds pollers may cache a feed when the config says nothing (`Cache-Control: max-age`). */
export const DEFAULT_MAX_AGE = 60;

/** The headers a browser's script may read on a cross-origin feed answer. */
export const CORS_EXPOSE = ['ETag', 'Last-Modified', 'Link'] as const;
const CORS_EXPOSE_HEADER = CORS_EXPOSE.join(', ');

/** A pre-compressed copy a client may be sent. */
export type Encoding = 'br' | 'gzip';

/** The conditional and negotiation headers of a request, as sent (undefined when absent). */
export interface ConditionalRequest {
  ifNoneMatch: string | undefined;
  ifModifiedSince: string | undefined;
  acceptEncoding: string | undefined;
}

/** A complete answer: status, headers as name/value pairs, and body (null for 304). */
export interface Answer {
  status: 200 | 304;
  headers: Array<[string, string]>;
  body: Uint8Array | null;
}

/** The answer to a request for a representation: 304, or 200 with the best encoding the client accepts. */
export function answer(rep: Representation, request: ConditionalRequest, maxAge: number, links: readonly string[]): Answer {
  if (isNotModified(request.ifNoneMatch, request.ifModifiedSince, rep)) return { status: 304, headers: answerHeaders(rep, 304, null, maxAge, links), body: null };
  const encoding = chooseEncoding(acceptedEncodings(request.acceptEncoding), rep);
  return { status: 200, headers: answerHeaders(rep, 200, encoding, maxAge, links), body: encoding ? rep[encoding]! : rep.body };
}

/** The headers of one answer of one representation (they depend on nothing else, so callers may keep them). */
export function answerHeaders(rep: Representation, status: 200 | 304, encoding: Encoding | null, maxAge: number, links: readonly string[]): Array<[string, string]> {
  const headers: Array<[string, string]> = [
    ['ETag', rep.etag],
    ['Last-Modified', rep.lastModifiedHttp],
    ['Cache-Control', `public, max-age=${maxAge}`],
    ['Vary', 'Accept-Encoding'],
    ['Access-Control-Allow-Origin', '*'],
    ['Access-Control-Expose-Headers', CORS_EXPOSE_HEADER],
  ];
  if (links.length) headers.push(['Link', links.join(', ')]);
  if (status === 304) return headers;
  headers.push(['Content-Type', rep.contentType]);
  if (encoding) headers.push(['Content-Encoding', encoding]);
  headers.push(['Content-Length', String((encoding ? rep[encoding]! : rep.body).byteLength)]);
  return headers;
}

/**
 * RFC 9110 §13.2.2: If-None-Match, when present, decides alone (weak comparison: `W/"x"` matches `"x"`);
 * else If-Modified-Since against the representation's Last-Modified.
 */
export function isNotModified(ifNoneMatch: string | undefined, ifModifiedSince: string | undefined, rep: Representation): boolean {
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch === rep.etag) return true;
    const tags = ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(rep.etag);
  }
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && rep.lastModified.getTime() <= since;
  }
  return false;
}

/** Which pre-compressed copies an Accept-Encoding header allows (q-values; `*` stands for the unnamed). */
export interface AcceptedEncodings {
  br: boolean;
  gzip: boolean;
}

const IDENTITY_ONLY: AcceptedEncodings = Object.freeze({ br: false, gzip: false });

/** Parses Accept-Encoding; absent means identity only. */
export function acceptedEncodings(header: string | undefined): AcceptedEncodings {
  if (!header) return IDENTITY_ONLY;
  const accepted = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    accepted.set(name!, q ? Number(q.slice(2)) || 0 : 1);
  }
  const ok = (name: string): boolean => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  return { br: ok('br'), gzip: ok('gzip') };
}

/** The best pre-compressed copy that exists and is accepted (br, then gzip), or null for the identity body. */
export function chooseEncoding(accepted: AcceptedEncodings, rep: Representation): Encoding | null {
  if (accepted.br && rep.br) return 'br';
  if (accepted.gzip && rep.gzip) return 'gzip';
  return null;
}
