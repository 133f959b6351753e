import { parentPort, Worker, workerData } from 'node:worker_threads';
import { describeError, ParseError, WirefeedError, WorkerError } from '../errors.ts';
import type { PageJob, PageResult, PageStep } from '../ingest/full-text.ts';
import { documentKey, knownDocument, type ProcessJob, type ProcessResult, type ProcessStep } from '../ingest/process.ts';
import type { NormalizeRules } from '../normalize/index.ts';

/** How an ingest pool runs its threads. */
export interface IngestPoolOptions {
  /** Worker threads at most (started when jobs need them, kept until `close`). */
  size: number;
  /** Normalization rules, sent to each worker once when it starts; the shipped defaults when absent. */
  rules?: NormalizeRules | undefined;
  /**
   * A job past this many ms fails and its worker is stopped and replaced. Counted from when the worker is
   * ready (its modules loaded) or, for a worker already running, from dispatch.
   */
  jobTimeoutMs: number;
  /** The old-generation heap a worker may use, MiB; past it the worker is stopped and its job fails. */
  maxHeapMb?: number | undefined;
  /** The nice value each worker lowers itself to (`lowerThreadPriority`); absent: the starting thread's. */
  nice?: number | null | undefined;
  /**
   * The worker's module: a TypeScript (run through tsx) or JavaScript module that calls
   * {@link serveIngestJobs}. Default: `ingest-worker.ts` beside this file. Tests pass a faulty one.
   */
  script?: URL | undefined;
}

/** A pool of worker threads doing the decode, parse and normalize step of ingestion. */
export interface IngestPool {
  /** The step for `IngestDeps.process`; the job's `rules` are ignored (the workers got the pool's at start). */
  process: ProcessStep;
  /** The step for `IngestDeps.processPage` (full text: read an article page into its entry's items), as `process`. */
  processPage: PageStep;
  /** Threads running now (starting, busy or idle). */
  threads(): number;
  /** Fails the queued jobs, stops every thread and resolves when they have exited. */
  close(): Promise<void>;
}

/** What a worker gets at start (`workerData`). */
interface WorkerBoot {
  script: string;
  rules: NormalizeRules | undefined;
  nice?: number | null | undefined;
}

/** One job, as posted to a worker; its bytes are transferred. A page job (full text) says so. */
type JobMessage = (Omit<ProcessJob, 'rules'> & { id: number; page?: undefined }) | { id: number; page: Omit<PageJob, 'rules'> };

/** A worker's answer to one job, or its word that it is ready for jobs. */
type AnswerMessage =
  | ({ id: number; ok: true; pageResult?: undefined; json?: undefined } & ProcessResult)
  | { id: number; ok: true; pageResult?: undefined; json: string }
  | { id: number; ok: true; pageResult: PageResult }
  | { id: number; ok: false; kind: string; message: string }
  | { ready: true };

type AnyJob = { feed: ProcessJob; page?: undefined } | { page: PageJob; feed?: undefined };

interface PendingJob {
  id: number;
  job: AnyJob;
  resolve(result: ProcessResult | PageResult): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  job: PendingJob | null;
  /** The job's deadline. */
  timer: NodeJS.Timeout | null;
  /** The start-up deadline, until the worker is ready. */
  startTimer: NodeJS.Timeout | null;
  /** Whether the worker has loaded its modules and listens for jobs. */
  ready: boolean;
  /** Set once the slot left the pool (its worker failed, was stopped, or the pool closed). */
  retired: boolean;
  /** An error the worker raised outside a job, reported with its exit. */
  error: Error | null;
  exited: Promise<void>;
}

// Worker threads do not inherit the tsx loader of the thread that starts them (Node 20), so a TypeScript
// worker starts from a small JavaScript module that registers tsx and then imports it.
const BOOT = new URL('./ingest-worker-boot.mjs', import.meta.url);
const DEFAULT_SCRIPT = new URL('./ingest-worker.ts', import.meta.url);
/** A worker that has not loaded its modules after this long (or the job deadline, if longer) is stopped. */
const START_TIMEOUT_MS = 60_000;

/**
 * Starts a pool of ingest worker threads (none until the first job). A worker that throws outside a job,
 * exits, runs out of memory or misses a job's deadline fails the job it holds with a {@link WorkerError} and
 * is replaced; the queued jobs carry on.
 */
export function createIngestPool(options: IngestPoolOptions): IngestPool {
  const size = Math.max(1, Math.floor(options.size));
  const script = options.script ?? DEFAULT_SCRIPT;
  const slots = new Set<Slot>();
  const queue: PendingJob[] = [];
  let nextId = 1;
  let closed = false;

  const spawn = (): Slot => {
    const boot: WorkerBoot = { script: script.href, rules: options.rules, nice: options.nice };
    const isTypeScript = /\.[cm]?ts$/.test(script.pathname);
    const worker = new Worker(isTypeScript ? BOOT : script, {
      workerData: boot,
      ...(options.maxHeapMb ? { resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb } } : {}),
    });
    const slot: Slot = { worker, job: null, timer: null, startTimer: null, ready: false, error: null, retired: false, exited: Promise.resolve() };
    slot.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    const startTimeout = Math.max(START_TIMEOUT_MS, options.jobTimeoutMs);
    slot.startTimer = setTimeout(() => {
      retire(slot, new WorkerError('timeout', `the ingest worker did not start within ${startTimeout} ms; it was stopped`));
    }, startTimeout);
    worker.on('message', (answer: AnswerMessage) => {
      if ('ready' in answer) {
        slot.ready = true;
        if (slot.startTimer) clearTimeout(slot.startTimer);
        slot.startTimer = null;
        if (slot.job) startDeadline(slot);
        return;
      }
      const pending = slot.job;
      if (!pending || answer.id !== pending.id) return;
      finish(slot);
      if (answer.ok && answer.pageResult) pending.resolve(answer.pageResult);
      else if (answer.ok && answer.json !== undefined) pending.resolve(fromJson(answer.json));
      else if (answer.ok) pending.resolve({ items: answer.items, refreshMinutes: answer.refreshMinutes, entries: answer.entries, carried: answer.carried, pages: answer.pages });
      else pending.reject(rebuildError(answer.kind, answer.message));
      pump();
    });
    worker.on('error', (err) => {
      slot.error = err;
      const code = (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out-of-memory' : 'crashed';
      const what = code === 'out-of-memory' ? `ran out of memory (heap cap ${options.maxHeapMb ?? '—'} MiB)` : `crashed: ${err.message}`;
      retire(slot, new WorkerError(code, `the ingest worker ${what}`, { cause: err }));
    });
    worker.on('exit', (exitCode) => {
      retire(slot, new WorkerError('exited', `the ingest worker exited (code ${exitCode})`, slot.error ? { cause: slot.error } : undefined));
    });
    slots.add(slot);
    return slot;
  };

  const startDeadline = (slot: Slot): void => {
    slot.timer = setTimeout(() => {
      retire(slot, new WorkerError('timeout', `the ingest worker did not finish within ${options.jobTimeoutMs} ms; it was stopped`));
    }, options.jobTimeoutMs);
  };

  const finish = (slot: Slot): void => {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
  };

  /** Takes a slot out of the pool; its job (if any) fails with `reason`. Idempotent. */
  const retire = (slot: Slot, reason: WorkerError): void => {
    if (slot.retired) return;
    slot.retired = true;
    slots.delete(slot);
    if (slot.startTimer) clearTimeout(slot.startTimer);
    const pending = slot.job;
    finish(slot);
    pending?.reject(reason);
    void slot.worker.terminate().catch(() => undefined);
    pump();
  };

  const dispatch = (slot: Slot, pending: PendingJob): void => {
    slot.job = pending;
    let message: JobMessage;
    let transfer: ArrayBuffer[];
    if (pending.job.page) {
      const { rules: _rules, ...page } = pending.job.page;
      const bytes = page.bytes === null ? null : transferable(page.bytes);
      message = { id: pending.id, page: { ...page, bytes } };
      transfer = bytes ? [bytes.buffer as ArrayBuffer] : [];
    } else {
      const { rules: _rules, ...job } = pending.job.feed;
      const bytes = transferable(job.bytes);
      message = { ...job, bytes, id: pending.id };
      transfer = [bytes.buffer as ArrayBuffer];
    }
    // A starting worker gets the job now (the port holds it) and the deadline once it is ready.
    if (slot.ready) startDeadline(slot);
    try {
      slot.worker.postMessage(message, transfer);
    } catch (err) {
      finish(slot);
      pending.reject(err instanceof Error ? err : new Error(String(err)));
    }
  };

  const pump = (): void => {
    if (closed) return;
    while (queue.length > 0) {
      let idle: Slot | undefined;
      for (const s of slots) if (!s.job) idle = s;
      if (!idle && slots.size < size) idle = spawn();
      if (!idle) return;
      dispatch(idle, queue.shift()!);
    }
  };

  const submit = (job: AnyJob): Promise<ProcessResult | PageResult> => {
    if (closed) return Promise.reject(new WorkerError('closed', 'the ingest pool is closed'));
    return new Promise<ProcessResult | PageResult>((resolve, reject) => {
      queue.push({ id: nextId++, job, resolve, reject });
      pump();
    });
  };

  return {
    // A document the source's last poll recorded is answered here: posting it would cost more than the answer.
    // The key it was asked by goes with the job, so that the worker does not work it out again.
    process: (job) => {
      if (closed || !job.knownEntries || job.knownEntries.size === 0) return submit({ feed: job }) as Promise<ProcessResult>;
      const keyed = { ...job, documentKey: job.documentKey ?? documentKey(job) };
      const known = knownDocument(keyed);
      return known ? Promise.resolve(known) : (submit({ feed: keyed }) as Promise<ProcessResult>);
    },
    processPage: (job) => submit({ page: job }) as Promise<PageResult>,
    threads: () => slots.size,
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(new WorkerError('closed', 'the ingest pool closed before this job ran'));
      const exits = [...slots].map((slot) => slot.exited);
      for (const slot of [...slots]) retire(slot, new WorkerError('closed', 'the ingest pool closed while this job ran'));
      await Promise.all(exits);
    },
  };
}

/**
 * The worker side of the pool: answers each job with `step`, each page job with `pageStep` (with the rules
 * the pool sent at start). An ingest worker module calls this once at its top level.
 */
export function serveIngestJobs(step: ProcessStep, pageStep?: PageStep): void {
  const port = parentPort;
  if (!port) throw new Error('serveIngestJobs runs in an ingest worker thread');
  const { rules } = workerData as WorkerBoot;
  const fail = (id: number) => (err: unknown) => port.postMessage({ id, ok: false, ...describeError(err) } satisfies AnswerMessage);
  port.on('message', (job: JobMessage) => {
    if (job.page) {
      const { id, page } = job;
      if (!pageStep) return fail(id)(new Error('this ingest worker reads no article pages'));
      pageStep({ ...page, rules }).then((pageResult) => port.postMessage({ id, ok: true, pageResult } satisfies AnswerMessage), fail(id));
      return;
    }
    const { id, page: _page, ...rest } = job;
    step({ ...rest, rules }).then((result) => {
      const answer = { id, ok: true, items: result.items, refreshMinutes: result.refreshMinutes, entries: result.entries, carried: result.carried, pages: result.pages } satisfies AnswerMessage;
      port.postMessage(jsonExact(result) ? ({ id, ok: true, json: JSON.stringify(answer) } satisfies AnswerMessage) : answer);
    }, fail(id));
  });
  port.postMessage({ ready: true } satisfies AnswerMessage);
}

/**
 * Whether the result comes back from its JSON as it is (then it goes as one string: a structured clone of many
 * small objects costs the receiving thread several times what `JSON.parse` of their text does). Exact means
 * plain objects and arrays, strings, booleans, null and finite numbers other than -0: no undefined member or
 * hole, no Map, Date or class instance.
 */
function jsonExact(result: ProcessResult): boolean {
  if (result.refreshMinutes !== null && !exactValue(result.refreshMinutes)) return false;
  if (result.carried !== undefined && !exactValue(result.carried)) return false;
  return exactValue(result.items) && (result.entries === undefined || exactValue(result.entries)) && (result.pages === undefined || exactValue(result.pages));
}

function exactValue(value: unknown): boolean {
  if (typeof value !== 'object') {
    return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0));
  }
  if (value === null) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'string') continue;
      if ((v === undefined && !(i in value)) || !exactValue(v)) return false;
    }
    return true;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  // `for…in` also lists what is enumerable on Object.prototype; like JSON, a structured clone leaves that out.
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v !== 'string' && !exactValue(v)) return false;
  }
  return true;
}

/** A result sent as JSON, with the fields a structured clone of it would have. */
function fromJson(json: string): ProcessResult {
  const r = JSON.parse(json) as ProcessResult;
  return { items: r.items, refreshMinutes: r.refreshMinutes, entries: r.entries, carried: r.carried, pages: r.pages };
}

/** Bytes the pool may transfer: the view itself when it spans its own buffer, else a copy (never a shared pool slab). */
function transferable(bytes: Uint8Array): Uint8Array {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return whole ? bytes : bytes.slice();
}

/** The error a job failed with in the worker, as the same kind and message on this side. */
function rebuildError(kind: string, message: string): Error {
  if (kind === 'parse') return new ParseError(message);
  if (kind === 'internal') return new Error(message);
  return new WirefeedError(kind, message);
}
