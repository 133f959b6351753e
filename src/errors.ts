/**
 * Typed errors. Each carries a `kind` that is stored on the source that raised it and shown in `/status`.
 */

/** Base class: a failure with a machine-readable kind. */
export class WirefeedError extends Error {
  readonly kind: string;
  constructor(kind: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.kind = kind;
  }
}

/** Why a fetch failed. */
export type FetchErrorCode =
  | 'timeout'
  | 'too-large'
  | 'too-many-redirects'
  | 'blocked-address'
  | 'bad-scheme'
  | 'http-status'
  | 'network';

/** An upstream could not be fetched: network, status, deadline, size, redirect or address policy. */
export class FetchError extends WirefeedError {
  readonly code: FetchErrorCode;
  readonly status: number | undefined;
  /** Seconds the upstream asked us to wait (`Retry-After`), when it did. */
  readonly retryAfter: number | undefined;
  constructor(
    code: FetchErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number; retryAfter?: number },
  ) {
    super('fetch', message, options);
    this.code = code;
    this.status = options?.status;
    this.retryAfter = options?.retryAfter;
  }
}

/** An upstream document could not be read as a feed. */
export class ParseError extends WirefeedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('parse', message, options);
  }
}

/** The configuration is invalid; `problems` holds one line per problem, each naming its path. */
export class ConfigError extends WirefeedError {
  readonly problems: string[];
  constructor(problems: string[], options?: { cause?: unknown }) {
    super('config', problems.join('\n'), options);
    this.problems = problems;
  }
}

/** The store failed (database locked, corrupt, migration failed). */
export class StoreError extends WirefeedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store', message, options);
  }
}

/** Why an ingest worker thread failed a job. */
export type WorkerErrorCode = 'crashed' | 'exited' | 'out-of-memory' | 'timeout' | 'closed';

/**
 * The worker thread that decodes, parses and normalizes a fetched document failed that job: it threw outside
 * the job, exited, ran out of memory, or missed the job's deadline (and was stopped). Only that poll fails.
 */
export class WorkerError extends WirefeedError {
  readonly code: WorkerErrorCode;
  constructor(code: WorkerErrorCode, message: string, options?: { cause?: unknown }) {
    super('worker', message, options);
    this.code = code;
  }
}

/** Describes any thrown value as a kind and message for a source's error record. */
export function describeError(err: unknown): { kind: string; message: string } {
  if (err instanceof WirefeedError) return { kind: err.kind, message: err.message };
  if (err instanceof Error) return { kind: 'internal', message: err.message };
  return { kind: 'internal', message: String(err) };
}
