import { describe, expect, it } from 'vitest';
import { createNodeLogger, logLevelOf } from '../../src/runtime/node-log.ts';
import { createJsonLogger } from '../../src/util/log.ts';
import { jsonLines } from '../support/log-lines.ts';

describe('the Node logger (pino)', () => {
  it('redacts Authorization headers, tokens and keys in logged objects', () => {
    const lines: string[] = [];
    const logger = createNodeLogger({ write: (l) => lines.push(l) });
    logger.info({ event: 'probe', req: { headers: { authorization: 'Bearer tok-AAA' } }, headers: { authorization: 'Bearer tok-BBB' }, token: 'tok-CCC', key: 'tok-DDD', sub: { key: 'tok-EEE', token: 'tok-FFF' } }, 'probe');
    const out = lines.join('\n');
    expect(out).not.toMatch(/tok-[A-F]{3}/);
    expect(jsonLines(out)[0]).toMatchObject({ level: 30, event: 'probe', msg: 'probe', token: '[redacted]', req: { headers: { authorization: '[redacted]' } } });
  });

  it('writes the same shape as the Workers logger: level, time, fields, msg, no pid or hostname', () => {
    const node: string[] = [];
    const worker: string[] = [];
    createNodeLogger({ write: (l) => node.push(l) }).warn({ event: 'poll', source: 's', status: 'error' }, 'm');
    createJsonLogger((l) => worker.push(l)).warn({ event: 'poll', source: 's', status: 'error' }, 'm');
    const [a] = jsonLines(node.join('\n'));
    const [b] = jsonLines(worker.join('\n'));
    expect(Object.keys(a!)).toEqual(Object.keys(b!));
    expect({ ...a, time: 0 }).toEqual({ ...b, time: 0 });
  });

  it('logs at LOG_LEVEL and above', () => {
    const lines: string[] = [];
    const logger = createNodeLogger({ level: logLevelOf('warn'), write: (l) => lines.push(l) });
    logger.info({ event: 'quiet' }, 'quiet');
    logger.error({ event: 'loud' }, 'loud');
    expect(jsonLines(lines.join('\n')).map((l) => l.event)).toEqual(['loud']);
  });

  it.each([
    [undefined, 'info'],
    ['', 'info'],
    ['DEBUG', 'debug'],
    [' error ', 'error'],
  ])('LOG_LEVEL=%s is %s', (value, level) => {
    expect(logLevelOf(value)).toBe(level);
  });

  it('refuses an unknown LOG_LEVEL', () => {
    expect(() => logLevelOf('verbose')).toThrow(/LOG_LEVEL must be one of debug, info, warn, error/);
  });
});
