/**
 * A test-only ingest worker: the real step (`processFeed`), except for jobs whose source id names a fault.
 * - `throw`: an uncaught exception outside the job (the worker dies with an 'error' event)
 * - `exit`: `process.exit(7)` in the worker
 * - `oom`: allocates until the pool's heap cap stops the worker
 * - `hang`: a busy loop that never yields (only the job's deadline ends it)
 * - `odd`: a result with values JSON cannot carry (NaN, -0, undefined, a hole, a Date); `plain`: one it can
 */
import { processFeed } from '../../../src/ingest/process.ts';
import { serveIngestJobs } from '../../../src/runtime/ingest-pool.ts';

const hoard: unknown[] = [];

serveIngestJobs(async (job) => {
  switch (job.source.id) {
    case 'throw':
      setImmediate(() => {
        throw new Error('thrown outside the job');
      });
      return new Promise(() => {});
    case 'exit':
      process.exit(7);
    case 'oom':
      for (;;) hoard.push(new Array(100_000).fill({ job: hoard.length }));
    case 'hang':
      for (;;);
    case 'odd':
      // eslint-disable-next-line no-sparse-arrays
      return { items: [{ odd: [NaN, -0, undefined, , new Date(0)], missing: undefined, big: 1e300 }] as never, refreshMinutes: null, entries: [], carried: 1 };
    case 'plain':
      return { items: [{ text: 'a\ud800b "quoted" \u2028', n: 1.5, list: [null, true, { deep: [] }] }] as never, refreshMinutes: 30, entries: [{ hash: 'h', gave: null }], carried: 1 };
    default:
      return processFeed(job);
  }
});
