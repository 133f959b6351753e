import { sourceLicense, type WirefeedConfig } from './config.ts';
import { createAccessControl, type AccessControl, type AccessDeps } from './http/auth.ts';
import type { SqlDatabase } from './store/sql.ts';
import { createSubscriberStore } from './store/subscribers.ts';

/**
 * Licensed distribution wired from a configuration, the same on every runtime: writes the sources'
 * licences and the configured subscribers to the database (after `store.syncSources`), and returns the
 * access control the HTTP app resolves keys and entitlements with.
 */
export async function openAccess(
  config: WirefeedConfig,
  db: SqlDatabase,
  options: Pick<AccessDeps, 'now' | 'ttlMs' | 'background' | 'flushMs'> = {},
): Promise<AccessControl> {
  const subscribers = createSubscriberStore(db);
  await subscribers.syncLicenses(config.sources.map((s) => ({ id: s.id, license: sourceLicense(s) })));
  await subscribers.syncSubscribers(
    (config.subscribers ?? []).map((s) => ({ id: s.id, name: s.name, contact: s.contact ?? null, entitlements: s.entitlements, webhook: s.webhook ?? null, suspended: s.suspended })),
  );
  return createAccessControl({ subscribers, sources: config.sources, ...options });
}
