/**
 * Vitest global setup of the workerd project, run in Node: builds the Node edition over SQLite, ingests
 * the test upstream at INGEST_AT exactly as the worker will, and records its answers to PARITY_CASES for
 * the workerd tests (`inject('nodeReference')`).
 */
import type { TestProject } from 'vitest/node';
import { validateConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/app.ts';
import { createFetcher } from '../../src/ingest/fetch.ts';
import { ingestDue } from '../../src/ingest/run.ts';
import { compressNode } from '../../src/runtime/node.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createService } from '../../src/service.ts';
import { createStore } from '../../src/store/store.ts';
import testConfig from './fixtures/worker.config.ts';
import { INGEST_AT, PARITY_CASES, caseKey, caseRequest, parityAnswer, type ParityAnswer } from './parity-cases.ts';
import { createUpstream } from './upstream.ts';

/** The Node build's answers to PARITY_CASES after one ingest of the test upstream. */
export async function nodeReference(): Promise<Record<string, ParityAnswer>> {
  const config = validateConfig(testConfig);
  const sqlite = openSqlite(':memory:');
  try {
    const store = createStore(sqlite.db);
    await store.syncSources(config.sources);
    const upstream = createUpstream();
    // The worker's fetcher: no resolveHost, so only literal IPs are checked (the test host has no DNS).
    const fetchFeed = createFetcher({
      fetch: async (input, init) => upstream(new Request(input, init)),
      timeoutMs: config.limits.fetchTimeoutMs,
      maxBytes: config.limits.maxFeedBytes,
      maxRedirects: config.limits.maxRedirects,
    });
    const service = createService(config, { store, fetchFeed, fetch, log: () => {} });
    // The service's own ingestion, at the worker's fixed instant.
    const outcomes = await ingestDue(
      { ...service.deps, now: () => INGEST_AT },
      { batchSize: config.schedule.batchSize, concurrency: config.schedule.concurrency },
    );
    const failed = outcomes.filter((o) => o.status !== 'ok');
    if (failed.length > 0) throw new Error(`the Node reference ingest failed: ${JSON.stringify(failed)}`);
    // What startNodeServer (src/runtime/node.ts) builds.
    const app = createApp({ ...service.appDeps, compress: compressNode });
    const reference: Record<string, ParityAnswer> = {};
    for (const c of PARITY_CASES) {
      reference[caseKey(c)] = await parityAnswer(await app.fetch(caseRequest(c, reference)));
    }
    return reference;
  } finally {
    sqlite.close();
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide('nodeReference', await nodeReference());
}
