import type { PollOutcome } from '../ingest/run.ts';
import { FORMATS } from './feed-render.ts';

/**
 * What the service counts, as the core reports it; a runtime implements it (Node: prom-client in
 * `src/runtime/prom-metrics.ts`) or takes {@link NO_METRICS}. Never a token, a key or a query in a label.
 */
export interface Metrics {
  /** One poll of one source ended (`durationMs` from fetch to stored). */
  pollFinished(outcome: PollOutcome, durationMs: number): void;
  /**
   * A counter of feed answers with this status and format, bound once: the caller keeps it (the fast path
   * keeps one per prebuilt answer) and calls it per request, which costs an increment.
   */
  feedAnswers(status: number, format: string): () => void;
  /** A representation came from the cache (`true`) or had to be rendered (`false`). */
  cacheLookup(hit: boolean): void;
  /** A request was refused with 429. */
  rateLimited(): void;
  /** A request entered (+1) or left (-1) the Hono app. */
  inFlight(delta: 1 | -1): void;
  /** The exposition (Prometheus text), or null when this runtime exports none. */
  expose(): Promise<{ contentType: string; body: string } | null>;
}

const NOTHING = (): void => {};

/** Metrics that count nothing and export nothing. */
export const NO_METRICS: Metrics = {
  pollFinished: NOTHING,
  feedAnswers: () => NOTHING,
  cacheLookup: NOTHING,
  rateLimited: NOTHING,
  inFlight: NOTHING,
  expose: async () => null,
};

/**
 * The format label of a `/feeds/…` request target: `?format=` or the file's extension when it is a
 * published format, `rss` with neither, else `other` (a label never carries what a client typed).
 */
export function formatLabel(pathname: string, search: string): string {
  const param = search.length > 1 ? new URLSearchParams(search).get('format') : null;
  const file = pathname.slice(pathname.lastIndexOf('/') + 1);
  const dot = file.lastIndexOf('.');
  const wanted = param ?? (dot > 0 ? file.slice(dot + 1) : 'rss');
  return (FORMATS as readonly string[]).includes(wanted) ? wanted : 'other';
}
