/**
 * The structured log both runtimes write: one JSON object a line with `level` (pino's numbers), `time`
 * (epoch ms), the event's own fields (`event`, `source`, `reqId`…) and `msg`. Node writes it with pino
 * (`src/runtime/node-log.ts`); Workers with {@link createJsonLogger}. The core only sees {@link Logger}.
 */

/** Fields of one log event; `event` names it (`poll`, `websub-ping-failed`, `server-start`, `request-failed`…). */
export type LogFields = { event?: string; [field: string]: unknown };

/** The part of a pino logger the core uses (a pino `Logger` is one). */
export interface Logger {
  debug(fields: LogFields, msg?: string): void;
  info(fields: LogFields, msg?: string): void;
  warn(fields: LogFields, msg?: string): void;
  error(fields: LogFields, msg?: string): void;
}

/** pino's level numbers, which both runtimes write. */
export const LOG_LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;
export type LogLevel = keyof typeof LOG_LEVELS;

/** A logger that writes nothing. */
export const NO_LOG: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A logger writing pino-shaped JSON lines through `write` (Workers: `console.log`), at `level` and above.
 * An `Error` in a field is written as `{ type, message, stack }`, as pino's `err` serializer does.
 */
export function createJsonLogger(write: (line: string) => void, level: LogLevel = 'info', now: () => number = Date.now): Logger {
  const floor = LOG_LEVELS[level];
  const at = (name: LogLevel) =>
    LOG_LEVELS[name] < floor
      ? () => {}
      : (fields: LogFields, msg?: string) => {
          write(JSON.stringify({ level: LOG_LEVELS[name], time: now(), ...serialize(fields), ...(msg === undefined ? {} : { msg }) }));
        };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function serialize(fields: LogFields): LogFields {
  let out: LogFields | undefined;
  for (const [name, value] of Object.entries(fields)) {
    if (value instanceof Error) {
      out ??= { ...fields };
      out[name] = { type: value.name, message: value.message, stack: value.stack };
    }
  }
  return out ?? fields;
}
