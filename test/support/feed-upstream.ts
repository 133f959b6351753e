import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback upstream that answers every request with the same RSS document: its base URL and how to stop it. */
export async function startFeedUpstream(feed: Uint8Array | string): Promise<{ base: string; close: () => Promise<void> }> {
  const server = createServer((_req, res) => void res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(feed));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
