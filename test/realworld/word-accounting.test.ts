/**
 * Every word of every entry of the development corpus (`../shared/corpus/realworld/feeds`) is accounted for,
 * in process: what normalization keeps (body, headline, summary, byline, dateline, subjects, copyright
 * notice, picture captions and credits, sibling teasers) plus what a furniture rule named must hold at least 90% of the
 * words of the entry's HTML. Nothing leaves silently.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeFeedBytes } from '../../src/ingest/decode.ts';
import { parseFeed } from '../../src/ingest/parse.ts';
import type { NewsItem, RawFeed } from '../../src/model.ts';
import { textBlocks } from '../../src/normalize/blocks.ts';
import { splitDateline } from '../../src/normalize/dateline.ts';
import { splitSections } from '../../src/normalize/furniture.ts';
import { DEFAULT_RULES, normalizeEntry } from '../../src/normalize/index.ts';
import { compileRules } from '../../src/normalize/matchers.ts';
import { foldWords, words } from '../../src/normalize/text.ts';
import { htmlToText } from '../../src/util/html-text.ts';

const FEEDS = resolve(fileURLToPath(new URL('../../../shared/corpus/realworld/feeds', import.meta.url)));
const available = existsSync(FEEDS);
const rules = compileRules(DEFAULT_RULES);
const now = new Date('2026-01-01T00:00:00Z');

const tokens = (text: string): string[] => words(foldWords(text));

function itemTexts(item: NewsItem): string[] {
  const out = [...item.headlines.map((h) => h.value), ...(item.descriptions ?? []).map((d) => d.value)];
  out.push(...(item.bodies ?? []).map((b) => htmlToText(b.value)), item.by ?? '', item.located ?? '', item.copyrightNotice ?? '');
  out.push(...(item.subjects ?? []).map((s) => s.name), ...(item.infoSources ?? []).map((s) => s.name));
  for (const a of item.associations ?? []) out.push(...(a.descriptions ?? []).map((d) => d.value), a.by ?? '', a.copyrightHolder ?? '');
  return out;
}

function without(all: string[], some: string[]): string[] {
  const left = [...some];
  return all.filter((t) => {
    const i = left.indexOf(t);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

interface Offender {
  file: string;
  entry: number;
  share: number;
  words: number;
  lost: string;
}

function accountFeed(file: string, feed: RawFeed): Offender[] {
  const out: Offender[] = [];
  const source = { id: 'corpus', url: 'https://corpus.example.test/', title: 'corpus', interval: 15, categories: [], allowPrivateNetwork: false };
  feed.entries.forEach((entry, i) => {
    const html = entry.content ?? entry.summary ?? '';
    const need = tokens(htmlToText(html));
    if (need.length === 0) return;
    const items = normalizeEntry(entry, { source, feed, now });
    const blocks = textBlocks(html);
    const furniture = splitSections(blocks, rules).furniture.map((f) => f.text);
    // Read-more markers are named by the `readMore` rule, datelines (place, date, agency tag) by the dateline
    // rule: the part of a line the rule takes off.
    for (const b of blocks) {
      const cut = rules.stripReadMore(b.text);
      if (cut.cut) furniture.push(without(tokens(b.text), tokens(cut.text)).join(' '));
      const split = splitDateline(b.text, rules);
      if (split.dateline && blocks.indexOf(b) < 3) furniture.push(without(tokens(b.text), tokens(split.text)).join(' '));
    }
    const have = new Map<string, number>();
    for (const t of [...items.flatMap((n) => itemTexts(n.item)), ...furniture].flatMap(tokens)) have.set(t, (have.get(t) ?? 0) + 1);
    const lost: string[] = [];
    for (const t of need) {
      const n = have.get(t) ?? 0;
      if (n > 0) have.set(t, n - 1);
      else lost.push(t);
    }
    const share = 1 - lost.length / need.length;
    // A word or two of a very short entry ("Read more") is no tenth of a story.
    if (share < 0.9 && lost.length > 2) out.push({ file, entry: i, share, words: need.length, lost: lost.slice(0, 30).join(' ') });
  });
  return out;
}

describe('word accounting over the development corpus', () => {
  it('keeps or names at least 90% of the words of every entry', async () => {
    expect(available, `${FEEDS} is missing: check out the shared material beside this repository`).toBe(true);
    const offenders: Offender[] = [];
    let entries = 0;
    for (const file of readdirSync(FEEDS).sort()) {
      const bytes = new Uint8Array(readFileSync(join(FEEDS, file)));
      let feed: RawFeed;
      try {
        feed = await parseFeed(decodeFeedBytes(bytes, null).text, { url: `https://corpus.example.test/${file}` });
      } catch {
        continue; // Not a feed our parser reads: the parse scorer judges that, not this test.
      }
      entries += feed.entries.length;
      offenders.push(...accountFeed(file, feed));
    }
    expect(entries).toBeGreaterThan(1000);
    const worst = offenders
      .sort((a, b) => a.share - b.share)
      .slice(0, 15)
      .map((o) => `${(o.share * 100).toFixed(0)}% of ${o.words} words: ${o.file} [${o.entry}] lost: ${o.lost}`)
      .join('\n');
    expect(offenders.length, `entries losing more than a tenth of their words (worst first):\n${worst}`).toBe(0);
  }, 300_000);
});
