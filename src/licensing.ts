import { sourceLicense, type WirefeedConfig } from './config.ts';
import { createAccessControl, type AccessControl, type AccessDeps } from './http/auth.ts';
import type { SourceConfig } from './model.ts';
import { RESTRICTED_MAX_AGE_DAYS } from './store/rights.ts';
import type { SqlDatabase } from './store/sql.ts';
import { createSubscriberStore, type SubscriberWrite } from './store/subscribers.ts';

/** A source's licence and how long its items stay in the feeds (restricted: 30 days unless `maxAgeDays` says). */
export function sourceRights(source: SourceConfig): { id: string; license: 'public' | 'restricted'; maxAgeMs: number | null } {
  const license = sourceLicense(source);
  const days = source.maxAgeDays ?? (license === 'restricted' ? RESTRICTED_MAX_AGE_DAYS : null);
  return { id: source.id, license, maxAgeMs: days === null ? null : Math.round(days * 86_400_000) };
}

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
  await subscribers.syncLicenses(config.sources.map(sourceRights));
  await subscribers.syncSubscribers(configSubscribers(config));
  return createAccessControl({ subscribers, sources: config.sources, ...options });
}
