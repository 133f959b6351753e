import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { PollOutcome } from '../ingest/run.ts';
import type { SourceStatus, Store } from '../store/store.ts';
import { constantTimeEqual } from './rate-limit.ts';

/** The admin API's settings: its bearer token and how to poll one source now. */
export interface AdminDeps {
  token: string;
  refresh(sourceId: string): Promise<PollOutcome | null>;
}

/**
 * Mounts `/admin/*` on `app`: a bearer token (compared in constant time) in front of the source list and a
 * forced refresh. Without `admin` every admin route answers 404 saying how to turn the API on.
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

  app.get('/admin/sources', async (c) => c.json({ sources: (await store.listSources()).map(sourceHealth) }));

  app.post('/admin/sources/:id/refresh', async (c) => {
    const outcome = await admin!.refresh(c.req.param('id'));
    if (!outcome) throw new HTTPException(404, { message: `No source "${c.req.param('id')}"` });
    const source = (await store.listSources()).find((s) => s.id === outcome.source);
    return c.json({ outcome, source: source ? sourceHealth(source) : null });
  });
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
