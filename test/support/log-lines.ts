/** One JSON log line as both runtimes write it (pino's shape). */
export interface LogLine {
  level: number;
  time: number;
  msg?: string;
  event?: string;
  [field: string]: unknown;
}

/** The JSON log lines in captured output (stdout and stderr mixed); other lines are left out. */
export function jsonLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return []; // a chunk boundary mid-line: the line is read whole on a later call
      }
    });
}

/** The URL in the server's `server-start` log line, or undefined while it has not been written. */
export function servingUrl(output: string): string | undefined {
  const line = jsonLines(output).find((l) => l.event === 'server-start');
  return typeof line?.url === 'string' ? line.url : undefined;
}
