// The entry of a TypeScript ingest worker thread (see ingest-pool.ts): worker threads do not inherit the
// tsx loader of the thread that starts them (Node 20), so this registers it and then loads the worker module.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.script);
