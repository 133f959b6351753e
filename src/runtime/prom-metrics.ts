import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from '../http/metrics.ts';

/** A count kept as a plain number between scrapes (an increment per request), added to its counter at scrape time. */
interface Cell {
  n: number;
  readonly labels: Record<string, string>;
}

/**
 * Metrics over a prom-client `Registry` of its own (one per service; no default registry): polls, poll
 * durations, stored items (read from the store at scrape time), feed answers, cache lookups, 429s, requests
 * in flight, and Node's process metrics. The request-path counts are plain number increments, folded into
 * the counters when `/metrics` is scraped.
 */
export function createPromMetrics(deps: { itemCounts: () => Promise<Array<{ id: string; items: number }>> }): Metrics & { registry: Registry; pollPaced(ms: number): void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const polls = new Counter({ name: 'wirefeed_polls_total', help: 'Polls of upstream sources, by source and outcome (ok, not-modified, error).', labelNames: ['source', 'outcome'], registers: [registry] });
  const pollSeconds = new Histogram({
    name: 'wirefeed_poll_duration_seconds',
    help: 'Time from fetch to stored for one poll of one source.',
    labelNames: ['source'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  new Gauge({
    name: 'wirefeed_items_stored',
    help: 'Items stored per source (read from the store at scrape time).',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of await deps.itemCounts()) this.set({ source: s.id }, s.items);
    },
  });

  const feedCells = new Map<string, Cell>();
  new Counter({
    name: 'wirefeed_feed_requests_total',
    help: 'Answers to /feeds/ requests, by HTTP status and format (count the 304s for the conditional share).',
    labelNames: ['status', 'format'],
    registers: [registry],
    collect() {
      for (const cell of feedCells.values()) flush(this, cell);
    },
  });
  const hits: Cell = { n: 0, labels: { result: 'hit' } };
  const misses: Cell = { n: 0, labels: { result: 'miss' } };
  new Counter({
    name: 'wirefeed_cache_lookups_total',
    help: 'Representation cache lookups of feeds and OPML, by result (hit, miss).',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      flush(this, hits);
      flush(this, misses);
    },
  });
  const limited: Cell = { n: 0, labels: {} };
  new Counter({
    name: 'wirefeed_rate_limited_total',
    help: 'Requests refused with 429 by the per-client rate limit.',
    registers: [registry],
    collect() {
      flush(this, limited);
    },
  });
  const paced = new Counter({
    name: 'wirefeed_poll_paced_seconds_total',
    help: 'Time polls waited before they started, giving way to readers (schedule.ingestShare), summed over polls.',
    registers: [registry],
  });
  let inFlight = 0;
  new Gauge({
    name: 'wirefeed_requests_in_flight',
    help: 'Requests being handled by the HTTP app (the fast path answers at once and is never in flight).',
    registers: [registry],
    collect() {
      this.set(inFlight);
    },
  });

  return {
    registry,
    pollFinished(outcome, durationMs) {
      polls.inc({ source: outcome.source, outcome: outcome.status });
      pollSeconds.observe({ source: outcome.source }, durationMs / 1000);
    },
    pollPaced(ms) {
      paced.inc(ms / 1000);
    },
    feedAnswers(status, format) {
      const key = `${status}|${format}`;
      let cell = feedCells.get(key);
      if (cell === undefined) feedCells.set(key, (cell = { n: 0, labels: { status: String(status), format } }));
      const counted = cell;
      return () => {
        counted.n++;
      };
    },
    cacheLookup(hit) {
      (hit ? hits : misses).n++;
    },
    rateLimited() {
      limited.n++;
    },
    inFlight(delta) {
      inFlight += delta;
    },
    async expose() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

function flush(counter: Counter, cell: Cell): void {
  // inc() of 0 still creates the series: a label set shows from its first request on.
  counter.inc(cell.labels, cell.n);
  cell.n = 0;
}
