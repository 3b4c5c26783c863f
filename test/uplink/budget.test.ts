import { afterEach, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../gateway/src/core/events.js';
import { gatewayConfig, type ReceivedItem, startCloud, startStack, tempDir } from './harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);
const STREAMS = Array.from({ length: 8 }, (_, i) => `shelf/s${i}`);
const PER_STREAM = 3000;
const MUST = 2000;

function telemetry(stream: string, i: number): EventEnvelope {
  return {
    type: 'shelf.sample',
    t: T0 + i * 1000,
    stream,
    dataClass: 'telemetry',
    data: { weight_g: 1000 + (i % 40) },
  };
}

/** Telemetry seqs a received item stands for (a raw event: its own; a rollup: its range). */
function covered(item: ReceivedItem): { from: number; to: number; count: number } {
  if (typeof item.data.rollup === 'string') {
    return {
      from: item.data.seq_from as number,
      to: item.data.seq_to as number,
      count: item.data.count as number,
    };
  }
  return { from: item.seq, to: item.seq, count: 1 };
}

describe('disk budget exceeded during a long outage', () => {
  it('4. keeps every must-deliver event, compacts telemetry into rollups, counts exactly what happened', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    // The cloud consumer's persistent session exists before the outage starts (see outage.test.ts).
    const { broker, consumer } = await startCloud(cleanups);
    await broker.stop('SIGTERM');
    let freeDisk = 10 * 1024 ** 3;
    const config = gatewayConfig(
      tmp.dir,
      { url: broker.url },
      { outbox: { budget_bytes: 1024 * 1024, min_free_disk_bytes: 64 * 1024 * 1024 } },
    );
    const stack = await startStack(config, { freeDiskBytes: () => freeDisk });
    cleanups.push(() => stack.stop());

    for (let n = 1; n <= MUST; n++) {
      if (n % 100 === 1) {
        const batch = Array.from({ length: 100 }, (_, k) => ({
          type: 'lane.scan',
          t: T0 + (n + k) * 500,
          stream: 'lane/1',
          dataClass: 'must_deliver' as const,
          data: { n: n + k, sku: 'sku-12345678', price_cents: 199 },
        }));
        await stack.outbox.append(batch);
      }
      if (n % 200 === 0) {
        const i0 = (n / 200 - 1) * (PER_STREAM / 10);
        for (let i = i0; i < i0 + PER_STREAM / 10; i += 100) {
          await stack.outbox.append(
            STREAMS.flatMap((s) => Array.from({ length: 100 }, (_, k) => telemetry(s, i + k))),
          );
        }
      }
    }
    await new Promise((r) => setTimeout(r, 100)); // let the compactor finish its last turn
    const counters = Object.fromEntries(stack.outbox.state.counters);
    expect(stack.outbox.totals().must_deliver.count).toBe(MUST);
    expect(stack.outbox.usedBytes()).toBeLessThan(config.outbox.budget_bytes);
    expect(counters['compacted:raw_to_1m']).toBeGreaterThan(0);
    expect(counters['compacted:1m_to_15m']).toBeGreaterThan(0);
    expect(counters['dropped:budget_exhausted'] ?? 0).toBe(0);

    // The free-disk floor: even must-deliver is refused (so a device's QoS 1 is not acked), and counted.
    freeDisk = 60 * 1024 * 1024;
    await new Promise((r) => setTimeout(r, 300));
    await expect(
      stack.outbox.append([{ ...telemetry('lane/1', 0), dataClass: 'must_deliver' }]),
    ).rejects.toThrow(/floor/);
    expect(stack.outbox.state.counters.get('rejected:disk_floor')).toBe(1);
    const metrics = await stack.metrics.metrics();
    expect(metrics).toContain(
      `storegate_outbox_compacted_events_total{reason="raw_to_1m"} ${counters['compacted:raw_to_1m']}`,
    );
    expect(metrics).toContain('storegate_outbox_rejected_events_total{reason="disk_floor"} 1');
    expect(metrics).toMatch(/storegate_outbox_depth\{class="must_deliver"\} 2000/);

    // The cloud comes back: everything kept arrives, and the rollups account for every telemetry event.
    await broker.start();
    await consumer.waitFor(
      () => stack.outbox.totals().must_deliver.count + stack.outbox.totals().telemetry.count === 0,
      30_000,
      'drain',
    );
    await consumer.waitFor(
      () => consumer.items.filter((i) => i.stream === 'lane/1').length >= MUST,
      10_000,
      'must-deliver',
    );
    const lane = consumer.items.filter((i) => i.stream === 'lane/1').map((i) => i.seq);
    expect(new Set(lane)).toEqual(new Set(Array.from({ length: MUST }, (_, i) => i + 1)));
    for (const stream of STREAMS) {
      const items = consumer.items.filter((i) => i.stream === stream).map(covered);
      expect(items.reduce((n, c) => n + c.count, 0)).toBe(PER_STREAM);
      const seen = new Set<number>();
      for (const c of items) for (let s = c.from; s <= c.to; s++) seen.add(s);
      expect(seen.size).toBe(PER_STREAM);
    }
    const rollups = consumer.items.filter((i) => typeof i.data.rollup === 'string');
    expect(new Set(rollups.map((r) => r.data.rollup))).toContain('15m');
    // One rollup may stand for several event types of its stream: fields are summarised per type.
    expect(rollups[0]!.type).toBe('outbox.rollup');
    const types = rollups[0]!.data.types as Record<
      string,
      { count: number; fields: Record<string, { min: number; max: number; mean: number; count: number }> }
    >;
    const sample = types['shelf.sample']!.fields;
    expect(sample.weight_g!.min).toBeGreaterThanOrEqual(1000);
    expect(sample.weight_g!.max).toBeLessThanOrEqual(1039);
  });
});
