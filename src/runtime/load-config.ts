import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { validateConfig, type WirefeedConfig } from '../config.ts';
import { ConfigError } from '../errors.ts';

/** The config file used when `WIREFEED_CONFIG` is not set. */
export const DEFAULT_CONFIG_PATH = 'config/wirefeed.config.ts';

/**
 * Loads and validates a config file (`.ts`, `.js`/`.mjs` default export, or `.json`).
 * @throws ConfigError naming the file, or one line per invalid field.
 */
export async function loadConfigFile(path: string): Promise<WirefeedConfig> {
  const absolute = resolve(path);
  let raw: unknown;
  try {
    if (extname(absolute) === '.json') {
      raw = JSON.parse(await readFile(absolute, 'utf8'));
    } else if (['.ts', '.mts', '.js', '.mjs'].includes(extname(absolute))) {
      const mod = (await import(pathToFileURL(absolute).href)) as { default?: unknown };
      raw = mod.default;
    } else {
      throw new ConfigError([`${path}: config files must end in .ts, .js, .mjs or .json`]);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError([`${path}: cannot load: ${(err as Error).message.split('\n')[0]}`], { cause: err });
  }
  if (raw === undefined) throw new ConfigError([`${path}: has no default export`]);
  return validateConfig(raw);
}

/** The config and database paths chosen by the environment (`WIREFEED_CONFIG`, `WIREFEED_DB`). */
export function configPathsFromEnv(env: NodeJS.ProcessEnv): { configPath: string; dbPath: string | undefined } {
  return { configPath: env.WIREFEED_CONFIG || DEFAULT_CONFIG_PATH, dbPath: env.WIREFEED_DB || undefined };
}
