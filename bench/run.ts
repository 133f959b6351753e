/**
 * `npm run bench`: the HTTP benchmark (real server against a bare node:http server with the same bytes), the
 * store benchmark (listing queries at 10k, 100k and 1M items), the load test (200 concurrent pollers for
 * 30 s while ingests run: zero 5xx, p99, memory) and the parse cost (parseFeed against rss-parser's parseString
 * on the same bytes) and the ingest cost (rss-parser, feedsmith, our parse, our normalize and the store write of
 * one poll, on the same bytes: a generated 100-entry full-body feed and the dev corpus), printed as Markdown for the README.
 * A benchmark, not a test: a missed target is printed, never turned into a failing exit status.
 *
 * Knobs (environment, all optional):
 * - BENCH_DURATION: seconds per measured HTTP run (one request, one server, one round), 1–10 (default 2)
 * - BENCH_ROUNDS: HTTP rounds, each running every request on both servers, 1–9 (default 3)
 * - BENCH_CONNECTIONS: 1–100 (default 32)
 * - BENCH_GENERATOR: `autocannon` drives the HTTP bench with autocannon even where wrk is installed
 * - BENCH_SIZES: comma list of store sizes, each 1k–2M (default 10000,100000,1000000)
 * - BENCH_ONLY: `http`, `store`, `load`, `parse`, `ingest`, `page` or `scale`, or a comma list of them (default: all seven)
 * - BENCH_SCALE_SIZES: comma list of source counts for the scale bench, each 100–20000 (default 1000,5000)
 * - BENCH_SCALE_SERVER_ARGV: Node options for the scale bench's server process, separated by spaces (e.g. `--trace-gc`)
 * - BENCH_PAGE_ROUNDS: measured rounds of the page bench over the 91 corpus pages, 1–20 (default 3)
 * - BENCH_PARSE_ITERATIONS: measured iterations of each parse case, 20–5000 (default 300, after 50 warm-up)
 * - BENCH_INGEST_ITERATIONS: measured iterations of the generated ingest case, 5–1000 (default 50, after 10 warm-up; 2 per corpus feed, after 1)
 * - BENCH_LOAD_SECONDS: seconds each of the load test's three runs lasts (real idle, real with ingests, bare), 5–300 (default 30)
 * - BENCH_LOAD_POLLERS: concurrent pollers, 1–250 (default 200; the server answers 503 past 256 in flight)
 * - BENCH_LOAD_INGEST_GAP_MS: pause between one forced ingest's answer and the next, 0–10000 (default 500)
 * - BENCH_LOAD_WORKERS: the real server's ingest worker threads (`schedule.workers`), 0–8 (default 1; 0: all on the serving thread)
 * - BENCH_PROFILE: a directory; the real server (HTTP bench and load test) and the bare one write V8 CPU profiles there when they stop
 * - BENCH_HTTP_ROUTES: a comma list of the HTTP requests to run (`named`, `filtered`, `304`, `gzip`; default all)
 */
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { GENERATOR_BOUND, runHttpBench, type HttpReport, type LoadOptions, type LoadResult } from './http.ts';
import { PROFILES, runLoadBench, type LoadBenchOptions, type LoadComparison, type LoadReport, type MemoryPoint } from './load.ts';
import { percentile, sig } from './stats.ts';
import { runStoreBench, sqliteVersion, type StoreReport } from './store.ts';
import { runParseBench, type ParseReport } from './parse.ts';
import { runIngestBench, type IngestReport, type StepTime } from './ingest.ts';
import { runPageBench, type PageReport } from './page.ts';
import { printScale, runScaleBench } from './scale.ts';

/** Targets from the issue. */
const FEED_TARGET = 0.8; // each feed route at ≥ 0.8× the bare server's req/s
const NOT_MODIFIED_TARGET = 1.5; // the 304 path at ≥ 1.5× our own 200 path
const HOT_PATH_TARGET = 0.9; // issue 9: the cached 200 and the 304 at ≥ 0.9× the bare server
const KEYED_TARGET = 0.9; // issue 12: a keyed poll (200 or 304) at ≥ 0.9× the anonymous poll of the same feed
/** A query counts as flat when its median grows less than 2× per 10× more items (or by < 0.5 ms in all). */
const FLAT_STEP = 2;
const FLAT_ABSOLUTE_MS = 0.5;
/** Load targets: a cached feed's p99 while ingests run, against the same server idle and against the bare server. */
const LOAD_IDLE_TARGET = 1.5;
const LOAD_BARE_TARGET = 2;
/** The whole run is bounded: past this, children are killed and the process exits (the load test adds its own time). */
const BASE_LIMIT_MS = 8 * 60_000;

const intEnv = (name: string, fallback: number, min: number, max: number): number => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  return n;
};

const load: LoadOptions = {
  connections: intEnv('BENCH_CONNECTIONS', 32, 1, 100),
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
const SECTIONS = ['http', 'store', 'load', 'parse', 'ingest', 'page', 'scale'] as const;
const only = (process.env.BENCH_ONLY ?? '').split(',').map((x) => x.trim()).filter(Boolean);
for (const x of only) if (!(SECTIONS as readonly string[]).includes(x)) throw new Error(`BENCH_ONLY must be ${SECTIONS.map((n) => `"${n}"`).join(', ')} or a comma list of them, not "${x}"`);
const runs = (section: (typeof SECTIONS)[number]): boolean => only.length === 0 || only.includes(section);
const loadTest: LoadBenchOptions = {
  seconds: intEnv('BENCH_LOAD_SECONDS', 30, 5, 300),
  pollers: intEnv('BENCH_LOAD_POLLERS', 200, 1, 250),
  ingestGapMs: intEnv('BENCH_LOAD_INGEST_GAP_MS', 500, 0, 10_000),
  workers: intEnv('BENCH_LOAD_WORKERS', 1, 0, 8),
  profileDir: process.env.BENCH_PROFILE || undefined,
};
const HARD_LIMIT_MS = BASE_LIMIT_MS + (runs('load') ? (3 * loadTest.seconds + 180) * 1000 : 0) + (runs('ingest') ? 10 * 60_000 : 0) + (runs('scale') ? 30 * 60_000 : 0);

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
    `Each server runs in its own child process; the load generator is ${r.generator.name} ${r.generator.version} ` +
      `(${r.generator.command}), so it never shares an event loop with the server it measures (with 2 cores: one for ` +
      `the server, one for the generator). ` +
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
    const body = x.route.status === 304 ? 'none' : `${kb(x.bodyBytes)}${x.route.key === 'gzip' ? ' gzip' : ''}, ${x.items} items`;
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
  // Keyed polls against the anonymous poll of the same feed, run for run in the same rounds.
  const keyedRatios = r.routes.flatMap((x) => {
    const anon = x.route.anonymous ? r.routes.find((y) => y.route.key === x.route.anonymous) : undefined;
    return anon ? [{ x, anon, ratio: medianOf(x.real.rpsRounds.map((v, i) => v / anon.real.rpsRounds[i]!)) }] : [];
  });
  for (const { x, anon, ratio } of keyedRatios) {
    out(
      `| wirefeed ${x.route.key} against wirefeed ${anon.route.key} (same feed, anonymous) | — | ${Math.round(x.real.rps)} | ${Math.round(anon.real.rps)} (anonymous) | ` +
        `${ratio.toFixed(2)}× | ${ms(x.real.p99)} | ${ms(anon.real.p99)} (anonymous) | ≥ ${KEYED_TARGET}× anonymous | ${ratio >= KEYED_TARGET ? 'yes' : '**NO**'} |`,
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
  for (const { x, anon, ratio } of keyedRatios) {
    out(`- ${x.route.key} against anonymous ${anon.route.key}: ${ratio.toFixed(2)}× — target ≥ ${KEYED_TARGET}×: ${ratio >= KEYED_TARGET ? 'MET' : 'MISSED'}`);
  }
  out();
  out(`Hot path (cached answers against the bare server, generator ${r.generator.name}):`);
  for (const x of r.routes.filter((y) => y.route.key === 'named' || y.route.key === '304')) {
    out(
      `- ${x.route.key === '304' ? '304' : 'cached 200'} (${x.route.label}): ${x.ratio.toFixed(2)}× (${Math.round(x.real.rps)} against ${Math.round(x.bare.rps)} req/s, ` +
        `p99 ${ms(x.real.p99)} against ${ms(x.bare.p99)}) — target ≥ ${HOT_PATH_TARGET}×: ${x.ratio >= HOT_PATH_TARGET ? 'met' : 'not met'}; ` +
        `best rounds ${Math.round(Math.max(...x.real.rpsRounds))} against ${Math.round(Math.max(...x.bare.rpsRounds))} req/s ` +
        `(${(Math.max(...x.real.rpsRounds) / Math.max(...x.bare.rpsRounds)).toFixed(2)}×); ` +
        `server CPU per response ${sig(x.real.serverMicrosPerResponse, 3)} µs against ${sig(x.bare.serverMicrosPerResponse, 3)} µs ` +
        `(bare/wirefeed ${(x.bare.serverMicrosPerResponse / x.real.serverMicrosPerResponse).toFixed(2)}×)`,
    );
  }
  out(
    '(On a machine whose cores other processes share, req/s swings from round to round. Other load only ever takes ' +
      'throughput away, so the best round of each server is the nearer to its own speed, and the CPU time per response ' +
      'compares the work each server does per request; both are given beside the median ratio the target is judged on.)',
  );
  out();
  const capped = r.routes.filter((x) => x.bare.generatorBound || x.real.generatorBound);
  if (capped.length) {
    out(
      `Generator-bound: on ${capped.map((x) => x.route.key).join(', ')}, ${r.generator.name} used ≥ ${GENERATOR_BOUND} % of a core while ` +
        `the server it drove used less, so that figure is the load generator's ceiling rather than the server's, and the ` +
        `ratio is not the servers' (with 2 cores the generator cannot get a core of its own and a second one for the server).`,
    );
  } else {
    out(`Generator: never the bottleneck (no run had it at ≥ ${GENERATOR_BOUND} % of a core while the server stayed below).`);
  }
  out();
  out('Details (CPU in % of one core during the measured rounds; a server near 100 % is the bottleneck, a generator near 100 % caps the rate):');
  out();
  out('| request | server | req/s per round | p50 | p99 | responses (by status) | unexpected status/errors | bytes/response | server CPU | server CPU/response | generator CPU |');
  out('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const x of r.routes) {
    for (const [name, l] of [['wirefeed', x.real], ['bare', x.bare]] as const) {
      out(
        `| ${x.route.key} | ${name} | ${l.rpsRounds.map((v) => Math.round(v)).join(', ')} | ${ms(l.p50)} | ${ms(l.p99)} | ${l.responses} (${Object.entries(l.statuses).map(([c, n]) => `${c}: ${n}`).join(', ')}) | ${l.unexpected} | ${Math.round(l.bytesPerResponse)} | ` +
          `${Math.round(l.serverCpu)} % | ${sig(l.serverMicrosPerResponse, 3)} µs | ${Math.round(l.loadgenCpu)} % |`,
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
  out('`savePoll` of one poll on a source of its own, in the store as filled (median / p99 over the reps, ms):');
  out();
  out(`| case | ${r.savePoll.map((s) => count(s.size)).join(' | ')} |`);
  out(`| --- | ${r.savePoll.map(() => '---:').join(' | ')} |`);
  for (const c of r.savePoll[0]?.cases ?? []) {
    out(`| ${c.label} | ${r.savePoll.map((s) => s.cases.find((x) => x.key === c.key)).map((x) => (x ? `${sig(x.median)} / ${sig(x.p99)} (${x.n})` : '—')).join(' | ')} |`);
  }
  out();
  out(`Load average after the store runs: ${loadLine()}`);
  out();
}

const mib = (bytes: number): string => (Number.isFinite(bytes) ? `${sig(bytes / 2 ** 20, 3)} MiB` : '—');
/** A latency, or a dash where there was nothing to measure. */
const msOr = (v: number): string => (Number.isFinite(v) ? ms(v) : '—');
const statusList = (m: Record<string, number>): string =>
  Object.entries(m)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([c, v]) => `${c}: ${v}`)
    .join(', ') || '—';

function printLoad(r: LoadReport): void {
  const o = r.options;
  out(`## Load: ${o.pollers} concurrent pollers for ${o.seconds} s ${o.ingests ? 'while ingests run' : '— BASELINE, no ingests'}`);
  out();
  out(
    `The real server (\`startNodeServer\`, the \`wirefeed serve\` code path) in its own child process, on 127.0.0.1, ` +
      `with three sources on a local upstream (another child process) that publishes a wire feed as RSS 2.0 ` +
      `(300 stories), Atom and JSON Feed (150 each) ` +
      `with photos, datelines, bylines, site furniture and "Just Posted" teasers, and that CHANGES on every fetch (3 new ` +
      `stories, one edited). Ingests are forced through the admin API (\`POST /admin/sources/:id/refresh\`, round robin over the sources, ` +
      `${o.ingestGapMs} ms between one answer and the next request), so an ingest is running for most of the test; the ` +
      `cron is off (the start-up ingest fills the store before the pollers start). ${o.pollers} pollers in this process, each with its own keep-alive connection (undici \`Client\`, no ` +
      `pipelining)${r.distinctAddresses ? ` from its own loopback address (127.0.0.2–127.0.0.${o.pollers + 1})` : ' from 127.0.0.1'}, ` +
      `poll in a closed loop (no think time: the worst case) three feeds each, drawn by weight from the mix below; ` +
      `3 of 5 pollers are feed readers (\`If-None-Match\` with the last ETag they got, gzip), 1 an aggregator (gzip, ` +
      `unconditional), 1 a plain client. Rate limiting is on with a bucket that never runs dry, so the limiter's work ` +
      `is in the path${r.distinctAddresses ? ' and it keeps one bucket per poller, as for real pollers' : ' (all pollers share one bucket: this host cannot use 127.0.0.2… as source addresses)'}. ` +
      `Bounds: ${o.seconds} s, ${o.pollers} connections, 10 s per request (headers, then body), 30 s per refresh. ` +
      `Latency is per request, to the last body byte, measured by the client.`,
  );
  out();
  const target = r.fiveXx === 0 ? '5xx: 0 (target met)' : `5xx: ${r.fiveXx} — MISSED`;
  out(`**${target}**`);
  out();
  const ok = r.ingests.filter((x) => x.status === 'ok');
  const okItems = ok.map((x) => x.items ?? 0);
  const refreshMs = Float64Array.from(r.ingests.map((x) => x.ms)).sort();
  const byStatus: Record<string, number> = {};
  for (const x of r.ingests) byStatus[x.status] = (byStatus[x.status] ?? 0) + 1;
  const changed = r.ingests.filter((x) => x.changed).length;
  const m = r.memory;
  const mem = (pick: (p: MemoryPoint) => number): string =>
    `${mib(pick(m.before))} / ${mib(pick(m.peak))} / ${mib(pick(m.after))}${m.afterGc ? ` (${mib(pick(m.afterGc))} after a GC)` : ''}`;
  const errorTotal = Object.values(r.errors).reduce((a, b) => a + b, 0);
  out('| measure | value |');
  out('| --- | --- |');
  out(`| pollers (connections) | ${o.pollers}, issuing requests for ${o.seconds} s; the last answer came at ${r.elapsed.toFixed(1)} s |`);
  out(`| requests answered | ${r.responses}${r.capped ? ' (CAPPED: the response cap stopped the run early)' : ''} |`);
  out(`| requests per second | ${Math.round(r.rps)} (answers / ${r.elapsed.toFixed(1)} s) |`);
  out(`| status counts | ${statusList(r.statuses)} |`);
  out(`| 5xx | ${r.fiveXx === 0 ? '0 (target met)' : `**${r.fiveXx} — MISSED**`} |`);
  out(`| client errors (timeouts, resets, refused) | ${errorTotal === 0 ? '0' : `**${errorTotal}** (${statusList(r.errors)})`} |`);
  out(`| latency p50 / p90 / p99 / max | ${ms(r.latency.p50)} / ${ms(r.latency.p90)} / **${ms(r.latency.p99)}** / ${ms(r.latency.max)} |`);
  out(`| conditional requests (\`If-None-Match\`) | ${r.conditional.sent}: ${r.conditional.notModified} answered 304, ${r.conditional.changed} answered 200 with a new ETag |`);
  out(`| gzip asked on a 200 / answered gzip | ${r.gzip.asked} / ${r.gzip.got} |`);
  out(`| server RSS before / peak / after | ${mem((p) => p.rss)}${m.hwm !== null ? `; VmHWM ${mib(m.hwm)} (peak since start, start-up ingest included)` : ''} |`);
  out(`| server V8 heap used before / peak / after | ${mem((p) => p.heapUsed)} |`);
  out(`| server V8 heap total before / peak / after | ${mem((p) => p.heapTotal)} |`);
  out(`| server external (Buffers, native) before / peak / after | ${mem((p) => p.external)} |`);
  if (m.split) {
    out(
      `| server RSS by kind, before → end (/proc: RssAnon = heap and malloc, RssFile = mapped files) | anon ${mib(m.split.before.anon)} → ${mib(m.split.end.anon)}, ` +
        `file ${mib(m.split.before.file)} → ${mib(m.split.end.file)} |`,
    );
  }
  out(
    `| ingests completed during the run | ${r.ingests.length} (${statusList(byStatus)}); ${ok.length ? `${Math.min(...okItems)}–${Math.max(...okItems)} items per poll` : 'no successful poll'}; ` +
      `refresh answered in ${msOr(percentile(refreshMs, 0.5))} median, ${msOr(refreshMs.at(-1) ?? Number.NaN)} max |`,
  );
  out(
    `| data version | ${r.dataVersion.before} → ${r.dataVersion.after} (+${r.dataVersion.after - r.dataVersion.before} row changes); changed by ${changed} of ${r.ingests.length} ingests; ` +
      `${r.dataVersion.sampledDistinct} distinct values seen by the ${m.samples}-sample (250 ms) sampler |`,
  );
  out(`| representation changes seen by pollers (new ETags, all requests) | ${r.etagChanges} |`);
  out(`| stories in the store | ${r.startup.items} after the start-up ingest (${r.startup.seconds.toFixed(1)} s) → ${r.storeItems} after the run |`);
  out(`| CPU, % of one core | server ${Math.round(r.cpu.server)} %, upstream ${Math.round(r.cpu.upstream)} %, pollers (this process) ${Math.round(r.cpu.generator)} % |`);
  if (r.loopDelay) out(`| server event-loop delay p50 / p99 / max | ${ms(r.loopDelay.p50)} / ${ms(r.loopDelay.p99)} / ${ms(r.loopDelay.max)} |`);
  out();
  out('By request (latency to the last byte):');
  out();
  out('| request | pollers subscribed | responses | statuses | p50 | p99 | bytes/response |');
  out('| --- | ---: | ---: | --- | ---: | ---: | ---: |');
  for (const k of r.kinds) {
    out(`| ${k.label} | ${k.subscribers} | ${k.responses} | ${statusList(k.statuses)} | ${msOr(k.p50)} | ${msOr(k.p99)} | ${Math.round(k.meanBytes)} |`);
  }
  out();
  out('| poller profile | pollers | responses | statuses |');
  out('| --- | ---: | ---: | --- |');
  for (const p of r.profiles) out(`| ${PROFILES[p.profile].label} | ${p.pollers} | ${p.responses} | ${statusList(p.statuses)} |`);
  out();
  out('Over time (memory and data version: the last sample of the window):');
  out();
  out('| window | req/s | p99 | 5xx | errors | ingests answered | server RSS | heap used | data version |');
  out('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const w of r.timeline) {
    out(
      `| ${w.from.toFixed(0)}–${w.to.toFixed(0)} s | ${Math.round(w.responses / Math.max(0.001, w.to - w.from))} | ${msOr(w.p99)} | ${w.fiveXx} | ${w.errors} | ${w.ingests} | ` +
        `${mib(w.rss)} | ${mib(w.heapUsed)} | ${w.dataVersion} |`,
    );
  }
  out();
  out('Checks:');
  out(`- ${target}`);
  const refused = r.statuses['429'] ?? 0;
  out(`- 429: ${refused} (${refused === 0 ? 'the limiter refused nothing, as configured' : 'UNEXPECTED: the limiter was set never to refuse'})`);
  const other = Object.entries(r.statuses).filter(([c]) => c !== '200' && c !== '304');
  out(`- statuses other than 200/304: ${other.length ? other.map(([c, v]) => `${c}: ${v}`).join(', ') : 'none'}`);
  out(`- client errors: ${errorTotal === 0 ? 'none' : statusList(r.errors)}`);
  out(`- p99 latency: ${ms(r.latency.p99)} (reported; no target)`);
  out(
    `- ingests under load: ${r.ingests.length} answered (${statusList(byStatus)}), ${changed} changed the data; the upstream served ` +
      `${statusList(r.upstream.fetches)} fetches`,
  );
  const problems = r.ingests.filter((x) => x.status !== 'ok' && x.status !== 'not-modified');
  for (const x of problems.slice(0, 5)) out(`  - ${x.source}: ${x.status}${x.message ? `: ${x.message}` : ''}`);
  out(`- server log: ${r.serverLog.polls} poll lines${r.serverLog.problems.length ? '; other lines:' : ', nothing else'}`);
  for (const l of r.serverLog.problems) out(`  - ${l}`);
  out(`- load average after the load test: ${loadLine()}`);
  out();
}

const PARSE_TARGET = 1.5; // parseFeed at ≤ 1.5× rss-parser's parseString on the same bytes

function printParse(r: ParseReport): void {
  out("## Parse: our parseFeed against rss-parser's parseString alone");
  out();
  out(
    `The same bytes in one process: a generated ${r.options.items}-item RSS 2.0 feed (summary, full HTML body in ` +
      `content:encoded, categories, media:content on every third) and a ${r.options.items}-entry Atom 1.0 feed (text ` +
      `summary, escaped-HTML content). ${r.options.warmup} warm-up iterations, then ${r.options.iterations} in which the ` +
      `two run back to back (order alternating); ms per parse, the ratio is our median over rss-parser's. rss-parser ` +
      `only builds its object; parseFeed also repairs, resolves and maps to RawFeed.`,
  );
  out();
  out('| feed | size | items | parseFeed median / p99 | rss-parser median / p99 | ratio | target ≤ 1.5× |');
  out('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const c of r.cases) {
    out(
      `| ${c.name} | ${kb(c.bytes)} | ${c.items} | ${ms(c.ours.median)} / ${ms(c.ours.p99)} | ` +
        `${ms(c.reference.median)} / ${ms(c.reference.p99)} | ${sig(c.ratio, 3)}× | ${c.ratio <= PARSE_TARGET ? 'met' : 'NOT MET'} |`,
    );
  }
  out();
}

const NORMALIZE_TARGET_MS = 0.1; // issue 10: normalize ≤ 0.1 ms per entry
const INGEST_TARGET = 3; // parse + normalize ≤ 3× rss-parser's parseString alone
// The issue's own machine: rss-parser parses its ~500 KB, 100-entry feed in 5.5 ms. This machine's speed moves 2–5×
// within an hour, so the per-entry target is also read at that speed: scaled by rss-parser on the generated feed.
const REFERENCE_RSS_PARSER_MS = 5.5;

function printIngest(r: IngestReport): void {
  const g = r.generated;
  const cell = (t: StepTime): string => (t ? `${ms(t.median)} / ${ms(t.p99)}` : 'fails');
  const met = (ok: boolean): string => (ok ? 'met' : '**NOT MET**');
  out('## Ingest: parse, normalize and store against rss-parser and feedsmith');
  out();
  out(
    `The same text in one process, step by step: rss-parser's \`parseString\` and feedsmith's \`parseFeed\` (references: ` +
      `they only build their objects), our \`parseFeed\` (→ RawFeed), our \`normalizeFeed\` (→ ninjs items, default rules) and ` +
      `the store write of one poll (\`createStore(...).savePoll\` into a fresh SQLite file in a temp dir, WAL). ` +
      `${r.options.warmup} warm-up iterations, then ${r.options.iterations}, the five steps interleaved in a rotating order; ms median / p99. ` +
      `Normalize memoizes the text it folds, so each of its iterations runs on another feed from the same generator (another seed: ` +
      `same shape and size, other words), with every memo forgotten before it (\`forgetMemos\`: the generator's phrases recur across seeds).`,
  );
  out();
  out(`| feed | size | entries → items | rss-parser | feedsmith | our parse | our normalize | normalize per entry | store write |`);
  out('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const perEntry = g.steps.normalize ? g.steps.normalize.median / g.entries : Number.NaN;
  out(
    `| ${g.name} | ${kb(g.bytes)} | ${g.entries} → ${g.items} | ${cell(g.steps.rssParser)} | ${cell(g.steps.feedsmith)} | ${cell(g.steps.parse)} | ` +
      `${cell(g.steps.normalize)} | ${ms(perEntry)} | ${cell(g.steps.store)} |`,
  );
  out();
  const ours = (g.steps.parse?.median ?? Number.NaN) + (g.steps.normalize?.median ?? Number.NaN);
  const ratio = ours / (g.steps.rssParser?.median ?? Number.NaN);
  out('Targets (generated feed):');
  out(`- normalize per entry on this machine: ${ms(perEntry)} (${ms(g.steps.normalize?.median ?? Number.NaN)} for ${g.entries} entries) — target ≤ ${NORMALIZE_TARGET_MS} ms: ${met(perEntry <= NORMALIZE_TARGET_MS)}`);
  out(`- parse + normalize: ${ms(ours)}, ${sig(ratio, 3)}× rss-parser's parseString — target ≤ ${INGEST_TARGET}×: ${met(ratio <= INGEST_TARGET)}`);
  const speed = REFERENCE_RSS_PARSER_MS / (g.steps.rssParser?.median ?? Number.NaN);
  out(
    `- at the issue's machine speed (rss-parser ${REFERENCE_RSS_PARSER_MS} ms on its 100-entry feed, ${ms(g.steps.rssParser?.median ?? Number.NaN)} here: ` +
      `this run's figures × ${sig(speed, 3)}): normalize ${ms((g.steps.normalize?.median ?? Number.NaN) * speed)}, ${ms(perEntry * speed)} per entry — ` +
      `target ≤ ${NORMALIZE_TARGET_MS} ms: ${met(perEntry * speed <= NORMALIZE_TARGET_MS)}`,
  );
  out();
  const c = r.corpus;
  if ('absent' in c) {
    out(`Development corpus: not measured — ${c.absent} is absent (check out ../shared beside this repository).`);
    out();
    return;
  }
  out(
    `Development corpus (\`../shared/corpus/realworld/feeds\`, decoded once): ${c.feeds} feeds, ${kb(c.bytes)}, ${c.entries} entries → ${c.items} items; ` +
      `per feed the median of ${r.options.corpusIterations} iterations after one warm-up, summed over the feeds where the step succeeded. ` +
      `Normalize: the process first normalizes every feed once (${ms(c.firstPass.ms)} over ${c.firstPass.feeds} feeds, ${ms(c.firstPass.ms / c.entries)} per entry: ` +
      `compiling code paths and regexes included); each timed normalize then runs on a fresh parse of the feed with every memo forgotten (\`forgetMemos\`), ` +
      `on text the process does not remember. The single first of those runs per feed, summed (no median: every collection that falls in counts): ` +
      `${ms(c.once.ms)} over ${c.once.feeds} feeds, ${ms(c.once.ms / c.entries)} per entry.`,
  );
  out();
  out('| step | total | feeds |');
  out('| --- | ---: | ---: |');
  const label = { rssParser: "rss-parser's parseString", feedsmith: "feedsmith's parseFeed", parse: 'our parse', normalize: 'our normalize', store: 'store write' } as const;
  for (const [s, t] of Object.entries(c.totals) as [keyof typeof label, { ms: number; feeds: number }][]) out(`| ${label[s]} | ${ms(t.ms)} | ${t.feeds} |`);
  out();
  const corpusPerEntry = c.totals.normalize.ms / c.entries;
  const corpusRatio = c.comparable.ours / c.comparable.rssParser;
  out('Targets (corpus):');
  out(`- normalize per entry on this machine: ${ms(corpusPerEntry)} (${ms(c.totals.normalize.ms)} for ${c.entries} entries) — target ≤ ${NORMALIZE_TARGET_MS} ms: ${met(corpusPerEntry <= NORMALIZE_TARGET_MS)}`);
  out(
    `- at the issue's machine speed (the generated feed's factor, × ${sig(speed, 3)}): normalize ${ms(corpusPerEntry * speed)} per entry — ` +
      `target ≤ ${NORMALIZE_TARGET_MS} ms: ${met(corpusPerEntry * speed <= NORMALIZE_TARGET_MS)}`,
  );
  out(
    `- parse + normalize over the ${c.comparable.feeds} feeds rss-parser reads: ${ms(c.comparable.ours)} against ${ms(c.comparable.rssParser)}, ` +
      `${sig(corpusRatio, 3)}× — target ≤ ${INGEST_TARGET}×: ${met(corpusRatio <= INGEST_TARGET)}`,
  );
  out();
}

const PAGE_TARGET_MS = 20; // issue 13: extraction ≤ 20 ms for a typical page

function printPage(r: PageReport): void {
  out('## Page extraction: extractArticlePage against Readability alone');
  out();
  out(
    `The ${r.pages} article pages of ../shared/corpus/articles (median ${kb(r.medianBytes)}), ${r.options.rounds} rounds after a ` +
      'warm-up round, the two back to back per page (order alternating); ms per page over all pages and rounds. ' +
      'Readability alone is linkedom parse + Readability.parse(); ours adds decoding, metadata, sibling lists, site rules and cleanup.',
  );
  out();
  out('| extractor | median | p99 | target ≤ 20 ms |');
  out('| --- | ---: | ---: | --- |');
  out(`| extractArticlePage | ${ms(r.ours.median)} | ${ms(r.ours.p99)} | ${r.ours.median <= PAGE_TARGET_MS ? 'met' : 'NOT MET'} |`);
  out(`| Readability alone | ${ms(r.reference.median)} | ${ms(r.reference.p99)} | ${r.reference.median <= PAGE_TARGET_MS ? 'met' : 'NOT MET'} |`);
  out();
  out(`Ratio (our median over Readability's): ${sig(r.ratio, 3)}×`);
  out();
}

function printLoadComparison(c: LoadComparison): void {
  const o = c.ingesting.options;
  out(`## Load: p99 while ingests run, against the same server idle and a bare node:http server`);
  out();
  out(
    `Three runs of ${o.seconds} s in this one invocation, one after the other, with the same generator (${o.pollers} pollers, the mix and profiles ` +
      `above): the real server with no ingests (its data unchanged), the same server process while ingests run, and a bare ` +
      `\`node:http\` server answering the real server's bytes captured after the start-up ingest (the same status, headers and ` +
      `body for each request of the mix, 304 for its ETag). The real server decodes, parses and normalizes ${o.workers > 0 ? `in ${o.workers} ingest worker thread${o.workers > 1 ? 's' : ''}` : 'ON ITS SERVING THREAD'} ` +
      `(\`schedule.workers: ${o.workers}\`). The machine is shared with other work: single runs are noisy.`,
  );
  out();
  const allRss = (r: LoadReport): number => r.kinds.find((k) => k.key === 'all.rss')?.p99 ?? Number.NaN;
  out('| run | requests/s | statuses | p50 | p99 (whole mix) | p99 `/feeds/all.rss` | server CPU | server event-loop delay p99 |');
  out('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [label, r] of [['real server, no ingests', c.idle], ['real server, ingests running', c.ingesting], ['bare node:http server', c.bare]] as const) {
    out(
      `| ${label} | ${Math.round(r.rps)} | ${statusList(r.statuses)} | ${msOr(r.latency.p50)} | ${msOr(r.latency.p99)} | ${msOr(allRss(r))} | ${Math.round(r.cpu.server)} % | ` +
        `${r.loopDelay ? ms(r.loopDelay.p99) : '—'} |`,
    );
  }
  out();
  const verdict = (ratio: number, target: number): string => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}× (target ≤ ${target}×: ${ratio <= target ? 'met' : 'NOT MET'})` : `— (target ≤ ${target}×: not measured)`);
  out('Targets (p99 while ingests run ÷ p99 of the other run):');
  out(`- \`/feeds/all.rss\` against the same server idle: ${verdict(allRss(c.ingesting) / allRss(c.idle), LOAD_IDLE_TARGET)}`);
  out(`- \`/feeds/all.rss\` against the bare server: ${verdict(allRss(c.ingesting) / allRss(c.bare), LOAD_BARE_TARGET)}`);
  out(`- whole mix against the same server idle: ${verdict(c.ingesting.latency.p99 / c.idle.latency.p99, LOAD_IDLE_TARGET)}`);
  out(`- whole mix against the bare server: ${verdict(c.ingesting.latency.p99 / c.bare.latency.p99, LOAD_BARE_TARGET)}`);
  out(`- ingests during the ingest run: ${c.ingesting.ingests.length} answered, ${c.ingesting.ingests.filter((x) => x.status === 'ok').length} ok`);
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
  if (runs('http')) printHttp(await runHttpBench(load, progress));
  if (runs('store')) printStore(await runStoreBench(sizes, progress));
  if (runs('load')) {
    const comparison = await runLoadBench(loadTest, progress);
    printLoad(comparison.ingesting);
    printLoadComparison(comparison);
  }
  if (runs('parse')) printParse(await runParseBench({ items: 100, warmup: 50, iterations: intEnv('BENCH_PARSE_ITERATIONS', 300, 20, 5000) }, progress));
  if (runs('ingest')) {
    const iterations = intEnv('BENCH_INGEST_ITERATIONS', 50, 5, 1000);
    printIngest(await runIngestBench({ items: 100, warmup: 10, iterations, corpusIterations: 2 }, progress));
  }
  if (runs('page')) printPage(await runPageBench({ rounds: intEnv('BENCH_PAGE_ROUNDS', 3, 1, 20) }, progress));
  if (runs('scale')) {
    const scaleSizes = (process.env.BENCH_SCALE_SIZES ?? '1000,5000').split(',').map((s) => {
      const n = Number(s.trim());
      if (!Number.isInteger(n) || n < 100 || n > 20_000) throw new Error(`BENCH_SCALE_SIZES: each size must be from 100 to 20000, not "${s}"`);
      return n;
    });
    printScale(await runScaleBench({ sizes: scaleSizes, concurrency: 16, pollers: 4, idleSeconds: 10 }, progress), out);
  }
  out(`Total bench time: ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
