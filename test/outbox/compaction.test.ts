import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../gateway/src/core/events.js';
import { MemoryOutboxStorage } from '../../gateway/src/sinks/outbox/memory-storage.js';
import type { OutboxRow } from '../../gateway/src/sinks/outbox/outbox-storage.js';
import { compactRows } from '../../gateway/src/sinks/outbox/rollup.js';
import { accountStream, event, openOutbox, STORAGE_KINDS, wireItems } from './outbox-fixtures.js';

const MiB = 1024 * 1024;
const T0 = Date.UTC(2026, 0, 1);
const settle = () => new Promise((r) => setTimeout(r, 150));

function sample(stream: string, i: number, stepMs = 1000): EventEnvelope {
  return { type: 'shelf.sample', t: T0 + i * stepMs, stream, dataClass: 'telemetry', data: { g: i % 10 } };
}

function rawRow(i: number, type: string, t: number, data: Record<string, unknown>): OutboxRow {
  const item = JSON.stringify({ id: `id${i}`, seq: i + 1, stream: 's', type, t, data });
  return {
    ord: i + 1,
    id: `id${i}`,
    stream: 's',
    seq: i + 1,
    dataClass: 'telemetry',
    level: 0,
    t,
    item,
    bytes: 100,
    enqueuedAt: 0,
  };
}

describe('telemetry compaction', () => {
  it('merges rollups level by level with exact min/max/mean/count per event type', () => {
    const rows = Array.from({ length: 120 }, (_, i) => rawRow(i, 'x', T0 + i * 1000, { v: i, tag: 'a' }));
    const minutes = compactRows(rows, 0);
    expect(minutes.map((d) => [d.event.type, d.event.seq, d.event.data])).toEqual([
      [
        'outbox.rollup',
        1,
        expect.objectContaining({
          rollup: '1m',
          count: 60,
          seq_from: 1,
          seq_to: 60,
          types: { x: { count: 60, fields: { v: { min: 0, max: 59, mean: 29.5, count: 60 } } } },
        }),
      ],
      ['outbox.rollup', 61, expect.objectContaining({ count: 60, seq_from: 61, seq_to: 120 })],
    ]);
    const asRows = minutes.map((d, k) => ({
      ...rows[k * 60]!,
      level: 1 as const,
      item: JSON.stringify({ ...d.event, id: `r${k}` }),
    }));
    const [quarter] = compactRows(asRows, 1);
    expect(quarter!.event.data).toMatchObject({
      rollup: '15m',
      count: 120,
      seq_from: 1,
      seq_to: 120,
      types: { x: { count: 120, fields: { v: { min: 0, max: 119, mean: 59.5, count: 120 } } } },
    });
  });

  it('never overlaps rollups on a stream mixing types (door entries and exits), nor after a clock step back', () => {
    // entry, exit, entry, exit… on one stream; then the clock steps back 10 min and the minute repeats.
    const rows = Array.from({ length: 40 }, (_, i) => {
      const t = T0 + (i < 20 ? i * 1000 : -600_000 + i * 1000);
      return rawRow(i, i % 2 === 0 ? 'door.entry' : 'door.exit', t, { count: 1 });
    });
    const drafts = compactRows(rows, 0);
    const ranges = drafts.map((d) => [d.event.data.seq_from, d.event.data.seq_to]);
    expect(ranges).toEqual([
      [1, 20],
      [21, 40],
    ]);
    expect(drafts[0]!.event.data.types).toEqual({
      'door.entry': { count: 10, fields: { count: { min: 1, max: 1, mean: 1, count: 10 } } },
      'door.exit': { count: 10, fields: { count: { min: 1, max: 1, mean: 1, count: 10 } } },
    });
  });

  it('keeps telemetry (as rollups) while total use is below the budget, even with must-deliver at 70 %', async () => {
    const ob = openOutbox(new MemoryOutboxStorage(), { budgetBytes: MiB });
    const big = 'x'.repeat(600);
    for (let i = 0; i < 1000; i += 100) {
      await ob.append(Array.from({ length: 100 }, (_, k) => event('door', i + k, { data: { pad: big } })));
    }
    expect(ob.totals().must_deliver.bytes / MiB).toBeGreaterThan(0.65);
    for (let i = 0; i < 3000; i += 500) {
      await ob.append(Array.from({ length: 500 }, (_, k) => sample('shelf', i + k, 60_000)));
    }
    await settle();
    const c = Object.fromEntries(ob.state.counters);
    expect(c['compacted:raw_to_1m']).toBeGreaterThan(0);
    expect(c['dropped:budget_exhausted']).toBeUndefined();
    expect(ob.usedBytes()).toBeLessThan(MiB);
    const counts = accountStream(wireItems(ob.next(100_000, 1 << 30)), 'shelf');
    expect(counts.rollup).toBeGreaterThan(0);
    expect(counts.dropped).toBeUndefined();
    expect((counts.rollup ?? 0) + (counts.telemetry ?? 0)).toBe(3000);
    ob.close();
  });

  for (const kind of STORAGE_KINDS) {
    it(`${kind.name}: drops 1 h rollups only above the budget, each run replaced by an outbox.dropped marker`, async () => {
      const env = kind.create();
      const ob = openOutbox(env.storage(), { budgetBytes: MiB });
      // Must-deliver alone above the budget: telemetry is degraded all the way down, then dropped.
      const big = 'x'.repeat(600);
      for (let i = 0; i < 1600; i += 100) {
        await ob.append(Array.from({ length: 100 }, (_, k) => event('door', i + k, { data: { pad: big } })));
      }
      for (let i = 0; i < 3000; i += 500) {
        await ob.append(
          Array.from({ length: 500 }, (_, k) => [
            sample('shelf', i + k, 60_000),
            sample('health/d1', i + k, 60_000),
          ]).flat(),
        );
      }
      await settle();
      const c = Object.fromEntries(ob.state.counters);
      expect(ob.totals().must_deliver.count).toBeGreaterThanOrEqual(1600);
      expect(c['compacted:15m_to_1h']).toBeGreaterThan(0);
      expect(c['dropped:budget_exhausted']).toBeGreaterThan(0);
      const items = wireItems(ob.next(100_000, 1 << 30));
      let dropped = 0;
      for (const stream of ['shelf', 'health/d1']) {
        const counts = accountStream(items, stream);
        expect((counts.rollup ?? 0) + (counts.telemetry ?? 0) + (counts.dropped ?? 0)).toBe(3000);
        dropped += counts.dropped ?? 0;
      }
      expect(dropped).toBe(c['dropped:budget_exhausted']);
      const marker = items.find((i) => i.type === 'outbox.dropped')!;
      expect(marker).toMatchObject({ class: 'must_deliver', data: { reason: 'budget_exhausted' } });
      expect(marker.data.types).toEqual({ 'shelf.sample': marker.data.count });
      ob.close();
      env.cleanup();
    });
  }

  it('never compacts rows handed to the uplink and not yet acknowledged', async () => {
    const ob = openOutbox(new MemoryOutboxStorage(), { budgetBytes: MiB });
    await ob.append(Array.from({ length: 100 }, (_, i) => sample('shelf', i)));
    const inFlight = ob.next(100, 1 << 30);
    for (let i = 100; i < 8000; i += 500) {
      await ob.append(Array.from({ length: 500 }, (_, k) => sample('shelf', i + k)));
    }
    await settle();
    expect(ob.state.counters.get('compacted:raw_to_1m')).toBeGreaterThan(0);
    ob.rewind();
    const again = ob.next(100, 1 << 30);
    expect(again.map((r) => r.id)).toEqual(inFlight.map((r) => r.id));
    ob.close();
  });
});
