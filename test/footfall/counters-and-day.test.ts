import { describe, expect, it } from 'vitest';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import type { DayRecord, MinuteRecord } from '../../gateway/src/core/footfall-records.js';
import { counterDelta } from '../../gateway/src/processors/footfall/counter-delta.js';
import { correctDrift } from '../../gateway/src/processors/footfall/drift-correction.js';
import { FootfallProcessor } from '../../gateway/src/processors/footfall/footfall-processor.js';
import { nextStoreDayBoundary, storeDayStart } from '../../gateway/src/processors/footfall/store-day.js';
import type { Reading } from '../../shared/src/readings.js';

const meta = (t: number, deviceId: string) =>
  ({ deviceId, deviceTime: t, receivedAt: t, quality: 'good', source: 'mqtt' }) as const;
const count = (t: number, deviceId: string, i: number, o: number): Reading => ({
  ...meta(t, deviceId),
  type: 'door.count',
  in: i,
  out: o,
});

function processor(timeZone = 'UTC', storeEmptyTime = '03:00', entriesFrom?: 'all' | 'doors' | 'cameras') {
  return new FootfallProcessor({
    ...(entriesFrom ? { entriesFrom } : {}),
    store: 's1',
    timeZone,
    storeEmptyTime,
    driftCorrection: 'exits',
    debounceMs: 0,
    blockedAlarmMs: 30_000,
    transactionEvents: ['transaction', 'payment-success'],
  });
}

describe('footfall.entries_from: one source per doorway, no double counting', () => {
  const t = Date.UTC(2026, 10, 20, 10);
  const both = (p: FootfallProcessor) => [
    ...p.process(count(t, 'door-1', 10, 0)),
    ...p.process(count(t + 1_000, 'door-1', 14, 0)),
    ...p.process({ ...meta(t, 'cam-1'), type: 'camera.line', line: 'entrance', in: 50, out: 0 }),
    ...p.process({ ...meta(t + 1_000, 'cam-1'), type: 'camera.line', line: 'entrance', in: 54, out: 0 }),
  ];
  const entries = (events: StoreEvent[]) =>
    events.filter((e) => e.type === 'door.entry').map((e) => [e.data.door, e.data.count]);
  it('counts doors and cameras by default, only doors or only cameras when configured', () => {
    expect(entries(both(processor()))).toEqual([
      ['door-1', 4],
      ['cam-1:entrance', 4],
    ]);
    expect(entries(both(processor('UTC', '03:00', 'doors')))).toEqual([['door-1', 4]]);
    expect(entries(both(processor('UTC', '03:00', 'cameras')))).toEqual([['cam-1:entrance', 4]]);
  });
});

describe('cumulative counters', () => {
  it('takes deltas, rolls over 16- and 32-bit registers, detects resets, never goes negative', () => {
    expect(counterDelta(undefined, 500)).toEqual({ delta: 0, kind: 'baseline' });
    expect(counterDelta(500, 512)).toEqual({ delta: 12, kind: 'step' });
    expect(counterDelta(65_530, 4)).toEqual({ delta: 10, kind: 'rollover', wrap: 65_536 });
    expect(counterDelta(4_294_967_290, 3)).toEqual({ delta: 9, kind: 'rollover', wrap: 4_294_967_296 });
    expect(counterDelta(1_200, 7)).toEqual({ delta: 7, kind: 'reset' });
    expect(counterDelta(70_000, 3)).toEqual({ delta: 3, kind: 'reset' });
    expect(counterDelta(10, 10)).toEqual({ delta: 0, kind: 'step' });
  });

  it('turns MQTT counters and camera lines into entries/exits with reset events', () => {
    const p = processor();
    const t = Date.UTC(2026, 10, 20, 10);
    const out: StoreEvent[] = [
      ...p.process(count(t, 'door-2', 100, 90)),
      ...p.process(count(t + 1_000, 'door-2', 103, 91)),
      ...p.process(count(t + 2_000, 'door-2', 2, 0)), // power loss: restarted from 0
      ...p.process({
        ...meta(t + 3_000, 'cam-1'),
        type: 'camera.line',
        line: 'entrance',
        in: 65_535,
        out: 7,
      }),
      ...p.process({ ...meta(t + 4_000, 'cam-1'), type: 'camera.line', line: 'entrance', in: 1, out: 7 }),
    ];
    const crossings = out.filter((e) => e.type === 'door.entry' || e.type === 'door.exit');
    expect(crossings.map((e) => [e.type, e.data.door, e.data.count])).toEqual([
      ['door.entry', 'door-2', 3],
      ['door.exit', 'door-2', 1],
      ['door.entry', 'door-2', 2],
      ['door.entry', 'cam-1:entrance', 2],
    ]);
    expect(out.filter((e) => e.type === 'door.counter_reset').map((e) => e.data.kind)).toEqual([
      'reset',
      'rollover',
    ]);
    expect(p.snapshot(t + 5_000)).toMatchObject({ occupancy: 6, in: 7, out: 1 });
  });
});

describe('occupancy over a scripted day', () => {
  it('clamps at 0, emits every minute, resets at store-empty time and rescales exits', () => {
    const p = processor('Europe/Berlin', '03:00');
    const open = Date.UTC(2026, 10, 20, 8, 0); // 09:00 Berlin
    const events: StoreEvent[] = [];
    // Exits counted before anyone came in must not drive occupancy negative.
    events.push(...p.process(count(open, 'door-1', 0, 0)));
    events.push(...p.process(count(open + 30_000, 'door-1', 0, 2)));
    // Morning: 100 in, 60 out; afternoon: 0 in, 30 out -> the counter missed 10 exits.
    events.push(...p.process(count(open + 3_600_000, 'door-1', 100, 62)));
    events.push(...p.process(count(open + 8 * 3_600_000, 'door-1', 100, 92)));
    events.push(
      ...p.process({
        ...meta(open + 8 * 3_600_000 + 1, 'pos-1'),
        type: 'pos.event',
        event: 'transaction',
        transactionId: 'x1',
      }),
    );
    events.push(
      ...p.process({
        ...meta(open + 8 * 3_600_000 + 2, 'pos-1'),
        type: 'pos.event',
        event: 'payment-success',
        transactionId: 'x1',
      }),
    );
    events.push(
      ...p.process({
        ...meta(open + 8 * 3_600_000 + 3, 'pos-1'),
        type: 'pos.event',
        event: 'payment-success',
      }),
    );
    expect(p.snapshot(open + 8 * 3_600_000 + 4)).toMatchObject({
      occupancy: 10,
      transactions: 2,
      conversion: 0.02,
    });

    const reset = Date.UTC(2026, 10, 21, 2, 0); // 03:00 Berlin next day
    for (let t = open + 8 * 3_600_000; t <= reset + 120_000; t += 1_000) events.push(...p.tick(t));

    const minutes = events
      .filter((e) => e.type === 'footfall.minute')
      .map((e) => e.data as unknown as MinuteRecord);
    expect(minutes[0]).toMatchObject({ t: open, in: 0, out: 2, occupancy: 0 });
    for (let i = 1; i < minutes.length; i++) expect(minutes[i]!.t - minutes[i - 1]!.t).toBe(60_000);
    expect(minutes.every((m) => m.occupancy >= 0)).toBe(true);
    const beforeReset = minutes.filter((m) => m.t < reset);
    expect(beforeReset.at(-1)!.occupancy).toBe(10);
    expect(minutes.find((m) => m.t === reset)!.occupancy).toBe(0);

    const days = events.filter((e) => e.type === 'footfall.day');
    expect(days).toHaveLength(1);
    const day = days[0]!.data as unknown as DayRecord;
    expect(days[0]!.dataClass).toBe('must_deliver');
    expect(day).toMatchObject({
      date: '2026-11-20',
      in: 100,
      out: 92,
      residual: 8,
      transactions: 2,
      conversion: 0.02,
    });
    expect(day.doors['door-1']).toEqual({ in: 100, out: 92, residual: 8 });
    expect(day.scale).toBeCloseTo(100 / 92, 5);
    expect(day.corrected_occupancy).toHaveLength(beforeReset.length);
    expect(day.corrected_occupancy.at(-1)).toBe(0);
    // The corrected curve is a rescaled slope, not a step: mid-day it is below the raw count.
    const noonIdx = 4 * 60;
    expect(day.corrected_occupancy[noonIdx]).toBe(Math.round(100 - (62 * 100) / 92));
  });

  it('finds store-day boundaries in the store timezone across DST', () => {
    const before = Date.UTC(2026, 2, 28, 12); // Berlin, day before spring-forward
    expect(nextStoreDayBoundary(before, '03:00', 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 1)); // 03:00 CEST
    expect(storeDayStart(before, '03:00', 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 28, 2)); // 03:00 CET
    expect(nextStoreDayBoundary(Date.UTC(2026, 0, 1, 3), '03:00', 'UTC')).toBe(Date.UTC(2026, 0, 2, 3));
  });
});

describe('time and transactions edge cases', () => {
  it('does not let a device clock running ahead close minutes early', () => {
    const p = processor();
    const now = Date.UTC(2026, 10, 20, 10);
    const ahead = { ...count(now + 3_600_000, 'door-9', 0, 0), receivedAt: now };
    const events = [
      ...p.process(ahead),
      ...p.process({ ...count(now + 3_600_000 + 1, 'door-9', 4, 0), receivedAt: now + 1 }),
    ];
    events.push(...p.tick(now + 61_000));
    const minutes = events.filter((e) => e.type === 'footfall.minute');
    expect(minutes.map((m) => [m.t, m.data.in])).toEqual([[now, 4]]);
  });

  it('ignores transactions until door traffic started the minute series', () => {
    const p = processor();
    const t = Date.UTC(2026, 10, 20, 10);
    const pos = (at: number) => ({
      ...meta(at, 'pos-1'),
      type: 'pos.event' as const,
      event: 'transaction' as const,
    });
    expect([...p.process(pos(t)), ...p.tick(t + 300_000)]).toEqual([]);
    p.process(count(t + 300_000, 'door-1', 0, 0));
    p.process(pos(t + 301_000));
    expect(p.snapshot(t + 302_000)).toMatchObject({ transactions: 1 });
  });
});

describe('drift correction', () => {
  const day = [
    { in: 10, out: 0 },
    { in: 10, out: 5 },
    { in: 0, out: 10 },
    { in: 0, out: 3 },
  ];
  it('rescales exits so the day ends at 0 (default)', () => {
    const r = correctDrift(day, 'exits');
    expect(r.scale).toBeCloseTo(20 / 18, 6);
    expect(r.corrected).toEqual([10, 14, 3, 0]);
  });
  it('or rescales entries', () => {
    const r = correctDrift(day, 'entries');
    expect(r.scale).toBeCloseTo(18 / 20, 6);
    expect(r.corrected).toEqual([9, 13, 3, 0]);
  });
  it('leaves the clamped live curve when there is nothing to rescale', () => {
    expect(
      correctDrift(
        [
          { in: 3, out: 0 },
          { in: 0, out: 0 },
        ],
        'exits',
      ),
    ).toEqual({ scale: null, corrected: [3, 3] });
    expect(
      correctDrift(
        [
          { in: 0, out: 2 },
          { in: 1, out: 0 },
        ],
        'off',
      ),
    ).toEqual({ scale: null, corrected: [0, 1] });
  });
});
