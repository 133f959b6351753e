import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unknownSourceNames, validateConfig, workerTargetProblems } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';
import { loadConfigFile } from '../src/runtime/load-config.ts';

const source = (over: Record<string, unknown> = {}) => ({ id: 'wire', url: 'https://wire.example/feed.xml', title: 'Wire', ...over });

function problems(input: unknown): string[] {
  try {
    validateConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('validateConfig', () => {
  it('fills defaults: every field but the sources is optional', () => {
    const cfg = validateConfig({ sources: [source()] });
    expect(cfg.storage.path).toBeUndefined();
    expect(cfg.feeds).toEqual([]);
    expect(cfg.sources[0]).toMatchObject({ interval: 15, categories: [], allowPrivateNetwork: false });
    expect(cfg.schedule.concurrency).toBeGreaterThan(0);
    expect(cfg.server.language).toBe('en');
  });

  it('reads server.language as a BCP 47 tag in its canonical form', () => {
    expect(validateConfig({ sources: [source()], server: { language: 'fr-ca' } }).server.language).toBe('fr-CA');
    expect(validateConfig({ sources: [source()], server: { language: 'zh-Hant-TW' } }).server.language).toBe('zh-Hant-TW');
  });

  it.each([
    [{ sources: [source(), source(), source({ url: 'ftp://x/y' })] }, 'sources[2].url: must be an absolute http(s) or file URL'],
    [{ sources: [source({ url: 'feed.xml' })] }, 'sources[0].url: must be an absolute http(s) or file URL'],
    [{ sources: [source({ title: undefined })] }, 'sources[0].title: is required'],
    [{ sources: [source({ id: 'Bad Id' })] }, 'sources[0].id: must be lowercase letters, digits, "-" or "_"'],
    [{ sources: [source({ interval: -5 })] }, 'sources[0].interval: must be a positive number of minutes'],
    [{ sources: [source(), source()] }, 'sources[1].id: duplicates sources[0].id "wire"'],
    [{ sources: [source()], feeds: [{ name: 'all', title: 'x' }] }, 'feeds[0].name: "all" is reserved: that feed always exists'],
    [{ sources: [source()], server: { baseUrl: 'not a url' } }, 'server.baseUrl: must be an absolute http(s) URL'],
    [{ sources: [source()], server: { language: 'english' } }, 'server.language: must be a BCP 47 language tag such as "en" or "fr-CA"'],
    [{ sources: [source()], server: { language: 'en_CA' } }, 'server.language: must be a BCP 47 language tag such as "en" or "fr-CA"'],
    [{ sources: [source()], server: { language: 'xx-CA' } }, 'server.language: must be a BCP 47 language tag such as "en" or "fr-CA"'],
    [{ sources: [source()], colour: 'blue' }, '(config): unknown key "colour"'],
    [{}, 'sources: is required: a list of upstream sources'],
  ])('rejects %j with a line naming the path', (input, line) => {
    expect(problems(input)).toContain(line);
  });

  it('reports every problem, one line each', () => {
    const lines = problems({ sources: [source({ url: 'x' }), source({ id: 'b', title: '' })] });
    expect(lines).toEqual(['sources[0].url: must be an absolute http(s) or file URL', 'sources[1].title: must not be empty']);
  });

  it('leaves source names of feeds and subscribers to the start (they may name API sources); unknownSourceNames reports those it is not given', () => {
    const cfg = validateConfig({
      sources: [source()],
      feeds: [{ name: 'a', title: 'A', filter: { sources: ['nope', 'wire'] } }],
      subscribers: [{ id: 's', name: 'S', entitlements: { sources: ['api-only'] } }],
    });
    expect(unknownSourceNames(cfg, new Set(['wire']))).toEqual([
      'feeds[0].filter.sources[0]: names no source "nope" (neither in the configuration nor added at run time)',
      'subscribers[0].entitlements.sources[0]: names no source "api-only" (neither in the configuration nor added at run time)',
    ]);
    expect(unknownSourceNames(cfg, new Set(['wire', 'nope', 'api-only']))).toEqual([]);
  });

  it('flags file: sources and a SQLite path for the worker target', () => {
    expect(workerTargetProblems(validateConfig({ sources: [source()] }))).toEqual([]);
    const cfg = validateConfig({ sources: [source(), source({ id: 'local', url: 'file:///tmp/feed.xml' })], storage: { path: './x.db' } });
    expect(workerTargetProblems(cfg)).toEqual([
      'storage.path: Workers keep their data in D1 (the DB binding in wrangler.toml); remove storage.path',
      'sources[1].url: file: URLs cannot be fetched on Cloudflare Workers; serve the feed over https',
    ]);
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-config-'));

  it('loads the bundled default config', async () => {
    const cfg = await loadConfigFile('config/wirefeed.config.ts');
    expect(cfg.sources.length).toBeGreaterThan(0);
    expect(cfg.sources[0]!.url).toMatch(/^file:\/\/.*config\/samples\/wire-sample\.xml$/);
  });

  it('loads JSON and JS files with the same schema', async () => {
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ sources: [source()] }));
    writeFileSync(join(dir, 'c.mjs'), `export default ${JSON.stringify({ sources: [source({ id: 'js' })] })};`);
    expect((await loadConfigFile(join(dir, 'c.json'))).sources[0]!.id).toBe('wire');
    expect((await loadConfigFile(join(dir, 'c.mjs'))).sources[0]!.id).toBe('js');
  });

  it('says which file is broken', async () => {
    writeFileSync(join(dir, 'broken.json'), '{ nope');
    await expect(loadConfigFile(join(dir, 'broken.json'))).rejects.toThrow(/broken\.json: cannot load/);
    await expect(loadConfigFile(join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: cannot load/);
    await expect(loadConfigFile(join(dir, 'c.yaml'))).rejects.toThrow(/must end in \.ts, \.js, \.mjs or \.json/);
  });
});
