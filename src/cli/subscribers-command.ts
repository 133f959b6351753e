import { parseArgs } from 'node:util';
import { HTTPException } from 'hono/http-exception';
import { addSubscriber, createKey, subscriberView, usageCsv, usageJson } from '../http/subscribers.ts';
import { openSqlite } from '../runtime/sqlite.ts';
import { createSubscriberStore, type Entitlements } from '../store/subscribers.ts';

/** The usage lines of the subscriber commands. */
export const SUBSCRIBER_USAGE = `  subscribers add ID --name NAME [--contact C] [--feeds A,B] [--categories A,B] [--providers A,B]
                    [--sources A,B] [--webhook URL] [--expires ISO]
                                 add a subscriber; prints it with its first key (shown this once)
  subscribers list | show ID | suspend ID [--resume] | remove ID
  keys create ID [--expires ISO] a new key for a subscriber (printed once)
  keys revoke ID KEY_ID          revoke a key at once
  usage ID [--csv]               a subscriber's usage per day and key id
`;

/**
 * Runs `wirefeed subscribers|keys|usage …` on the database at `dbPath`; returns the exit status. Changes
 * made here reach a running server within its key index's refresh (5 s).
 */
export async function subscribersCommand(command: string, args: string[], dbPath: string, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      contact: { type: 'string' },
      feeds: { type: 'string' },
      categories: { type: 'string' },
      providers: { type: 'string' },
      sources: { type: 'string' },
      webhook: { type: 'string' },
      expires: { type: 'string' },
      resume: { type: 'boolean' },
      csv: { type: 'boolean' },
    },
  });
  const sqlite = openSqlite(dbPath);
  const store = createSubscriberStore(sqlite.db);
  const now = Date.now();
  const json = (value: unknown): void => out(`${JSON.stringify(value, null, 2)}\n`);
  const shown = async (id: string): Promise<Record<string, unknown> | null> => {
    const s = await store.get(id);
    return s ? subscriberView(s, await store.keys(id)) : null;
  };
  const list = (value: string | undefined): string[] | undefined => value?.split(',').map((v) => v.trim()).filter(Boolean);
  try {
    const [verb, id, extra] = command === 'usage' ? ['usage', positionals[0], undefined] : positionals;
    const need = (what: string | undefined, label: string): string => {
      if (!what) throw new UsageError(`wirefeed ${command} ${verb ?? ''}: name the ${label}`);
      return what;
    };
    switch (`${command} ${verb}`) {
      case 'subscribers add': {
        const entitlements: Entitlements = {};
        for (const k of ['feeds', 'categories', 'providers', 'sources'] as const) {
          const v = list(values[k]);
          if (v) entitlements[k] = v;
        }
        const subscriberId = need(id, 'subscriber id');
        if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(subscriberId)) throw new UsageError('the subscriber id must be lowercase letters, digits, "-" or "_"');
        const created = await addSubscriber(
          store,
          { id: subscriberId, name: values.name ?? subscriberId, contact: values.contact ?? null, entitlements, webhook: values.webhook ? { url: values.webhook } : null, expiresAt: values.expires },
          now,
        );
        json({ ...(await shown(subscriberId)), keyId: created.keyId, key: created.key, ...(created.secret ? { secret: created.secret } : {}) });
        return 0;
      }
      case 'subscribers list':
        json(await Promise.all((await store.list()).map((s) => shown(s.id))));
        return 0;
      case 'subscribers show':
      case 'subscribers suspend':
      case 'subscribers remove': {
        const subscriberId = need(id, 'subscriber id');
        if (!(await store.get(subscriberId))) throw new UsageError(`no subscriber "${subscriberId}"`, 1);
        if (verb === 'suspend') await store.update(subscriberId, { suspended: !values.resume });
        if (verb === 'remove') {
          await store.remove(subscriberId);
          out(`removed ${subscriberId}\n`);
          return 0;
        }
        json(await shown(subscriberId));
        return 0;
      }
      case 'keys create': {
        json(await createKey(store, need(id, 'subscriber id'), values.expires, now));
        return 0;
      }
      case 'keys revoke': {
        const subscriberId = need(id, 'subscriber id');
        if (!(await store.revokeKey(subscriberId, need(extra, 'key id'), now))) throw new UsageError(`no live key "${extra}" of "${subscriberId}"`, 1);
        out(`revoked ${extra}\n`);
        return 0;
      }
      case 'usage usage': {
        const subscriberId = need(id, 'subscriber id');
        if (!(await store.get(subscriberId))) throw new UsageError(`no subscriber "${subscriberId}"`, 1);
        const rows = await store.usage(subscriberId);
        if (values.csv) out(usageCsv(rows));
        else json({ subscriber: subscriberId, usage: usageJson(rows) });
        return 0;
      }
      default:
        throw new UsageError(`wirefeed ${command}: unknown command "${verb ?? ''}"\n${SUBSCRIBER_USAGE}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${e.message}\n`);
      return e.status;
    }
    if (e instanceof HTTPException) {
      err(`wirefeed ${command}: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    sqlite.close();
  }
}

class UsageError extends Error {
  constructor(
    message: string,
    readonly status = 2,
  ) {
    super(message);
  }
}
