import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { enqueueDue, type OutgoingPoll } from '../../src/ingest/fan-out.ts';
import type { SourceConfig } from '../../src/model.ts';
import { openSqlite } from '../../src/runtime/sqlite.ts';
import { createStore } from '../../src/store/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'wirefeed-fan-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source = (id: string, host: string): SourceConfig => ({ id, url: `https://${host}/${id}.xml`, title: id, interval: 15, categories: [], allowPrivateNetwork: false });

describe('the fan-out spreads a host over the tick', () => {
  it('holds back a host past its share of the tick for the next one, and still reaches the other hosts behind it', async () => {
    const handle = openSqlite(join(dir, 'f.db'));
    try {
      const store = createStore(handle.db);
      // 150 sources of one big host are the most overdue; 10 of a small host come after them.
      const sources = [
        ...Array.from({ length: 150 }, (_, i) => source(`big${String(i).padStart(3, '0')}`, 'big.example')),
        ...Array.from({ length: 10 }, (_, i) => source(`small${i}`, 'small.example')),
      ];
      await store.syncSources(sources);
      handle.raw.exec(`UPDATE sources SET next_fetch_at = CASE WHEN id LIKE 'big%' THEN 1 ELSE 2 END`);
      const sent: OutgoingPoll[][] = [];
      const options = { send: async (m: OutgoingPoll[]) => void sent.push(m), leaseMs: 600_000, perHost: 2, hostSpacingSeconds: 1, maxDelaySeconds: 30, maxMessages: 10_000 };
      const result = await enqueueDue({ store, sources }, options);
      const messages = sent.flat();
      const big = messages.filter((m) => m.body.source.startsWith('big'));
      // Two a second for 30 s of hold-back: 60 of the big host now, 90 for the next tick; all 10 of the small one.
      expect(big).toHaveLength(60);
      expect(big.map((m) => m.delaySeconds)).toEqual(Array.from({ length: 60 }, (_, k) => Math.floor(k / 2)));
      expect(messages.filter((m) => m.body.source.startsWith('small')).map((m) => m.delaySeconds)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
      expect(result).toEqual({ enqueued: 70, deferred: 90 });
      expect(sent.every((batch) => batch.length <= 100)).toBe(true);
      // The deferred are free and due again; the sent are leased.
      const next = await enqueueDue({ store, sources }, options);
      expect(next).toEqual({ enqueued: 60, deferred: 30 });
      expect(new Set(sent.flat().map((m) => m.body.source)).size).toBe(130);
    } finally {
      handle.close();
    }
  });
});
