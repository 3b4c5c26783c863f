import { describe, expect, it } from 'vitest';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import { MemoryOutboxStorage } from '../../gateway/src/sinks/outbox/memory-storage.js';
import { compactRows } from '../../gateway/src/sinks/outbox/rollup.js';
import { event, openOutbox, parseItem } from './outbox-fixtures.js';

const MiB = 1024 * 1024;
const T0 = Date.UTC(2026, 0, 1);

function sample(stream: string, i: number, stepMs = 1000): StoreEvent {
  return { type: 'shelf.sample', t: T0 + i * stepMs, stream, dataClass: 'telemetry', data: { g: i % 10 } };
}

describe('telemetry compaction', () => {
  it('merges rollups level by level with exact min/max/mean/count', () => {
    const rows = Array.from({ length: 120 }, (_, i) => ({
      ord: i + 1,
      id: `id${i}`,
      stream: 's',
      seq: i + 1,
      dataClass: 'telemetry' as const,
      level: 0 as const,
      t: T0 + i * 1000,
      item: JSON.stringify({
        id: `id${i}`,
        seq: i + 1,
        stream: 's',
        type: 'x',
        t: T0 + i * 1000,
        data: { v: i, tag: 'a' },
      }),
      bytes: 100,
      enqueuedAt: 0,
    }));
    const minutes = compactRows(rows, 0);
    expect(minutes.map((d) => d.event.data)).toEqual([
      expect.objectContaining({
        rollup: '1m',
        count: 60,
        seq_from: 1,
        seq_to: 60,
        fields: { v: { min: 0, max: 59, mean: 29.5, count: 60 } },
      }),
      expect.objectContaining({
        rollup: '1m',
        count: 60,
        seq_from: 61,
        seq_to: 120,
        fields: { v: { min: 60, max: 119, mean: 89.5, count: 60 } },
      }),
    ]);
    const asRows = minutes.map((d, k) => ({
      ...rows[k]!,
      level: 1 as const,
      item: JSON.stringify({ ...d.event, id: `r${k}` }),
    }));
    const [quarter] = compactRows(asRows, 1);
    expect(quarter!.event.data).toMatchObject({
      rollup: '15m',
      count: 120,
      seq_from: 1,
      seq_to: 120,
      fields: { v: { min: 0, max: 119, mean: 59.5, count: 120 } },
    });
  });

  it('drops 1 h rollups only as a last resort, counting the raw events they stood for', async () => {
    const ob = openOutbox(new MemoryOutboxStorage(), { budgetBytes: MiB });
    // Must-deliver alone above the compaction target: telemetry is degraded all the way down, then dropped.
    const big = 'x'.repeat(600);
    for (let i = 0; i < 1000; i += 100) {
      await ob.append(Array.from({ length: 100 }, (_, k) => event('door', i + k, { data: { pad: big } })));
    }
    for (let i = 0; i < 3000; i += 500) {
      await ob.append(Array.from({ length: 500 }, (_, k) => sample('shelf', i + k, 60_000)));
    }
    await new Promise((r) => setTimeout(r, 100));
    const c = Object.fromEntries(ob.state.counters);
    expect(ob.totals().must_deliver.count).toBe(1000);
    expect(c['compacted:raw_to_1m']).toBe(3000);
    expect(c['compacted:1m_to_15m']).toBeGreaterThan(0);
    expect(c['compacted:15m_to_1h']).toBeGreaterThan(0);
    const left = ob.next(100_000, 1 << 30).filter((r) => r.dataClass === 'telemetry');
    const represented = left.reduce(
      (n, r) => n + (r.level === 0 ? 1 : (parseItem(r.item).data.count as number)),
      0,
    );
    expect(represented + (c['dropped:budget_exhausted'] ?? 0)).toBe(3000);
    expect(c['dropped:budget_exhausted']).toBeGreaterThan(0);
    ob.close();
  });

  it('never compacts rows handed to the uplink and not yet acknowledged', async () => {
    const ob = openOutbox(new MemoryOutboxStorage(), { budgetBytes: MiB });
    await ob.append(Array.from({ length: 100 }, (_, i) => sample('shelf', i)));
    const inFlight = ob.next(100, 1 << 30);
    for (let i = 100; i < 8000; i += 500) {
      await ob.append(Array.from({ length: 500 }, (_, k) => sample('shelf', i + k)));
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(ob.state.counters.get('compacted:raw_to_1m')).toBeGreaterThan(0);
    ob.rewind();
    const again = ob.next(100, 1 << 30);
    expect(again.map((r) => r.id)).toEqual(inFlight.map((r) => r.id));
    ob.close();
  });
});
