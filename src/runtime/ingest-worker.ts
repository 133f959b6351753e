/**
 * An ingest worker thread (started by `createIngestPool`): decodes, parses and normalizes the fetched
 * documents the pool sends, and reads the article pages of full-text sources, with the very functions the
 * serving thread would run. It lowers its own CPU priority first when the pool says so (`schedule.ingestNice`).
 */
import { workerData } from 'node:worker_threads';
import { processPage } from '../ingest/full-text.ts';
import { processFeed } from '../ingest/process.ts';
import { serveIngestJobs } from './ingest-pool.ts';
import { lowerThreadPriority } from './thread-priority.ts';

lowerThreadPriority((workerData as { nice?: number | null }).nice);
serveIngestJobs(processFeed, processPage);
