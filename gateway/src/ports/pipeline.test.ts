import { describe, expect, it } from 'vitest';
import type { Reading } from '../../../shared/src/readings.js';
import type { StoreEvent } from '../core/events.js';
import type { EventSink, Processor } from './pipeline.js';
import { Pipeline } from './pipeline.js';

const T = 1_790_000_000_000;
const door: Reading = {
  deviceId: 'd1',
  deviceTime: T,
  receivedAt: T,
  quality: 'good',
  source: 'mqtt',
  type: 'door.count',
  in: 1,
  out: 0,
};
/** A minimal real event, told apart by its stream. */
const event = (name: string): StoreEvent => ({
  type: 'door.counter_reset',
  t: T,
  stream: name,
  dataClass: 'telemetry',
  data: { device: 'd1', door: 'd1', kind: 'reset', in: 0, out: 0 },
});

function processor(name: string, process: () => StoreEvent[]): Processor {
  return { name, handles: ['door.count'], process };
}

describe('Pipeline.ingest', () => {
  it('resolves only after the sink resolved, then reports the events; a reading nothing derives from skips the sink', async () => {
    const order: string[] = [];
    let release!: () => void;
    const sink: EventSink = {
      append: (events) => {
        order.push(`append ${events.length}`);
        return new Promise<void>((r) => {
          release = r;
        });
      },
    };
    const pipeline = new Pipeline(sink, { onEvents: (evs) => order.push(`onEvents ${evs.length}`) })
      .with(processor('a', () => [event('a1'), event('a2')]))
      .with(processor('b', () => [event('b1')]));
    let settled = false;
    const done = pipeline.ingest(door).then(() => {
      settled = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['append 3']);
    expect(settled).toBe(false);
    release();
    await done;
    expect(order).toEqual(['append 3', 'onEvents 3']);
    await expect(
      new Pipeline(sink).ingest({ ...door, type: 'door.beam', beam: 'a', blocked: true }),
    ).resolves.toBe(undefined);
    expect(order).toHaveLength(2);
  });

  it('rejects (never throws) when the sink rejects or throws synchronously, and does not report those events', async () => {
    const reported: StoreEvent[][] = [];
    const onEvents = (evs: readonly StoreEvent[]) => reported.push([...evs]);
    const rejecting = new Pipeline(
      { append: () => Promise.reject(new Error('disk full')) },
      { onEvents },
    ).with(processor('a', () => [event('a')]));
    await expect(rejecting.ingest(door)).rejects.toThrow('disk full');
    const throwing = new Pipeline(
      {
        append: () => {
          throw new Error('closed');
        },
      },
      { onEvents },
    ).with(processor('a', () => [event('a')]));
    let result: Promise<void> | undefined;
    expect(() => {
      result = throwing.ingest(door);
    }).not.toThrow();
    await expect(result).rejects.toThrow('closed');
    expect(reported).toEqual([]);
  });

  it('a throwing processor is reported and skipped; the others still reach the sink', async () => {
    const appended: StoreEvent[] = [];
    const errors: string[] = [];
    const pipeline = new Pipeline(
      { append: async (evs) => void appended.push(...evs) },
      { onProcessorError: (name) => errors.push(name) },
    )
      .with(
        processor('bad', () => {
          throw new Error('bug');
        }),
      )
      .with(processor('good', () => [event('g')]));
    await pipeline.ingest(door);
    expect(errors).toEqual(['bad']);
    expect(appended.map((e) => e.stream)).toEqual(['g']);
  });
});

describe('Pipeline.add', () => {
  it('returns an unregister that removes exactly that processor from routing and ticks', async () => {
    const appended: StoreEvent[] = [];
    const pipeline = new Pipeline({ append: async (evs) => void appended.push(...evs) });
    const ticks: string[] = [];
    const ticking = (name: string): Processor => ({
      ...processor(name, () => [event(name)]),
      tick: () => {
        ticks.push(name);
        return [];
      },
    });
    const a = ticking('a');
    const b = ticking('b');
    const removeA = pipeline.add(a);
    pipeline.add(b);
    await pipeline.ingest(door);
    removeA();
    removeA();
    await pipeline.ingest(door);
    await pipeline.tick(0);
    expect(appended.map((e) => e.stream)).toEqual(['a', 'b', 'b']);
    expect(ticks).toEqual(['b']);
    expect(pipeline.list().map((p) => p.name)).toEqual(['b']);
  });
});
