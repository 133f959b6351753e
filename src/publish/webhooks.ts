/**
 * Push delivery: batches of a subscriber's due outbox events (`store/outbox.ts`), each item checked with the
 * pull path's own entitlement and rights logic (`entitledAccess`, `parseFeedRequest`, the store's listing
 * conditions), rendered as ninjs, signed, and POSTed by the poster the runtime passes in. Delivered at least
 * once: an event is marked delivered only after a 2xx answer; anything else is retried with exponential
 * backoff until the retry window (24 h) has passed, then marked failed.
 */
import type { FeedSpec, NewsItem, SourceConfig } from '../model.ts';
import type { DeliveryStats, Outbox, PendingDelivery } from '../store/outbox.ts';
import type { Store } from '../store/store.ts';
import type { Subscriber, SubscriberStore } from '../store/subscribers.ts';
import { hmacSha256Hex } from '../util/secret-keys.ts';
import { entitledAccess } from './entitlement.ts';
import { parseFeedRequest } from './filter.ts';
import { renderNinjs } from './ninjs.ts';

/** How long an event is retried before it is marked failed. */
export const RETRY_WINDOW_MS = 24 * 3_600_000;
/** The first retry's delay; each further failure doubles it, up to {@link MAX_RETRY_DELAY_MS}. */
export const RETRY_BASE_MS = 30_000;
export const MAX_RETRY_DELAY_MS = 3_600_000;
/** Events in one POST at most. */
export const DEFAULT_BATCH_SIZE = 50;
/** The headers of a pushed batch. */
export const SIGNATURE_HEADER = 'X-Wirefeed-Signature';
export const TIMESTAMP_HEADER = 'X-Wirefeed-Timestamp';

/** The feed every subscriber without a `feeds` entitlement receives (the `all` feed of the HTTP app). */
const ALL: FeedSpec = { name: 'all', title: 'All stories', filter: {} };

/** One pushed event as the receiver gets it. */
export interface WebhookEvent {
  /** Stable across retries and restarts: dedupe by it. */
  id: string;
  type: PendingDelivery['type'];
  /** The story's uri. */
  story: string;
  /** The item's version the event was written for. */
  version: number;
  occurredAt: string;
  /** The item as ninjs 3.1 (a kill notice, `pubStatus: "canceled"`, for `item.killed`). */
  item: unknown;
}

/** A POST for the poster (the shape of `ingest/webhook-post.ts`, which this floor does not import). */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  allowPrivateNetwork?: boolean | undefined;
}

/** What the delivery loop logs: one line per POST, never a secret, a signature or the webhook's URL. */
export type DeliveryLogEvent =
  | { event: 'webhook-delivered'; subscriber: string; events: number; status: number }
  | { event: 'webhook-failed'; subscriber: string; events: number; status: number | null; error: string; retryAt: string | null; gaveUp: number }
  | { event: 'webhook-no-secret'; subscriber: string };

/** What {@link createWebhookDelivery} needs, all passed in. */
export interface WebhookDeps {
  outbox: Outbox;
  store: Store;
  subscribers: SubscriberStore;
  /** The published feeds (the `all` feed is added): a `feeds` entitlement names them. */
  feeds: FeedSpec[];
  sources: SourceConfig[];
  post: (request: WebhookRequest) => Promise<{ status: number }>;
  now?: () => number;
  batchSize?: number;
  /** POSTs one run makes at most, over all subscribers (Workers: a bound on subrequests). Default unbounded. */
  maxPosts?: number;
  /** The first retry's delay (ms); default {@link RETRY_BASE_MS}. */
  retryBaseMs?: number;
  log?: (event: DeliveryLogEvent) => void;
}

/** What one run did. */
export interface DeliveryReport {
  posts: number;
  delivered: number;
  failedPosts: number;
  skipped: number;
}

/** The push state shown in `/status` (counts only: no subscriber, URL or secret). */
export interface WebhookStatus {
  subscribers: number;
  pending: number;
  retrying: number;
  failed: number;
  lastDeliveredAt: string | null;
  lastFailureAt: string | null;
}

/** The delay before retry number `failures` (1 for the first failure): base × 2^(failures − 1), capped. */
export function retryDelayMs(failures: number, baseMs = RETRY_BASE_MS): number {
  return Math.min(baseMs * 2 ** Math.max(0, failures - 1), MAX_RETRY_DELAY_MS);
}

/** The `X-Wirefeed-Signature` of a body: `sha256=` and the hex HMAC-SHA256 of `timestamp + "." + body` under `secret`. */
export async function signWebhook(secret: string, timestamp: string, body: string): Promise<string> {
  return `sha256=${await hmacSha256Hex(secret, `${timestamp}.${body}`)}`;
}

/** The body of one POST: the subscriber's id and its events, in outbox order. */
export function webhookBody(subscriberId: string, events: WebhookEvent[]): string {
  return JSON.stringify({ subscriber: subscriberId, events });
}

/**
 * Which of `ids` a subscriber may receive at `now`, with the items: those that some feed it is entitled to
 * (its `feeds`, or `all`) would list for its key, under the rights rules of the pull path.
 */
export async function entitledItems(
  store: Store,
  subscriber: Subscriber,
  feeds: FeedSpec[],
  sources: SourceConfig[],
  ids: string[],
  now: number,
): Promise<Map<string, NewsItem>> {
  const byName = new Map([ALL, ...feeds].map((f) => [f.name, f]));
  const names = subscriber.entitlements.feeds?.length ? subscriber.entitlements.feeds : [ALL.name];
  const found = new Map<string, NewsItem>();
  for (const name of names) {
    const spec = byName.get(name);
    const wanted = ids.filter((id) => !found.has(id));
    if (!spec || wanted.length === 0) continue;
    const { query } = parseFeedRequest(spec, new URLSearchParams(), now);
    const rows = await store.listItems({ ...query, ids: wanted, limit: wanted.length, access: entitledAccess(subscriber, name, sources).access });
    for (const row of rows) found.set(row.item.uri, row.item);
  }
  return found;
}

/** The counts of {@link WebhookStatus} from the outbox's per-subscriber stats. */
export function webhookStatus(stats: DeliveryStats[]): WebhookStatus {
  const latest = (values: Array<number | null>): string | null => {
    const max = Math.max(...values.map((v) => v ?? 0));
    return max > 0 ? new Date(max).toISOString() : null;
  };
  return {
    subscribers: stats.length,
    pending: stats.reduce((n, s) => n + s.pending, 0),
    retrying: stats.reduce((n, s) => n + s.retrying, 0),
    failed: stats.reduce((n, s) => n + s.failed, 0),
    lastDeliveredAt: latest(stats.map((s) => s.lastDeliveredAt)),
    lastFailureAt: latest(stats.map((s) => s.lastFailureAt)),
  };
}

/**
 * The delivery loop's body: `run()` drains every webhook subscriber's due events, one POST per batch, a
 * subscriber's run stopping at its first failed POST; overlapping calls share one run. Settled rows older
 * than the retry window are pruned at most once an hour.
 */
export function createWebhookDelivery(deps: WebhookDeps): { run(): Promise<DeliveryReport> } {
  const now = deps.now ?? Date.now;
  const batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;
  const log = deps.log ?? (() => {});
  let running: Promise<DeliveryReport> | null = null;
  let prunedAt = 0;

  const runOnce = async (): Promise<DeliveryReport> => {
    const report: DeliveryReport = { posts: 0, delivered: 0, failedPosts: 0, skipped: 0 };
    let budget = deps.maxPosts ?? Infinity;
    const targets = (await deps.subscribers.list()).filter((s) => s.webhook && !s.suspended);
    await Promise.all(
      targets.map(async (subscriber) => {
        const secret = await deps.subscribers.webhookSecret(subscriber.id);
        if (!secret) return log({ event: 'webhook-no-secret', subscriber: subscriber.id });
        while (budget > 0) {
          const at = now();
          const due = await deps.outbox.due(subscriber.id, at, batchSize);
          if (due.length === 0) return;
          const items = await entitledItems(deps.store, subscriber, deps.feeds, deps.sources, [...new Set(due.map((d) => d.itemId))], at);
          const send = due.filter((d) => items.has(d.itemId));
          const skipped = due.filter((d) => !items.has(d.itemId)).map((d) => d.seq);
          report.skipped += skipped.length;
          if (send.length === 0) {
            await deps.outbox.record({ subscriberId: subscriber.id, seqs: [], skipped, now: at, status: null, ok: true });
            continue;
          }
          budget--;
          const ninjs = JSON.parse(renderNinjs(send.map((d) => items.get(d.itemId)!)).body) as unknown[];
          const body = webhookBody(
            subscriber.id,
            send.map((d, i) => ({ id: d.eventId, type: d.type, story: d.itemId, version: d.version, occurredAt: new Date(d.at).toISOString(), item: ninjs[i] })),
          );
          const timestamp = String(Math.floor(at / 1000));
          let status: number | null = null;
          let error: string | undefined;
          try {
            ({ status } = await deps.post({
              url: subscriber.webhook!.url,
              allowPrivateNetwork: subscriber.webhook!.allowPrivateNetwork,
              body,
              headers: { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: await signWebhook(secret, timestamp, body) },
            }));
            if (status < 200 || status > 299) error = `HTTP ${status}`;
          } catch (err) {
            error = err instanceof Error ? err.message : String(err);
          }
          report.posts++;
          const done = now();
          const seqs = send.map((d) => d.seq);
          if (error === undefined) {
            await deps.outbox.record({ subscriberId: subscriber.id, seqs, skipped, now: done, status, ok: true });
            report.delivered += seqs.length;
            log({ event: 'webhook-delivered', subscriber: subscriber.id, events: seqs.length, status: status! });
            continue;
          }
          report.failedPosts++;
          const failures = Math.max(...send.map((d) => d.attempts)) + 1;
          const retryAt = done + retryDelayMs(failures, deps.retryBaseMs);
          const giveUpBefore = done - RETRY_WINDOW_MS;
          await deps.outbox.record({ subscriberId: subscriber.id, seqs, skipped, now: done, status, ok: false, error, retryAt, giveUpBefore });
          const gaveUp = send.filter((d) => d.enqueuedAt < giveUpBefore).length;
          log({ event: 'webhook-failed', subscriber: subscriber.id, events: seqs.length, status, error, retryAt: gaveUp === seqs.length ? null : new Date(retryAt).toISOString(), gaveUp });
          return;
        }
      }),
    );
    if (now() - prunedAt > 3_600_000) {
      prunedAt = now();
      await deps.outbox.prune(prunedAt - RETRY_WINDOW_MS);
    }
    return report;
  };

  return {
    run() {
      running ??= runOnce().finally(() => {
        running = null;
      });
      return running;
    },
  };
}
