import type { WirefeedConfig } from './config.ts';
import { createAccessControl, type AccessControl, type AccessDeps } from './http/auth.ts';
import type { SqlDatabase } from './store/sql.ts';
import { createSubscriberStore, type SubscriberWrite } from './store/subscribers.ts';

/** The configured subscribers as the subscriber store syncs them (a webhook's secret apart from its target). */
export function configSubscribers(config: WirefeedConfig): SubscriberWrite[] {
  return (config.subscribers ?? []).map((s) => ({
    id: s.id,
    name: s.name,
    contact: s.contact ?? null,
    entitlements: s.entitlements,
    webhook: s.webhook ? { url: s.webhook.url, ...(s.webhook.allowPrivateNetwork ? { allowPrivateNetwork: true } : {}) } : null,
    webhookSecret: s.webhook?.secret ?? null,
    suspended: s.suspended,
  }));
}

/**
 * Licensed distribution wired from a configuration, the same on every runtime: writes the configured
 * subscribers to the database (the sources' licences are written with the sources by `store.syncSources`
 * and the admin API), and returns the access control the HTTP app resolves keys and entitlements with.
 * `sources` is the service's snapshot of the stored sources (default: the configured ones).
 */
export async function openAccess(
  config: WirefeedConfig,
  db: SqlDatabase,
  options: Pick<AccessDeps, 'now' | 'ttlMs' | 'background' | 'flushMs'> & { sources?: AccessDeps['sources'] } = {},
): Promise<AccessControl> {
  const subscribers = createSubscriberStore(db);
  await subscribers.syncSubscribers(configSubscribers(config));
  return createAccessControl({ subscribers, ...options, sources: options.sources ?? config.sources });
}
