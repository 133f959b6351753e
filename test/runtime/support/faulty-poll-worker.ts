/**
 * A test-only poll thread: the real one (`servePolls`), but a poll of the source `crash` throws outside the
 * poll (the thread dies with an 'error' event).
 */
import { parentPort } from 'node:worker_threads';
import { servePolls } from '../../../src/runtime/poll-worker.ts';

parentPort!.on('message', (requests: { source?: { id: string } }[]) => {
  if (requests.some((r) => r.source?.id === 'crash')) {
    setImmediate(() => {
      throw new Error('thrown outside the poll');
    });
  }
});
servePolls();
