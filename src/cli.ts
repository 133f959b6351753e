import { parseArgs } from 'node:util';
import { DEFAULT_DB_PATH, sourceNamedBy, unknownSourceNames, workerTargetProblems, type WirefeedConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import { normalizeCommand, normalizeJsonlCommand } from './cli/normalize-command.ts';
import { parseCommand } from './cli/parse-command.ts';
import { createIngestProgress, type IngestProgress } from './cli/ingest-progress.ts';
import { SOURCES_USAGE, sourcesCommand } from './cli/sources-command.ts';
import { SUBSCRIBER_USAGE, subscribersCommand } from './cli/subscribers-command.ts';
import { configPathsFromEnv, loadConfigFile } from './runtime/load-config.ts';
import { openNodeService, startNodeServer } from './runtime/node.ts';
import { createNodeLogger, logLevelOf } from './runtime/node-log.ts';

const USAGE = `usage: wirefeed <command>

  serve                          start the service (PORT, HOST, WIREFEED_CONFIG, WIREFEED_DB, LOG_LEVEL)
  ingest --once [--source ID]    poll every unpaused source (or one) now, print one JSON line per source, exit
                                 (on a terminal, a progress line on stderr: sources done, failed, items)
  check-config [FILE] [--target node|worker]
                                 validate a config file (default: WIREFEED_CONFIG or config/wirefeed.config.ts)
  parse FILE...                  parse feed files, print one JSON line per file
  normalize FILE|URL             print the normalized items of a feed or article page as a JSON array of ninjs 3.1 objects
  normalize --jsonl FILE...      the same, one JSON line per file: {"file","items"} or {"file","error"}
${SOURCES_USAGE}${SUBSCRIBER_USAGE}`;

/** Runs the `wirefeed` command line; returns the exit status. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  const { configPath, dbPath } = configPathsFromEnv(env);
  try {
    switch (command) {
      case 'serve': {
        const config = await loadConfigFile(configPath);
        const server = await startNodeServer({
          config,
          dbPath: dbPath ?? config.storage.path ?? DEFAULT_DB_PATH,
          port: Number(env.PORT ?? 8787),
          host: env.HOST ?? '127.0.0.1',
          adminToken: env.WIREFEED_ADMIN_TOKEN || undefined,
          logLevel: logLevelOf(env.LOG_LEVEL),
        });
        const stop = (): void => {
          server.close().then(() => process.exit(0), () => process.exit(1));
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        return await new Promise<number>(() => {});
      }
      case 'ingest': {
        const { values } = parseArgs({ args: rest, options: { once: { type: 'boolean' }, source: { type: 'string', multiple: true } } });
        if (!values.once) {
          process.stderr.write('wirefeed ingest: only --once is supported (the schedule runs under `serve`)\n');
          return 2;
        }
        const config = await loadConfigFile(configPath);
        const logger = createNodeLogger({ level: logLevelOf(env.LOG_LEVEL), write: (line) => process.stderr.write(`${line}\n`) });
        // A terminal gets a progress line on stderr; piped, stdout stays one JSON line per source.
        let progress: IngestProgress | null = null;
        const service = await openNodeService(config, dbPath ?? config.storage.path ?? DEFAULT_DB_PATH, logger, { onPoll: (o) => progress?.polled(o) });
        try {
          const active = new Set(service.deps.sources.map((s) => s.id));
          const known = new Set(service.sources().map((s) => s.id));
          const unknown = (values.source ?? []).filter((id) => !known.has(id));
          if (unknown.length) {
            process.stderr.write(`wirefeed ingest: no source ${unknown.map((id) => `"${id}"`).join(', ')} in ${configPath} or the database\n`);
            return 2;
          }
          const paused = (values.source ?? []).filter((id) => !active.has(id));
          if (paused.length) {
            process.stderr.write(`wirefeed ingest: source ${paused.map((id) => `"${id}"`).join(', ')} is paused (wirefeed sources resume ID)\n`);
            return 2;
          }
          if (process.stderr.isTTY) progress = createIngestProgress(values.source?.length ?? active.size, (t) => process.stderr.write(t));
          const outcomes = await service.pollNow(values.source);
          progress?.done();
          for (const o of outcomes) process.stdout.write(`${JSON.stringify(o)}\n`);
          return outcomes.some((o) => o.status === 'error') ? 1 : 0;
        } finally {
          await service.close();
        }
      }
      case 'check-config': {
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { target: { type: 'string', default: 'node' } } });
        const file = positionals[0] ?? configPath;
        if (values.target !== 'node' && values.target !== 'worker') {
          process.stderr.write('wirefeed check-config: --target must be node or worker\n');
          return 2;
        }
        const config: WirefeedConfig = await loadConfigFile(file);
        if (values.target === 'worker') {
          const problems = workerTargetProblems(config);
          if (problems.length) throw new ConfigError(problems);
        }
        for (const name of unknownSourceNames(config, new Set(config.sources.map((s) => s.id)))) {
          process.stderr.write(`wirefeed check-config: note: ${name}: the server refuses to start unless it is added at run time first (wirefeed sources add, POST /admin/sources)\n`);
        }
        process.stdout.write(`${file}: ok (${config.sources.length} sources, ${config.feeds.length + 1} feeds, target ${values.target})\n`);
        return 0;
      }
      case 'parse': {
        if (rest.length === 0) {
          process.stderr.write('wirefeed parse: name at least one file\n');
          return 2;
        }
        await parseCommand(rest, (line) => process.stdout.write(`${line}\n`));
        return 0;
      }
      case 'normalize': {
        if (rest[0] === '--jsonl') {
          if (rest.length < 2) {
            process.stderr.write('wirefeed normalize --jsonl: name at least one file\n');
            return 2;
          }
          const config = await loadConfigFile(configPath).catch(() => null);
          await normalizeJsonlCommand(rest.slice(1), config?.normalize, (line) => process.stdout.write(`${line}\n`));
          return 0;
        }
        if (rest.length !== 1) {
          process.stderr.write('wirefeed normalize: name one file or http(s) URL\n');
          return 2;
        }
        const config = await loadConfigFile(configPath).catch(() => null);
        const items = await normalizeCommand(rest[0]!, config?.normalize);
        process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
        return 0;
      }
      case 'sources': {
        const config = await loadConfigFile(configPath).catch(() => null);
        return await sourcesCommand(rest, dbPath ?? config?.storage.path ?? DEFAULT_DB_PATH, (t) => process.stdout.write(t), (t) => process.stderr.write(t), (id) =>
          config ? sourceNamedBy(config, id) : [],
        );
      }
      case 'subscribers':
      case 'keys':
      case 'usage': {
        const config = await loadConfigFile(configPath).catch(() => null);
        return await subscribersCommand(command, rest, dbPath ?? config?.storage.path ?? DEFAULT_DB_PATH, (t) => process.stdout.write(t), (t) => process.stderr.write(t));
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`wirefeed: unknown command "${command}"\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`wirefeed: invalid configuration:\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`);
      return 1;
    }
    process.stderr.write(`wirefeed: ${(err as Error).message}\n`);
    return 1;
  }
}
