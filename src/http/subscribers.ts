import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import type { DeliveryStats } from '../store/outbox.ts';
import type { KeyRecord, Subscriber, SubscriberStore, UsageRow, WebhookTarget } from '../store/subscribers.ts';
import { generateKey, generateKeyId, generateSecret, sha256Hex } from '../util/secret-keys.ts';
import type { AccessControl } from './auth.ts';

const names = z.array(z.string().min(1).max(200)).max(500);
const entitlementsSchema = z.object({ feeds: names.optional(), categories: names.optional(), providers: names.optional(), sources: names.optional() }).strict();
const webhookSchema = z
  .object({ url: z.string().refine((u) => /^https?:$/.test(protocolOf(u)), { message: 'must be an absolute http(s) URL' }), allowPrivateNetwork: z.boolean().optional() })
  .strict();
const createSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { message: 'must be lowercase letters, digits, "-" or "_" (at most 64)' }),
    name: z.string().min(1).max(200),
    contact: z.string().max(500).nullable().optional(),
    entitlements: entitlementsSchema.default({}),
    webhook: webhookSchema.nullable().optional(),
    suspended: z.boolean().optional(),
    expiresAt: z.string().optional(),
  })
  .strict();
const patchSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    contact: z.string().max(500).nullable().optional(),
    entitlements: entitlementsSchema.optional(),
    webhook: webhookSchema.nullable().optional(),
    suspended: z.boolean().optional(),
  })
  .strict();
const keySchema = z.object({ expiresAt: z.string().optional() }).strict();

/** A new subscriber with its first key (shown this once) and, with a webhook, its signing secret. */
export interface CreatedSubscriber {
  subscriber: Subscriber;
  keyId: string;
  key: string;
  secret: string | null;
}

/**
 * Creates a subscriber and its first key. @throws HTTPException 409 when the id is taken, 400 for a bad expiry.
 */
export async function addSubscriber(
  store: SubscriberStore,
  input: { id: string; name: string; contact?: string | null | undefined; entitlements?: Subscriber['entitlements'] | undefined; webhook?: WebhookTarget | null | undefined; suspended?: boolean | undefined; expiresAt?: string | undefined },
  now: number,
): Promise<CreatedSubscriber> {
  if (await store.get(input.id)) throw new HTTPException(409, { message: `A subscriber "${input.id}" exists already` });
  const secret = input.webhook ? generateSecret() : null;
  const subscriber = await store.create({ ...input, webhookSecret: secret }, now);
  const { keyId, key } = await createKey(store, input.id, input.expiresAt, now);
  return { subscriber, keyId, key, secret };
}

/** Creates a key for a subscriber; the key itself is returned this once and stored only as its hash. @throws HTTPException 404/400. */
export async function createKey(store: SubscriberStore, subscriberId: string, expiresAt: string | undefined, now: number): Promise<{ keyId: string; key: string; expiresAt: string | null }> {
  if (!(await store.get(subscriberId))) throw new HTTPException(404, { message: `No subscriber "${subscriberId}"` });
  let expires: number | null = null;
  if (expiresAt !== undefined) {
    expires = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(expiresAt) ? Date.parse(expiresAt) : Number.NaN;
    if (!Number.isFinite(expires)) throw new HTTPException(400, { message: 'expiresAt must be an ISO-8601 time with a zone' });
    if (expires <= now) throw new HTTPException(400, { message: 'expiresAt must be in the future' });
  }
  const key = generateKey();
  const record: KeyRecord = { id: generateKeyId(), subscriberId, hash: await sha256Hex(key), createdAt: now, expiresAt: expires, revokedAt: null };
  await store.addKey(record);
  return { keyId: record.id, key, expiresAt: expires === null ? null : new Date(expires).toISOString() };
}

/** A subscriber as the admin API and the CLI show it: its keys by id (never a key or a hash). */
export function subscriberView(s: Subscriber, keys: KeyRecord[]): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    contact: s.contact,
    entitlements: s.entitlements,
    webhook: s.webhook,
    suspended: s.suspended,
    fromConfig: s.fromConfig,
    createdAt: new Date(s.createdAt).toISOString(),
    keys: keys.map((k) => ({
      keyId: k.id,
      createdAt: new Date(k.createdAt).toISOString(),
      expiresAt: k.expiresAt === null ? null : new Date(k.expiresAt).toISOString(),
      revokedAt: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString(),
    })),
  };
}

/** Usage rows as CSV (RFC 4180, a header line), for audits. */
export function usageCsv(rows: UsageRow[]): string {
  const lines = ['subscriber,day,key_id,requests,ok_200,not_modified_304,items,last_pull'];
  for (const r of rows) {
    lines.push([r.subscriberId, r.day, r.keyId, r.requests, r.ok, r.notModified, r.items, r.lastPull === null ? '' : new Date(r.lastPull).toISOString()].map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Usage rows as JSON (push delivery counts under the key id `webhook`: POSTs, 2xx answers, events delivered, events failed). */
export function usageJson(rows: UsageRow[]): Array<Record<string, unknown>> {
  return rows.map((r) => ({
    day: r.day,
    keyId: r.keyId,
    requests: r.requests,
    ok: r.ok,
    notModified: r.notModified,
    items: r.items,
    lastPull: r.lastPull === null ? null : new Date(r.lastPull).toISOString(),
    ...(r.failed !== undefined ? { failed: r.failed } : {}),
  }));
}

/** A subscriber's push delivery state as the admin API shows it (never its URL's secret or signature). */
export function deliveryView(stats: DeliveryStats | undefined): Record<string, unknown> {
  const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());
  return {
    pending: stats?.pending ?? 0,
    retrying: stats?.retrying ?? 0,
    delivered: stats?.delivered ?? 0,
    failed: stats?.failed ?? 0,
    lastDeliveredAt: iso(stats?.lastDeliveredAt),
    lastFailureAt: iso(stats?.lastFailureAt),
    lastError: stats?.lastError ?? null,
  };
}

/**
 * Mounts the subscriber routes of the admin API (behind the admin token `mountAdmin` checks):
 * `/admin/subscribers[/:id[/keys[/:keyId]|/usage]]` (a source's licence is a field of `PATCH /admin/sources/:id`, in admin.ts).
 * With `deliveryStats`, a webhook subscriber's usage carries its push delivery state.
 */
export function mountSubscribers(app: Hono, access: AccessControl, now: () => number, deliveryStats?: () => Promise<DeliveryStats[]>): void {
  const store = access.store;
  const view = async (s: Subscriber): Promise<Record<string, unknown>> => subscriberView(s, await store.keys(s.id));
  const found = async (id: string): Promise<Subscriber> => {
    const s = await store.get(id);
    if (!s) throw new HTTPException(404, { message: `No subscriber "${id.slice(0, 64)}"` });
    return s;
  };

  app.post('/admin/subscribers', async (c) => {
    const input = parse(createSchema, await body(c.req.raw));
    const created = await addSubscriber(store, input, now());
    access.invalidate();
    return c.json({ ...(await view(created.subscriber)), keyId: created.keyId, key: created.key, ...(created.secret ? { secret: created.secret } : {}) }, 201);
  });

  app.get('/admin/subscribers', async (c) => c.json({ subscribers: await Promise.all((await store.list()).map(view)) }));

  app.get('/admin/subscribers/:id', async (c) => c.json(await view(await found(c.req.param('id')))));

  app.patch('/admin/subscribers/:id', async (c) => {
    const id = c.req.param('id');
    const current = await found(id);
    const patch = parse(patchSchema, await body(c.req.raw));
    const secret = patch.webhook && !current.webhook ? generateSecret() : undefined;
    const updated = await store.update(id, { ...patch, ...(secret ? { webhookSecret: secret } : {}) });
    access.invalidate();
    return c.json({ ...(await view(updated!)), ...(secret ? { secret } : {}) });
  });

  app.delete('/admin/subscribers/:id', async (c) => {
    await found(c.req.param('id'));
    await store.remove(c.req.param('id'));
    access.invalidate();
    return c.body(null, 204);
  });

  app.post('/admin/subscribers/:id/keys', async (c) => {
    const { expiresAt } = parse(keySchema, await body(c.req.raw, true));
    const created = await createKey(store, c.req.param('id'), expiresAt, now());
    access.invalidate();
    return c.json(created, 201);
  });

  app.delete('/admin/subscribers/:id/keys/:keyId', async (c) => {
    await found(c.req.param('id'));
    if (!(await store.revokeKey(c.req.param('id'), c.req.param('keyId'), now()))) throw new HTTPException(404, { message: 'No such live key' });
    access.invalidate();
    return c.body(null, 204);
  });

  app.get('/admin/subscribers/:id/usage', async (c) => {
    const s = await found(c.req.param('id'));
    await access.flush();
    const rows = await store.usage(s.id);
    if (c.req.query('format') === 'csv') return c.body(usageCsv(rows), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
    const webhook = s.webhook && deliveryStats ? { webhook: deliveryView((await deliveryStats()).find((d) => d.subscriberId === s.id)) } : {};
    return c.json({ subscriber: s.id, usage: usageJson(rows), ...webhook });
  });
}

async function body(request: Request, optional = false): Promise<unknown> {
  const text = await request.text();
  if (optional && text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HTTPException(400, { message: 'The body must be JSON' });
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HTTPException(400, { message: result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ') });
  }
  return result.data;
}

function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function protocolOf(value: string): string {
  try {
    return new URL(value).protocol;
  } catch {
    return '';
  }
}
