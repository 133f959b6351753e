import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { validateConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/errors.ts';
import { WORKER_MAX_CONCURRENCY, createWorker, workerConfig } from '../../src/runtime/worker-handlers.ts';

// Without the INGEST_QUEUE binding of wrangler.toml: the Cron Trigger polls (at most schedule.batchSize) itself.
// The queue fan-out is tested in test/worker/fan-out.test.ts.
const inlineEnv = { DB: env.DB };

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>Tiny</title>
<item><title>One line</title><link>https://tiny.test/1</link><guid>tiny-1</guid><pubDate>Mon, 20 Apr 2026 10:00:00 GMT</pubDate></item>
</channel></rss>`;

/** Twelve sources on one fake upstream that answers after a turn of the event loop, counting what overlaps. */
function setup(prefix: string, schedule: { batchSize: number; concurrency: number; perHostConcurrency?: number }) {
  // Test files have their own D1 database, but the tests of a file share it: each uses its own source ids.
  const config = validateConfig({
    sources: Array.from({ length: 12 }, (_, i) => ({ id: `${prefix}${String(i).padStart(2, '0')}`, url: `https://tiny.test/${prefix}/${i}.xml`, title: `Source ${i}` })),
    schedule,
  });
  let inFlight = 0;
  let maxInFlight = 0;
  const fetched: string[] = [];
  const worker = createWorker(config, {
    cache: null,
    log: () => {},
    fetch: async (input) => {
      fetched.push(String(input));
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return new Response(FEED, { headers: { 'Content-Type': 'application/rss+xml' } });
    },
  });
  const tick = async (): Promise<void> => {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: '*/5 * * * *' }), inlineEnv, ctx);
    await waitOnExecutionContext(ctx);
  };
  return { worker, tick, fetched, maxInFlight: () => maxInFlight };
}

describe('work per Cron Trigger invocation is bounded', () => {
  it('polls at most schedule.batchSize due sources, the rest on later ticks', async () => {
    const { tick, fetched } = setup('a', { batchSize: 5, concurrency: 2 });
    await tick();
    expect(fetched).toHaveLength(5);
    await tick();
    expect(fetched).toHaveLength(10);
    await tick();
    expect(fetched).toHaveLength(12);
    expect(new Set(fetched).size).toBe(12);
    await tick();
    expect(fetched).toHaveLength(12);
  });

  it(`never opens more than ${WORKER_MAX_CONCURRENCY} upstream connections at once, whatever schedule.concurrency says`, async () => {
    const { tick, fetched, maxInFlight, worker } = setup('b', { batchSize: 12, concurrency: 20, perHostConcurrency: 20 });
    await tick();
    expect(fetched).toHaveLength(12);
    expect(maxInFlight()).toBe(WORKER_MAX_CONCURRENCY);
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request('https://feeds.wirefeed.test/status'), env, ctx);
    const { sources } = (await res.json()) as { sources: { id: string; items: number; errorCount: number }[] };
    expect(sources.filter((s) => s.id.startsWith('b') && s.items === 1 && s.errorCount === 0)).toHaveLength(12);
  });
});

describe('politeness per upstream host', () => {
  it('fetches at most schedule.perHostConcurrency (default 2) sources of one host at once, as on Node', async () => {
    const { tick, fetched, maxInFlight } = setup('c', { batchSize: 12, concurrency: 6 });
    await tick();
    expect(fetched).toHaveLength(12);
    expect(maxInFlight()).toBe(2);
  });
});

describe('the bundled configuration is checked for the Workers target', () => {
  it('rejects file: sources with the message of check-config --target worker', () => {
    const input = { sources: [{ id: 'sample', url: 'file:///srv/wire-sample.xml', title: 'Sample' }] };
    expect(() => workerConfig(input)).toThrow(ConfigError);
    try {
      workerConfig(input);
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([expect.stringMatching(/^sources\[0\]\.url: file: URLs cannot be fetched on Cloudflare Workers/)]);
    }
  });

  it('rejects an invalid configuration with the path of each problem', () => {
    expect(() => workerConfig({ sources: [{ id: 'Bad Id', url: 'https://x.test/feed', title: 'x' }] })).toThrow(/sources\[0\]\.id/);
  });
});

describe('WebSub on Workers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pings the hub for every published feed after a tick that changed the data, and only then', async () => {
    const config = validateConfig({
      sources: [{ id: 'hubbed', url: 'https://tiny.test/hubbed.xml', title: 'Hubbed', interval: 1 }],
      feeds: [{ name: 'politics', title: 'Politics', filter: { categories: ['Politics'] } }],
      server: { baseUrl: 'https://news.example.org', hub: 'https://hub.example.org/' },
    });
    const pings: string[] = [];
    let polls = 0;
    const worker = createWorker(config, {
      cache: null,
      log: () => {},
      fetch: async (input, init) => {
        if (String(input) === 'https://hub.example.org/') {
          pings.push(new URLSearchParams(String(init?.body)).get('hub.url') ?? '');
          return new Response(null, { status: 204 });
        }
        polls++;
        return new Response(FEED, { headers: { 'Content-Type': 'application/rss+xml' } });
      },
    });
    const tick = async (at: number): Promise<void> => {
      vi.setSystemTime(at);
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController({ cron: '*/5 * * * *', scheduledTime: at }), inlineEnv, ctx);
      await waitOnExecutionContext(ctx);
    };
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.UTC(2026, 3, 21, 8, 0, 0);
    await tick(start);
    expect(polls).toBe(1);
    expect(pings.sort()).toEqual(
      ['all', 'politics'].flatMap((name) => ['atom', 'json', 'rss'].map((ext) => `https://news.example.org/feeds/${name}.${ext}`)),
    );
    pings.length = 0;
    // Polled again a poll interval later: the same stories, so no news for the hub.
    await tick(start + 2 * 60_000);
    expect(polls).toBe(2);
    expect(pings).toEqual([]);
  });
});
