import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
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
});
