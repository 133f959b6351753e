import { execFile, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../support/serve-process.ts';
import { waitFor } from '../support/wait-for.ts';

// Licensed distribution through the real server and the real CLI on the same database: restricted wire
// copy stays out of every public answer (the Node fast path included), keys never reach a log.

const run = promisify(execFile);
const TOKEN = 'e2e-admin-token-0123456789';
const feed = (prefix: string, host: string) => `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>${prefix}</title><link>https://${host}/</link><description>test</description>
${[1, 2].map((i) => `<item><title>${prefix} story ${i}</title><link>https://${host}/s/${i}</link><guid>${prefix}-${i}</guid><category>News</category><pubDate>${new Date(Date.now() - i * 3_600_000).toUTCString()}</pubDate><description>${prefix} body ${i}.</description></item>`).join('\n')}
</channel></rss>`;

describe('subscribers, end to end', () => {
  let upstream: Server;
  let server: Awaited<ReturnType<typeof startServer>>;
  let env: Record<string, string>;
  const keys: string[] = [];
  const cli = async (...args: string[]) => run(process.execPath, ['bin/wirefeed.mjs', ...args], { env: { ...process.env, ...env } });

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8' });
      res.end(req.url === '/wire.xml' ? feed('Wire', 'wire.example') : feed('Local', 'local.example'));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'wirefeed-e2e-subs-'));
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        sources: [
          { id: 'local', url: `http://127.0.0.1:${port}/local.xml`, title: 'Local', allowPrivateNetwork: true },
          { id: 'wire', url: `http://127.0.0.1:${port}/wire.xml`, title: 'Wire', provider: 'AP', allowPrivateNetwork: true },
        ],
        rateLimit: null,
      }),
    );
    env = { PORT: '0', HOST: '127.0.0.1', WIREFEED_CONFIG: join(dir, 'config.json'), WIREFEED_DB: join(dir, 'e2e.db'), WIREFEED_ADMIN_TOKEN: TOKEN };
    server = await startServer(env);
    await waitFor(async () => {
      const body = (await (await fetch(`${server.url}/admin/sources`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as { sources: { items: number }[] };
      return body.sources.length === 2 && body.sources.every((s) => s.items === 2) ? true : undefined;
    }, 'the first ingest');
  });

  afterAll(async () => {
    if (server?.child.exitCode === null) server.child.kill('SIGTERM');
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  it('keeps agency copy out of anonymous polls, fast path included, and hides its count in /status', async () => {
    for (let i = 0; i < 3; i++) {
      const body = await (await fetch(`${server.url}/feeds/all.rss`)).text();
      expect(body).toContain('Local story 1');
      expect(body).not.toContain('Wire story');
    }
    const status = (await (await fetch(`${server.url}/status`)).json()) as { sources: Array<{ id: string; items: number | null }> };
    expect(status.sources.find((s) => s.id === 'wire')!.items).toBeNull();
    expect(status.sources.find((s) => s.id === 'local')!.items).toBe(2);
  });

  it('adds a subscriber from the CLI while the server runs; its key (header or URL) sees the wire copy, the key shown once', async () => {
    const { stdout } = await cli('subscribers', 'add', 'herald', '--name', 'Herald', '--sources', 'wire');
    const created = JSON.parse(stdout) as { key: string; keyId: string };
    keys.push(created.key);
    expect(created.key).toMatch(/^wf_/);
    for (let i = 0; i < 3; i++) {
      const viaHeader = await (await fetch(`${server.url}/feeds/all.rss`, { headers: { Authorization: `Bearer ${created.key}` } })).text();
      expect(viaHeader).toContain('Wire story 1');
      expect(viaHeader).not.toContain(created.key);
      const viaUrl = await (await fetch(`${server.url}/feeds/all.atom?key=${created.key}`)).text();
      expect(viaUrl).toContain('Wire story 1');
      expect(viaUrl).toContain(`key=${created.key}`);
    }
    expect(await (await fetch(`${server.url}/feeds/all.rss`)).text()).not.toContain('Wire story');
    const listed = (await cli('subscribers', 'show', 'herald')).stdout;
    expect(listed).toContain(created.keyId);
    expect(listed).not.toContain(created.key);
  });

  it('refuses a bad or revoked key with 401 and counts usage by key id', async () => {
    const bad = `wf_${'Q'.repeat(43)}`;
    keys.push(bad);
    const res = await fetch(`${server.url}/feeds/all.rss?key=${bad}`);
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain(bad);
    const made = await fetch(`${server.url}/admin/subscribers/herald/keys`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
    const { key, keyId } = (await made.json()) as { key: string; keyId: string };
    keys.push(key);
    expect((await fetch(`${server.url}/feeds/all.json`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(200);
    await cli('keys', 'revoke', 'herald', keyId);
    // The CLI wrote the database; the server's key index is trusted for 5 s at most.
    await waitFor(async () => ((await fetch(`${server.url}/feeds/all.json`, { headers: { Authorization: `Bearer ${key}` } })).status === 401 ? true : undefined), 'the revocation');
    const usage = (await (await fetch(`${server.url}/admin/subscribers/herald/usage`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as { usage: Array<{ keyId: string; requests: number; ok: number }> };
    // Polls answered before the revocation reached the server count (200s); the refused ones do not.
    const second = usage.usage.find((u) => u.keyId === keyId)!;
    expect(second.ok).toBeGreaterThanOrEqual(1);
    expect(second.requests).toBe(second.ok);
    expect(usage.usage.reduce((n, u) => n + u.requests, 0)).toBe(6 + second.requests);
  });

  it('writes no key to its log, and the CLI reads the usage after the server stops', async () => {
    const exited = new Promise((r) => server.child.once('exit', r));
    server.child.kill('SIGTERM');
    await exited;
    for (const key of keys) expect(server.output()).not.toContain(key);
    const { stdout } = await cli('usage', 'herald', '--csv');
    expect(stdout.split('\r\n')[0]).toBe('subscriber,day,key_id,requests,ok_200,not_modified_304,items,last_pull');
    expect(stdout.trim().split('\r\n').length).toBeGreaterThanOrEqual(3);
    for (const key of keys) expect(stdout).not.toContain(key);
  });
});
