import { spawn, type ChildProcess } from 'node:child_process';

/** A `wirefeed serve` process, the URL it serves and what it wrote so far. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Starts `wirefeed serve` as a real process with `env` and waits (20 s at most) for the URL it prints. */
export function startServer(env: Record<string, string>): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['bin/wirefeed.mjs', 'serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => code !== 0 && code !== null && reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}
