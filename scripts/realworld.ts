/**
 * The real-world harness: runs our `wirefeed parse` and `wirefeed normalize` (the CLI's own functions, in
 * process) over `../shared/corpus/realworld/feeds/*`, writes what the two scorers of
 * `../shared/tools/realworld/` read (PARSE_JSONL and NORM_DIR) into a temp dir, runs both and returns their
 * per-check figures. `npx tsx scripts/realworld.ts [--keep]` prints them (`--keep` leaves the temp dir and
 * the scorers' stderr there, for reading the failures).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeCommand } from '../src/cli/normalize-command.ts';
import { parseCommand } from '../src/cli/parse-command.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** Where the corpus and the scorers live (beside the worktree). */
export const SHARED = resolve(ROOT, '../shared');
const REALWORLD = join(SHARED, 'corpus/realworld');
const TOOLS = join(SHARED, 'tools/realworld');
const SCHEMA = join(SHARED, 'schemas/ninjs-schema_3.1.json');

/** What one scorer said: per check (field) the entries passing and checked, and its closing line. */
export interface ScorerReport {
  checks: Record<string, { pass: number; total: number; percent: number }>;
  summary: string;
  exitCode: number | null;
  stderr: string;
}

/** Both scorers' reports, and the temp dir they read. */
export interface RealworldReport {
  parse: ScorerReport;
  normalize: ScorerReport;
  dir: string;
}

/** True when ../shared holds the corpus and the scorers this harness needs. */
export function realworldAvailable(): boolean {
  return [join(REALWORLD, 'feeds'), join(REALWORLD, 'SOURCES.tsv'), join(TOOLS, 'score_realworld.py'), join(TOOLS, 'score_realworld_normalize.py'), SCHEMA].every(existsSync);
}

/** Runs parse and normalize over the corpus, then both scorers; the temp dir is removed unless `keep`. */
export async function runRealworld(options: { keep?: boolean } = {}): Promise<RealworldReport> {
  if (!realworldAvailable()) throw new Error(`realworld: ${REALWORLD} or ${TOOLS} is missing (../shared is absent)`);
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-realworld-'));
  try {
    const feeds = readdirSync(join(REALWORLD, 'feeds'))
      .sort()
      .map((f) => join(REALWORLD, 'feeds', f));
    const lines: string[] = [];
    await parseCommand(feeds, (line) => lines.push(line));
    const parseJsonl = join(dir, 'parse.jsonl');
    writeFileSync(parseJsonl, lines.join('\n') + '\n');

    const normDir = join(dir, 'norm');
    mkdirSync(normDir);
    const now = new Date('2026-01-01T00:00:00Z');
    for (const feed of newsFeeds()) {
      const file = join(REALWORLD, 'feeds', feed);
      let out: string;
      try {
        out = JSON.stringify(await normalizeCommand(file, undefined, now), null, 2);
      } catch {
        // The scorer reports a feed without output as a normalize failure.
        continue;
      }
      writeFileSync(join(normDir, `${basename(file)}.json`), out);
    }

    const parse = runScorer('score_realworld.py', [REALWORLD, parseJsonl]);
    const normalize = runScorer('score_realworld_normalize.py', [REALWORLD, parseJsonl, normDir, SCHEMA]);
    for (const [name, r] of [['parse', parse], ['normalize', normalize]] as const) writeFileSync(join(dir, `${name}.stderr.txt`), r.stderr);
    return { parse, normalize, dir };
  } finally {
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
}

function newsFeeds(): string[] {
  const rows = readTsv(join(REALWORLD, 'SOURCES.tsv'));
  return rows.filter((r) => r.kind === 'news').map((r) => r.file!).filter(Boolean);
}

function readTsv(path: string): Record<string, string>[] {
  const text = readFileSync(path, 'utf8');
  const [head, ...rows] = text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  const cols = head!.split('\t');
  return rows.map((r) => Object.fromEntries(r.split('\t').map((v, i) => [cols[i]!, v])));
}

/** The first python3 that imports feedparser and jsonschema (pyenv and venv shims often cannot see Debian's). */
function python(): string {
  const candidates = [process.env.WIREFEED_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  const found = candidates.find((c) => spawnSync(c, ['-c', 'import feedparser, jsonschema'], { stdio: 'ignore' }).status === 0);
  if (!found) throw new Error(`realworld: no python3 imports feedparser and jsonschema (tried ${candidates.join(', ')}): install python3-feedparser python3-jsonschema`);
  return found;
}

function runScorer(script: string, args: string[]): ScorerReport {
  const r = spawnSync(python(), [join(TOOLS, script), ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  const checks: ScorerReport['checks'] = {};
  // The normalize scorer prints "  located     61/90   67.78%"; the parse scorer "  title   1234/1250 98.72%" (per field).
  for (const m of r.stderr.matchAll(/^ {2}([a-z_]+)\s+(\d+)\s*\/\s*(\d+)\s+([\d.]+)%/gm)) {
    if (!(m[1]! in checks)) checks[m[1]!] = { pass: Number(m[2]), total: Number(m[3]), percent: Number(m[4]) };
  }
  const summary = r.stdout.trim().split('\n').at(-1) ?? '';
  return { checks, summary, exitCode: r.status, stderr: r.stderr };
}

function print(name: string, report: ScorerReport): void {
  console.log(`${name}: ${report.summary} (exit ${report.exitCode})`);
  for (const [check, c] of Object.entries(report.checks)) console.log(`  ${check.padEnd(12)} ${String(c.pass).padStart(6)}/${String(c.total).padEnd(6)} ${c.percent.toFixed(2)}%`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const keep = process.argv.includes('--keep');
  const report = await runRealworld({ keep });
  print('parse', report.parse);
  print('normalize', report.normalize);
  if (keep) console.log(`kept: ${report.dir}`);
}
