import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cloudEvent, outboxEventData } from '../../gateway/src/core/cloud-events.js';
import type { EventEnvelope } from '../../gateway/src/core/events.js';
import { MemoryOutboxStorage } from '../../gateway/src/sinks/outbox/memory-storage.js';
import { FakeClock } from '../../shared/src/clock.js';
import { event, openOutbox, parseItem, type WireItem } from './outbox-fixtures.js';
import { md, openReal, outboxConfig, queued } from './real-outbox.js';

const MiB = 1024 * 1024;

/** Every item is a valid cloud event, and the outbox's own types carry valid `data`. Returns the types seen. */
function check(items: WireItem[]): Set<string> {
  const seen = new Set<string>();
  for (const item of items) {
    cloudEvent.parse(item);
    const schema = outboxEventData[item.type as keyof typeof outboxEventData];
    if (schema) {
      schema.parse(item.data);
      seen.add(item.type);
    }
  }
  return seen;
}

describe('the outbox sends what docs/schemas describe', () => {
  it('rollups, drop markers, disk_full and clock.step', async () => {
    const clock = new FakeClock(Date.UTC(2026, 3, 1));
    let free = Number.MAX_SAFE_INTEGER;
    const ob = openOutbox(new MemoryOutboxStorage(3), { budgetBytes: MiB, clock, freeDiskBytes: () => free });
    for (let i = 0; i < 1600; i += 100) {
      await ob.append(
        Array.from({ length: 100 }, (_, k) => event('door', i + k, { data: { pad: 'x'.repeat(600) } })),
      );
    }
    const sample = (i: number): EventEnvelope => ({
      type: i % 2 ? 'door.entry' : 'door.exit',
      t: Date.UTC(2026, 3, 1) + i * 60_000,
      stream: 'door/d1',
      dataClass: 'telemetry',
      data: { count: 1 },
    });
    for (let i = 0; i < 3000; i += 500) await ob.append(Array.from({ length: 500 }, (_, k) => sample(i + k)));
    await new Promise((r) => setTimeout(r, 150));
    free = 0;
    clock.advance(1000); // the cached disk reading expires (monotonic time)
    await expect(ob.append([event('s', 1)])).rejects.toThrow(/floor/);
    clock.stepWall(-120_000);
    free = Number.MAX_SAFE_INTEGER;
    clock.advance(1000);
    await ob.append([event('s', 2)]);
    const seen = check(ob.next(1_000_000, 1 << 30).map((r) => parseItem(r.item)));
    expect(seen).toEqual(new Set(['outbox.dropped', 'gateway.disk_full', 'clock.step']));
    ob.close();
    // Below the budget telemetry is summarised, not dropped.
    const small = openOutbox(new MemoryOutboxStorage(3), { budgetBytes: MiB });
    for (let i = 0; i < 12_000; i += 500)
      await small.append(Array.from({ length: 500 }, (_, k) => sample(i + k)));
    await new Promise((r) => setTimeout(r, 150));
    expect(check(small.next(1_000_000, 1 << 30).map((r) => parseItem(r.item)))).toEqual(
      new Set(['outbox.rollup']),
    );
    small.close();
  });

  it('gateway.data_loss', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-wire-'));
    try {
      const first = await openReal(outboxConfig(dir));
      await first.append([md('lane/1', 1)]);
      first.close();
      rmSync(join(dir, 'outbox.db'));
      const second = await openReal(outboxConfig(dir));
      expect(check(queued(second))).toEqual(new Set(['gateway.data_loss']));
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
