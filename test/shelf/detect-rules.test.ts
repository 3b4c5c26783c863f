import { describe, expect, it } from 'vitest';
import { parsePlanogram } from '../../gateway/src/core/planogram.js';
import { DEFAULT_TUNING, PlateDetector } from '../../gateway/src/processors/shelf/plate-detector.js';
import { ShelfProcessor } from '../../gateway/src/processors/shelf/shelf-processor.js';
import { Prng } from '../bench/shelf-prng.js';
import { ofType, PlateScript, run } from './trace-script.js';

/** A detector fed `seconds` of a plate at 60 Hz: white noise, optional slow sway, optional step at `stepAt` s. */
function feed(o: {
  sigma: number;
  seed: number;
  seconds?: number;
  sway?: number;
  step?: number;
  stepAt?: number;
}) {
  const rng = new Prng(o.seed);
  const spans: number[] = [];
  const d = new PlateDetector(60, 2, DEFAULT_TUNING, (s) => {
    spans.push(s.after - s.before);
    return 'accept';
  });
  const n = (o.seconds ?? 60) * 60;
  for (let i = 0; i < n; i++) {
    const sway = (o.sway ?? 0) * Math.sin((2 * Math.PI * 0.3 * i) / 60);
    const step = o.step !== undefined && i >= (o.stepAt ?? 0) * 60 ? o.step : 0;
    d.push(2000 + sway + step + rng.gauss() * o.sigma, 1000 + (i * 1000) / 60);
  }
  return { d, spans };
}

const picksPuts = (events: ReturnType<typeof run>) =>
  ofType(events, 'shelf.pick', 'shelf.put', 'shelf.change', 'shelf.misplaced');

describe('slow puts', () => {
  it('a put lowered over 3 s on a noisy plate settles as one put', () => {
    const plates = parsePlanogram({
      plates: [{ device: 's', channel: 0, sku: 'jam', unit_grams: 60, capacity: 30 }],
    });
    const s = new PlateScript(10 * 60, 2.5, 36).hold(20_000).step(60, 3000).hold(8000);
    const events = picksPuts(run(new ShelfProcessor({ plates }), s.readings('s', 0)));
    expect(events.map((e) => [e.type, e.data.sku, e.data.qty, e.data.ambiguous])).toEqual([
      ['shelf.put', 'jam', 1, undefined],
    ]);
  });

  it('a put lowered with the hand still bearing part of it, resting there, then let go is one put', () => {
    const plates = parsePlanogram({
      plates: [{ device: 's', channel: 0, sku: 'oil', unit_grams: 480, capacity: 12 }],
    });
    // 60 % of the bottle's weight arrives over 1.5 s, the hand holds it there for 0.8 s (the plate settles on a
    // level that is no whole unit), then lets go: the settled span is split in two, the cluster sums them.
    const s = new PlateScript(5 * 480, 1.5, 37)
      .hold(20_000)
      .step(288, 1500)
      .hold(800)
      .step(192, 300)
      .hold(8000);
    const events = picksPuts(run(new ShelfProcessor({ plates }), s.readings('s', 0)));
    expect(events.map((e) => [e.type, e.data.sku, e.data.qty, e.data.ambiguous])).toEqual([
      ['shelf.put', 'oil', 1, undefined],
    ]);
  });
});

describe('window-mean trigger on noisy plates', () => {
  it('follows the standard error of the plate noise (σ/√n), not the raw σ', () => {
    const n = Math.round(DEFAULT_TUNING.windowMs / (1000 / 60));
    for (const [sigma, seed] of [
      [10, 31],
      [20, 32],
    ] as const) {
      const { d } = feed({ sigma, seed });
      expect(d.meanThreshold).toBeGreaterThanOrEqual(
        (DEFAULT_TUNING.triggerSigma * d.sigma) / Math.sqrt(n) - 1e-9,
      );
      expect(d.meanThreshold).toBeLessThan(1.5 * ((DEFAULT_TUNING.triggerSigma * d.sigma) / Math.sqrt(n)));
      expect(d.meanThreshold).toBeLessThan(d.activityThreshold / 3);
    }
    expect(feed({ sigma: 0.5, seed: 33 }).d.meanThreshold).toBe(DEFAULT_TUNING.minTriggerGrams);
  });

  it('slow sway that a window mean follows raises it, and the plate reports nothing', () => {
    const still = feed({ sigma: 3, seed: 34 }).d;
    const { d } = feed({ sigma: 3, seed: 35, seconds: 120, sway: 6 });
    expect(d.meanThreshold).toBeGreaterThan(1.5 * still.meanThreshold);
    const plates = parsePlanogram({
      plates: [{ device: 's', channel: 0, sku: 'jam', unit_grams: 60, capacity: 30 }],
    });
    const rng = new Prng(38);
    const s = new PlateScript(600, 0, 38);
    for (let i = 0; i < 120 * 60; i++)
      s.samples.push(600 + 6 * Math.sin((2 * Math.PI * 0.3 * i) / 60) + rng.gauss() * 3);
    expect(picksPuts(run(new ShelfProcessor({ plates }), s.readings('s', 0)))).toEqual([]);
  });

  it('a 25 g step on a σ = 7 g plate (under 5 σ per sample) is one span, and the threshold does not run away', () => {
    const { d, spans } = feed({ sigma: 7, seed: 36, seconds: 40, step: -25, stepAt: 20 });
    expect(spans).toHaveLength(1);
    // Δ is two 400 ms window means apart: σ·√(2/24) ≈ 2 g; within 3 of those.
    expect(Math.abs(spans[0]! + 25)).toBeLessThan(6);
    expect(d.meanThreshold).toBeLessThan(12);
  });

  it('a 30 g item on a plate with σ = 12 g is one pick, and one put', () => {
    const plates = parsePlanogram({
      plates: [{ device: 's', channel: 0, sku: 'gum', unit_grams: 30, capacity: 40 }],
    });
    const s = new PlateScript(20 * 30, 12, 35)
      .hold(20_000)
      .step(-30, 200)
      .hold(8000)
      .step(30, 250)
      .hold(8000);
    const events = picksPuts(run(new ShelfProcessor({ plates }), s.readings('s', 0)));
    expect(events.map((e) => [e.type, e.data.sku, e.data.qty])).toEqual([
      ['shelf.pick', 'gum', 1],
      ['shelf.put', 'gum', 1],
    ]);
  });
});
