import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchError } from '../../src/errors.ts';
import { createFetcher } from '../../src/ingest/fetch.ts';

describe('a connection the upstream closed before answering', () => {
  let server: Server;
  let base: string;
  const hits: Record<string, number> = {};

  beforeAll(async () => {
    server = createServer((req, res) => {
      const n = (hits[req.url!] = (hits[req.url!] ?? 0) + 1);
      // `/flaky` drops the first connection without a response; `/dead` drops every one.
      if ((req.url === '/flaky' && n === 1) || req.url === '/dead') {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end('<rss version="2.0"><channel><title>ok</title></channel></rss>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('is retried once for a GET', async () => {
    const result = await createFetcher({ timeoutMs: 5000 })({ url: `${base}/flaky`, allowPrivateNetwork: true });
    expect(result.status).toBe('ok');
    expect(hits['/flaky']).toBe(2);
  });

  it('only once: an upstream that keeps dropping is a network error', async () => {
    const err = await createFetcher({ timeoutMs: 5000 })({ url: `${base}/dead`, allowPrivateNetwork: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err).toMatchObject({ code: 'network' });
    expect(hits['/dead']).toBe(2);
  });
});
