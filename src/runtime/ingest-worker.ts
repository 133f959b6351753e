/**
 * An ingest worker thread (started by `createIngestPool`): decodes, parses and normalizes the fetched
 * documents the pool sends, and reads the article pages of full-text sources, with the very functions the
 * serving thread would run.
 */
import { processPage } from '../ingest/full-text.ts';
import { processFeed } from '../ingest/process.ts';
import { serveIngestJobs } from './ingest-pool.ts';

serveIngestJobs(processFeed, processPage);
