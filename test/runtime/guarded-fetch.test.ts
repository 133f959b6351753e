import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchError } from '../../src/errors.ts';
import { createFetcher } from '../../src/ingest/fetch.ts';
import { createGuardedFetch } from '../../src/runtime/guarded-fetch.ts';

describe('connections that check the addresses they connect to', () => {
  let server: Server;
  let port: number;
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.headers.host}${req.url}`);
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end('<rss version="2.0"><channel><title>t</title></channel></rss>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('DNS rebinding: a host that passes the pre-check and then resolves to loopback is refused, and nothing is sent', async () => {
    const fetchFeed = createFetcher({
      // The pre-check sees a public address...
      resolveHost: async () => ['93.184.216.34'],
      // ...and by the time the socket resolves the name, it points at this machine.
      publicFetch: createGuardedFetch({ resolve: (_host, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]) }),
      timeoutMs: 5000,
    });
    const err = await fetchFeed({ url: `http://rebind.wirefeed.test:${port}/feed` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err).toMatchObject({ code: 'blocked-address', message: expect.stringContaining('rebind.wirefeed.test resolved to the private address 127.0.0.1') });
    expect(seen).toEqual([]);
  });

  it('refuses a name the system resolves to loopback', async () => {
    const err = await createGuardedFetch()(`http://localhost:${port}/x`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(seen).toEqual([]);
  });

  it('a source allowed the private network still reaches its own host', async () => {
    const fetchFeed = createFetcher({ publicFetch: createGuardedFetch(), timeoutMs: 5000 });
    const result = await fetchFeed({ url: `http://localhost:${port}/own`, allowPrivateNetwork: true });
    expect(result.status).toBe('ok');
    expect(seen).toEqual([`localhost:${port}/own`]);
  });
});
