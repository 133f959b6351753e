/**
 * `wirefeed normalize <FILE|URL>`: fetches (with the service's own fetcher and its policies) or reads a feed
 * or an article page (HTML, detected), and prints its normalized items as a JSON array of ninjs 3.1 objects —
 * what the store would keep; for a page, the story first, then its sibling stories.
 */
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeFeedBytes } from '../ingest/decode.ts';
import { createFetcher } from '../ingest/fetch.ts';
import { extractArticlePage, looksLikeHtmlPage, MAX_PAGE_BYTES } from '../ingest/page/extract.ts';
import { parseFeed } from '../ingest/parse.ts';
import type { NewsItem } from '../model.ts';
import { createGuardedFetch } from '../runtime/guarded-fetch.ts';
import { normalizeFeed, type NormalizeRules } from '../normalize/index.ts';
import { normalizePage } from './page-items.ts';

/** Normalizes one feed or article page (file or http(s) URL); the version fields are those of a first ingest at `now`. */
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
  if (looksLikeHtmlPage(text, result.contentType)) {
    const page = extractArticlePage({ bytes: result.bytes, url: result.url, contentType: result.contentType }, { maxBytes: MAX_PAGE_BYTES });
    const source = { id: 'cli', url, title: page.siteName ?? target, interval: 15, categories: [], allowPrivateNetwork: false };
    return normalizePage(page, { source, now, rules }).map((n) => n.item);
  }
  const feed = await parseFeed(text, { url: result.url });
  const source = { id: 'cli', url, title: feed.title ?? target, interval: 15, categories: [], allowPrivateNetwork: false };
  return normalizeFeed(feed, { source, now, rules }).map((n) => n.item);
}

/** One line of `wirefeed normalize --jsonl`: a file's items, or why it has none. */
export type NormalizeLine = { file: string; items: NewsItem[] } | { file: string; error: string };

/** `wirefeed normalize --jsonl FILE…`: one JSON line per file, in order; a failing file is a line, not an exit. */
export async function normalizeJsonlCommand(targets: string[], rules: NormalizeRules | undefined, write: (line: string) => void, now = new Date()): Promise<void> {
  for (const file of targets) {
    let line: NormalizeLine;
    try {
      line = { file, items: await normalizeCommand(file, rules, now) };
    } catch (err) {
      line = { file, error: (err as Error).message };
    }
    write(JSON.stringify(line));
  }
}
