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

// Every package the code imports is one package.json declares: an undeclared one works only while another
// package happens to pull it in (as `entities` did), and breaks on the next install that stops doing so.
describe('declared imports', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
  const code = ['src', 'bench', 'test']
    .flatMap(files)
    .filter((f) => /\.[cm]?[jt]sx?$/.test(f) && !f.includes(`${join('test', 'fixtures')}`))
    .map((f) => relative(ROOT, f));
  const IMPORTS = [
    /(?:^|[\n;])\s*(?:import|export)\s[^;'"`]*?\sfrom\s*['"]([^'"]+)['"]/g, // import … from, export … from
    /(?:^|[\n;])\s*import\s*['"]([^'"]+)['"]/g, // a bare import of a module for its effects
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // dynamic import, also in types
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // require
  ];

  /** The package a bare specifier names (`@scope/name`, `hono/cors` → `hono`), or null for a relative path or a builtin. */
  function packageOf(specifier: string): string | null {
    if (/^[./]/.test(specifier) || /^(?:node|cloudflare):/.test(specifier)) return null;
    const parts = specifier.split('/');
    return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  }

  it('finds the code and its imports', () => {
    expect(code.length).toBeGreaterThan(100);
    expect(packageOf('hono/cors')).toBe('hono');
    expect(packageOf('@hono/node-server/conninfo')).toBe('@hono/node-server');
    expect(packageOf('node:fs')).toBeNull();
    expect(packageOf('cloudflare:test')).toBeNull();
    expect(packageOf('fs')).toBe('fs');
    const im = 'import'; // Spelt apart, so this file's own check does not read the sample as its imports.
    const sample = `${im} { a,\n  b } from 'x/y';\n${im} type { T } from "@s/p/q";\n${im} 'side';\nconst m = await ${im}('dyn');`;
    expect(IMPORTS.flatMap((re) => [...sample.matchAll(re)].map((m) => packageOf(m[1]!)))).toEqual(['x', '@s/p', 'side', 'dyn']);
  });

  it.each(code.map((f) => [f]))('%s imports only declared packages, node: builtins and cloudflare: modules', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const packages = IMPORTS.flatMap((re) => [...text.matchAll(re)].map((m) => packageOf(m[1]!)));
    const undeclared = [...new Set(packages.filter((p): p is string => p !== null && !declared.has(p)))];
    expect(undeclared).toEqual([]);
  });
});
