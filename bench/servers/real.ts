/**
 * Child process: the real wirefeed server (`startNodeServer`, the same code path as `wirefeed serve`) over
 * the database the parent names. In the HTTP bench ingestion cannot change the data during the run: the
 * parent saved the source's next poll in 2100, the cron fires once a year, and the source's host (`.invalid`)
 * never resolves. The load bench points the sources at a local upstream and forces polls through the admin
 * API, which is on when the parent sets `WIREFEED_ADMIN_TOKEN` for this process (as `wirefeed serve` reads it).
 */
import type { WirefeedConfig } from '../../src/config.ts';
import { startNodeServer } from '../../src/runtime/node.ts';
import { logToParent, serveParent, type ChildRequest } from '../child.ts';

let server: Awaited<ReturnType<typeof startNodeServer>> | null = null;
let stopping: Promise<void> | null = null;

serveParent(
  async (msg: ChildRequest) => {
    if (msg.type === 'start') {
      const { config, dbPath } = msg as unknown as { config: WirefeedConfig; dbPath: string };
      const adminToken = process.env.WIREFEED_ADMIN_TOKEN || undefined;
      server = await startNodeServer({ config, dbPath, port: 0, host: '127.0.0.1', adminToken, log: logToParent });
      return server.url;
    }
    if (msg.type === 'dataVersion') {
      if (!server) throw new Error('not started');
      return server.service.store.dataVersion();
    }
    throw new Error(`unknown request ${msg.type}`);
  },
  () => (stopping ??= server ? server.close() : Promise.resolve()),
);
