/**
 * The poll thread (started by `createPollWorker`): fetches, decodes, parses, normalizes and saves whole polls
 * with the very functions the serving thread would run, over its own connection to the database.
 */
import { servePolls } from './poll-worker.ts';

servePolls();
