import { z } from 'zod';
import { ConfigError } from './errors.ts';
import type { FeedSpec, SourceConfig } from './model.ts';
import { normalizeRulesSchema } from './normalize/rules.ts';
import { WIRE_AGENCIES } from './normalize/vocabulary/agencies.ts';

/** Fetches of one upstream host at once, by default, across all sources of one tick. */
export const DEFAULT_PER_HOST_CONCURRENCY = 2;
/**
 * Node: the share of one core the poll thread may be busy while readers are answered (`schedule.ingestShare`).
 * At a quarter, 5,000 sources due at once drain in ~40 s instead of ~11 s (a source's interval is minutes).
 */
export const DEFAULT_INGEST_SHARE = 0.25;

/** Article pages fetched per tick at most, by default (on Workers they count against the subrequest budget). */
export const DEFAULT_PAGE_FETCHES_PER_TICK = 20;

/**
 * Subrequests one Workers invocation may make (the Free plan's limit; Paid allows 1000). A tick fetches at
 * most `schedule.batchSize` feeds and `limits.pageFetchesPerTick` pages, each of which may redirect.
 */
export const WORKER_SUBREQUEST_BUDGET = 50;

/** A string field whose absence and wrong type get distinct messages. */
function requiredString() {
  return z.string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string') });
}

const idPattern = /^[a-z0-9][a-z0-9_-]*$/;

const sourceSchema = z.object({
  id: requiredString()
    .regex(idPattern, { error: 'must be lowercase letters, digits, "-" or "_"' }),
  url: requiredString().refine(isSourceUrl, {
    error: 'must be an absolute http(s) or file URL',
  }),
  title: requiredString().min(1, { error: 'must not be empty' }),
  interval: z
    .number({ error: 'must be a number of minutes' })
    .positive({ error: 'must be a positive number of minutes' })
    .max(7 * 24 * 60, { error: 'must be at most a week (10080 minutes)' })
    .default(15),
  provider: z.string().min(1).optional(),
  categories: z.array(z.string().min(1)).default([]),
  allowPrivateNetwork: z.boolean({ error: 'must be true or false' }).default(false),
  license: z.enum(['public', 'restricted'], { error: 'must be "public" or "restricted"' }).optional(),
  maxAgeDays: z.number({ error: 'must be a number of days' }).positive({ error: 'must be a positive number of days' }).optional(),
  /** Fetch each new entry version's article page for its story: always (`true`), or when the entry is a summary (`"auto"`). */
  fullText: z.union([z.boolean(), z.literal('auto')], { error: 'must be true, false or "auto"' }).optional(),
});

const nameList = z.array(z.string().min(1, { error: 'must not be empty' }), { error: 'must be a list of names' });

const entitlementsSchema = z
  .object({ feeds: nameList.optional(), categories: nameList.optional(), providers: nameList.optional(), sources: nameList.optional() })
  .strict();

const subscriberSchema = z
  .object({
    id: requiredString().regex(idPattern, { error: 'must be lowercase letters, digits, "-" or "_"' }),
    name: requiredString().min(1, { error: 'must not be empty' }),
    contact: z.string().optional(),
    entitlements: entitlementsSchema.default({}),
    webhook: z
      .object({
        url: requiredString().refine((u) => /^https?:$/.test(safeProtocol(u)), { error: 'must be an absolute http(s) URL' }),
        /** Let the webhook reach a private address (a CMS on the newsroom's own network), as a source's `allowPrivateNetwork`. */
        allowPrivateNetwork: z.boolean({ error: 'must be true or false' }).optional(),
        /** The signing secret (at least 16 characters); without one a random secret is made when the subscriber is first stored. */
        secret: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
      })
      .strict()
      .optional(),
    suspended: z.boolean({ error: 'must be true or false' }).default(false),
  })
  .strict();

const filterSchema = z
  .object({
    categories: z.array(z.string().min(1)).optional(),
    excludeCategories: z.array(z.string().min(1)).optional(),
    sources: z.array(z.string().min(1)).optional(),
  })
  .strict();

const feedSchema = z.object({
  name: requiredString()
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'must be lowercase letters, digits or "-" (it is used in URLs)' }),
  title: requiredString().min(1, { error: 'must not be empty' }),
  description: z.string().optional(),
  filter: filterSchema.default({}),
});

const configSchema = z
  .object({
    sources: z.array(sourceSchema, { error: 'is required: a list of upstream sources' }),
    feeds: z.array(feedSchema).default([]),
    subscribers: z.array(subscriberSchema).default([]),
    server: z
      .object({
        baseUrl: z
          .string()
          .refine((u) => /^https?:$/.test(safeProtocol(u)), { error: 'must be an absolute http(s) URL' })
          .optional(),
        title: z.string().min(1).default('wirefeed'),
        /** The feeds' language, a BCP 47 tag, canonicalized (`en-ca` gives `en-CA`). */
        language: z
          .string()
          .refine((tag) => bcp47(tag) !== undefined, { error: 'must be a BCP 47 language tag such as "en" or "fr-CA"' })
          .transform((tag) => bcp47(tag) ?? tag)
          .default('en'),
        hub: z
          .string()
          .refine((u) => /^https?:$/.test(safeProtocol(u)), { error: 'must be an absolute http(s) URL of a WebSub hub' })
          .optional(),
        maxAge: z.number().int().min(0).max(86_400).optional(),
      })
      .strict()
      .default({ title: 'wirefeed', language: 'en' }),
    storage: z
      .object({ path: z.string().min(1).optional() })
      .strict()
      .default({}),
    schedule: z
      .object({
        cron: z.string().min(1).default('*/30 * * * * *'),
        concurrency: z.number().int().min(1).max(64).default(4),
        batchSize: z.number().int().min(1).max(1000).default(20),
        /** Fetches of one upstream host at once, across all sources of one tick. */
        perHostConcurrency: z.number().int().min(1).max(64).default(DEFAULT_PER_HOST_CONCURRENCY),
        /** Node: worker threads that decode, parse and normalize fetched feeds off the serving thread; 0 = in the serving thread. */
        workers: z.number({ error: 'must be a number of threads' }).int().min(0).max(32).default(1),
        /** Node: a worker job (one fetched document) past this many ms fails that poll and the worker is replaced. */
        workerTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
        /** Node: the V8 heap (old generation) a worker may use, MiB; a worker past it is stopped and replaced. */
        workerMemoryMb: z.number().int().min(16).max(16_384).default(1024),
        /** Node on Linux: how much the ingest threads lower their own CPU priority (nice value), so the serving thread comes first; 0 = off. */
        ingestNice: z.number({ error: 'must be a nice increment from 0 to 19' }).int().min(0).max(19).default(10),
        /** Node: while readers are being answered, the poll thread keeps its busy time under this share of one core (polls wait); 1 = never waits. */
        ingestShare: z.number({ error: 'must be a share of one core from 0.05 to 1' }).min(0.05).max(1).default(DEFAULT_INGEST_SHARE),
      })
      .strict()
      .default({
        cron: '*/30 * * * * *',
        concurrency: 4,
        batchSize: 20,
        perHostConcurrency: DEFAULT_PER_HOST_CONCURRENCY,
        workers: 1,
        workerTimeoutMs: 30_000,
        workerMemoryMb: 1024,
        ingestNice: 10,
        ingestShare: DEFAULT_INGEST_SHARE,
      }),
    normalize: normalizeRulesSchema.prefault({}),
    retention: z
      .object({
        maxAgeDays: z.number().positive().default(30),
        maxItemsPerSource: z.number().int().min(1).default(2000),
      })
      .strict()
      .default({ maxAgeDays: 30, maxItemsPerSource: 2000 }),
    rateLimit: z
      .object({
        burst: z.number().int().min(1).default(120),
        perSecond: z.number().positive().default(2),
        maxClients: z.number().int().min(1).default(10_000),
      })
      .strict()
      .nullable()
      .default({ burst: 120, perSecond: 2, maxClients: 10_000 }),
    /** Push delivery to subscribers' webhooks. */
    webhooks: z
      .object({
        /** Events in one POST at most. */
        batchSize: z.number().int().min(1).max(500).default(50),
        /** Deadline of one POST, in ms. */
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
        /** The first retry's delay in seconds (doubling on each failure, at most an hour; retried for 24 h). */
        retryBaseSeconds: z.number().positive().max(3600).default(30),
        /** Node: how often the delivery loop looks for due events between ingest ticks, in seconds. */
        intervalSeconds: z.number().positive().max(3600).default(5),
      })
      .strict()
      .default({ batchSize: 50, timeoutMs: 10_000, retryBaseSeconds: 30, intervalSeconds: 5 }),
    limits: z
      .object({
        fetchTimeoutMs: z.number().int().min(100).default(20_000),
        maxFeedBytes: z.number().int().min(1024).default(15 * 1024 * 1024),
        maxRedirects: z.number().int().min(0).max(20).default(5),
        /** Article pages (full text) fetched per tick at most, over all sources; the rest wait for the next tick. */
        pageFetchesPerTick: z.number({ error: 'must be a number of pages' }).int({ error: 'must be a whole number of pages' }).min(0, { error: 'must be 0 or more' }).max(1000, { error: 'must be at most 1000' }).default(DEFAULT_PAGE_FETCHES_PER_TICK),
        /** An article page larger than this many bytes is not read (its entry keeps the feed's text). */
        maxPageBytes: z.number({ error: 'must be a number of bytes' }).int().min(1024, { error: 'must be at least 1024 bytes' }).default(5 * 1024 * 1024),
      })
      .strict()
      .default({ fetchTimeoutMs: 20_000, maxFeedBytes: 15 * 1024 * 1024, maxRedirects: 5, pageFetchesPerTick: DEFAULT_PAGE_FETCHES_PER_TICK, maxPageBytes: 5 * 1024 * 1024 }),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    if (cfg.server.hub && !cfg.server.baseUrl) {
      ctx.addIssue({ code: 'custom', path: ['server', 'baseUrl'], message: 'is required with server.hub: the hub is told the public URLs of the feeds' });
    }
    const seen = new Map<string, number>();
    cfg.sources.forEach((s, i) => {
      const first = seen.get(s.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['sources', i, 'id'], message: `duplicates sources[${first}].id "${s.id}"` });
      } else seen.set(s.id, i);
    });
    const names = new Map<string, number>();
    cfg.feeds.forEach((f, i) => {
      if (f.name === 'all') {
        ctx.addIssue({ code: 'custom', path: ['feeds', i, 'name'], message: '"all" is reserved: that feed always exists' });
      }
      const first = names.get(f.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['feeds', i, 'name'], message: `duplicates feeds[${first}].name "${f.name}"` });
      } else names.set(f.name, i);
    });
    const subscriberIds = new Map<string, number>();
    cfg.subscribers.forEach((s, i) => {
      const first = subscriberIds.get(s.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['subscribers', i, 'id'], message: `duplicates subscribers[${first}].id "${s.id}"` });
      } else subscriberIds.set(s.id, i);
      (s.entitlements.feeds ?? []).forEach((name, j) => {
        if (name !== 'all' && !names.has(name)) ctx.addIssue({ code: 'custom', path: ['subscribers', i, 'entitlements', 'feeds', j], message: `names no configured feed "${name}"` });
      });
    });
  });

/** A configuration as written by an operator (defaults may be left out). */
export type WirefeedConfigInput = z.input<typeof configSchema>;

/** A validated configuration with every default filled in. */
export interface WirefeedConfig extends Omit<z.output<typeof configSchema>, 'sources' | 'feeds'> {
  sources: SourceConfig[];
  feeds: FeedSpec[];
}

/**
 * A source's licence: its `license`, else `restricted` when its `provider` is a wire agency (agency copy is
 * licensed: the AP's terms say it must not be published directly to websites), else `public`.
 */
export function sourceLicense(source: SourceConfig): 'public' | 'restricted' {
  if (source.license) return source.license;
  const provider = source.provider?.trim().toLowerCase();
  if (!provider) return 'public';
  return WIRE_AGENCIES.some((a) => a.name.toLowerCase() === provider || a.aliases.some((alias) => alias.toLowerCase() === provider)) ? 'restricted' : 'public';
}

/**
 * Validates one source as the configuration writes it, with the configuration's messages, each naming its
 * field (`url: must be an absolute http(s) or file URL`); unknown fields are refused (`unknown key "intervall"`).
 * `origin: 'api'` also refuses `file:` URLs: only the configuration file may name local files.
 * @throws ConfigError with one line per problem.
 */
export function validateSource(input: unknown, origin: 'config' | 'api' = 'config'): SourceConfig {
  const result = sourceSchema.strict().safeParse(input);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.length ? formatPath(issue.path) : '(source)'}: ${issueMessage(issue)}`));
  }
  if (origin === 'api' && safeProtocol(result.data.url) === 'file:') {
    throw new ConfigError(['url: file: URLs are for the configuration file only; serve the feed over http(s)']);
  }
  return result.data as SourceConfig;
}

/** Where the configuration names sources by id: feeds' `filter.sources` and subscribers' `entitlements.sources`. */
function sourceNameRefs(config: Pick<WirefeedConfig, 'feeds' | 'subscribers'>): Array<{ path: string; id: string }> {
  return [
    ...config.feeds.flatMap((f, i) => (f.filter.sources ?? []).map((id, j) => ({ path: `feeds[${i}].filter.sources[${j}]`, id }))),
    ...config.subscribers.flatMap((s, i) => (s.entitlements.sources ?? []).map((id, j) => ({ path: `subscribers[${i}].entitlements.sources[${j}]`, id }))),
  ];
}

/**
 * The source ids that feeds' `filter.sources` and subscribers' `entitlements.sources` name but `known` lacks,
 * one line each naming its path. `validateConfig` leaves them alone: they may name a source added at run time
 * (admin API, `wirefeed sources add`), which only the store knows; the runtimes check them against it at start.
 */
export function unknownSourceNames(config: Pick<WirefeedConfig, 'feeds' | 'subscribers'>, known: ReadonlySet<string>): string[] {
  return sourceNameRefs(config)
    .filter((ref) => !known.has(ref.id))
    .map((ref) => `${ref.path}: names no source "${ref.id}" (neither in the configuration nor added at run time)`);
}

/** The paths of the configuration that name source `id` (`feeds[0].filter.sources[1]`, …): removing it would stop the next start. */
export function sourceNamedBy(config: Pick<WirefeedConfig, 'feeds' | 'subscribers'>, id: string): string[] {
  return sourceNameRefs(config)
    .filter((ref) => ref.id === id)
    .map((ref) => ref.path);
}

/** The SQLite file used on Node when neither `storage.path` nor `WIREFEED_DB` names one. */
export const DEFAULT_DB_PATH = './data/wirefeed.db';

/** Types a configuration object for editors; returns it unchanged (validation happens at load). */
export function defineConfig(config: WirefeedConfigInput): WirefeedConfigInput {
  return config;
}

/**
 * Validates a configuration and fills in defaults.
 * @throws ConfigError with one line per problem, each naming its path (`sources[2].url: …`).
 */
export function validateConfig(input: unknown): WirefeedConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issueMessage(issue)}`));
  }
  return result.data as WirefeedConfig;
}

/**
 * Seconds pollers may cache a feed: `server.maxAge`, else half the shortest source interval, between 30 s
 * and 10 minutes — nothing new can arrive faster than the sources are polled.
 */
export function feedMaxAge(config: WirefeedConfig): number {
  if (config.server.maxAge !== undefined) return config.server.maxAge;
  const shortest = Math.min(...config.sources.map((s) => s.interval * 60));
  return Math.round(Math.min(600, Math.max(30, Number.isFinite(shortest) ? shortest / 2 : 60)));
}

/**
 * Problems that make a valid configuration unusable on Cloudflare Workers (no file system there).
 * Returns one line per problem; empty when the config can run on Workers.
 */
export function workerTargetProblems(config: WirefeedConfig): string[] {
  const problems: string[] = [];
  if (config.storage.path !== undefined) {
    problems.push('storage.path: Workers keep their data in D1 (the DB binding in wrangler.toml); remove storage.path');
  }
  config.sources.forEach((s, i) => {
    if (safeProtocol(s.url) === 'file:') {
      problems.push(`sources[${i}].url: file: URLs cannot be fetched on Cloudflare Workers; serve the feed over https`);
    }
  });
  // full text: a tick's feed polls and page fetches share one invocation's subrequests.
  const pages = config.sources.some((s) => s.fullText) ? config.limits.pageFetchesPerTick : 0;
  if (pages > 0 && config.schedule.batchSize + pages > WORKER_SUBREQUEST_BUDGET) {
    problems.push(
      `limits.pageFetchesPerTick: schedule.batchSize (${config.schedule.batchSize}) feeds and ${pages} article pages per tick exceed the ${WORKER_SUBREQUEST_BUDGET} subrequests of one Workers invocation; lower limits.pageFetchesPerTick or schedule.batchSize`,
    );
  }
  return problems;
}

function isSourceUrl(value: string): boolean {
  return ['http:', 'https:', 'file:'].includes(safeProtocol(value));
}

function safeProtocol(value: string): string {
  try {
    return new URL(value).protocol;
  } catch {
    return '';
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(config)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) return `must be ${issue.expected}`;
  return issue.message;
}

/**
 * The canonical form of a BCP 47 language tag (`Intl`'s reading of RFC 5646) whose language is an ISO 639
 * code `Intl` can name (as feed validators check), or undefined when `tag` is none.
 */
function bcp47(tag: string): string | undefined {
  if (!/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/.test(tag)) return undefined;
  let canonical: string | undefined;
  try {
    canonical = Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
  const language = canonical?.split('-')[0] ?? '';
  const names = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' }) : null;
  return names && names.of(language) === undefined ? undefined : canonical;
}
