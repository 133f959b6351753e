import type Database from 'better-sqlite3';
import type { Store } from '../store/store.ts';

/** How polls' saves are grouped into one SQLite transaction. */
export interface GroupCommitOptions {
  /** The longest a save waits for others to join its group, ms. */
  windowMs: number;
  /** A group this large is written at once. */
  maxGroup: number;
  /** The polls in flight: when every one of them waits in the group, no other can join it, and it is written at once. */
  inFlight?: () => number;
}

type SaveArgs = Parameters<Store['savePoll']>;
type SaveResult = Awaited<ReturnType<Store['savePoll']>>;
interface Job {
  args: SaveArgs;
  resolve(result: SaveResult): void;
  reject(err: unknown): void;
}

/**
 * The store with its polls' saves group-committed: a save waits at most `windowMs` for others to join it, and
 * its group (at most `maxGroup` saves) goes at once when it is full or every poll in flight is in it; the saves
 * of a group run one after another in one transaction, each in a savepoint of its own, so each is still all or
 * nothing, a failing one fails alone, and each reads what the saves before it wrote (a syndicated copy saved
 * just before merges as it would across transactions). A commit's cost is mostly the pages it writes to the
 * WAL, and the saves of one group share most of theirs (the right-hand leaves of the time indexes, the meta
 * row): one commit writes each page once. A crash loses a whole group at most, whose sources are then still
 * due: nothing is lost or doubled.
 *
 * For a connection only the poll thread writes through: nothing else may run on it while a group is open. That
 * holds because a group runs in a callback of its own, resolves its saves only after its commit, and
 * `Store.savePoll` awaits nothing but the database's own (already settled) promises: a save that awaited real
 * I/O would let other polls' store calls run inside the open group.
 */
export function groupPollSaves(store: Store, raw: Database.Database, options: GroupCommitOptions): Store {
  let queue: Job[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  // Whether the armed timer is the one that writes a full group at once (not the window's).
  let full = false;
  let running: Promise<void> = Promise.resolve();

  const writeGroup = async (jobs: Job[]): Promise<void> => {
    raw.exec('BEGIN IMMEDIATE');
    const outcomes: Array<{ ok: true; result: SaveResult } | { ok: false; err: unknown }> = [];
    for (const job of jobs) {
      raw.exec('SAVEPOINT poll_save');
      try {
        const result = await store.savePoll(...job.args);
        raw.exec('RELEASE poll_save');
        outcomes.push({ ok: true, result });
      } catch (err) {
        // An error that ended the whole transaction (SQLite rolls back on a full disk, say) took the saves
        // before this one with it: the whole group fails.
        if (!raw.inTransaction) throw err;
        raw.exec('ROLLBACK TO poll_save; RELEASE poll_save');
        outcomes.push({ ok: false, err });
      }
    }
    raw.exec('COMMIT');
    outcomes.forEach((o, i) => (o.ok ? jobs[i]!.resolve(o.result) : jobs[i]!.reject(o.err)));
  };
  // Whatever fails, every save of the group is settled first (nothing was resolved before the commit), then the
  // connection is brought out of the transaction if it can be; `write` never rejects, so later groups still run.
  const write = async (jobs: Job[]): Promise<void> => {
    try {
      await writeGroup(jobs);
    } catch (err) {
      for (const job of jobs) job.reject(err);
      try {
        if (raw.inTransaction) raw.exec('ROLLBACK');
      } catch {
        // Left to the next group's BEGIN, which then fails its saves with SQLite's own error.
      }
    }
  };

  const ready = (): boolean => queue.length >= Math.min(options.maxGroup, options.inFlight?.() ?? Infinity);
  const arm = (): void => {
    if (queue.length === 0 || (timer && (full || !ready()))) return;
    if (timer) clearTimeout(timer);
    // A full group goes at once, but from a callback of its own: no other code's continuations are pending there.
    full = ready();
    timer = setTimeout(flush, full ? 0 : options.windowMs);
  };
  const flush = (): void => {
    timer = null;
    const jobs = queue.splice(0, options.maxGroup);
    // Each group from a callback of its own: the continuations of the group before it have run by then.
    if (jobs.length > 0) running = running.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(() => write(jobs));
    arm();
  };

  return {
    ...store,
    savePoll(...args) {
      return new Promise<SaveResult>((resolve, reject) => {
        queue.push({ args, resolve, reject });
        arm();
      });
    },
  };
}
