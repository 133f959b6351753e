import { pino, type DestinationStream } from 'pino';
import { LOG_LEVELS, type Logger, type LogLevel } from '../util/log.ts';

/** Where secrets could sit in a logged object; pino writes `[redacted]` instead. */
export const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'request.headers.authorization',
  '*.authorization',
  'token',
  'adminToken',
  'key',
  '*.token',
  '*.key',
];

/** The level a `LOG_LEVEL` value names; `info` when absent. @throws Error naming the accepted levels. */
export function logLevelOf(value: string | undefined): LogLevel {
  const level = (value ?? '').trim().toLowerCase() || 'info';
  if (!(level in LOG_LEVELS)) throw new Error(`LOG_LEVEL must be one of ${Object.keys(LOG_LEVELS).join(', ')} (got "${value?.slice(0, 20)}")`);
  return level as LogLevel;
}

/**
 * The Node logger: pino JSON lines (level, time, the event's fields, msg; no pid/hostname, as on Workers),
 * written synchronously to stdout or to `write` (one line per call, without its newline).
 */
export function createNodeLogger(options: { level?: LogLevel | undefined; write?: ((line: string) => void) | undefined } = {}): Logger {
  const write = options.write;
  const destination: DestinationStream = write
    ? { write: (chunk: string) => write(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) }
    : pino.destination({ dest: 1, sync: true });
  return pino({ level: options.level ?? 'info', base: null, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}
