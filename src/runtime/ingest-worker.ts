/**
 * An ingest worker thread (started by `createIngestPool`): decodes, parses and normalizes the fetched
 * documents the pool sends, with the very function the serving thread would run.
 */
import { processFeed } from '../ingest/process.ts';
import { serveIngestJobs } from './ingest-pool.ts';

serveIngestJobs(processFeed);
