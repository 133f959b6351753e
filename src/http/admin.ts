import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { validateSource } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { PollOutcome } from '../ingest/run.ts';
import type { SourceConfig } from '../model.ts';
import { CursorError, type SourceRecord } from '../store/sources.ts';
import type { SourceStatus, Store } from '../store/store.ts';
import { constantTimeEqual } from './rate-limit.ts';

/** The admin API's settings: its bearer token, how to poll one source now, and who to tell of a changed source. */
export interface AdminDeps {
  token: string;
  refresh(sourceId: string): Promise<PollOutcome | null>;
  /** Called after a source was added, changed or removed (the service re-reads its sources). */
  changed?: (() => Promise<void>) | undefined;
  /** The paths of the configuration file that name a source (a DELETE of it is refused while any does). */
  namedBy?: ((id: string) => string[]) | undefined;
}

/** Sources per page of `GET /admin/sources` unless `limit` says (at most {@link MAX_PAGE}). */
export const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/**
 * Mounts `/admin/*` on `app`: a bearer token (compared in constant time) in front of the source catalogue
 * (`GET|POST /admin/sources`, `GET|PATCH|DELETE /admin/sources/:id`) and a forced refresh. Without `admin`
 * every admin route answers 404 saying how to turn the API on.
 */
export function mountAdmin(app: Hono, store: Store, admin: AdminDeps | undefined): void {
  app.use('/admin/*', async (c, next) => {
    if (!admin) throw new HTTPException(404, { message: 'The admin API is off: set WIREFEED_ADMIN_TOKEN to turn it on' });
    const header = c.req.header('Authorization') ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!given || !constantTimeEqual(given, admin.token)) {
      return c.json({ error: 'A valid bearer token is required', status: 401 }, 401, { 'WWW-Authenticate': 'Bearer realm="wirefeed admin"' });
    }
    c.header('Cache-Control', 'no-store');
    await next();
  });

  const sources = store.sources;
  const found = async (id: string): Promise<SourceRecord> => {
    const record = await sources.get(id);
    if (!record) throw new HTTPException(404, { message: `No source "${id.slice(0, 64)}"` });
    return record;
  };
  const changed = async (): Promise<void> => {
    await admin!.changed?.();
  };

  app.get('/admin/sources', async (c) => {
    const limit = pageLimit(c.req.query('limit'), DEFAULT_PAGE, MAX_PAGE);
    const page = await listPage(() => sources.page({ limit, cursor: c.req.query('cursor') }));
    return c.json({ sources: page.sources.map(sourceView), next: page.next });
  });

  app.post('/admin/sources', async (c) => {
    const input = await jsonBody(c.req.raw);
    const config = checked(() => validateSource(input, 'api'));
    if (!(await sources.add(config))) throw new HTTPException(409, { message: `A source "${config.id}" exists already` });
    await changed();
    return c.json(sourceView(await found(config.id)), 201);
  });

  app.get('/admin/sources/:id', async (c) => c.json(sourceView(await found(c.req.param('id')))));

  app.patch('/admin/sources/:id', async (c) => {
    const current = await found(c.req.param('id'));
    const body = await jsonBody(c.req.raw);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HTTPException(400, { message: '(body): must be an object of source fields' });
    const { paused, ...fields } = body as Record<string, unknown>;
    if (paused !== undefined && typeof paused !== 'boolean') throw new HTTPException(400, { message: 'paused: must be true or false' });
    if (fields.id !== undefined && fields.id !== current.id) throw new HTTPException(400, { message: 'id: a source keeps its id (remove it and add it anew)' });
    if (!current.config) {
      throw new HTTPException(409, { message: `Source "${current.id}" left the configuration file: add it with POST /admin/sources to manage it here` });
    }
    const merged: Record<string, unknown> = { ...current.config };
    // null removes an optional field (`license: null`: the licence follows the provider again).
    for (const [key, value] of Object.entries(fields)) {
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    // A URL given here is held to the API's rule (no file: URLs), whatever the source's origin.
    const config = checked(() => validateSource(merged, fields.url !== undefined ? 'api' : current.origin));
    await sources.update(current.id, config, paused ?? current.paused);
    await changed();
    return c.json(sourceView(await found(current.id)));
  });

  app.delete('/admin/sources/:id', async (c) => {
    const current = await found(c.req.param('id'));
    if (current.origin === 'config' && current.config) {
      throw new HTTPException(409, { message: `Source "${current.id}" is in the configuration file: remove it there, or pause it (PATCH {"paused": true})` });
    }
    const named = admin!.namedBy?.(current.id) ?? [];
    if (named.length > 0) {
      throw new HTTPException(409, { message: `Source "${current.id}" is named by ${named.join(', ')} of the configuration file: remove the name there first, or pause the source` });
    }
    await sources.remove(current.id);
    await changed();
    return c.body(null, 204);
  });

  app.post('/admin/sources/:id/refresh', async (c) => {
    const current = await sources.get(c.req.param('id'));
    if (current?.paused) throw new HTTPException(409, { message: `Source "${current.id}" is paused: resume it first (PATCH {"paused": false})` });
    const outcome = await admin!.refresh(c.req.param('id'));
    if (!outcome) throw new HTTPException(404, { message: `No source "${c.req.param('id').slice(0, 64)}"` });
    const source = await sources.get(outcome.source);
    return c.json({ outcome, source: source ? sourceHealth(source) : null });
  });
}

/** A source as the admin API shows it: its health, origin, paused flag, licence and configuration. */
export function sourceView(s: SourceRecord): Record<string, unknown> {
  return { ...sourceHealth(s), origin: s.origin, paused: s.paused, license: s.license, config: s.config };
}

/**
 * Reads a page size from a query parameter. @throws HTTPException 400 unless it is a whole number from 1 to `max`.
 */
export function pageLimit(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new HTTPException(400, { message: `limit: must be a whole number from 1 to ${max}` });
  return n;
}

/** Runs a page query; a cursor no page gave is a 400. */
export async function listPage<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (err) {
    if (err instanceof CursorError) throw new HTTPException(400, { message: err.message });
    throw err;
  }
}

function checked(validate: () => SourceConfig): SourceConfig {
  try {
    return validate();
  } catch (err) {
    if (err instanceof ConfigError) throw new HTTPException(400, { message: err.problems.join('; ') });
    throw err;
  }
}

async function jsonBody(request: Request): Promise<unknown> {
  try {
    return JSON.parse(await request.text()) as unknown;
  } catch {
    throw new HTTPException(400, { message: '(body): must be JSON' });
  }
}

/** A source's state as `/status` and the admin API show it. */
export function sourceHealth(s: SourceStatus): Record<string, unknown> {
  return {
    id: s.id,
    title: s.title,
    url: s.url,
    healthy: s.errorCount === 0 && s.lastSuccessAt !== null,
    items: s.itemCount,
    lastFetchAt: iso(s.lastFetchAt),
    lastSuccessAt: iso(s.lastSuccessAt),
    nextFetchAt: iso(s.nextFetchAt),
    errorCount: s.errorCount,
    lastError: s.lastError ? { ...s.lastError, at: iso(s.lastError.at) } : null,
    etag: s.etag,
    lastModified: s.lastModified,
    // Full text: the source's article page fetches, when it has any.
    ...(s.pages ? { pages: { ...s.pages, lastFailure: s.pages.lastFailure ? { ...s.pages.lastFailure, at: iso(s.pages.lastFailure.at) } : null } } : {}),
  };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
