import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The core runs unchanged on Node and on Workers: it imports no runtime, driver or environment.
const ROOT = join(import.meta.dirname, '..');
const CORE = ['src/ingest', 'src/normalize', 'src/publish', 'src/store', 'src/http', 'src/util', 'src/service.ts', 'src/config.ts', 'src/model.ts', 'src/errors.ts'];
const RUNTIME_ONLY = /from\s+['"](node:[^'"]+|better-sqlite3|@hono\/node-server[^'"]*|node-cron|undici|[^'"]*\/runtime\/[^'"]*)['"]/;

function files(path: string): string[] {
  const full = join(ROOT, path);
  if (statSync(full).isFile()) return [full];
  return readdirSync(full).flatMap((name) => files(join(path, name)));
}

describe('architecture', () => {
  const core = CORE.flatMap(files).filter((f) => f.endsWith('.ts'));

  it('finds the core', () => {
    expect(core.length).toBeGreaterThan(50);
  });

  it.each(core.map((f) => [relative(ROOT, f)]))('%s imports no runtime and reads no environment', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    expect(text.match(RUNTIME_ONLY)?.[0] ?? null).toBeNull();
    expect(text).not.toMatch(/\bprocess\.env\b/);
  });

  // The floors, bottom up: a module may import its own floor and those below, never one above.
  // util ← ingest, normalize ← store ← publish ← http ← service; normalize and ingest are siblings that never meet.
  const FORBIDDEN: Array<[string, string[]]> = [
    ['src/util/', ['src/ingest/', 'src/normalize/', 'src/store/', 'src/publish/', 'src/http/', 'src/runtime/', 'src/cli']],
    ['src/normalize/', ['src/ingest/', 'src/store/', 'src/publish/', 'src/http/', 'src/runtime/', 'src/cli']],
    ['src/ingest/', ['src/publish/', 'src/http/', 'src/runtime/', 'src/cli']],
    ['src/store/', ['src/ingest/', 'src/publish/', 'src/http/', 'src/runtime/', 'src/cli']],
    ['src/publish/', ['src/ingest/', 'src/http/', 'src/runtime/', 'src/cli']],
    ['src/http/', ['src/runtime/', 'src/cli']],
    ['src/config.ts', ['src/ingest/', 'src/store/', 'src/publish/', 'src/http/', 'src/runtime/']],
  ];

  it.each(core.map((f) => [relative(ROOT, f)]))('%s imports nothing from a floor above it', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) =>
      relative(ROOT, resolve(dirname(join(ROOT, file)), m[1]!)),
    );
    const rule = FORBIDDEN.find(([floor]) => file.startsWith(floor));
    const upward = rule ? targets.filter((t) => rule[1].some((above) => t.startsWith(above))) : [];
    expect(upward).toEqual([]);
  });
});
