/**
 * Aggregates V8 `.cpuprofile` files (from `node --cpu-prof`) by self time: the top functions and the top
 * modules (files under node_modules grouped by package). Usage: `tsx bench/scale-profile-summary.ts <file>…`.
 */
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
interface Profile { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

const top = Number(process.env.TOP ?? 30);
/** Samples before this timestamp (µs, the profiles' monotonic clock) are left out. */
const from = Number(process.env.PROFILE_FROM ?? 0);
for (const file of process.argv.slice(2)) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const self = new Map<number, number>();
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (t >= from) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const fns = new Map<string, number>();
  const mods = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const short = url.replace(/^file:\/\/.*?\/(node_modules|src|bench)\//, '$1/');
    if (functionName !== '(idle)') total += us;
    fns.set(`${functionName || '(anon)'} ${short}:${lineNumber + 1}`, (fns.get(`${functionName || '(anon)'} ${short}:${lineNumber + 1}`) ?? 0) + us);
    const mod = url === '' ? functionName : /node_modules\/(@[^/]+\/[^/]+|[^/]+)/.exec(url)?.[1] ?? short.replace(/:\d+$/, '');
    mods.set(mod, (mods.get(mod) ?? 0) + us);
  }
  const pr = (m: Map<string, number>): void => {
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
  };
  // FOCUS=name: where that function's self time comes from (its callers, DEPTH frames up).
  const focus = process.env.FOCUS;
  if (focus) {
    const parent = new Map<number, number>();
    for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
    const chains = new Map<string, number>();
    for (const [id, us] of self) {
      if (byId.get(id)!.callFrame.functionName !== focus) continue;
      const names: string[] = [];
      for (let up = parent.get(id), d = 0; up !== undefined && d < Number(process.env.DEPTH ?? 4); up = parent.get(up), d++) {
        const f = byId.get(up)!.callFrame;
        names.push(`${f.functionName || '(anon)'}@${f.url.replace(/^.*\//, '')}:${f.lineNumber + 1}`);
      }
      chains.set(names.join(' < '), (chains.get(names.join(' < ')) ?? 0) + us);
    }
    console.log(`## callers of ${focus}`);
    pr(chains);
  }
  console.log(`# ${file}: ${(total / 1000).toFixed(0)} ms busy of ${((p.endTime - p.startTime) / 1000).toFixed(0)} ms`);
  console.log('## by function (self)');
  pr(fns);
  console.log('## by module (self)');
  pr(mods);
}
