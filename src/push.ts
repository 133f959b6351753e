import type { WirefeedConfig } from './config.ts';
import { createWebhookDelivery, type DeliveryLogEvent, type DeliveryReport, type WebhookDeps } from './publish/webhooks.ts';
import { createOutbox, type DeliveryStats } from './store/outbox.ts';
import type { SqlDatabase } from './store/sql.ts';
import type { Store } from './store/store.ts';
import { createSubscriberStore } from './store/subscribers.ts';
import type { Logger } from './util/log.ts';

/** Push delivery as a runtime drives it: `run` drains the due events, `stats` feeds `/status` and usage. */
export interface PushDelivery {
  run(): Promise<DeliveryReport>;
  stats(): Promise<DeliveryStats[]>;
}

/**
 * Push delivery wired from a configuration, the same on every runtime: the outbox and subscribers over `db`,
 * the store's listing for entitlements, and the runtime's poster (its guarded fetch and DNS). `maxPosts`
 * bounds the POSTs of one run (Workers: subrequests per invocation).
 */
export function openPushDelivery(
  config: WirefeedConfig,
  parts: { db: SqlDatabase; store: Store; post: WebhookDeps['post']; logger: Logger; maxPosts?: number; now?: () => number },
): PushDelivery {
  const outbox = createOutbox(parts.db);
  const delivery = createWebhookDelivery({
    outbox,
    store: parts.store,
    subscribers: createSubscriberStore(parts.db),
    feeds: config.feeds,
    sources: config.sources,
    post: parts.post,
    batchSize: config.webhooks.batchSize,
    retryBaseMs: config.webhooks.retryBaseSeconds * 1000,
    ...(parts.maxPosts === undefined ? {} : { maxPosts: parts.maxPosts }),
    ...(parts.now ? { now: parts.now } : {}),
    log: (event) => logDelivery(parts.logger, event),
  });
  return { run: () => delivery.run(), stats: () => outbox.stats() };
}

/** Logs one delivery event: a delivered batch at info, a failed one (and a webhook without a secret) at warn. */
export function logDelivery(logger: Logger, event: DeliveryLogEvent): void {
  if (event.event === 'webhook-delivered') {
    logger.info({ ...event }, `wirefeed: webhook of ${event.subscriber}: ${event.events} events delivered`);
  } else if (event.event === 'webhook-failed') {
    const next = event.retryAt ? `retry at ${event.retryAt}` : 'given up';
    logger.warn({ ...event }, `wirefeed: webhook of ${event.subscriber} failed (${event.error}): ${next}${event.gaveUp ? `, ${event.gaveUp} events failed` : ''}`);
  } else {
    logger.warn({ ...event }, `wirefeed: webhook of ${event.subscriber} has no signing secret: nothing is pushed`);
  }
}
