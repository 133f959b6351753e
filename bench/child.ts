/**
 * A server in its own child process, driven over IPC, so that the load generator (in the parent) never
 * shares an event loop with the server it measures. Each request carries an id; the child answers with it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * What every bench server child answers besides its own `start` (and `dataVersion`, `stats`, which only some
 * children know): `cpu`, `memory`, `loopDelay`, `gc` (true when the child runs with `--expose-gc`) and `stop`
 * are answered by `serveParent` itself.
 */
export type ChildRequest =
  | { type: 'start'; [key: string]: unknown }
  | { type: 'cpu' }
  | { type: 'memory' }
  | { type: 'loopDelay' }
  | { type: 'dataVersion' }
  | { type: 'stats' }
  | { type: 'gc' }
  | { type: 'stop' };

/** `process.memoryUsage()` of a child, in bytes. */
export interface ChildMemory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** The child's event-loop delay since the previous `loopDelay` request (or since the first), in ms. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export interface ChildServer {
  readonly name: string;
  readonly pid: number;
  /** Sends a request and waits (at most `timeoutMs`) for the answer. */
  request<T = unknown>(message: ChildRequest, timeoutMs?: number): Promise<T>;
  /** The child's CPU time so far (user + system), in microseconds. */
  cpuMicros(): Promise<number>;
  /** Asks the child to stop; kills it if it does not exit within 5 s. */
  stop(): Promise<void>;
}

/**
 * Forks `entry` (a TypeScript module, run through tsx like the parent) and returns its handle. `env` is added
 * to the parent's environment.
 */
export function forkServer(name: string, entry: URL, onLog: (line: string) => void, execArgv: string[] = [], env: Record<string, string> = {}): ChildServer {
  const child: ChildProcess = fork(entry, [], {
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production', ...env },
  });
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  child.on('message', (raw) => {
    const msg = raw as { id?: number; type: string; line?: string; error?: string; value?: unknown };
    if (msg.type === 'log') {
      onLog(`[${name}] ${msg.line ?? ''}`);
      return;
    }
    const waiter = msg.id !== undefined ? pending.get(msg.id) : undefined;
    if (!waiter) return;
    pending.delete(msg.id!);
    clearTimeout(waiter.timer);
    if (msg.error) waiter.reject(new Error(`${name}: ${msg.error}`));
    else waiter.resolve(msg.value);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => {
    for (const [, w] of pending) {
      clearTimeout(w.timer);
      w.reject(new Error(`${name} exited (code ${code}, signal ${signal})`));
    }
    pending.clear();
  });
  // Never leave a server behind, whatever happens to the parent.
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const request = <T>(message: ChildRequest, timeoutMs = 30_000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${name}: no answer to ${message.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      child.send({ ...message, id });
    });

  return {
    name,
    pid: child.pid ?? -1,
    request,
    cpuMicros: () => request<number>({ type: 'cpu' }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      try {
        await request({ type: 'stop' }, 5000).catch(() => undefined);
        await exited;
      } finally {
        clearTimeout(killer);
        process.removeListener('exit', killOnExit);
      }
    },
  };
}

/**
 * The child side: answers `cpu`, `memory`, `loopDelay`, `stop` and whatever `handle` knows (its `start`,
 * `dataVersion`…), forwards log lines to the parent, and exits when the parent goes away.
 */
export function serveParent(handle: (msg: ChildRequest) => Promise<unknown>, onStop: () => Promise<void>): void {
  // Started on the first `loopDelay` request, so that children nobody asks pay nothing.
  let loop: IntervalHistogram | null = null;
  process.on('message', (raw) => {
    const msg = raw as ChildRequest & { id: number };
    void (async () => {
      try {
        let value: unknown;
        if (msg.type === 'cpu') {
          const u = process.cpuUsage();
          value = u.user + u.system;
        } else if (msg.type === 'memory') {
          const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
          value = { rss, heapUsed, heapTotal, external, arrayBuffers } satisfies ChildMemory;
        } else if (msg.type === 'gc') {
          const gc = (globalThis as { gc?: () => void }).gc;
          gc?.();
          value = gc !== undefined;
        } else if (msg.type === 'loopDelay') {
          if (!loop) {
            loop = monitorEventLoopDelay({ resolution: 10 });
            loop.enable();
          }
          // The histogram is in nanoseconds; an empty one reports NaN/huge values, hence the guard.
          const ms = (ns: number): number => (Number.isFinite(ns) && loop!.count > 0 ? ns / 1e6 : 0);
          value = { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) } satisfies LoopDelay;
          loop.reset();
        } else if (msg.type === 'stop') {
          await onStop();
          value = true;
        } else {
          value = await handle(msg);
        }
        process.send?.({ id: msg.id, type: 'reply', value });
        if (msg.type === 'stop') process.disconnect();
      } catch (err) {
        process.send?.({ id: msg.id, type: 'reply', error: (err as Error).stack ?? String(err) });
      }
    })();
  });
  process.on('disconnect', () => {
    void onStop().finally(() => process.exit(0));
  });
}

/** Sends a log line to the parent. */
export function logToParent(line: string): void {
  process.send?.({ type: 'log', line });
}
