/**
 * `wirefeed normalize <FILE|URL>`: fetches (with the service's own fetcher and its policies) or reads a feed,
 * and prints its normalized items as a JSON array of ninjs 3.1 objects — what the store would keep.
 */
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeFeedBytes } from '../ingest/decode.ts';
import { createFetcher } from '../ingest/fetch.ts';
import { parseFeed } from '../ingest/parse.ts';
import type { NewsItem } from '../model.ts';
import { createGuardedFetch } from '../runtime/guarded-fetch.ts';
import { normalizeFeed, type NormalizeRules } from '../normalize/index.ts';

/** Normalizes one feed file or http(s) URL; the version fields are those of a first ingest at `now`. */
export async function normalizeCommand(target: string, rules: NormalizeRules | undefined, now = new Date()): Promise<NewsItem[]> {
  const url = /^https?:\/\//i.test(target) ? target : pathToFileURL(resolve(target)).href;
  const fetchFeed = createFetcher({
    readFile: async (path) => new Uint8Array(await readFile(path)),
    resolveHost: async (host) => (await lookup(host, { all: true })).map((a) => a.address),
    publicFetch: createGuardedFetch(),
  });
  const result = await fetchFeed({ url });
  if (result.status !== 'ok') throw new Error(`${target}: the upstream answered 304 to an unconditional request`);
  const { text } = decodeFeedBytes(result.bytes, result.contentType);
  const feed = await parseFeed(text, { url: result.url });
  const source = { id: 'cli', url, title: feed.title ?? target, interval: 15, categories: [], allowPrivateNetwork: false };
  return normalizeFeed(feed, { source, now, rules }).map((n) => n.item);
}
