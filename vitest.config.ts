import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { createUpstream } from './test/worker/upstream.ts';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// Keeps wrangler (read by the workerd pool for wrangler.toml) off the network.
process.env.WRANGLER_SEND_METRICS ??= 'false';
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false';

// When the pool closes its socket to the runner at the very end of the run, workerd logs this line to stdout,
// after the summary reporter's closing `N passed, N failed`; it reports nothing about the tests.
const WORKERD_SHUTDOWN_NOISE = /^exception = workerd\/api\/web-socket\.c\+\+:\d+: disconnected: WebSocket peer disconnected\n?$/;
const writeStdout = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
  typeof chunk === 'string' && WORKERD_SHUTDOWN_NOISE.test(chunk) ? true : writeStdout(chunk, ...rest)) as typeof process.stdout.write;

export default defineConfig({
  test: {
    // One run, two projects; the summary reporter's closing line counts both.
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/worker/**', 'node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          pool: 'forks',
        },
      },
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: here('./wrangler.toml') },
            remoteBindings: false,
            miniflare: {
              bindings: { TEST_MIGRATIONS: await readD1Migrations(here('./src/store/migrations')) },
              // workerd will not fetch 127.0.0.1: every outbound fetch of the tests is answered here, in Node.
              outboundService: createUpstream(),
            },
          })),
        ],
        resolve: {
          // The tests bundle their own configuration in place of config/worker.config.ts.
          alias: [{ find: /^(?:\.\.\/)+config\/worker\.config\.ts$/, replacement: here('./test/worker/fixtures/worker.config.ts') }],
        },
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts'],
          globalSetup: ['./test/worker/node-reference.ts'],
          setupFiles: ['./test/worker/apply-migrations.ts'],
          // sanitize-html's postcss requires the ESM build of nanoid, which workerd's CommonJS loader cannot
          // take as is; pre-bundled by Vite it loads like it does in the wrangler (esbuild) bundle.
          deps: { optimizer: { ssr: { enabled: true, include: ['sanitize-html'] } } },
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
