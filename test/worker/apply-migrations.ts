// Setup file of the workerd project: applies src/store/migrations (read in Node by readD1Migrations, see
// vitest.config.ts) to the test file's D1 database, as `wrangler d1 migrations apply` does in production.
import { applyD1Migrations, env } from 'cloudflare:test';

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
