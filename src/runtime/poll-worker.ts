import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import type { WirefeedConfig } from '../config.ts';
import { WorkerError } from '../errors.ts';
import { pollFeed, type IngestDeps, type PollOutcome } from '../ingest/run.ts';
import type { SourceConfig, SourceState } from '../model.ts';
import type { NormalizeRules } from '../normalize/index.ts';
import { createStore, type Retention } from '../store/store.ts';
import { groupPollSaves } from './group-commit.ts';
import { createIngestPool } from './ingest-pool.ts';
import { createPace, readerSignal } from './ingest-pace.ts';
import { createNodeFetcher } from './node-fetcher.ts';
import { openSqlite } from './sqlite.ts';

/** What the poll thread needs to poll as the serving thread would: the database file, the limits, the rules. */
export interface PollWorkerOptions {
  /** The SQLite file (not `:memory:`: the thread opens a connection of its own to it). */
  dbPath: string;
  limits: Pick<WirefeedConfig['limits'], 'fetchTimeoutMs' | 'maxFeedBytes' | 'maxRedirects'>;
  rules?: NormalizeRules | undefined;
  retention?: Retention | undefined;
  /** The decode/parse/normalize worker threads the poll thread starts for itself (`schedule.workers` and its caps). */
  pool: { size: number; jobTimeoutMs: number; maxHeapMb?: number | undefined };
  /** The nice value the thread lowers itself to (its parse workers inherit it); absent: the serving thread's. */
  nice?: number | null | undefined;
  /**
   * Polls give way to readers (`schedule.ingestShare`, see `ingest-pace.ts`): the share of a core the thread may be
   * busy while the serving thread answers requests, and the shared counter of those requests.
   */
  pace?: { share: number; readers: SharedArrayBuffer } | undefined;
  /** Told how long each poll waited for readers before it started (ms, > 0 only). */
  onPaced?: ((ms: number) => void) | undefined;
  /** The thread's module (default `poll-worker-thread.ts` beside this file); tests pass a faulty one. */
  script?: URL | undefined;
}

/** A thread that runs whole polls (fetch, decode, parse, normalize, save) off the serving thread. */
export interface PollWorker {
  /** `IngestDeps.pollElsewhere`: rejects with a {@link WorkerError} when the thread dies during the poll. */
  poll(source: SourceConfig, state: SourceState | null): Promise<{ outcome: PollOutcome; durationMs: number }>;
  /** 1 while the thread runs, else 0. */
  threads(): number;
  /** Waits for the polls in flight, closes the thread's database and stops it. */
  close(): Promise<void>;
}

type PollRequest = { id: number; source: SourceConfig; state: SourceState | null } | { close: true };
// Messages go in batches (those of one turn of the event loop): a message costs more than a poll's answer weighs.
type PollRequests = PollRequest[];
type PollAnswer = { id: number; outcome: PollOutcome; durationMs: number; pacedMs: number };
interface Boot extends Omit<PollWorkerOptions, 'script' | 'onPaced'> {
  script: string;
}

const BOOT = new URL('./ingest-worker-boot.mjs', import.meta.url);
const DEFAULT_SCRIPT = new URL('./poll-worker-thread.ts', import.meta.url);
/**
 * The poll thread's saves are group-committed (`groupPollSaves`): a save waits at most this long for the other
 * polls in flight to join it, and goes at once when they all have. The wait is nothing beside a poll's interval.
 */
const SAVE_GROUPS = { windowMs: 50, maxGroup: 64 };
/** How long `close` waits for the thread to close its database before it is stopped. */
const CLOSE_TIMEOUT_MS = 10_000;

/**
 * Starts the poll thread on the first poll, and again after it died. Polls run in it concurrently, as many as
 * the caller sends (the caller bounds them). The thread writes the store over its own connection to the same
 * WAL file: a poll's save is all or nothing there (a savepoint in its group's transaction), as it was on the
 * serving thread, so a crash at any moment loses or doubles nothing, and the outbox triggers run in the item's
 * transaction as before.
 */
export function createPollWorker(options: PollWorkerOptions): PollWorker {
  const script = options.script ?? DEFAULT_SCRIPT;
  type Pending = Map<number, { resolve(answer: PollAnswer): void; reject(err: Error): void }>;
  // The polls in flight, per thread: a thread's death fails its own polls only.
  let worker: { thread: Worker; pending: Pending; send(request: PollRequest): void } | null = null;
  let exited: Promise<void> = Promise.resolve();
  let nextId = 1;
  let closed = false;

  const start = (): { thread: Worker; pending: Pending; send(request: PollRequest): void } => {
    const { script: _script, onPaced: _onPaced, ...rest } = options;
    const boot: Boot = { ...rest, script: script.href };
    const isTypeScript = /\.[cm]?ts$/.test(script.pathname);
    const w = new Worker(isTypeScript ? BOOT : script, { workerData: boot });
    const pending: Pending = new Map();
    const outbox: PollRequests = [];
    const send = (request: PollRequest): void => {
      if (outbox.push(request) === 1) queueMicrotask(() => w.postMessage(outbox.splice(0)));
    };
    const self = { thread: w, pending, send };
    let failure: Error | null = null;
    const fail = (err: WorkerError): void => {
      if (worker === self) worker = null;
      for (const [id, job] of pending) {
        pending.delete(id);
        job.reject(err);
      }
    };
    w.on('message', (answers: PollAnswer[]) => {
      for (const answer of answers) {
        const job = pending.get(answer.id);
        if (!job) continue;
        pending.delete(answer.id);
        if (answer.pacedMs > 0) options.onPaced?.(answer.pacedMs);
        job.resolve(answer);
      }
    });
    w.on('error', (err) => {
      failure = err;
      fail(new WorkerError('crashed', `the poll thread crashed: ${err.message}`, { cause: err }));
    });
    exited = new Promise((resolve) =>
      w.once('exit', (code) => {
        fail(new WorkerError('exited', `the poll thread exited (code ${code})`, failure ? { cause: failure } : undefined));
        resolve();
      }),
    );
    return self;
  };

  return {
    poll(source, state) {
      if (closed) return Promise.reject(new WorkerError('closed', 'the poll thread is closed'));
      const w = (worker ??= start());
      const id = nextId++;
      return new Promise((resolve, reject) => {
        w.pending.set(id, { resolve, reject });
        w.send({ id, source, state });
      });
    },
    threads: () => (worker ? 1 : 0),
    async close() {
      closed = true;
      if (!worker) return;
      const w = worker.thread;
      worker.send({ close: true });
      const timer = setTimeout(() => void w.terminate(), CLOSE_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The poll thread's side (called once at the top level of its module): opens the store over its own
 * connection, the fetcher and its parse/normalize pool, and answers each poll with {@link pollFeed}.
 */
export function servePolls(): void {
  const port = parentPort;
  if (!port) throw new Error('servePolls runs in a poll worker thread');
  const boot = workerData as Boot;
  const sqlite = openSqlite(boot.dbPath);
  const running = new Set<Promise<unknown>>();
  const pool = boot.pool.size > 0 ? createIngestPool({ size: boot.pool.size, rules: boot.rules, jobTimeoutMs: boot.pool.jobTimeoutMs, maxHeapMb: boot.pool.maxHeapMb }) : null;
  const deps: IngestDeps = {
    store: groupPollSaves(createStore(sqlite.db), sqlite.raw, { ...SAVE_GROUPS, inFlight: () => running.size }),
    fetchFeed: createNodeFetcher(boot.limits),
    sources: [],
    rules: boot.rules,
    retention: boot.retention,
    process: pool?.process,
  };
  const readers = boot.pace ? readerSignal(boot.pace.readers) : null;
  const pace = createPace({
    share: boot.pace?.share ?? 1,
    now: () => performance.now(),
    busy: () => performance.eventLoopUtilization().active,
    readersActive: (now) => readers?.active(now) ?? false,
    sleep: (ms) => sleep(ms),
  });
  const outbox: PollAnswer[] = [];
  const answer = (a: PollAnswer): void => {
    if (outbox.push(a) === 1) setImmediate(() => port.postMessage(outbox.splice(0)));
  };
  port.on('message', (requests: PollRequests) => {
    for (const request of requests) serve(request);
  });
  const serve = (request: PollRequest): void => {
    if ('close' in request) {
      void Promise.allSettled(running)
        .then(() => pool?.close())
        .finally(() => {
          sqlite.close();
          if (outbox.length > 0) port.postMessage(outbox.splice(0));
          // The fetcher's keep-alive sockets would keep the thread alive.
          process.exit(0);
        });
      return;
    }
    const { id, source, state } = request;
    let durationMs = 0;
    const poll = pace().then((pacedMs) =>
      pollFeed({ ...deps, log: (_outcome, ms) => (durationMs = ms) }, source, state).then((outcome) => answer({ id, outcome, durationMs, pacedMs })),
    );
    running.add(poll);
    void poll.finally(() => running.delete(poll));
  };
}
