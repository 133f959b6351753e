import { spawn, type ChildProcess } from 'node:child_process';
import { servingUrl } from './log-lines.ts';

/** A `wirefeed serve` process, the URL it serves and what it wrote so far. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Resolves once the process has exited, with the signal that ended it or else its exit code. */
  exited: Promise<NodeJS.Signals | number | null>;
}

const START_TIMEOUT_MS = 20_000;

/**
 * Starts `wirefeed serve` as a real process with `env` (on a free loopback port unless `env` names one) and
 * waits (20 s at most) for the URL of its `server-start` log line; rejects when it exits before serving.
 */
export function startServer(env: Record<string, string>): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['bin/wirefeed.mjs', 'serve'], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<NodeJS.Signals | number | null>((r) => child.once('exit', (code, signal) => r(signal ?? code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wirefeed serve did not start within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const url = servingUrl(output);
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, output: () => output, exited });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`wirefeed serve exited (${how}) before serving:\n${output}`));
    });
  });
}

/** SIGKILLs a server that is still running (as a crash would end it) and waits until it has exited. */
export async function killServer(server: ServeProcess | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGKILL');
  await server.exited;
}
