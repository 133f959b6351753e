import type { Representation, Representations } from '../publish/representation.ts';
import { MAX_URL_LENGTH, refundConditional } from './admission.ts';
import { acceptedEncodings, answerHeaders, chooseEncoding, DEFAULT_MAX_AGE, isNotModified, type AcceptedEncodings, type Encoding } from './conditional.ts';
import { feedKey, feedLinks, isTimed, trimBase } from './feed-key.ts';
import { formatLabel, NO_METRICS, type Metrics } from './metrics.ts';
import { mayHoldKey, withoutKey, type AccessControl, type Grant } from './auth.ts';
import type { RateLimiter } from './rate-limit.ts';

/** A request as a runtime's own server parses it (a Node `IncomingMessage` is one): header names in lower case. */
export interface FastRequest {
  method?: string | undefined;
  /** The request target as sent: path and query. */
  url?: string | undefined;
  headers: { readonly [name: string]: string | string[] | undefined };
}

/**
 * A complete answer: status, headers as a flat name/value list (the form Node's `writeHead` takes fastest),
 * body (null for 304 and HEAD). Answers are shared between requests: never change one.
 */
export interface FastAnswer<B> {
  readonly status: 200 | 304;
  readonly headers: string[];
  readonly body: B | null;
}

/** What the fast path shares with the Hono app (`createApp`): the pipeline, the token buckets, the settings. */
export interface FastPathDeps<R extends FastRequest, B> {
  representations: Representations;
  /** The store's data version when it is known without a query (a memo), else null: the request takes the full route. */
  peekVersion: () => number | null;
  limiter?: RateLimiter | null | undefined;
  /** Who a request comes from, for rate limiting (as the app's `clientKey` sees it). */
  clientKey?: (request: R) => string;
  baseUrl?: string | undefined;
  /** The host to name when a request has no Host header (with no `baseUrl`). */
  defaultHost?: string;
  maxAge?: number | undefined;
  hubUrl?: string | undefined;
  now?: () => number;
  /** The body as the runtime writes it fastest (Node: a Buffer over the same bytes), made once per answer. */
  toBody?: (bytes: Uint8Array) => B;
  /** Request targets remembered at most (default 1000): one entry per distinct cached feed URL. */
  maxTargets?: number;
  /** Counts each answer as a feed request and a cache hit, with counters bound once per prebuilt answer. */
  metrics?: Metrics | undefined;
  /** A keyed request's grant without I/O (its key's hash in the in-memory index), or null: the full route takes it. Absent: keyed requests always take the full route. */
  resolveGrant?: (request: R) => Grant | null;
  /** The entitlements and usage of keyed requests (with `resolveGrant`). */
  access?: Pick<AccessControl, 'feedAccess' | 'record' | 'entitlementsVersion'>;
}

/** What is remembered of one request target: its cache key, representation and prebuilt answers. */
interface Target<B> {
  key: string;
  rep: Representation;
  timed: boolean;
  links: string[];
  /** The format label of the target's requests (see `formatLabel`). */
  format: string;
  /** Indexed by {@link slot}: identity, gzip, br, 304, each for GET then HEAD. */
  answers: Array<FastAnswer<B> | undefined>;
  /** The answers' counters, indexed as `answers`. */
  counts: Array<(() => void) | undefined>;
  /** A subscriber's answer: `Cache-Control: private`. */
  keyed?: boolean;
}

const ENCODING_SLOT = { identity: 0, gzip: 1, br: 2 } as const;
const NOT_MODIFIED_SLOT = 3;
const HEAD_OFFSET = 4;
const MAX_ACCEPT_VARIANTS = 64;

/**
 * Answers a GET/HEAD of a feed straight from the cache when its representation is there and current, with
 * the same admission (a token, the 304 refund) and the same headers as the Hono route; returns null when the
 * request needs the full route (not cached yet, data version unknown, another route, or a 429 to word).
 * Per request it does a few map lookups and string compares; URL parsing and header building happen once
 * per request target and representation.
 */
export function createFastPath<R extends FastRequest, B = Uint8Array>(deps: FastPathDeps<R, B>): (request: R) => FastAnswer<B> | null {
  const { representations, peekVersion, hubUrl } = deps;
  const limiter = deps.limiter ?? null;
  const clientKey = deps.clientKey ?? ((): string => 'anonymous');
  const fixedBase = deps.baseUrl === undefined ? null : trimBase(deps.baseUrl);
  const defaultHost = deps.defaultHost ?? 'localhost';
  const maxAge = deps.maxAge ?? DEFAULT_MAX_AGE;
  const now = deps.now ?? Date.now;
  const toBody = deps.toBody ?? ((bytes: Uint8Array) => bytes as B);
  const maxTargets = deps.maxTargets ?? 1000;
  const metrics = deps.metrics ?? NO_METRICS;
  // Targets by request target, under the Host header when the base URL comes from it (no string joined per request).
  const targets = new Map<string, Target<B>>();
  const byHost = new Map<string, Map<string, Target<B>>>();
  let remembered = 0;
  // Keyed targets per grant (the access control hands out one grant object per key while its index stands, so a
  // change of entitlements or keys starts afresh; a change of the sources, under the same grants, too), then by
  // host and request target.
  let keyedTargets = new WeakMap<Grant, Map<string, Target<B>>>();
  let keyedRemembered = 0;
  let keyedFor = -1;
  const accepts = new Map<string, AcceptedEncodings>();

  return function serveCached(request) {
    const version = peekVersion();
    if (version === null) return null;
    const method = request.method;
    const head = method === 'HEAD';
    if (!head && method !== 'GET') return null;
    const path = request.url;
    if (path === undefined) return null;
    // A subscriber's request: its own representation (by entitlement), never an anonymous target's.
    if (request.headers.authorization !== undefined || mayHoldKey(path)) return serveKeyed(request, path, version, head);
    const known = fixedBase === null ? byHost.get(headerOf(request, 'host') ?? defaultHost) : targets;
    let target = known?.get(path);
    if (target === undefined || target.timed || representations.peek(target.key, version) !== target.rep) {
      target = lookup(request, path, version);
      if (target === undefined) return null;
      if (!target.timed) remember(request, path, target);
    }
    const slot = admit(request, target, head);
    if (slot < 0) return null;
    const answer = target.answers[slot]!;
    (target.counts[slot] ??= metrics.feedAnswers(answer.status, target.format))();
    metrics.cacheLookup(true);
    return answer;
  };

  /**
   * A keyed request: the representation of its entitlement from the cache, answered privately and counted.
   * Remembered by request target and entitlement (never by key alone), with its answers prebuilt as anonymous ones are.
   */
  function serveKeyed(request: R, path: string, version: number, head: boolean): FastAnswer<B> | null {
    const { resolveGrant, access } = deps;
    if (!resolveGrant || !access || !path.startsWith('/feeds/') || path.length > MAX_URL_LENGTH || path.includes('#')) return null;
    const grant = resolveGrant(request);
    if (grant === null) return null;
    const entitlements = access.entitlementsVersion();
    if (entitlements !== keyedFor) {
      keyedTargets = new WeakMap();
      keyedRemembered = 0;
      keyedFor = entitlements;
    }
    const host = fixedBase === null ? (headerOf(request, 'host') ?? defaultHost) : '';
    const memo = fixedBase === null ? `${host}\u0000${path}` : path;
    let mine = keyedTargets.get(grant);
    let target = mine?.get(memo);
    if (target === undefined || target.timed || representations.peek(target.key, version) !== target.rep) {
      const q = path.indexOf('?');
      const pathname = q === -1 ? path : path.slice(0, q);
      const file = pathname.slice('/feeds/'.length);
      const dot = file.lastIndexOf('.');
      const { id } = access.feedAccess(grant, dot > 0 ? file.slice(0, dot) : file);
      const entitlement = grant.inUrl ? `${id}|${grant.keyId}` : id;
      const search = q === -1 ? '' : path.slice(q);
      const base = fixedBase ?? trimBase(`http://${host}`);
      const unkeyed = withoutKey(search);
      const timed = isTimed(unkeyed);
      const key = feedKey({ base, pathname, search: unkeyed }, now(), timed, entitlement);
      const rep = representations.peek(key, version);
      if (rep === undefined) return null;
      target = { key, rep, timed, links: feedLinks(hubUrl, `${base}${pathname}${grant.inUrl ? search : unkeyed}`), format: formatLabel(pathname, search), answers: [], counts: [], keyed: true };
      if (!timed) {
        if (keyedRemembered >= maxTargets) {
          keyedTargets = new WeakMap();
          keyedRemembered = 0;
          mine = undefined;
        }
        if (mine === undefined) keyedTargets.set(grant, (mine = new Map()));
        if (!mine.has(memo)) keyedRemembered++;
        mine.set(memo, target);
      }
    }
    const slot = admit(request, target, head);
    if (slot < 0) return null;
    const answer = target.answers[slot]!;
    access.record(grant, answer.status, target.rep.itemCount ?? 0);
    return answer;
  }

  /**
   * Admission and the answer of a remembered target, for anonymous and keyed requests alike: a token from the
   * client's bucket, the request's prebuilt answer (built on first use), the 304 refund. Returns the answer's
   * slot in `target.answers`, or -1 when the bucket is empty (the full route words the 429; a refused take costs nothing).
   */
  function admit(request: R, target: Target<B>, head: boolean): number {
    let client: string | undefined;
    if (limiter !== null) {
      client = clientKey(request);
      if (!limiter.take(client).allowed) return -1;
    }
    const slot = answerSlot(request, target.rep, head);
    const answer = target.answers[slot] ?? build(target, slot);
    if (client !== undefined) refundConditional(limiter!, client, answer.status);
    return slot;
  }

  /** Which prebuilt answer a request takes: 304 when its validators match, else its encoding; HEAD apart. */
  function answerSlot(request: R, rep: Representation, head: boolean): number {
    const ifNoneMatch = headerOf(request, 'if-none-match');
    const ifModifiedSince = headerOf(request, 'if-modified-since');
    let slot: number;
    if ((ifNoneMatch !== undefined || ifModifiedSince !== undefined) && isNotModified(ifNoneMatch, ifModifiedSince, rep)) {
      slot = NOT_MODIFIED_SLOT;
    } else {
      const acceptEncoding = headerOf(request, 'accept-encoding');
      const encoding = acceptEncoding === undefined ? null : chooseEncoding(accepted(acceptEncoding), rep);
      slot = ENCODING_SLOT[encoding ?? 'identity'];
    }
    return head ? slot + HEAD_OFFSET : slot;
  }

  /** The target's representation from the cache, with the URL split once (no URL parser: a target Hono would normalize differently misses and takes the full route). */
  function lookup(request: R, path: string, version: number): Target<B> | undefined {
    if (!path.startsWith('/feeds/') || path.length > MAX_URL_LENGTH || path.includes('#')) return undefined;
    const q = path.indexOf('?');
    const pathname = q === -1 ? path : path.slice(0, q);
    const search = q === -1 ? '' : path.slice(q);
    const base = fixedBase ?? trimBase(`http://${headerOf(request, 'host') ?? defaultHost}`);
    const timed = isTimed(search);
    const key = feedKey({ base, pathname, search }, now(), timed);
    const rep = representations.peek(key, version);
    if (rep === undefined) return undefined;
    return { key, rep, timed, links: feedLinks(hubUrl, `${base}${pathname}${search}`), format: formatLabel(pathname, search), answers: [], counts: [] };
  }

  function remember(request: R, path: string, target: Target<B>): void {
    if (remembered >= maxTargets) {
      targets.clear();
      byHost.clear();
      remembered = 0;
    }
    let known = targets;
    if (fixedBase === null) {
      const host = headerOf(request, 'host') ?? defaultHost;
      known = byHost.get(host) ?? new Map<string, Target<B>>();
      byHost.set(host, known);
    }
    if (!known.has(path)) remembered++;
    known.set(path, target);
  }

  function build(target: Target<B>, slot: number): FastAnswer<B> {
    const { rep } = target;
    const head = slot >= HEAD_OFFSET;
    const kind = head ? slot - HEAD_OFFSET : slot;
    const status = kind === NOT_MODIFIED_SLOT ? 304 : 200;
    const encoding: Encoding | null = kind === ENCODING_SLOT.gzip ? 'gzip' : kind === ENCODING_SLOT.br ? 'br' : null;
    let pairs = answerHeaders(rep, status, encoding, maxAge, target.links);
    if (target.keyed) pairs = pairs.map(([name, value]): [string, string] => (name === 'Cache-Control' ? [name, value.replace('public', 'private')] : [name, value]));
    const headers = pairs.flat();
    const body = status === 304 || head ? null : toBody(encoding ? rep[encoding]! : rep.body);
    return (target.answers[slot] = Object.freeze({ status, headers, body }));
  }

  function accepted(header: string): AcceptedEncodings {
    let hit = accepts.get(header);
    if (hit === undefined) {
      hit = acceptedEncodings(header);
      if (accepts.size >= MAX_ACCEPT_VARIANTS) accepts.clear();
      accepts.set(header, hit);
    }
    return hit;
  }
}

function headerOf(request: FastRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' || value === undefined ? value : value.join(', ');
}
