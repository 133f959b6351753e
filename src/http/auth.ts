import { HTTPException } from 'hono/http-exception';
import type { SourceConfig } from '../model.ts';
import { entitledAccess, PUBLIC_ACCESS, type FeedAccess } from '../publish/entitlement.ts';
import type { KeyRecord, Subscriber, SubscriberStore, UsageRow } from '../store/subscribers.ts';
import { looksLikeKey, sha256Hex } from '../util/secret-keys.ts';
import { RateLimiter } from './rate-limit.ts';

export { entitledAccess, PUBLIC_ACCESS, type FeedAccess } from '../publish/entitlement.ts';

/** A request's key, resolved: whose it is and which key (by id) it was. */
export interface Grant {
  subscriber: Subscriber;
  keyId: string;
  /** The key came in the URL (`?key=`), so the representation's links carry it. */
  inUrl: boolean;
}

/** The settings of {@link createAccessControl}. */
export interface AccessDeps {
  subscribers: SubscriberStore;
  /**
   * The sources (providers in entitlements name sources by their `provider`): a list, or the service's
   * current snapshot (a new list when the stored sources change; entitlements are then worked out again).
   */
  sources: SourceConfig[] | (() => SourceConfig[]);
  now?: () => number;
  /**
   * How long the in-memory key index is trusted, from the moment it was read (changes made here refresh it at
   * once): a key revoked, expired or suspended by another process stops working within this. Default 5 s.
   * Keyed polls read it again in the background from half this age on, so a steady poller never finds it stale.
   */
  ttlMs?: number;
  /** Failed key attempts per client: a burst, then one per `perSecond`. Default 10, then 1 every 10 s. */
  failures?: { burst: number; perSecond: number } | undefined;
  /** Usage counters are written when this many ms have passed since the last write (default 30 s). */
  flushMs?: number;
  /** Runs background work (a usage flush): Workers pass `ctx.waitUntil`; default: fire and forget. */
  background?: (work: Promise<unknown>) => void;
}

/** Keys, entitlements and usage for the HTTP edge. */
export interface AccessControl {
  /**
   * The grant of a request's key (`Authorization: Bearer` or `?key=`), or null without one.
   * @throws HTTPException 401 (unknown, revoked or expired; never echoing the key), 403 (suspended), 429 (too many failures).
   */
  authenticate(input: { authorization: string | undefined; keyParam: string | null; client: string }): Promise<Grant | null>;
  /** What a grant may see of the feed `feedName`. */
  feedAccess(grant: Grant | null, feedName: string): FeedAccess;
  /**
   * A number that changes when what a grant may see can change under the same grant (a new snapshot of the
   * sources: a provider edited, a source added, paused or removed). Whoever remembers {@link feedAccess}'s
   * answers per grant forgets them then. Costs no I/O.
   */
  entitlementsVersion(): number;
  /** Counts one answered request of a grant. */
  record(grant: Grant, status: number, items: number): void;
  /** Writes the counted usage now. */
  flush(): Promise<void>;
  /** Forgets the key index (after a change of subscribers or keys); lookups waiting on an earlier read wait for a new one. */
  invalidate(): void;
  /**
   * The grant of a key's SHA-256 from the in-memory index, without I/O, or null when the index is stale or
   * the key is not plainly good (unknown, expired, suspended): the full route then decides and words it.
   */
  peek(hash: string, inUrl: boolean): Grant | null;
  readonly store: SubscriberStore;
}

interface IndexEntry {
  key: KeyRecord;
  subscriber: Subscriber;
  /** The entry's grants (sent as a header, in the URL), made on first use: one object per key while the index stands. */
  header?: Grant;
  url?: Grant;
}

/** The least time between two background reads of the key index (a failing database is not asked on every poll). */
const REFRESH_RETRY_MS = 1000;

/** Builds the access control over the subscriber store. */
export function createAccessControl(deps: AccessDeps): AccessControl {
  const now = deps.now ?? Date.now;
  const ttlMs = deps.ttlMs ?? 5000;
  const flushMs = deps.flushMs ?? 30_000;
  const background = deps.background ?? ((work: Promise<unknown>) => void work.catch(() => {}));
  const failures = new RateLimiter({ burst: deps.failures?.burst ?? 10, perSecond: deps.failures?.perSecond ?? 0.1, maxClients: 10_000 }, now);
  const refreshAfterMs = ttlMs / 2;
  let index: Map<string, IndexEntry> | null = null;
  // When the index in use was read (its query started), and when a background read was last started.
  let loadedAt = 0;
  let refreshedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<Map<string, IndexEntry>> | null = null;
  // Bumped by invalidate(): a read started before a change of keys is not installed after it, and the calls
  // waiting on it wait for a read started after the change instead.
  let generation = 0;
  const accessMemo = new Map<string, FeedAccess>();
  let memoSources: SourceConfig[] | null = null;
  let sourcesVersion = 0;
  const currentSources = (): SourceConfig[] => {
    const sources = typeof deps.sources === 'function' ? deps.sources() : deps.sources;
    if (sources !== memoSources) {
      accessMemo.clear();
      memoSources = sources;
      sourcesVersion++;
    }
    return sources;
  };
  // The usage row a grant counts into today, until the next flush (which starts new rows).
  let todayRows = new WeakMap<Grant, UsageRow>();
  let pending = new Map<string, UsageRow>();
  let lastFlush = now();
  let day = '';
  let dayEnds = 0;

  const readIndex = (): Promise<Map<string, IndexEntry>> => {
    if (loading) return loading;
    const started = now();
    const startedIn = generation;
    const read = deps.subscribers.liveKeys().then((rows): Map<string, IndexEntry> | Promise<Map<string, IndexEntry>> => {
      // Keys changed while this read ran (it may predate a revoke): its callers share the read after the change.
      if (startedIn !== generation) return readIndex();
      const fresh = new Map<string, IndexEntry>(rows.map(({ subscriber, ...key }) => [key.hash, { key, subscriber }]));
      index = fresh;
      loadedAt = started;
      accessMemo.clear();
      return fresh;
    });
    const current = read.finally(() => {
      if (loading === current) loading = null;
    });
    loading = current;
    return current;
  };

  const loadIndex = async (): Promise<Map<string, IndexEntry>> => (index && now() - loadedAt < ttlMs ? index : readIndex());

  const refuse = (): never => {
    throw new HTTPException(401, { message: 'Unknown, revoked or expired key' });
  };

  const control: AccessControl = {
    store: deps.subscribers,
    async authenticate({ authorization, keyParam, client }) {
      const bearer = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined;
      const given = bearer || keyParam || undefined;
      if (given === undefined) return null;
      const admitted = failures.take(client);
      if (!admitted.allowed) {
        throw new HTTPException(429, { message: `Too many failed key attempts: try again in ${admitted.retryAfterSeconds} s` });
      }
      // Only a failure costs a token: given back before the lookup, so that concurrent good requests of one
      // client (a reload of the key index under load) never empty the bucket between the take and a refund.
      failures.refund(client, 1);
      // A map lookup by hash: the key is never compared, so there is no timing to learn from.
      const hit = looksLikeKey(given) ? (await loadIndex()).get(await sha256Hex(given)) : undefined;
      if (!hit || (hit.key.expiresAt !== null && hit.key.expiresAt <= now())) {
        failures.take(client);
        return refuse();
      }
      if (hit.subscriber.suspended) throw new HTTPException(403, { message: 'This subscriber is suspended' });
      return { subscriber: hit.subscriber, keyId: hit.key.id, inUrl: !bearer };
    },

    feedAccess(grant, feedName) {
      if (!grant) return PUBLIC_ACCESS;
      const sources = currentSources();
      const memoKey = `${grant.subscriber.id}|${feedName}`;
      let found = accessMemo.get(memoKey);
      if (!found) {
        found = entitledAccess(grant.subscriber, feedName, sources);
        if (accessMemo.size > 10_000) accessMemo.clear();
        accessMemo.set(memoKey, found);
      }
      return found;
    },

    entitlementsVersion() {
      currentSources();
      return sourcesVersion;
    },

    record(grant, status, items) {
      const at = now();
      // The UTC day, formatted once a day rather than once a request.
      if (at >= dayEnds || at < dayEnds - 86_400_000) {
        day = new Date(at).toISOString().slice(0, 10);
        dayEnds = (Math.floor(at / 86_400_000) + 1) * 86_400_000;
      }
      let row = todayRows.get(grant);
      if (row === undefined || row.day !== day) {
        const id = `${grant.subscriber.id}|${day}|${grant.keyId}`;
        row = pending.get(id);
        if (!row) {
          row = { subscriberId: grant.subscriber.id, day, keyId: grant.keyId, requests: 0, ok: 0, notModified: 0, items: 0, lastPull: null };
          pending.set(id, row);
        }
        todayRows.set(grant, row);
      }
      row.requests++;
      if (status === 200) {
        row.ok++;
        row.items += items;
      } else if (status === 304) row.notModified++;
      row.lastPull = at;
      if (at - lastFlush >= flushMs) background(control.flush());
    },

    async flush() {
      lastFlush = now();
      if (pending.size === 0) return;
      const rows = [...pending.values()];
      pending = new Map();
      todayRows = new WeakMap();
      try {
        await deps.subscribers.addUsage(rows);
      } catch (err) {
        // Counted again on the next flush rather than lost.
        for (const row of rows) pending.set(`${row.subscriberId}|${row.day}|${row.keyId}`, row);
        throw err;
      }
    },

    invalidate() {
      generation++;
      index = null;
      loading = null;
      accessMemo.clear();
    },

    peek(hash, inUrl) {
      const at = now();
      if (!index || at - loadedAt >= ttlMs) return null;
      if (at - loadedAt >= refreshAfterMs && loading === null && at - refreshedAt >= REFRESH_RETRY_MS) {
        refreshedAt = at;
        background(readIndex());
      }
      const hit = index.get(hash);
      if (!hit || hit.subscriber.suspended || (hit.key.expiresAt !== null && hit.key.expiresAt <= at)) return null;
      // The same grant object for the same key while the index stands, so callers can remember per grant.
      let grant = inUrl ? hit.url : hit.header;
      if (grant === undefined) {
        grant = Object.freeze({ subscriber: hit.subscriber, keyId: hit.key.id, inUrl });
        if (inUrl) hit.url = grant;
        else hit.header = grant;
      }
      return grant;
    },
  };
  return control;
}

/**
 * Whether a request target's query may hold a `key` parameter: its name as written or with any of its letters
 * percent-encoded (`%6Bey=`), as URLSearchParams reads it. A cheap test for the paths that skip the parse.
 */
export function mayHoldKey(target: string): boolean {
  return target.includes('key=') || (target.includes('%') && KEY_NAME.test(target));
}

const KEY_NAME = /(?:^|[?&])(?:k|%6[bB])(?:e|%65)(?:y|%79)=/;

/** The query of a request target without its `key` parameter (with its `?`, or empty). */
export function withoutKey(search: string): string {
  if (!KEY_NAME.test(search)) return search;
  const params = new URLSearchParams(search);
  params.delete('key');
  const rest = params.toString();
  return rest ? `?${rest}` : '';
}
