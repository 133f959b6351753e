/**
 * Ingest that gives way to readers (Node, `schedule.ingestShare`): while the serving thread is answering
 * requests, the poll thread starts a poll only while its own busy time over the last window stays under a share
 * of one core. On two busy cores a reader's request waits for a core whenever the ingest threads hold both,
 * whatever their priority (measured: a bare `node:http` server on the same machine doubles its p99 while a
 * cycle runs); polls can wait instead, since a cycle is seconds beside a source's interval of minutes. With no
 * reader in the last second a backlog drains at full speed (the first fill, `wirefeed ingest --once`).
 */

/** What the pace reads: a clock, the thread's cumulative busy time, whether readers are being served, a sleep. */
export interface PaceDeps {
  /** The share of one core the thread may be busy while readers are served; ≥ 1 never waits. */
  share: number;
  /** Milliseconds, monotonic. */
  now(): number;
  /** The thread's cumulative busy (not idle) milliseconds: `performance.eventLoopUtilization().active`. */
  busy(): number;
  /** Whether the serving thread answered a request lately, as of `now` (the pace's own clock reading). */
  readersActive(now: number): boolean;
  sleep(ms: number): Promise<void>;
  /** The window the share is measured over, ms (default {@link PACE_WINDOW_MS}). */
  windowMs?: number | undefined;
  /** The longest single wait, ms, after which the readers and the share are asked again (default 50). */
  maxSleepMs?: number | undefined;
}

/** The window the busy share is measured over: long enough to span a few polls, short enough to follow a burst. */
export const PACE_WINDOW_MS = 200;

/** A gate the poll thread awaits before each poll: resolves with the milliseconds it waited. */
export type Pace = () => Promise<number>;

/**
 * A pace over `deps`. Callers are served one at a time, in order. While readers are active and the thread's busy
 * time since the window opened, divided by the share, exceeds the wall time since then, the gate waits until it
 * no longer does (the thread is idle while it waits, so the busy share falls); a window older than `windowMs`
 * starts again.
 */
export function createPace(deps: PaceDeps): Pace {
  if (!(deps.share < 1)) return async () => 0;
  const windowMs = deps.windowMs ?? PACE_WINDOW_MS;
  const maxSleepMs = deps.maxSleepMs ?? 50;
  let openedAt = deps.now();
  let busyAt = deps.busy();
  let queue: Promise<unknown> = Promise.resolve();
  const open = (now: number): void => {
    openedAt = now;
    busyAt = deps.busy();
  };
  const gate = async (): Promise<number> => {
    let waited = 0;
    for (;;) {
      const now = deps.now();
      if (!deps.readersActive(now)) {
        open(now);
        return waited;
      }
      const wall = now - openedAt;
      const over = (deps.busy() - busyAt) / deps.share - wall;
      if (over <= 0) {
        if (wall >= windowMs) open(now);
        return waited;
      }
      const ms = Math.min(maxSleepMs, Math.max(1, over));
      await deps.sleep(ms);
      waited += deps.now() - now;
    }
  };
  return () => {
    const turn = queue.then(gate);
    queue = turn.catch(() => {});
    return turn;
  };
}

/**
 * Requests answered, counted by the serving thread in shared memory, and read by the poll thread: readers are
 * active when the count moved within the last `activeMs` (default 1 s).
 */
export interface ReaderSignal {
  /** The serving thread: one request arrived. */
  arrived(): void;
  /** The poll thread: whether a request arrived within `activeMs` of `now`. */
  active(now: number): boolean;
  /** The shared buffer, to pass to the other thread. */
  buffer: SharedArrayBuffer;
}

/** A reader signal over `buffer` (a new one when absent): one 32-bit counter, written with `Atomics`. */
export function readerSignal(buffer: SharedArrayBuffer = new SharedArrayBuffer(4), activeMs = 1000): ReaderSignal {
  const count = new Int32Array(buffer);
  let seen = Atomics.load(count, 0);
  let seenAt = -Infinity;
  return {
    buffer,
    arrived: () => void Atomics.add(count, 0, 1),
    active(now) {
      const c = Atomics.load(count, 0);
      if (c !== seen) {
        seen = c;
        seenAt = now;
      }
      return now - seenAt < activeMs;
    },
  };
}
