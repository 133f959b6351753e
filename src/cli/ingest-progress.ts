import type { PollOutcome } from '../ingest/run.ts';

/** A progress line for `wirefeed ingest --once` on a terminal: sources done of the total, failed, items. */
export interface IngestProgress {
  /** Counts one finished poll and redraws the line. */
  polled(outcome: PollOutcome): void;
  /** Ends the line (a newline), once. */
  done(): void;
}

/**
 * Draws the progress of a run over `total` sources on one terminal line (`\r` rewrites it), at most every
 * `everyMs` ms and at the last poll. `write` is a TTY's stream (stderr: stdout stays one JSON line per source).
 */
export function createIngestProgress(total: number, write: (text: string) => void, options: { now?: () => number; everyMs?: number } = {}): IngestProgress {
  const now = options.now ?? Date.now;
  const everyMs = options.everyMs ?? 100;
  let done = 0;
  let failed = 0;
  let items = 0;
  let drawnAt = -Infinity;
  let ended = false;
  const line = (): string => `wirefeed ingest: ${done}/${total} sources done, ${failed} failed, ${items} items`;
  const draw = (): void => {
    drawnAt = now();
    // \x1b[K clears what a longer previous line left.
    write(`\r${line()}\x1b[K`);
  };
  if (total > 0) draw();
  return {
    polled(outcome) {
      done++;
      if (outcome.status === 'error') failed++;
      if (outcome.status === 'ok') items += outcome.items;
      if (done === total || now() - drawnAt >= everyMs) draw();
    },
    done() {
      if (ended) return;
      ended = true;
      draw();
      write('\n');
    },
  };
}
