import type { SourceConfig } from '../model.ts';
import { normalizeFeed, type NormalizedItem, type NormalizeRules } from '../normalize/index.ts';
import { decodeFeedBytes } from './decode.ts';
import { parseFeed } from './parse.ts';

/** What turning one fetched document into items needs: the bytes as fetched and the poll's context. */
export interface ProcessJob {
  bytes: Uint8Array;
  contentType: string | null;
  /** The final URL after redirects (relative links resolve against it). */
  url: string;
  source: SourceConfig;
  /** The poll time, epoch ms. */
  now: number;
  /** Normalization rules; the shipped defaults when absent. */
  rules?: NormalizeRules | undefined;
}

/** The items of one document, and how often the feed itself says it changes (RSS `<ttl>`, `sy:update*`). */
export interface ProcessResult {
  items: NormalizedItem[];
  refreshMinutes: number | null;
}

/** A step that turns fetched bytes into items: {@link processFeed} in this thread, or a worker pool. */
export type ProcessStep = (job: ProcessJob) => Promise<ProcessResult>;

/**
 * Decodes, parses and normalizes one fetched feed document; pure, no I/O. The same function runs in the
 * serving thread and in the ingest worker threads.
 * @throws ParseError when the document cannot be read as a feed.
 */
export async function processFeed(job: ProcessJob): Promise<ProcessResult> {
  const { text } = decodeFeedBytes(job.bytes, job.contentType);
  const feed = await parseFeed(text, { url: job.url });
  const items = normalizeFeed(feed, { source: job.source, now: new Date(job.now), rules: job.rules });
  return { items, refreshMinutes: feed.refreshMinutes ?? null };
}
