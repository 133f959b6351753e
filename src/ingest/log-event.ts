import type { Logger } from '../util/log.ts';
import type { PageOutcome } from './full-text-run.ts';
import type { PollOutcome } from './run.ts';

/** A WebSub ping the hub did not take (see `createService`). */
export interface PingFailure {
  event: 'websub-ping-failed';
  url: string;
  error: string;
}

/** How one article page fetch (full text) ended, as the service reports it. */
export type PageEvent = { event: 'page' } & PageOutcome;

/**
 * Logs what the service reports, with the same fields on every runtime: a poll as `event: 'poll'` with its
 * outcome's fields and `durationMs` (info; warn when it failed or left out items too large to store), an
 * article page fetch as `event: 'page'` (info; warn when it failed), a failed WebSub ping as warn.
 */
export function logServiceEvent(logger: Logger, event: PollOutcome | PingFailure | PageEvent, durationMs?: number): void {
  if ('event' in event && event.event === 'page') {
    if (event.status === 'failed') {
      const next = event.nextAttemptAt === null ? 'given up' : `next try ${new Date(event.nextAttemptAt).toISOString()}`;
      logger.warn({ ...event }, `wirefeed: ${event.source}: page ${event.url} failed: ${event.reason} (${next}); the feed's text stays`);
    } else logger.info({ ...event }, `wirefeed: ${event.source}: page ${event.url}: ${event.status}`);
    return;
  }
  if ('event' in event) {
    logger.warn({ ...event }, `wirefeed: WebSub ping for ${event.url} failed: ${event.error}`);
    return;
  }
  const fields = { event: 'poll', ...event, ...(durationMs === undefined ? {} : { durationMs }) };
  if (event.status === 'ok' && event.tooLarge) {
    logger.warn(fields, `wirefeed: ${event.source}: ${event.items} items; left out, too large to store: ${event.tooLarge.join(', ')}`);
  } else if (event.status === 'ok') logger.info(fields, `wirefeed: ${event.source}: ${event.items} items`);
  else if (event.status === 'not-modified') logger.info(fields, `wirefeed: ${event.source}: not modified`);
  else logger.warn(fields, `wirefeed: ${event.source}: ${event.kind} error: ${event.message} (next try ${new Date(event.nextFetchAt).toISOString()})`);
}
