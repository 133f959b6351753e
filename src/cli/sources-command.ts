import { parseArgs } from 'node:util';
import { validateSource } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { sourceView } from '../http/admin.ts';
import { openSqlite } from '../runtime/sqlite.ts';
import { createStore } from '../store/store.ts';

/** The usage lines of the source commands. */
export const SOURCES_USAGE = `  sources add ID --url URL --title TITLE [--interval MIN] [--categories A,B] [--provider P]
              [--license public|restricted] [--max-age-days N] [--allow-private-network]
                                 add a source (as POST /admin/sources does); polled from the server's next tick
  sources list                   every stored source, one JSON line each (origin, paused, health)
  sources pause ID | resume ID | remove ID
`;

/** Sources read per query while listing: the memory of `sources list` stays flat whatever their number. */
const LIST_PAGE = 500;

/**
 * Runs `wirefeed sources …` on the database at `dbPath`; returns the exit status. A running server sees a
 * change at its next tick (it re-reads the stored sources when they changed).
 */
export async function sourcesCommand(
  args: string[],
  dbPath: string,
  out: (text: string) => void,
  err: (text: string) => void,
  /** The paths of the configuration file that name a source (`remove` is refused while any does). */
  namedBy: (id: string) => string[] = () => [],
): Promise<number> {
  let parsed: ReturnType<typeof parseSourceArgs>;
  try {
    parsed = parseSourceArgs(args);
  } catch (e) {
    err(`wirefeed sources: ${(e as Error).message}\n${SOURCES_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [verb, id] = positionals;
  if (verb !== 'list' && verb !== 'add' && verb !== 'pause' && verb !== 'resume' && verb !== 'remove') {
    err(`wirefeed sources: unknown command "${verb ?? ''}"\n${SOURCES_USAGE}`);
    return 2;
  }
  if (verb !== 'list' && !id) {
    err(`wirefeed sources ${verb}: name the source id\n`);
    return 2;
  }
  const sqlite = openSqlite(dbPath);
  const sources = createStore(sqlite.db).sources;
  try {
    switch (verb) {
      case 'list': {
        let cursor: string | null = null;
        do {
          const page = await sources.page({ limit: LIST_PAGE, cursor });
          for (const s of page.sources) out(`${JSON.stringify(sourceView(s))}\n`);
          cursor = page.next;
        } while (cursor);
        return 0;
      }
      case 'add': {
        const input: Record<string, unknown> = { id, url: values.url, title: values.title };
        if (values.interval !== undefined) input.interval = Number(values.interval);
        if (values.categories !== undefined) input.categories = values.categories.split(',').map((c) => c.trim()).filter(Boolean);
        if (values.provider !== undefined) input.provider = values.provider;
        if (values.license !== undefined) input.license = values.license;
        if (values['max-age-days'] !== undefined) input.maxAgeDays = Number(values['max-age-days']);
        if (values['allow-private-network']) input.allowPrivateNetwork = true;
        const config = validateSource(input, 'api');
        if (!(await sources.add(config))) {
          err(`wirefeed sources add: a source "${config.id}" exists already\n`);
          return 1;
        }
        out(`${JSON.stringify(sourceView((await sources.get(config.id))!))}\n`);
        return 0;
      }
      default: {
        const current = await sources.get(id!);
        if (!current) {
          err(`wirefeed sources ${verb}: no source "${id}"\n`);
          return 1;
        }
        if (verb === 'remove') {
          if (current.origin === 'config' && current.config) {
            err(`wirefeed sources remove: "${id}" is in the configuration file: remove it there, or pause it\n`);
            return 1;
          }
          const named = namedBy(current.id);
          if (named.length > 0) {
            err(`wirefeed sources remove: "${id}" is named by ${named.join(', ')} of the configuration file: remove the name there first, or pause it\n`);
            return 1;
          }
          await sources.remove(current.id);
          out(`removed ${current.id}\n`);
          return 0;
        }
        if (!current.config) {
          err(`wirefeed sources ${verb}: "${id}" left the configuration file; add it again to manage it here\n`);
          return 1;
        }
        await sources.update(current.id, current.config, verb === 'pause');
        out(`${JSON.stringify(sourceView((await sources.get(current.id))!))}\n`);
        return 0;
      }
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`wirefeed sources ${verb}: ${e.problems.join('; ')}\n`);
      return 1;
    }
    throw e;
  } finally {
    sqlite.close();
  }
}

function parseSourceArgs(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      title: { type: 'string' },
      interval: { type: 'string' },
      categories: { type: 'string' },
      provider: { type: 'string' },
      license: { type: 'string' },
      'max-age-days': { type: 'string' },
      'allow-private-network': { type: 'boolean' },
    },
  });
}
