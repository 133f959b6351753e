// The parts of `cloudflare:test` (provided by @cloudflare/vitest-pool-workers inside workerd) these tests
// use. The package's own declarations need @cloudflare/workers-types, which this project does not install.
declare module 'cloudflare:test' {
  /** The D1 binding, as far as the tests use it (the shape of `SqlDatabase` in src/store/sql.ts). */
  export interface TestD1Statement {
    bind(...values: (string | number | null)[]): TestD1Statement;
    all<T = Record<string, unknown>>(): Promise<{ results: T[] }>;
    first<T = Record<string, unknown>>(): Promise<T | null>;
    run(): Promise<unknown>;
  }
  export interface TestD1 {
    prepare(sql: string): TestD1Statement;
    batch(statements: TestD1Statement[]): Promise<unknown[]>;
  }
  export interface D1Migration {
    name: string;
    queries: string[];
  }
  export interface TestExecutionContext {
    waitUntil(work: Promise<unknown>): void;
    passThroughOnException(): void;
  }
  export const env: { DB: TestD1; TEST_MIGRATIONS: D1Migration[] };
  export const SELF: { fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> };
  export function createExecutionContext(): TestExecutionContext;
  export function waitOnExecutionContext(ctx: TestExecutionContext): Promise<void>;
  export function createScheduledController(options?: { scheduledTime?: number | Date; cron?: string }): {
    scheduledTime: number;
    cron: string;
    noRetry(): void;
  };
  /** A message as `createMessageBatch` takes it. */
  export interface TestQueueMessage<Body> {
    id: string;
    timestamp: Date;
    attempts: number;
    body: Body;
  }
  export interface TestMessageBatch<Body> {
    readonly queue: string;
    readonly messages: readonly { readonly id: string; readonly body: Body; readonly attempts: number; ack(): void; retry(): void }[];
  }
  export function createMessageBatch<Body = unknown>(queueName: string, messages: TestQueueMessage<Body>[]): TestMessageBatch<Body>;
  /** The ack/retry state of a batch made by `createMessageBatch`, once the handler's work has settled. */
  export function getQueueResult(
    batch: TestMessageBatch<unknown>,
    ctx: TestExecutionContext,
  ): Promise<{ outcome: string; ackAll: boolean; retryBatch: { retry: boolean }; explicitAcks: string[]; retryMessages: { msgId: string }[] }>;
  export function applyD1Migrations(db: TestD1, migrations: D1Migration[], migrationsTableName?: string): Promise<void>;
}

// Vite's `?raw` imports (a file's text, bundled), as test/worker/page.test.ts uses them.
declare module '*?raw' {
  const text: string;
  export default text;
}
