/**
 * Child process: the baseline. A bare `node:http` server holding the bytes the real server answered for
 * each benchmarked URL (identity, gzip and 304), with the same headers. Per request it does the least a
 * correct server must: find the URL (and the Authorization header), compare If-None-Match, look for gzip in
 * Accept-Encoding.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveParent, type ChildRequest } from '../child.ts';

/** One captured response: status, raw headers (flat name/value list) and body (base64). */
export interface CapturedResponse {
  status: number;
  headers: string[];
  body: string;
}

/** What the bare server serves for one URL. */
export interface BareRoute {
  path: string;
  /** The `Authorization` header this answer is for (a subscriber's keyed poll); absent: none. */
  authorization?: string | undefined;
  etag: string;
  identity: CapturedResponse;
  gzip: CapturedResponse;
  notModified: CapturedResponse;
}

interface Prepared {
  status: number;
  headers: string[];
  body: Buffer;
}

let server: Server | null = null;
let stopping: Promise<void> | null = null;

serveParent(
  async (msg: ChildRequest) => {
    if (msg.type !== 'start') throw new Error(`unknown request ${msg.type}`);
    const routes = new Map<string, { etag: string; identity: Prepared; gzip: Prepared; notModified: Prepared }>();
    const prep = (c: CapturedResponse): Prepared => ({ status: c.status, headers: c.headers, body: Buffer.from(c.body, 'base64') });
    for (const r of (msg as unknown as { routes: BareRoute[] }).routes) {
      routes.set(`${r.path}|${r.authorization ?? ''}`, { etag: r.etag, identity: prep(r.identity), gzip: prep(r.gzip), notModified: prep(r.notModified) });
    }
    server = createServer((req, res) => {
      const route = routes.get(`${req.url ?? ''}|${req.headers.authorization ?? ''}`);
      if (!route) {
        res.writeHead(404).end();
        return;
      }
      const rep =
        req.headers['if-none-match'] === route.etag
          ? route.notModified
          : req.headers['accept-encoding']?.includes('gzip')
            ? route.gzip
            : route.identity;
      res.writeHead(rep.status, rep.headers);
      res.end(rep.body);
    });
    const s = server;
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  },
  () =>
    (stopping ??= new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
    })),
);
