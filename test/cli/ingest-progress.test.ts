import { describe, expect, it } from 'vitest';
import { createIngestProgress } from '../../src/cli/ingest-progress.ts';

describe('the progress line of `wirefeed ingest --once` on a terminal', () => {
  it('counts sources done, failed and items on one rewritten line, at most every 100 ms and at the last poll', () => {
    const written: string[] = [];
    let clock = 0;
    const progress = createIngestProgress(3, (t) => written.push(t), { now: () => clock });
    expect(written).toEqual(['\rwirefeed ingest: 0/3 sources done, 0 failed, 0 items\x1b[K']);
    clock = 50;
    progress.polled({ source: 'a', status: 'ok', items: 30 });
    expect(written).toHaveLength(1);
    clock = 150;
    progress.polled({ source: 'b', status: 'error', kind: 'fetch', message: 'HTTP 503', nextFetchAt: 0 });
    expect(written.at(-1)).toBe('\rwirefeed ingest: 2/3 sources done, 1 failed, 30 items\x1b[K');
    clock = 160;
    progress.polled({ source: 'c', status: 'not-modified' });
    expect(written.at(-1)).toBe('\rwirefeed ingest: 3/3 sources done, 1 failed, 30 items\x1b[K');
    progress.done();
    progress.done();
    expect(written.slice(-2)).toEqual(['\rwirefeed ingest: 3/3 sources done, 1 failed, 30 items\x1b[K', '\n']);
    expect(written.filter((t) => t === '\n')).toHaveLength(1);
  });
});
