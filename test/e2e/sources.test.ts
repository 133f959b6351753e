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

// Sources at run time through the real server (ticking every second) and the real CLI on the same
// database: added through the admin API or the CLI, polled from the next tick, paused, resumed, removed.

const run = promisify(execFile);
const TOKEN = 'e2e-sources-token-0123456789';
const auth = { Authorization: `Bearer ${TOKEN}` };

const feed = (name: string) => `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>${name}</title><link>https://${name}.example/</link><description>test</description>
${[1, 2].map((i) => `<item><title>${name} story ${i}</title><link>https://${name}.example/s/${i}</link><guid>${name}-${i}</guid><pubDate>${new Date(Date.now() - i * 3_600_000).toUTCString()}</pubDate><description>${name} body ${i}.</description></item>`).join('\n')}
</channel></rss>`;

async function stop(server: { child: ChildProcess }): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  await exited;
}

interface SourceView {
  id: string;
  title: string;
  items: number | null;
  origin: string;
  paused: boolean;
  license: string;
  lastFetchAt: string | null;
  config: Record<string, unknown> | null;
}

describe('sources at run time, end to end', () => {
  let upstream: Server;
  let port: number;
  let server: Awaited<ReturnType<typeof startServer>>;
  let env: Record<string, string>;
  let configFile: string;
  const hits = new Map<string, number>();
  const cli = async (...args: string[]) => run(process.execPath, ['bin/wirefeed.mjs', ...args], { env: { ...process.env, ...env } });
  const api = async (method: string, path: string, body?: unknown) =>
    fetch(`${server.url}${path}`, { method, headers: { ...auth, 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const source = async (id: string): Promise<SourceView | undefined> => {
    const res = await api('GET', `/admin/sources/${id}`);
    return res.status === 200 ? ((await res.json()) as SourceView) : undefined;
  };
  const upstreamUrl = (name: string) => `http://127.0.0.1:${port}/${name}.xml`;
  const writeConfig = (deskTitle: string) =>
    writeFileSync(
      configFile,
      JSON.stringify({
        sources: [{ id: 'desk', url: upstreamUrl('desk'), title: deskTitle, allowPrivateNetwork: true }],
        schedule: { cron: '* * * * * *', workers: 0 },
        rateLimit: null,
      }),
    );

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      const name = /^\/([a-z0-9-]+)\.xml$/.exec(req.url ?? '')?.[1] ?? 'none';
      hits.set(name, (hits.get(name) ?? 0) + 1);
      res.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8' });
      res.end(feed(name));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    port = (upstream.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'wirefeed-e2e-sources-'));
    configFile = join(dir, 'config.json');
    writeConfig('City Desk');
    env = { PORT: '0', HOST: '127.0.0.1', WIREFEED_CONFIG: configFile, WIREFEED_DB: join(dir, 'e2e.db'), WIREFEED_ADMIN_TOKEN: TOKEN };
    server = await startServer(env);
    await waitFor(async () => ((await source('desk'))?.items === 2 ? true : undefined), 'the first ingest');
  });

  afterAll(async () => {
    if (server) await stop(server);
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  it('adds a source through the API (201, origin api), polled from the next tick into the feeds', async () => {
    const res = await api('POST', '/admin/sources', { id: 'metro', url: upstreamUrl('metro'), title: 'Metro', interval: 30, categories: ['Metro'], allowPrivateNetwork: true });
    expect(res.status).toBe(201);
    const created = (await res.json()) as SourceView;
    expect(created).toMatchObject({ id: 'metro', origin: 'api', paused: false, license: 'public', config: { interval: 30, categories: ['Metro'] } });
    await waitFor(async () => ((await source('metro'))?.items === 2 ? true : undefined), 'the new source polled');
    expect(hits.get('metro')).toBe(1);
    expect(await (await fetch(`${server.url}/feeds/all.rss`)).text()).toContain('metro story 1');
    expect((await api('POST', '/admin/sources', { id: 'metro', url: upstreamUrl('metro'), title: 'Again', allowPrivateNetwork: true })).status).toBe(409);
  });

  it('two simultaneous POSTs of one new id: one 201, the other 409', async () => {
    const body = { id: 'twin', url: upstreamUrl('twin'), title: 'Twin', allowPrivateNetwork: true };
    const statuses = (await Promise.all([api('POST', '/admin/sources', body), api('POST', '/admin/sources', body)])).map((r) => r.status);
    expect(statuses.sort()).toEqual([201, 409]);
    expect((await api('DELETE', '/admin/sources/twin')).status).toBe(204);
  });

  it.each([
    [{ id: 'Bad Id', url: 'https://x.example/f.xml', title: 'T' }, 'id: must be lowercase letters, digits, "-" or "_"'],
    [{ id: 'no-url', title: 'T' }, 'url: is required'],
    [{ id: 'neg', url: 'https://x.example/f.xml', title: 'T', interval: -5 }, 'interval: must be a positive number of minutes'],
    [{ id: 'typo', url: 'https://x.example/f.xml', title: 'T', intervall: 5 }, '(source): unknown key "intervall"'],
    [{ id: 'local-file', url: 'file:///etc/passwd', title: 'T' }, 'url: file: URLs are for the configuration file only'],
    [{ id: 'lic', url: 'https://x.example/f.xml', title: 'T', license: 'secret' }, 'license: must be "public" or "restricted"'],
  ])('refuses an invalid source with 400 naming the field: %j', async (body, message) => {
    const res = await api('POST', '/admin/sources', body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain(message);
    expect(await source(String(body.id).toLowerCase().replace(/ /g, '-'))).toBeUndefined();
  });

  it('a restricted licence set through the API reaches access control: the source leaves the anonymous feeds', async () => {
    expect(await (await fetch(`${server.url}/feeds/all.rss`)).text()).toContain('metro story 1');
    const res = await api('PATCH', '/admin/sources/metro', { license: 'restricted' });
    expect(((await res.json()) as SourceView).license).toBe('restricted');
    expect(await (await fetch(`${server.url}/feeds/all.rss`)).text()).not.toContain('metro story');
    const status = (await (await fetch(`${server.url}/status.json`)).json()) as { sources: Array<{ id: string; items: number | null }> };
    expect(status.sources.find((s) => s.id === 'metro')!.items).toBeNull();
    await api('PATCH', '/admin/sources/metro', { license: null });
    expect(await (await fetch(`${server.url}/feeds/all.rss`)).text()).toContain('metro story 1');
  });

  it('pauses a source (not polled, refresh refused), resumes it (polled at the next tick)', async () => {
    // A new URL makes the source due at once: only the pause keeps it from being polled.
    const paused = (await (await api('PATCH', '/admin/sources/metro', { paused: true, url: upstreamUrl('metro-moved') })).json()) as SourceView;
    expect(paused).toMatchObject({ paused: true, config: { url: upstreamUrl('metro-moved') } });
    expect((await api('POST', '/admin/sources/metro/refresh')).status).toBe(409);
    // A source added after the pause is polled by a tick that saw the pause too (ticks never overlap).
    expect((await api('POST', '/admin/sources', { id: 'probe', url: upstreamUrl('probe'), title: 'Probe', allowPrivateNetwork: true })).status).toBe(201);
    await waitFor(async () => ((await source('probe'))?.items === 2 ? true : undefined), 'the probe polled');
    expect(hits.get('metro-moved')).toBeUndefined();
    await api('PATCH', '/admin/sources/metro', { paused: false });
    await waitFor(async () => (hits.get('metro-moved') === 1 ? true : undefined), 'the resumed source polled');
  });

  it('removes an API source with its items (204); a config source is refused (409)', async () => {
    expect(await (await fetch(`${server.url}/feeds/all.rss`)).text()).toContain('probe story 1');
    expect((await api('DELETE', '/admin/sources/probe')).status).toBe(204);
    expect(await source('probe')).toBeUndefined();
    expect(await (await fetch(`${server.url}/feeds/all.rss`)).text()).not.toContain('probe story');
    expect((await api('DELETE', '/admin/sources/desk')).status).toBe(409);
    expect((await api('DELETE', '/admin/sources/nope')).status).toBe(404);
  });

  it('pages through the sources: GET /admin/sources and /status.json by cursor, /status with a next link', async () => {
    for (let i = 0; i < 110; i++) {
      const res = await api('POST', '/admin/sources', { id: `bulk-${String(i).padStart(3, '0')}`, url: upstreamUrl(`bulk-${i}`), title: `Bulk ${i}`, allowPrivateNetwork: true });
      expect(res.status).toBe(201);
    }
    const seen: string[] = [];
    let path: string | null = '/admin/sources?limit=25';
    let pages = 0;
    while (path) {
      const body = (await (await api('GET', path)).json()) as { sources: SourceView[]; next: string | null };
      expect(body.sources.length).toBeLessThanOrEqual(25);
      seen.push(...body.sources.map((s) => s.id));
      path = body.next ? `/admin/sources?limit=25&cursor=${encodeURIComponent(body.next)}` : null;
      pages++;
    }
    expect(pages).toBe(5);
    expect(seen).toHaveLength(112);
    expect(new Set(seen).size).toBe(112);
    expect([...seen].sort()).toEqual(seen);
    const first = (await (await fetch(`${server.url}/status.json?limit=100`)).json()) as { sources: unknown[]; next: string };
    expect(first.sources).toHaveLength(100);
    const second = (await (await fetch(first.next)).json()) as { sources: unknown[]; next: string | null };
    expect(second.sources).toHaveLength(12);
    expect(second.next).toBeNull();
    const html = await (await fetch(`${server.url}/status`, { headers: { Accept: 'text/html' } })).text();
    expect(html).toContain('of 112 sources healthy');
    expect(html).toMatch(/<a rel="next" href="[^"]*\/status\?cursor=/);
    expect((await api('GET', '/admin/sources?cursor=garbage')).status).toBe(400);
    expect((await api('GET', '/admin/sources?limit=0')).status).toBe(400);
  });

  it('manages sources from the CLI on the same database: add (polled next tick), list, pause, resume, remove', async () => {
    const added = JSON.parse((await cli('sources', 'add', 'cli-one', '--url', upstreamUrl('cli-one'), '--title', 'CLI one', '--interval', '20', '--allow-private-network')).stdout) as SourceView;
    expect(added).toMatchObject({ id: 'cli-one', origin: 'api', config: { interval: 20, allowPrivateNetwork: true } });
    await waitFor(async () => ((await source('cli-one'))?.items === 2 ? true : undefined), 'the CLI source polled');
    const lines = (await cli('sources', 'list')).stdout.trim().split('\n');
    expect(lines).toHaveLength(113);
    expect(lines.map((l) => (JSON.parse(l) as SourceView).id)).toContain('cli-one');
    expect(JSON.parse((await cli('sources', 'pause', 'cli-one')).stdout)).toMatchObject({ paused: true });
    expect((await source('cli-one'))!.paused).toBe(true);
    expect(JSON.parse((await cli('sources', 'resume', 'cli-one')).stdout)).toMatchObject({ paused: false });
    await expect(cli('sources', 'add', 'cli-two', '--url', 'ftp://x.example/', '--title', 'T')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('url: must be an absolute http(s) or file URL') });
    await expect(cli('sources', 'remove', 'desk')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('is in the configuration file') });
    expect((await cli('sources', 'remove', 'cli-one')).stdout).toBe('removed cli-one\n');
    expect(await source('cli-one')).toBeUndefined();
  }, 120_000);

  it('`ingest --once` piped prints one JSON line per source and no progress line; it polls API sources too', async () => {
    const { stdout, stderr } = await cli('ingest', '--once', '--source', 'desk', '--source', 'metro');
    const outcomes = stdout.trim().split('\n').map((l) => JSON.parse(l) as { source: string; status: string });
    expect(outcomes.map((o) => o.source).sort()).toEqual(['desk', 'metro']);
    expect(stderr).not.toContain('sources done');
  });

  it('`ingest --once` on a terminal draws a progress line (sources done, failed, items) on stderr', async () => {
    // script(1) (util-linux) runs the command on a pseudo-terminal.
    const command = `${process.execPath} bin/wirefeed.mjs ingest --once --source desk --source metro`;
    const { stdout } = await run('script', ['-qec', command, '/dev/null'], { env: { ...process.env, ...env } });
    expect(stdout).toMatch(/\rwirefeed ingest: 2\/2 sources done, 0 failed, 4 items/);
    expect(stdout).toContain('"source":"desk"');
  });

  it('keeps an API edit of a config source across a restart; a change of that source in the file replaces it', async () => {
    await api('PATCH', '/admin/sources/desk', { title: 'City Desk (edited)', interval: 45 });
    await stop(server);
    server = await startServer(env);
    expect(await source('desk')).toMatchObject({ title: 'City Desk (edited)', origin: 'config', config: { interval: 45 } });
    await stop(server);
    writeConfig('City Desk, renamed in the file');
    server = await startServer(env);
    const desk = (await source('desk'))!;
    expect(desk).toMatchObject({ title: 'City Desk, renamed in the file', origin: 'config' });
    expect(desk.config!.interval).toBe(15);
    expect(await source('metro')).toMatchObject({ origin: 'api', paused: false });
  }, 60_000);
});
