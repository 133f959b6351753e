import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import wranglerToml from '../../wrangler.toml?raw';
import { validateConfig } from '../../src/config.ts';
import type { OutgoingPoll, PollMessage } from '../../src/ingest/fan-out.ts';
import { MAX_SEND_BATCH } from '../../src/ingest/fan-out.ts';
import { createWorker, type WorkerEnv } from '../../src/runtime/worker-handlers.ts';
import type { SqlDatabase } from '../../src/store/sql.ts';
import { FANOUT_DOMAIN } from './upstream.ts';

const MINUTE = 60_000;
const SOURCES = 2_000;
const HOSTS = 40;
const INTERVAL_MINUTES = 15;

/** A consumer setting of wrangler.toml's `[[queues.consumers]]` for the ingest queue. */
function consumerSetting(name: string): number {
  const section = wranglerToml.split('[[queues.consumers]]')[1] ?? '';
  const value = new RegExp(`^${name}\\s*=\\s*(\\d+)`, 'm').exec(section)?.[1];
  if (value === undefined) throw new Error(`wrangler.toml: no ${name} for the ingest queue`);
  return Number(value);
}
const MAX_BATCH_SIZE = consumerSetting('max_batch_size');
const MAX_RETRIES = consumerSetting('max_retries');

const id = (i: number): string => `q${String(i).padStart(4, '0')}`;
const host = (i: number): string => `h${i % HOSTS}.${FANOUT_DOMAIN}`;

const config = validateConfig({
  sources: Array.from({ length: SOURCES }, (_, i) => ({ id: id(i), url: `https://${host(i)}/feed/${id(i)}.xml`, title: `Source ${i}`, interval: INTERVAL_MINUTES })),
  schedule: { concurrency: 6, perHostConcurrency: 2 },
});

async function upstream(path: string, init?: RequestInit): Promise<Response> {
  return fetch(`https://control.${FANOUT_DOMAIN}/__control/${path}`, init);
}
async function hits(): Promise<Record<string, number>> {
  return (await upstream('hits')).json();
}

interface Queued {
  body: PollMessage;
  at: number;
  attempts: number;
  id: string;
}

/**
 * The queue between the Cron Trigger and the consumer, played by the test with the consumer settings of
 * wrangler.toml: messages are delivered in order of their delaySeconds, at most max_batch_size per
 * `queue()` invocation (through `createMessageBatch`/`getQueueResult`, workerd's own batch and ack state); a
 * retried message is delivered again with one more attempt, and after max_retries retries it goes to the
 * dead-letter queue, which is delivered to the same worker as Queues delivers it.
 */
function createDriver(worker: ReturnType<typeof createWorker>, workerEnv: () => WorkerEnv, counter: { queries: number; max: number }) {
  const pending: Queued[] = [];
  const sent: OutgoingPoll[][] = [];
  const deadLettered: PollMessage[] = [];
  let serial = 0;
  let dropNext = 0;
  const producer = {
    async sendBatch(messages: { body: PollMessage; delaySeconds?: number }[]) {
      expect(messages.length).toBeLessThanOrEqual(MAX_SEND_BATCH);
      expect(JSON.stringify(messages).length).toBeLessThan(128_000);
      sent.push(messages.map((m) => ({ body: m.body, delaySeconds: m.delaySeconds ?? 0 })));
      for (const m of messages) {
        // A message the queue loses (its consumer died and it was never retried): the lease must expire.
        if (dropNext > 0) {
          dropNext--;
          continue;
        }
        pending.push({ body: m.body, at: Date.now() + (m.delaySeconds ?? 0) * 1000, attempts: 1, id: `m${++serial}` });
      }
    },
  };
  const deliver = async (queue: string, batch: Queued[]) => {
    const messageBatch = createMessageBatch<PollMessage>(
      queue,
      batch.map((m) => ({ id: m.id, timestamp: new Date(m.at), attempts: m.attempts, body: m.body })),
    );
    const ctx = createExecutionContext();
    counter.queries = 0;
    await worker.queue(messageBatch as never, workerEnv(), ctx);
    const result = await getQueueResult(messageBatch as never, ctx);
    counter.max = Math.max(counter.max, counter.queries);
    return result;
  };
  return {
    producer,
    sent,
    deadLettered,
    drop(count: number) {
      dropNext = count;
    },
    /** Delivers everything queued, advancing the clock to each message's time; returns the deliveries made. */
    async drain(): Promise<number> {
      let deliveries = 0;
      while (pending.length > 0) {
        pending.sort((a, b) => a.at - b.at);
        const now = Math.max(Date.now(), pending[0]!.at);
        vi.setSystemTime(now);
        const batch: Queued[] = [];
        while (batch.length < MAX_BATCH_SIZE && pending.length > 0 && pending[0]!.at <= now) batch.push(pending.shift()!);
        const result = await deliver('wirefeed-ingest', batch);
        deliveries += batch.length;
        expect(result.explicitAcks.length + result.retryMessages.length).toBe(batch.length);
        const dead: Queued[] = [];
        for (const retry of result.retryMessages) {
          const message = batch.find((m) => m.id === retry.msgId)!;
          if (message.attempts > MAX_RETRIES) dead.push(message);
          else pending.push({ ...message, attempts: message.attempts + 1, at: now + 1000 });
        }
        if (dead.length > 0) {
          const dlq = await deliver('wirefeed-ingest-dlq', dead.map((m) => ({ ...m, attempts: 1 })));
          expect(dlq.explicitAcks).toHaveLength(dead.length);
          deadLettered.push(...dead.map((m) => m.body));
        }
      }
      return deliveries;
    },
    /** Delivers one message a second time, as at-least-once delivery may: its claim must turn it away. */
    async redeliver(message: PollMessage, attempts: number) {
      return deliver('wirefeed-ingest', [{ body: message, at: Date.now(), attempts, id: `dup${++serial}` }]);
    },
  };
}

/**
 * A `DB` whose claim take-over fails for some sources, as a consumer crashing on them (D1 unreachable) would,
 * and that counts the queries run (a statement of a batch is one), for the limit of 1,000 per invocation.
 */
function failingTakeOver(db: SqlDatabase, failing: Set<string>, counter: { queries: number }): SqlDatabase {
  return {
    batch: (statements) => {
      counter.queries += statements.length;
      return db.batch(statements);
    },
    prepare(sql) {
      counter.queries++;
      const statement = db.prepare(sql);
      if (!sql.includes('claim_attempt < ?3')) return statement;
      return {
        ...statement,
        bind(...values) {
          if (failing.has(String(values[0]))) throw new Error(`D1_ERROR: network connection lost (${String(values[0])})`);
          return statement.bind(...values);
        },
      } as typeof statement;
    },
  };
}

describe(`Queues fan-out: ${SOURCES} sources on ${HOSTS} hosts, three ${INTERVAL_MINUTES}-minute intervals`, () => {
  const failingTakeOvers = new Set<string>();
  const counter = { queries: 0, max: 0 };
  let driver: ReturnType<typeof createDriver>;
  let theEnv: WorkerEnv;
  const worker = createWorker(config, { cache: null, log: () => {} });
  const workerEnv = (): WorkerEnv => theEnv;
  const start = Date.UTC(2026, 3, 21, 6, 0, 0);
  const tick = async (at: number): Promise<void> => {
    vi.setSystemTime(at);
    const ctx = createExecutionContext();
    counter.queries = 0;
    await worker.scheduled(createScheduledController({ cron: '*/5 * * * *', scheduledTime: at }), workerEnv(), ctx);
    await waitOnExecutionContext(ctx);
    counter.max = Math.max(counter.max, counter.queries);
    await driver.drain();
  };
  const statusOf = async (): Promise<Map<string, { errorCount: number; lastError: { kind: string } | null; lastSuccessAt: string | null }>> => {
    const res = await worker.fetch(new Request('https://feeds.wirefeed.test/status'), { DB: env.DB as SqlDatabase }, createExecutionContext());
    const body = (await res.json()) as { sources: { id: string; errorCount: number; lastError: { kind: string } | null; lastSuccessAt: string | null }[] };
    return new Map(body.sources.map((s) => [s.id, s]));
  };
  const leased = async (): Promise<number> =>
    (await env.DB.prepare('SELECT count(*) AS n FROM sources WHERE claimed_until <> 0').first<{ n: number }>())!.n;

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    driver = createDriver(worker, workerEnv, counter);
    theEnv = { DB: failingTakeOver(env.DB as SqlDatabase, failingTakeOvers, counter), INGEST_QUEUE: driver.producer };
    await upstream('reset', { method: 'POST' });
  });
  afterAll(async () => {
    vi.useRealTimers();
    await upstream('reset', { method: 'POST' });
  });

  it('polls every source once per interval, none twice, none lost; retries, lost messages and dead letters included', { timeout: 600_000 }, async () => {
    const failingPolls = [id(7), id(8), id(9)];
    const deadLetters = [id(11), id(12)];
    const lost = 3;
    await upstream(`fail?ids=${failingPolls.join(',')}`, { method: 'POST' });
    for (const d of deadLetters) failingTakeOvers.add(d);
    driver.drop(lost);

    // Interval 1: one tick claims and enqueues every source; the consumer polls them.
    await tick(start);
    const first = driver.sent.flat();
    expect(first).toHaveLength(SOURCES);
    expect(new Set(first.map((m) => m.body.source)).size).toBe(SOURCES);
    expect(driver.sent.every((batch) => batch.length <= MAX_SEND_BATCH)).toBe(true);
    // Politeness: at most perHostConcurrency (2) messages of one host per second of hold-back.
    const perHostSecond = new Map<string, number>();
    for (const m of first) {
      const key = `${host(Number(m.body.source.slice(1)))}@${m.delaySeconds}`;
      perHostSecond.set(key, (perHostSecond.get(key) ?? 0) + 1);
    }
    expect(Math.max(...perHostSecond.values())).toBe(2);
    expect(Math.max(...first.map((m) => m.delaySeconds))).toBe(Math.ceil(SOURCES / HOSTS / 2) - 1);

    // A second delivery of a message already handled (at-least-once delivery) polls nothing.
    const again = await driver.redeliver(first[100]!.body, 1);
    expect(again.explicitAcks).toHaveLength(1);
    const retried = await driver.redeliver(first[100]!.body, 2);
    expect(retried.explicitAcks).toHaveLength(1);

    let counts = await hits();
    const lostIds = first.slice(0, lost).map((m) => m.body.source);
    const expectOnce = Array.from({ length: SOURCES }, (_, i) => id(i)).filter((s) => !lostIds.includes(s) && !deadLetters.includes(s));
    expect(expectOnce.filter((s) => counts[s] !== 1)).toEqual([]);
    expect(lostIds.map((s) => counts[s] ?? 0)).toEqual([0, 0, 0]);
    expect(deadLetters.map((s) => counts[s] ?? 0)).toEqual([0, 0]);
    // The dead-letter path: every delivery failed, the last one went to the DLQ, and /status says so.
    expect(driver.deadLettered.map((m) => m.source).sort()).toEqual(deadLetters);
    let status = await statusOf();
    for (const d of deadLetters) expect(status.get(d)).toMatchObject({ errorCount: 1, lastError: { kind: 'dead-letter' } });
    // A failed poll is recorded on its source, with its backoff; its message was acknowledged.
    for (const f of failingPolls) expect(status.get(f)).toMatchObject({ errorCount: 1, lastError: { kind: 'fetch' } });
    // Only the lost messages' claims are still held.
    expect(await leased()).toBe(lost);

    await upstream('heal', { method: 'POST' });
    failingTakeOvers.clear();
    await tick(start + 5 * MINUTE);
    await tick(start + 10 * MINUTE);
    counts = await hits();
    expect(expectOnce.filter((s) => !failingPolls.includes(s) && counts[s] !== 1)).toEqual([]);

    // Intervals 2 and 3: ticks every five minutes; the lost claims expire and are taken again.
    const afterInterval: Record<string, number>[] = [];
    for (let t = 15; t < 45; t += 5) {
      await tick(start + t * MINUTE);
      if (t === 25 || t === 40) afterInterval.push(await hits());
    }
    const healthy = expectOnce.filter((s) => !failingPolls.includes(s));
    expect(healthy.filter((s) => afterInterval[0]![s] !== 2)).toEqual([]);
    expect(healthy.filter((s) => afterInterval[1]![s] !== 3)).toEqual([]);
    // None lost: the lost, failed and dead-lettered sources were polled again and are healthy now.
    status = await statusOf();
    for (const s of [...lostIds, ...failingPolls, ...deadLetters]) {
      expect(afterInterval[1]![s], s).toBeGreaterThanOrEqual(1);
      expect(status.get(s), s).toMatchObject({ errorCount: 0, lastError: null });
    }
    expect(await leased()).toBe(0);
    // Every invocation (a tick, a batch of max_batch_size polls) stayed under D1's 1,000 queries.
    expect(counter.max).toBeGreaterThan(0);
    expect(counter.max).toBeLessThan(1000);
  });
});
