/**
 * A test-only poll thread: the real one (`servePolls`), but a poll of the source `crash` throws outside the
 * poll (the thread dies with an 'error' event), and one of a `saved-crash…` source dies after its poll was saved, as
 * its answer is about to be posted.
 */
import { parentPort } from 'node:worker_threads';
import { servePolls } from '../../../src/runtime/poll-worker.ts';

const port = parentPort!;
port.on('message', (requests: { source?: { id: string } }[]) => {
  if (requests.some((r) => r.source?.id === 'crash')) {
    setImmediate(() => {
      throw new Error('thrown outside the poll');
    });
  }
});
const post = port.postMessage.bind(port);
port.postMessage = (answers: { outcome?: { source: string } }[]) => {
  if (answers.some((a) => a.outcome?.source.startsWith('saved-crash'))) throw new Error('died after the save');
  post(answers);
};
servePolls();
