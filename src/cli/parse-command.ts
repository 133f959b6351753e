/**
 * `wirefeed parse <file…>`: decodes and parses local feed files and prints one JSON line per file — the
 * parser's view of the feed, for debugging a source or checking a fixture.
 */
import { readFile } from 'node:fs/promises';
import { WirefeedError } from '../errors.ts';
import { decodeFeedBytes } from '../ingest/decode.ts';
import { parseFeed } from '../ingest/parse.ts';
import type { RawEntry, RawFeed } from '../model.ts';

/** One file's line: the feed (media left out), or why it could not be parsed. */
function feedLine(file: string, feed: RawFeed): Record<string, unknown> {
  return {
    file,
    format: feed.format,
    title: feed.title,
    link: feed.link,
    description: feed.description,
    id: feed.id,
    author: feed.author,
    categories: feed.categories,
    published: feed.published,
    updated: feed.updated,
    entries: feed.entries.map((e: RawEntry) => ({
      id: e.id,
      title: e.title,
      link: e.link,
      published: e.published,
      updated: e.updated,
      author: e.author,
      categories: e.categories,
      summary: e.summary,
      content: e.content,
      enclosures: e.enclosures.map((x) => ({ url: x.url, type: x.type, length: x.length })),
    })),
  };
}

function errorMessage(err: unknown): string {
  if (err instanceof WirefeedError) return err.message;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string') {
    // A file-system error: say which, without the stack.
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : code;
    return `cannot read the file: ${reason}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * For each file, in order: reads its bytes, decodes them, parses them and calls `write` with exactly one
 * JSON line — `{"file","format","title","link","description","id","author","categories","published",
 * "updated","entries":[{"id","title","link","published","updated","author","categories","summary",
 * "content","enclosures":[{"url","type","length"}]}]}` (dates ISO-8601 UTC, absent fields `null`), or
 * `{"file","error"}` when the file cannot be read or is not a feed. Never throws for a bad file.
 */
export async function parseCommand(files: string[], write: (line: string) => void): Promise<void> {
  for (const file of files) {
    let line: Record<string, unknown>;
    try {
      const bytes = await readFile(file);
      const { text } = decodeFeedBytes(bytes);
      line = feedLine(file, await parseFeed(text));
    } catch (err) {
      line = { file, error: errorMessage(err) };
    }
    write(JSON.stringify(line));
  }
}
