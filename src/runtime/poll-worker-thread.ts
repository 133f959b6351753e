/**
 * The poll thread (started by `createPollWorker`): fetches, decodes, parses, normalizes and saves whole polls
 * with the very functions the serving thread would run, over its own connection to the database. It lowers its
 * own CPU priority first (`schedule.ingestNice`); the parse workers it starts inherit it.
 */
import { workerData } from 'node:worker_threads';
import { servePolls } from './poll-worker.ts';
import { lowerThreadPriority } from './thread-priority.ts';

lowerThreadPriority((workerData as { nice?: number | null }).nice);
servePolls();
