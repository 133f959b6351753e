/**
 * The Cloudflare Workers entry point (`main` in wrangler.toml): the worker of `worker-handlers.ts` over the
 * configuration bundled at build time from `config/worker.config.ts`, validated for the Workers target when
 * the script loads (an invalid config fails the deploy, not a later request).
 */
import bundledConfig from '../../config/worker.config.ts';
import { createWorker, workerConfig } from './worker-handlers.ts';

// Only a default export: workerd takes every named export of the main module for an entrypoint.
export default createWorker(workerConfig(bundledConfig));
