import { generateSecret } from '../util/secret-keys.ts';
import type { SqlDatabase, SqlStatement } from './sql.ts';

/** A source's licence: restricted items reach only entitled subscribers' keys. */
export type License = 'public' | 'restricted';

/** What a subscriber may receive of the restricted content; every list given narrows (an empty object: all of it). */
export interface Entitlements {
  feeds?: string[] | undefined;
  categories?: string[] | undefined;
  providers?: string[] | undefined;
  sources?: string[] | undefined;
}

/** A subscriber's webhook: its URL and whether it may be a private address (as a source's `allowPrivateNetwork`). */
export interface WebhookTarget {
  url: string;
  allowPrivateNetwork?: boolean | undefined;
}

/** An outlet or partner that pulls feeds with its own keys. */
export interface Subscriber {
  id: string;
  name: string;
  contact: string | null;
  entitlements: Entitlements;
  /** Where new, updated and killed items are pushed; `allowPrivateNetwork` lets it reach a private address. */
  webhook: WebhookTarget | null;
  suspended: boolean;
  /** Defined in the config file (synced at start) rather than through the admin API. */
  fromConfig: boolean;
  createdAt: number;
}

/** A key's record: never the key itself, only its SHA-256 hash. */
export interface KeyRecord {
  id: string;
  subscriberId: string;
  hash: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

/** One subscriber's counters for one day and key. */
export interface UsageRow {
  subscriberId: string;
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  keyId: string;
  requests: number;
  ok: number;
  notModified: number;
  items: number;
  lastPull: number | null;
  /** Pushed events given up after the retry window (the `webhook` key id's rows only). */
  failed?: number;
}

/** Fields a subscriber can be created or updated with. */
export interface SubscriberWrite {
  id: string;
  name: string;
  contact?: string | null | undefined;
  entitlements?: Entitlements | undefined;
  webhook?: WebhookTarget | null | undefined;
  webhookSecret?: string | null | undefined;
  suspended?: boolean | undefined;
  fromConfig?: boolean | undefined;
}

/** Subscribers, their keys and usage, and the sources' licences, over the D1-shaped database. */
export interface SubscriberStore {
  /** Sets (or, with null, clears) the admin API's licence of a source; false when there is no such source. */
  setLicense(sourceId: string, license: License | null): Promise<boolean>;
  /** Effective licence of every known source. */
  licenses(): Promise<Map<string, License>>;
  /** Upserts the config's subscribers (their keys and usage stay; a webhook secret given wins, else one is made once). */
  syncSubscribers(subscribers: SubscriberWrite[]): Promise<void>;
  create(subscriber: SubscriberWrite, now: number): Promise<Subscriber>;
  get(id: string): Promise<Subscriber | null>;
  list(): Promise<Subscriber[]>;
  /** Updates the given fields; null when there is no such subscriber. */
  update(id: string, patch: Partial<Omit<SubscriberWrite, 'id'>>): Promise<Subscriber | null>;
  /** Deletes a subscriber with its keys and usage; false when there was none. */
  remove(id: string): Promise<boolean>;
  /** The signing secret of a subscriber's webhook, or null. */
  webhookSecret(id: string): Promise<string | null>;
  addKey(key: KeyRecord): Promise<void>;
  /** Revokes a key now; false when the subscriber has no such live key. */
  revokeKey(subscriberId: string, keyId: string, now: number): Promise<boolean>;
  keys(subscriberId: string): Promise<KeyRecord[]>;
  /** Every key that is not revoked, with its subscriber (for the in-memory key index). */
  liveKeys(): Promise<Array<KeyRecord & { subscriber: Subscriber }>>;
  /** Adds counters (one batch: one transaction on SQLite, one round trip on D1). */
  addUsage(rows: UsageRow[]): Promise<void>;
  usage(subscriberId: string): Promise<UsageRow[]>;
}

interface SubscriberRow {
  id: string;
  name: string;
  contact: string | null;
  entitlements: string;
  webhook_url: string | null;
  webhook_allow_private: number;
  suspended: number;
  from_config: number;
  created_at: number;
}

interface KeyRow {
  id: string;
  subscriber_id: string;
  hash: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

const SUBSCRIBER_COLUMNS = 's.id, s.name, s.contact, s.entitlements, s.webhook_url, s.webhook_allow_private, s.suspended, s.from_config, s.created_at';

/** Creates the subscriber store over a database whose migrations (0005) have been applied. */
export function createSubscriberStore(db: SqlDatabase): SubscriberStore {
  const upsert = (s: SubscriberWrite, now: number): SqlStatement =>
    db
      .prepare(
        `INSERT INTO subscribers (id, name, contact, entitlements, webhook_url, webhook_secret, suspended, from_config, created_at, webhook_allow_private)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, contact = excluded.contact, entitlements = excluded.entitlements,
           webhook_url = excluded.webhook_url, webhook_allow_private = excluded.webhook_allow_private, webhook_secret = COALESCE(subscribers.webhook_secret, excluded.webhook_secret),
           suspended = excluded.suspended, from_config = excluded.from_config`,
      )
      .bind(
        s.id,
        s.name,
        s.contact ?? null,
        JSON.stringify(canonicalEntitlements(s.entitlements ?? {})),
        s.webhook?.url ?? null,
        s.webhookSecret ?? null,
        s.suspended ? 1 : 0,
        s.fromConfig ? 1 : 0,
        now,
        s.webhook?.allowPrivateNetwork ? 1 : 0,
      );

  const store: SubscriberStore = {
    async setLicense(sourceId, license) {
      const row = await db.prepare('SELECT id FROM sources WHERE id = ?1').bind(sourceId).first();
      if (!row) return false;
      await db.prepare('UPDATE sources SET license_override = ?2 WHERE id = ?1').bind(sourceId, license).run();
      return true;
    },
    async licenses() {
      const { results } = await db.prepare(`SELECT id, COALESCE(license_override, license) AS license FROM sources`).all<{ id: string; license: License }>();
      return new Map(results.map((r) => [r.id, r.license]));
    },
    async syncSubscribers(subscribers) {
      if (subscribers.length === 0) return;
      // A webhook's secret: the config's when it names one (it wins), else the stored one, else a new one.
      await db.batch(
        subscribers.flatMap((s) => [
          upsert({ ...s, fromConfig: true, webhookSecret: s.webhookSecret ?? (s.webhook ? generateSecret() : null) }, Date.now()),
          ...(s.webhookSecret ? [db.prepare('UPDATE subscribers SET webhook_secret = ?2 WHERE id = ?1 AND webhook_secret IS NOT ?2').bind(s.id, s.webhookSecret)] : []),
        ]),
      );
    },
    async create(subscriber, now) {
      await upsert(subscriber, now).run();
      return (await store.get(subscriber.id))!;
    },
    async get(id) {
      const row = await db.prepare(`SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers s WHERE s.id = ?1`).bind(id).first<SubscriberRow>();
      return row ? toSubscriber(row) : null;
    },
    async list() {
      const { results } = await db.prepare(`SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers s ORDER BY s.id`).all<SubscriberRow>();
      return results.map(toSubscriber);
    },
    async update(id, patch) {
      const current = await store.get(id);
      if (!current) return null;
      const secret = await store.webhookSecret(id);
      await upsert(
        {
          id,
          name: patch.name ?? current.name,
          contact: patch.contact !== undefined ? patch.contact : current.contact,
          entitlements: patch.entitlements ?? current.entitlements,
          webhook: patch.webhook !== undefined ? patch.webhook : current.webhook,
          webhookSecret: patch.webhookSecret ?? secret,
          suspended: patch.suspended ?? current.suspended,
          fromConfig: current.fromConfig,
        },
        current.createdAt,
      ).run();
      return store.get(id);
    },
    async remove(id) {
      const existing = await store.get(id);
      if (!existing) return false;
      await db.batch([
        db.prepare('DELETE FROM subscriber_keys WHERE subscriber_id = ?1').bind(id),
        db.prepare('DELETE FROM subscriber_usage WHERE subscriber_id = ?1').bind(id),
        db.prepare('DELETE FROM webhook_deliveries WHERE subscriber_id = ?1').bind(id),
        db.prepare('DELETE FROM subscribers WHERE id = ?1').bind(id),
      ]);
      return true;
    },
    async webhookSecret(id) {
      const row = await db.prepare('SELECT webhook_secret FROM subscribers WHERE id = ?1').bind(id).first<{ webhook_secret: string | null }>();
      return row?.webhook_secret ?? null;
    },
    async addKey(key) {
      await db
        .prepare('INSERT INTO subscriber_keys (id, subscriber_id, hash, created_at, expires_at, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, NULL)')
        .bind(key.id, key.subscriberId, key.hash, key.createdAt, key.expiresAt)
        .run();
    },
    async revokeKey(subscriberId, keyId, now) {
      const row = await db
        .prepare('SELECT id FROM subscriber_keys WHERE id = ?1 AND subscriber_id = ?2 AND revoked_at IS NULL')
        .bind(keyId, subscriberId)
        .first();
      if (!row) return false;
      await db.prepare('UPDATE subscriber_keys SET revoked_at = ?2 WHERE id = ?1').bind(keyId, now).run();
      return true;
    },
    async keys(subscriberId) {
      const { results } = await db.prepare('SELECT * FROM subscriber_keys WHERE subscriber_id = ?1 ORDER BY created_at, id').bind(subscriberId).all<KeyRow>();
      return results.map(toKey);
    },
    async liveKeys() {
      const { results } = await db
        .prepare(
          `SELECT k.id AS key_id, k.subscriber_id, k.hash, k.created_at AS key_created_at, k.expires_at, k.revoked_at, ${SUBSCRIBER_COLUMNS}
           FROM subscriber_keys k JOIN subscribers s ON s.id = k.subscriber_id WHERE k.revoked_at IS NULL`,
        )
        .all<SubscriberRow & { key_id: string; subscriber_id: string; hash: string; key_created_at: number; expires_at: number | null; revoked_at: null }>();
      return results.map((r) => ({
        ...toKey({ id: r.key_id, subscriber_id: r.subscriber_id, hash: r.hash, created_at: r.key_created_at, expires_at: r.expires_at, revoked_at: r.revoked_at }),
        subscriber: toSubscriber(r),
      }));
    },
    async addUsage(rows) {
      if (rows.length === 0) return;
      await db.batch(
        rows.map((u) =>
          db
            .prepare(
              `INSERT INTO subscriber_usage (subscriber_id, day, key_id, requests, ok, not_modified, items, last_pull)
               VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
               ON CONFLICT (subscriber_id, day, key_id) DO UPDATE SET
                 requests = requests + excluded.requests, ok = ok + excluded.ok, not_modified = not_modified + excluded.not_modified,
                 items = items + excluded.items, last_pull = max(COALESCE(last_pull, 0), COALESCE(excluded.last_pull, 0))`,
            )
            .bind(u.subscriberId, u.day, u.keyId, u.requests, u.ok, u.notModified, u.items, u.lastPull),
        ),
      );
    },
    async usage(subscriberId) {
      const { results } = await db
        .prepare('SELECT * FROM subscriber_usage WHERE subscriber_id = ?1 ORDER BY day, key_id')
        .bind(subscriberId)
        .all<{ subscriber_id: string; day: string; key_id: string; requests: number; ok: number; not_modified: number; items: number; last_pull: number | null; failed: number }>();
      return results.map((r) => ({
        subscriberId: r.subscriber_id,
        day: r.day,
        keyId: r.key_id,
        requests: r.requests,
        ok: r.ok,
        notModified: r.not_modified,
        items: r.items,
        lastPull: r.last_pull,
        ...(r.failed > 0 ? { failed: r.failed } : {}),
      }));
    },
  };
  return store;
}

/** Entitlements with each list de-duplicated and sorted (categories and providers case-folded), empty lists dropped. */
export function canonicalEntitlements(e: Entitlements): Entitlements {
  const out: Entitlements = {};
  const norm = (values: string[] | undefined, fold: boolean): string[] | undefined => {
    if (!values) return undefined;
    return [...new Set(values.map((v) => (fold ? v.trim().toLowerCase() : v.trim())).filter(Boolean))].sort();
  };
  const feeds = norm(e.feeds, false);
  const categories = norm(e.categories, true);
  const providers = norm(e.providers, true);
  const sources = norm(e.sources, false);
  if (feeds) out.feeds = feeds;
  if (categories) out.categories = categories;
  if (providers) out.providers = providers;
  if (sources) out.sources = sources;
  return out;
}

function toSubscriber(row: SubscriberRow): Subscriber {
  return {
    id: row.id,
    name: row.name,
    contact: row.contact,
    entitlements: JSON.parse(row.entitlements) as Entitlements,
    webhook: row.webhook_url ? { url: row.webhook_url, ...(row.webhook_allow_private === 1 ? { allowPrivateNetwork: true } : {}) } : null,
    suspended: row.suspended === 1,
    fromConfig: row.from_config === 1,
    createdAt: row.created_at,
  };
}

function toKey(row: KeyRow): KeyRecord {
  return { id: row.id, subscriberId: row.subscriber_id, hash: row.hash, createdAt: row.created_at, expiresAt: row.expires_at, revokedAt: row.revoked_at };
}

/**
 * Which restricted items a listing may include, beside the public ones: those of `sources` (null: of any
 * source) that carry one of `categories` (null: whatever their categories). A listing without an access
 * shows public items only.
 */
export interface ItemAccess {
  sources: string[] | null;
  categories: string[] | null;
}

/** The SQL condition of an access on items aliased `i`: public, or restricted and entitled. */
export function accessCondition(access: ItemAccess | null | undefined, bind: (value: string) => string): string {
  const publicOnly = `NOT EXISTS (SELECT 1 FROM sources ls WHERE ls.id = i.source_id AND COALESCE(ls.license_override, ls.license) = 'restricted')`;
  if (!access) return publicOnly;
  const entitled: string[] = [];
  if (access.sources !== null) entitled.push(`i.source_id IN (SELECT value FROM json_each(${bind(JSON.stringify(access.sources))}))`);
  if (access.categories !== null) {
    entitled.push(
      `EXISTS (SELECT 1 FROM item_categories ec WHERE ec.item_id = i.id AND ec.category IN (SELECT value FROM json_each(${bind(JSON.stringify(access.categories.map((c) => c.toLowerCase())))})))`,
    );
  }
  if (entitled.length === 0) return '1 = 1';
  return `(${publicOnly} OR (${entitled.join(' AND ')}))`;
}
