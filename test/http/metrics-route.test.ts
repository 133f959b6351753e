import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { formatLabel, NO_METRICS } from '../../src/http/metrics.ts';
import { isLoopback } from '../../src/http/metrics-route.ts';
import { createPromMetrics } from '../../src/runtime/prom-metrics.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore, type Store } from '../../src/store/store.ts';
import { jsonLines } from '../support/log-lines.ts';
import { createJsonLogger } from '../../src/util/log.ts';

function realStore(): Store {
  return createStore(openSqlite(join(mkdtempSync(join(tmpdir(), 'wirefeed-metrics-')), 'm.db')).db);
}

describe('/metrics access without a token', () => {
  const store = realStore();
  const metrics = createPromMetrics({ itemCounts: () => store.sources.itemCounts() });
  it.each([
    ['127.0.0.1', 200],
    ['127.8.9.10', 200],
    ['::1', 200],
    ['::ffff:127.0.0.1', 200],
    ['203.0.113.5', 403],
    ['::ffff:10.0.0.1', 403],
    [undefined, 403],
  ])('peer %s gets %i', async (peer, status) => {
    const app = createApp({ store, feeds: [], metrics, peerAddress: () => peer });
    expect((await app.request('/metrics')).status).toBe(status);
  });

  it('answers 404 when the runtime exports no metrics (the Worker)', async () => {
    const app = createApp({ store, feeds: [], metrics: NO_METRICS, peerAddress: () => '127.0.0.1' });
    expect((await app.request('/metrics')).status).toBe(404);
  });

  it('isLoopback refuses look-alikes', () => {
    expect(isLoopback('1127.0.0.1')).toBe(false);
    expect(isLoopback('::2')).toBe(false);
    expect(isLoopback('')).toBe(false);
  });
});

describe('formatLabel', () => {
  it.each([
    ['/feeds/all.rss', '', 'rss'],
    ['/feeds/all.atom', '?q=x', 'atom'],
    ['/feeds/all', '', 'rss'],
    ['/feeds/all', '?format=json', 'json'],
    ['/feeds/all.rss', '?format=ninjs', 'ninjs'],
    ['/feeds/all.exe', '', 'other'],
    ['/feeds/all', '?format=%3Cscript%3E', 'other'],
  ])('%s%s → %s', (pathname, search, label) => {
    expect(formatLabel(pathname, search)).toBe(label);
  });
});

describe('request failures', () => {
  it('are logged as JSON with the request id, the method and the path without its query', async () => {
    const store = realStore();
    const failing: Store = { ...store, sources: { ...store.sources, page: () => Promise.reject(new Error('disk on fire')) } };
    const lines: string[] = [];
    const app = createApp({ store: failing, feeds: [], logger: createJsonLogger((l) => lines.push(l)) });
    const res = await app.request('/status?key=secret-in-query', { headers: { 'X-Request-Id': 'req-500' } });
    expect(res.status).toBe(500);
    expect(res.headers.get('x-request-id')).toBe('req-500');
    const [line] = jsonLines(lines.join('\n'));
    expect(line).toMatchObject({ level: 50, event: 'request-failed', reqId: 'req-500', method: 'GET', path: '/status', err: { type: 'Error', message: 'disk on fire' } });
    expect(lines.join('\n')).not.toContain('secret-in-query');
  });
});
