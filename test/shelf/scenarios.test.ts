import { describe, expect, it } from 'vitest';
import { parsePlanogram } from '../../gateway/src/core/planogram.js';
import { ShelfProcessor } from '../../gateway/src/processors/shelf/shelf-processor.js';
import { ofType, PlateScript, run, T0 } from './trace-script.js';

const plates = parsePlanogram({
  plates: [
    { device: 'shelf-a3', channel: 0, sku: 'cola-330', unit_grams: 352, tolerance_grams: 6, capacity: 24 },
    { device: 'shelf-a3', channel: 1, sku: 'chips-250', unit_grams: 250, tolerance_grams: 5, capacity: 20 },
    { device: 'shelf-a3', channel: 2, sku: 'pasta-500', unit_grams: 500, tolerance_grams: 8, capacity: 12 },
  ],
});
const processor = () => new ShelfProcessor({ plates });
const picksPuts = (events: ReturnType<typeof run>) => ofType(events, 'shelf.pick', 'shelf.put');

describe('shelf scenarios (scripted traces)', () => {
  it('single pick: one shelf.pick with SKU, qty, time and the new stock level', () => {
    const s = new PlateScript(3520, 1, 1).hold(3000).step(-352).hold(3000);
    const events = run(processor(), s.readings('shelf-a3', 0));
    const pp = picksPuts(events);
    expect(pp).toHaveLength(1);
    expect(pp[0]!.type).toBe('shelf.pick');
    expect(pp[0]!.data).toMatchObject({ device: 'shelf-a3', channel: 0, sku: 'cola-330', qty: 1, stock: 9 });
    expect(pp[0]!.dataClass).toBe('must_deliver');
    expect(pp[0]!.stream).toBe('shelf/shelf-a3');
    expect(Math.abs(pp[0]!.t - (T0 + 3000))).toBeLessThan(500);
  });

  it('multi-pick: three cans at once are one pick of qty 3', () => {
    const s = new PlateScript(3520, 1, 2).hold(3000).step(-1056, 250).hold(3000);
    const pp = picksPuts(run(processor(), s.readings('shelf-a3', 0)));
    expect(pp.map((e) => [e.type, e.data.qty])).toEqual([['shelf.pick', 3]]);
  });

  it('two picks 300 ms apart are two events, not one pick of 2', () => {
    const s = new PlateScript(3520, 1, 3).hold(3000).step(-352, 120).hold(180).step(-352, 120).hold(3000);
    const pp = picksPuts(run(processor(), s.readings('shelf-a3', 0)));
    expect(pp.map((e) => [e.type, e.data.qty])).toEqual([
      ['shelf.pick', 1],
      ['shelf.pick', 1],
    ]);
    expect(pp[1]!.t - pp[0]!.t).toBeGreaterThan(150);
    expect(pp[1]!.t - pp[0]!.t).toBeLessThan(600);
  });

  it('slow put over 2 s is one put, not drift and not several events', () => {
    const s = new PlateScript(2500, 2, 4).hold(3000).step(250, 2000).hold(3000);
    const pp = picksPuts(run(processor(), s.readings('shelf-a3', 1)));
    expect(pp.map((e) => [e.type, e.data.sku, e.data.qty])).toEqual([['shelf.put', 'chips-250', 1]]);
  });

  it('a hand leaning on the shelf for 3 s is not a pick or a put', () => {
    const s = new PlateScript(3520, 1, 5).hold(3000).lean(800, 3000).hold(3000).lean(352, 2000).hold(3000);
    const events = run(processor(), s.readings('shelf-a3', 0));
    expect(picksPuts(events)).toEqual([]);
    expect(ofType(events, 'shelf.change', 'shelf.misplaced')).toEqual([]);
  });

  it('a hand resting on the shelf while taking a can is one pick of that can', () => {
    const s = new PlateScript(3520, 1, 18)
      .hold(3000)
      .step(600, 200)
      .hold(1500)
      .step(-600 - 352, 300)
      .hold(4000);
    const pp = picksPuts(run(processor(), s.readings('shelf-a3', 0)));
    expect(pp.map((e) => [e.type, e.data.sku, e.data.qty])).toEqual([['shelf.pick', 'cola-330', 1]]);
  });

  it('non-finite samples are skipped and counted; detection carries on', () => {
    const s = new PlateScript(3520, 1, 19).hold(3000).step(-352).hold(3000);
    s.samples[100] = Number.POSITIVE_INFINITY;
    s.samples[101] = Number.NaN;
    const p = processor();
    const pp = picksPuts(run(p, s.readings('shelf-a3', 0)));
    expect(pp.map((e) => [e.type, e.data.qty])).toEqual([['shelf.pick', 1]]);
    expect(p.counters.nonFinite).toBe(2);
  });

  it('spikes are rejected, not averaged in and not events', () => {
    const s = new PlateScript(3520, 1, 6)
      .hold(2000)
      .spike(4000)
      .hold(1000)
      .spike(-3000)
      .spike(-3000)
      .hold(2000);
    const p = processor();
    const events = run(p, s.readings('shelf-a3', 0));
    expect(picksPuts(events)).toEqual([]);
    expect(p.stock()[0]!.spikes_rejected).toBeGreaterThanOrEqual(3);
  });

  it('drift during a busy hour: every event right, stock right at the end, drift tracked', () => {
    const s = new PlateScript(5000, 2, 7).hold(5000);
    const expected: [string, number][] = [];
    let count = 10;
    for (let i = 0; i < 60; i++) {
      const qty = (i % 3) + 1;
      const pick = i % 2 === 0 && count > qty;
      s.hold(25_000, 60 / 3600).step((pick ? -qty : qty) * 500, 200);
      count += pick ? -qty : qty;
      expected.push([pick ? 'shelf.pick' : 'shelf.put', qty]);
    }
    s.hold(5000);
    const p = processor();
    const pp = picksPuts(run(p, s.readings('shelf-a3', 2)));
    expect(pp.map((e) => [e.type, e.data.qty])).toEqual(expected);
    const state = p.stock().find((x) => x.channel === 2)!;
    expect(state.stock).toBe(Math.min(12, count));
    // 25 g of drift over the run; the estimate counts what auto-zero followed while stable.
    expect(state.drift_grams).toBeGreaterThan(10);
  });

  it('wrong-plate return: shelf.misplaced with the item SKU and its home plate; picking it again is recognised', () => {
    const cola = new PlateScript(3520, 1, 8).hold(3000).step(-352).hold(12_000);
    const pasta = new PlateScript(3000, 1, 9).hold(8000).step(352, 200).hold(6000).step(-352, 200).hold(4000);
    const events = run(processor(), cola.readings('shelf-a3', 0), pasta.readings('shelf-a3', 2));
    const misplaced = ofType(events, 'shelf.misplaced');
    expect(misplaced).toHaveLength(1);
    expect(misplaced[0]!.data).toMatchObject({
      channel: 2,
      sku: 'cola-330',
      qty: 1,
      plate_sku: 'pasta-500',
      home_channel: 0,
    });
    const picks = ofType(events, 'shelf.pick');
    expect(picks.map((e) => [e.data.channel, e.data.sku])).toEqual([
      [0, 'cola-330'],
      [2, 'cola-330'],
    ]);
    expect(picks[1]!.data.misplaced_item).toBe(true);
  });

  it('an item straddling two adjacent plates is one put on its home plate', () => {
    const a = new PlateScript(3520, 1, 10).hold(3000).step(211, 200).hold(6000);
    const b = new PlateScript(2500, 1, 11).hold(3000).step(141, 200).hold(6000);
    const events = run(processor(), a.readings('shelf-a3', 0), b.readings('shelf-a3', 1));
    const pp = picksPuts(events);
    expect(pp).toHaveLength(1);
    expect(pp[0]!.data).toMatchObject({ channel: 0, sku: 'cola-330', qty: 1 });
    expect(pp[0]!.data.spans).toHaveLength(2);
  });

  it('an ambiguous delta carries a confidence and candidates instead of a certain guess', () => {
    const s = new PlateScript(3520, 1, 12).hold(3000).step(-528).hold(8000);
    const events = run(processor(), s.readings('shelf-a3', 0));
    const ev = ofType(events, 'shelf.pick', 'shelf.change');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.data.ambiguous).toBe(true);
    expect(ev[0]!.data.confidence).toBeLessThan(0.9);
    expect(Array.isArray(ev[0]!.data.candidates)).toBe(true);
  });

  it('low and out-of-stock alerts with hysteresis', () => {
    // capacity 24, low at 6, cleared at 6 + 3.
    const s = new PlateScript(4 * 352, 1, 13).hold(3000);
    // Puts 4 s apart: a rise is only reported as a put once it stayed for hold_ms (a hand lifts within it).
    for (let i = 0; i < 4; i++) s.step(-352).hold(2500);
    s.step(352)
      .hold(4000)
      .step(352 * 4)
      .hold(4000)
      .step(352 * 4)
      .hold(4000);
    const alerts = ofType(
      run(processor(), s.readings('shelf-a3', 0)),
      'shelf.stock.low',
      'shelf.stock.out',
      'shelf.stock.ok',
    );
    expect(alerts.map((e) => [e.type, e.data.stock])).toEqual([
      ['shelf.stock.low', 4],
      ['shelf.stock.out', 0],
      ['shelf.stock.low', 1],
      ['shelf.stock.ok', 9],
    ]);
  });
});

describe('sensor health through the processor', () => {
  it('stuck, saturated and silent plates raise shelf.sensor once per change, and recover', () => {
    const p = processor();
    // Live first: "stuck" is judged against the channel's own quiet runs (a frozen-from-boot channel takes a minute).
    const before = new PlateScript(3520, 1, 13).hold(2000).readings('shelf-a3', 0);
    const flat = new PlateScript(3520, 0, 14).hold(4000).readings('shelf-a3', 0, T0 + 2000);
    const live = new PlateScript(3520, 1, 15).hold(2000).readings('shelf-a3', 0, T0 + 6000);
    const sat = new PlateScript(25_000, 1, 16).hold(2000).readings('shelf-a3', 0, T0 + 8000);
    const events = run(p, before, flat, live, sat);
    const sensor = ofType(events, 'shelf.sensor').map((e) => [e.data.status, e.data.previous]);
    expect(sensor).toEqual([
      ['stuck', 'ok'],
      ['ok', 'stuck'],
      ['saturated', 'ok'],
      ['silent', 'saturated'],
    ]);
    expect(ofType(events, 'shelf.sensor').every((e) => e.dataClass === 'must_deliver')).toBe(true);
    // Beyond the plate's rating nothing is measured: no pick or put from the jump.
    expect(ofType(events, 'shelf.pick', 'shelf.put', 'shelf.change', 'shelf.misplaced')).toEqual([]);
  });

  it('noisy beyond the calibrated noise floor', () => {
    const calibrated = new ShelfProcessor({
      plates,
      calibrations: [
        {
          device: 'shelf-a3',
          channel: 1,
          zeroGrams: 0,
          scale: 1,
          spanGrams: 1000,
          noiseGrams: 0.5,
          calibratedAt: 0,
          installer: 't',
          note: '',
        },
      ],
    });
    const events = run(calibrated, new PlateScript(2500, 4, 17).hold(20_000).readings('shelf-a3', 1));
    expect(ofType(events, 'shelf.sensor').map((e) => e.data.status)).toContain('noisy');
    expect(picksPuts(events)).toEqual([]);
  });
});
