/**
 * `npm run bench`: the HTTP benchmark (real server against a bare node:http server with the same bytes) and
 * the store benchmark (listing queries at 10k, 100k and 1M items), printed as Markdown for the README.
 * A benchmark, not a test: a missed target is printed, never turned into a failing exit status.
 *
 * Knobs (environment, all optional):
 * - BENCH_DURATION: seconds per measured HTTP run (one request, one server, one round), 1–10 (default 2)
 * - BENCH_ROUNDS: HTTP rounds, each running every request on both servers, 1–9 (default 3)
 * - BENCH_CONNECTIONS: 1–100 (default 10)
 * - BENCH_SIZES: comma list of store sizes, each 1k–2M (default 10000,100000,1000000)
 * - BENCH_ONLY: `http` or `store`
 * - BENCH_PROFILE: a directory; the real server writes a V8 CPU profile there when it stops
 */
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { runHttpBench, type HttpReport, type LoadOptions, type LoadResult } from './http.ts';
import { percentile, sig } from './stats.ts';
import { runStoreBench, sqliteVersion, type StoreReport } from './store.ts';

/** Targets from the issue. */
const FEED_TARGET = 0.8; // each feed route at ≥ 0.8× the bare server's req/s
const NOT_MODIFIED_TARGET = 1.5; // the 304 path at ≥ 1.5× our own 200 path
/** A query counts as flat when its median grows less than 2× per 10× more items (or by < 0.5 ms in all). */
const FLAT_STEP = 2;
const FLAT_ABSOLUTE_MS = 0.5;
/** Load-generator CPU (% of a core) from which a bare-server run counts as generator-bound. */
const GENERATOR_BOUND = 85;
/** The whole run is bounded: past this, children are killed and the process exits. */
const HARD_LIMIT_MS = 8 * 60_000;

const intEnv = (name: string, fallback: number, min: number, max: number): number => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  return n;
};

const load: LoadOptions = {
  connections: intEnv('BENCH_CONNECTIONS', 10, 1, 100),
  pipelining: 1,
  duration: intEnv('BENCH_DURATION', 2, 1, 10),
  rounds: intEnv('BENCH_ROUNDS', 3, 1, 9),
  warmup: 1,
};
const sizes = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map((s) => {
  const n = Number(s.trim());
  if (!Number.isInteger(n) || n < 1000 || n > 2_000_000) throw new Error(`BENCH_SIZES: each size must be from 1000 to 2000000, not "${s}"`);
  return n;
});
const only = process.env.BENCH_ONLY ?? '';
if (!['', 'http', 'store'].includes(only)) throw new Error(`BENCH_ONLY must be "http" or "store", not "${only}"`);

const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const progress = (line: string): void => void process.stderr.write(`… ${line}\n`);
const ms = (v: number): string => `${sig(v, 3)} ms`;
const kb = (bytes: number): string => (bytes === 0 ? '0' : `${sig(bytes / 1024, 3)} KiB`);
const count = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));
const loadLine = (): string => loadavg().map((l) => l.toFixed(2)).join(' / ');

function pkgVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

function environment(): void {
  const cpu = cpus();
  out('## Environment');
  out();
  out(`- Node ${process.version} (V8 ${process.versions.v8}), ${process.platform}/${process.arch}`);
  out(`- CPU: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown'}; memory ${sig(totalmem() / 2 ** 30, 3)} GiB (${sig(freemem() / 2 ** 30, 3)} GiB free)`);
  out(`- load average at start (1/5/15 min): ${loadLine()} — other processes on the machine share the cores`);
  out(`- autocannon ${pkgVersion('autocannon')}, better-sqlite3 ${pkgVersion('better-sqlite3')} (SQLite ${sqliteVersion()}), hono ${pkgVersion('hono')}, @hono/node-server ${pkgVersion('@hono/node-server')}`);
  out();
}

const medianOf = (values: number[]): number => percentile(Float64Array.from(values).sort(), 0.5);

/** A run whose responses are (almost) all the expected status, without errors. */
const valid = (l: LoadResult): boolean => l.responses > 0 && l.unexpected <= l.responses * 0.001;

function printHttp(r: HttpReport): void {
  const o = r.options;
  out('## HTTP: wirefeed against a bare node:http server with the same bytes');
  out();
  out(
    `Each server runs in its own child process; autocannon drives them from the parent, so the load generator never ` +
      `shares an event loop with the server it measures (with 2 cores: one for the server, one for the generator). ` +
      `${o.connections} connections, pipelining ${o.pipelining}; ${o.warmup} s warm-up per request and server, then ` +
      `${o.rounds} rounds in which every request runs ${o.duration} s on each server (order reversed every other round), ` +
      `so that a change in background load hits both sides of a ratio: req/s is the median round, a ratio the median ` +
      `of the per-round ratios, p99 over all of a server's rounds. The store holds ${r.seededItems} stories (3–5 HTML paragraphs, ` +
      `subjects, byline, dateline, web rendition, a picture on every third), seeded through \`savePoll\`. ` +
      `The real server is \`startNodeServer\` (the \`wirefeed serve\` code path); the bare server holds the bytes and ` +
      `headers the real one answered (identity, gzip, 304), fetched once before the runs.`,
  );
  out();
  const invalid: string[] = [];
  out('| request | body | wirefeed req/s | bare req/s | ratio | wirefeed p99 | bare p99 | target | met |');
  out('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |');
  for (const x of r.routes) {
    const ratio = x.ratio;
    if (!valid(x.real) || !valid(x.bare)) invalid.push(x.route.key);
    const body = x.route.key === '304' ? 'none' : `${kb(x.bodyBytes)}${x.route.key === 'gzip' ? ' gzip' : ''}, ${x.items} items`;
    out(
      `| ${x.route.label} | ${body} | ${Math.round(x.real.rps)} | ${Math.round(x.bare.rps)} | ${ratio.toFixed(2)}× | ` +
        `${ms(x.real.p99)} | ${ms(x.bare.p99)} | ≥ ${FEED_TARGET}× bare | ${ratio >= FEED_TARGET ? 'yes' : '**NO**'} |`,
    );
  }
  const named = r.routes.find((x) => x.route.key === 'named');
  const nm = r.routes.find((x) => x.route.key === '304');
  const notModifiedRatio = named && nm ? medianOf(nm.real.rpsRounds.map((v, i) => v / named.real.rpsRounds[i]!)) : Number.NaN;
  if (named && nm) {
    const ratio = notModifiedRatio;
    out(
      `| wirefeed 304 against wirefeed 200 (same feed) | — | ${Math.round(nm.real.rps)} | ${Math.round(named.real.rps)} (our 200) | ` +
        `${ratio.toFixed(2)}× | | | ≥ ${NOT_MODIFIED_TARGET}× our 200 | ${ratio >= NOT_MODIFIED_TARGET ? 'yes' : '**NO**'} |`,
    );
  }
  out();
  if (invalid.length) {
    out(`**INVALID: ${invalid.join(', ')} — more than 0.1 % of the responses had another status than expected, or errors (see Details).**`);
    out();
  }
  out('Targets:');
  for (const x of r.routes) {
    const ratio = x.ratio;
    out(`- ${x.route.key}: ${ratio.toFixed(2)}× the bare server — target ≥ ${FEED_TARGET}×: ${ratio >= FEED_TARGET ? 'MET' : 'MISSED'}`);
  }
  if (named && nm) {
    const ratio = notModifiedRatio;
    out(`- 304 against our 200: ${ratio.toFixed(2)}× — target ≥ ${NOT_MODIFIED_TARGET}×: ${ratio >= NOT_MODIFIED_TARGET ? 'MET' : 'MISSED'}`);
  }
  out();
  const capped = r.routes.filter((x) => x.bare.loadgenCpu >= GENERATOR_BOUND);
  if (capped.length) {
    out(
      `Generator-bound: on ${capped.map((x) => x.route.key).join(', ')}, autocannon used ≥ ${GENERATOR_BOUND} % of a core while ` +
        `driving the bare server, so the bare figure is the load generator's ceiling rather than the bare server's, and the ` +
        `true ratio is lower than shown (with 2 cores the generator cannot get a core of its own and a second one for the server).`,
    );
    out();
  }
  out('Details (CPU in % of one core during the measured rounds; a server near 100 % is the bottleneck, a generator near 100 % caps the rate):');
  out();
  out('| request | server | req/s per round | p50 | p99 | responses (by status) | unexpected status/errors | bytes/response | server CPU | generator CPU |');
  out('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const x of r.routes) {
    for (const [name, l] of [['wirefeed', x.real], ['bare', x.bare]] as const) {
      out(
        `| ${x.route.key} | ${name} | ${l.rpsRounds.map((v) => Math.round(v)).join(', ')} | ${ms(l.p50)} | ${ms(l.p99)} | ${l.responses} (${Object.entries(l.statuses).map(([c, n]) => `${c}: ${n}`).join(', ')}) | ${l.unexpected} | ${Math.round(l.bytesPerResponse)} | ` +
          `${Math.round(l.serverCpu)} % | ${Math.round(l.loadgenCpu)} % |`,
      );
    }
  }
  out();
  out('Checks:');
  for (const f of r.fairness) out(`- bare vs wirefeed answer, ${f}`);
  out(
    `- data version before/after the runs: ${r.dataVersion.before} / ${r.dataVersion.after} ` +
      `(${r.dataVersion.before === r.dataVersion.after ? 'unchanged: no ingestion during the bench' : 'CHANGED: ingestion ran during the bench, figures are suspect'})`,
  );
  out(`- ETag of /feeds/politics.rss after the runs: ${r.etagStable ? 'unchanged' : 'CHANGED'}`);
  out(`- server log: ${r.serverLog.length ? '' : '(nothing but the start line)'}`);
  for (const l of r.serverLog) out(`  - ${l}`);
  out(`- load average after the HTTP runs: ${loadLine()}`);
  out();
}

function printStore(r: StoreReport): void {
  out('## Store: listing queries as the store grows');
  out();
  out(
    `A temp SQLite file with the service's schema (\`openSqlite\`, migrations applied), filled directly with ` +
      `better-sqlite3 (${count(r.chunk)} items per transaction; items and \`item_categories\` consistent, ${r.categories} ` +
      `categories drawn Zipf-like, 1–3 per item, plus \`cat-old\` on the oldest ${r.oldItems} items; 5 sources; ` +
      `one item every ~30 s). Queried with the service's settings ` +
      `(2 MB page cache, synchronous = NORMAL), warm, after a full GC. Times are per call: the store call ` +
      `(\`store.listItems\`, rows decoded to NewsItems) or the feed page (\`parseFeedRequest\` + \`collectPage\`); ` +
      `"SQL only" is the same statement through better-sqlite3 without decoding. The \`q=council\` word matches ` +
      `${Math.round(r.qWordShare * 100)} % of cat-3 stories.`,
  );
  out();
  out('| size | fill | file | cat-3 share |');
  out('| ---: | ---: | ---: | ---: |');
  for (const s of r.sizes) out(`| ${count(s.size)} | ${s.fillSeconds.toFixed(1)} s | ${Math.round(s.fileMB)} MB | ${(s.cat3Share * 100).toFixed(1)} % |`);
  out();
  const first = r.sizes[0]!;
  const header = r.sizes.map((s) => `${count(s.size)}: median / p99 (n) · rows`);
  out(`| query | ${header.join(' | ')} | growth per 10× items | flat? |`);
  out(`| --- | ${r.sizes.map(() => '---:').join(' | ')} | --- | --- |`);
  const verdicts: string[] = [];
  const notes: string[] = [];
  type Cell = { median: number; p99: number; n: number; saturated: boolean; rows?: number | undefined } | undefined;
  const row = (label: string, long: string, pick: (s: StoreReport['sizes'][number]) => Cell): void => {
    const cells = r.sizes.map((s) => pick(s));
    const steps: string[] = [];
    for (let i = 1; i < cells.length; i++) {
      const a = cells[i - 1];
      const b = cells[i];
      if (!a || !b) continue;
      // The growth of the median per 10× more items (sizes need not be exactly 10× apart).
      const perTen = (b.median / a.median) ** (1 / Math.log10(r.sizes[i]!.size / r.sizes[i - 1]!.size));
      steps.push(a.saturated ? `${perTen.toFixed(2)}×` : `(${perTen.toFixed(2)}×)`);
    }
    // Judged over the whole range from the first size where the case reached its bound, so that one noisy
    // step (the machine is shared) does not decide: flat when the median grows less than FLAT_STEP× per 10×
    // more items on average, or by less than FLAT_ABSOLUTE_MS in all.
    const from = cells.findIndex((c) => c?.saturated);
    const a = from >= 0 ? cells[from] : undefined;
    const b = cells.at(-1);
    let verdict = 'n/a';
    if (a && b && from < cells.length - 1) {
      const perTen = (b.median / a.median) ** (1 / Math.log10(r.sizes.at(-1)!.size / r.sizes[from]!.size));
      const flat = perTen < FLAT_STEP || b.median - a.median < FLAT_ABSOLUTE_MS;
      verdict = flat ? 'flat' : `**GROWS** (${perTen.toFixed(1)}× per 10×)`;
      if (!flat && a.rows !== undefined && b.rows !== undefined) {
        verdict += b.rows >= 2 * a.rows ? ', with the rows it reads' : `, rows read ${b.rows >= a.rows ? 'about the same' : 'fewer'} (${a.rows} → ${b.rows})`;
      }
      if (!flat) verdicts.push(`${long}: ${cells.map((c, i) => (c ? `${ms(c.median)} at ${count(r.sizes[i]!.size)}` : '')).filter(Boolean).join(', ')}`);
    }
    const text = cells.map((c) => (c ? `${ms(c.median)} / ${ms(c.p99)} (${c.n})${c.rows !== undefined ? ` · ${c.rows.toLocaleString('en-US')} rows` : ''}` : '—'));
    out(`| ${label} | ${text.join(' | ')} | ${steps.join(', ') || '—'} | ${verdict} |`);
  };
  for (const c of first.cases) {
    const of = (s: StoreReport['sizes'][number]) => s.cases.find((x) => x.key === c.key);
    row(c.label, c.label, (s) => of(s));
    if (c.sql) {
      row('↳ SQL only', `${c.label}, SQL only`, (s) => {
        const x = of(s);
        return x?.sql ? { ...x.sql, saturated: x.saturated, rows: x.rows } : undefined;
      });
    }
    if (c.note) notes.push(`${c.label}: ${c.note}`);
  }
  out();
  for (const n of notes) out(`- ${n}`);
  out(
    '- rows: for the `q=` cases, the rows `collectPage` reads from the store (pages of 100 until 50 match: how ' +
      'many depends on which stories are newest, not on the store size); for the two-category cases, the items the ' +
      'EXISTS plan walks newest first until 50 match (all of them when fewer match).',
  );
  out(
    `- "flat": from the first size where the case has reached its bound to the largest, the median grows less than ` +
      `${FLAT_STEP}× per 10× more items, or by less than ${FLAT_ABSOLUTE_MS} ms in all (the machine is shared: single ` +
      `steps are noisy). A growth in parentheses starts below that bound and is not judged.`,
  );
  out();
  out(verdicts.length ? 'NOT FLAT:' : 'Every query is flat.');
  for (const v of verdicts) out(`- ${v}`);
  out();
  out('Query plans (`EXPLAIN QUERY PLAN` of `itemQuerySql(...)`; for the `q=` cases, the page query with its cursor):');
  out();
  for (const c of first.cases) {
    const plans = [...new Set(r.sizes.map((s) => s.plans[c.key] ?? ''))];
    out(`${c.label}${plans.length === 1 ? ' — the same at every size' : ' — CHANGES with size'}:`);
    out();
    out('```');
    if (plans.length === 1) out(plans[0]);
    else for (const s of r.sizes) out(`[${count(s.size)}]\n${s.plans[c.key]}`);
    out('```');
    out();
  }
  out(`Load average after the store runs: ${loadLine()}`);
  out();
}

async function main(): Promise<void> {
  const hardLimit = setTimeout(() => {
    process.stderr.write(`bench: still running after ${HARD_LIMIT_MS / 60_000} minutes; giving up\n`);
    process.exit(2); // the children are killed by their exit hooks
  }, HARD_LIMIT_MS);
  hardLimit.unref();
  const started = performance.now();
  out('# wirefeed benchmark');
  out();
  environment();
  if (only !== 'store') printHttp(await runHttpBench(load, progress));
  if (only !== 'http') printStore(await runStoreBench(sizes, progress));
  out(`Total bench time: ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
