import { describe, expect, it } from 'vitest';
import { parsePlanogram } from '../../gateway/src/core/planogram.js';
import { bestQty, candidatesFor } from '../../gateway/src/processors/shelf/classify.js';
import {
  DEFAULT_TUNING,
  PlateDetector,
  type SettledSpan,
} from '../../gateway/src/processors/shelf/plate-detector.js';
import { NoiseEstimator, RollingWindow } from '../../gateway/src/processors/shelf/rolling-window.js';
import { DEFAULT_HEALTH, SensorHealth } from '../../gateway/src/processors/shelf/sensor-health.js';
import { median5, SpikeFilter } from '../../gateway/src/processors/shelf/spike-filter.js';
import { settledSteps } from '../../gateway/src/processors/shelf/steps.js';
import { StockLevel } from '../../gateway/src/processors/shelf/stock.js';
import { Prng } from '../bench/shelf-prng.js';

const [cola] = parsePlanogram({
  plates: [{ device: 'd', channel: 0, sku: 'cola-330', unit_grams: 352, tolerance_grams: 6, capacity: 24 }],
});

describe('spike filter (Hampel over 5)', () => {
  it('median5 equals the sorted middle for every permutation-ish input', () => {
    const rng = new Prng(21);
    for (let i = 0; i < 2000; i++) {
      const v = [0, 0, 0, 0, 0].map(() => Math.floor(rng.next() * 7));
      expect(median5(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!)).toBe([...v].sort((a, b) => a - b)[2]);
    }
  });

  it('replaces single and double spikes, passes a step unchanged', () => {
    const f = new SpikeFilter();
    const input = [100, 100, 100, 5000, 100, 100, -900, -900, 100, 100, 100, 400, 400, 400, 400, 400];
    const out = input.map((x) => f.push(x, 1)).filter((x) => !Number.isNaN(x));
    // Centres of input[2..13]: the spikes are gone, the step to 400 arrives intact.
    expect(out).toEqual([100, 100, 100, 100, 100, 100, 100, 100, 100, 400, 400, 400]);
    expect(f.replaced).toBe(3);
  });

  it('the shortcut (both next neighbours close to the centre) returns what the full Hampel rule returns', () => {
    const rng = new Prng(23);
    const f = new SpikeFilter();
    const window: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      // Noise with steps, single and double spikes, and runs of three: every branch of the rule.
      const x = Math.round(rng.gauss() * 2 + (rng.next() < 0.08 ? (rng.next() - 0.5) * 60 : 0)) + 0;
      window.push(x);
      if (window.length > 5) window.shift();
      const sigma = 0.5 + rng.next() * 2;
      const got = f.push(x, sigma);
      if (window.length < 5) continue;
      const centre = window[2]!;
      const med = [...window].sort((a, b) => a - b)[2]!;
      expect(got).toBe(Math.abs(centre - med) > Math.max(5 * sigma, 3) ? med : centre);
    }
    expect(f.replaced).toBeGreaterThan(100);
  });
});

describe('rolling window and noise estimate', () => {
  it('mean, std and half difference match a direct computation', () => {
    const w = new RollingWindow(8);
    const xs = [5, 7, 9, 4, 6, 8, 10, 12, 3, 1];
    for (const x of xs) w.push(x);
    const last = xs.slice(-8);
    const mean = last.reduce((a, b) => a + b) / 8;
    expect(w.mean()).toBeCloseTo(mean, 9);
    expect(w.std()).toBeCloseTo(Math.sqrt(last.reduce((a, b) => a + (b - mean) ** 2, 0) / 8), 9);
    expect(w.halfDiff()).toBeCloseTo((10 + 12 + 3 + 1) / 4 - (9 + 4 + 6 + 8) / 4, 9);
  });

  it("a window refilled from a longer one holds that one's newest samples", () => {
    const long = new RollingWindow(24);
    const short = new RollingWindow(6);
    const direct = new RollingWindow(6);
    const rng = new Prng(24);
    for (let i = 0; i < 50; i++) {
      const x = 20_000 + rng.gauss() * 3 + i;
      long.push(x);
      direct.push(x);
    }
    short.refillFrom(long);
    expect(short.full).toBe(true);
    expect(short.mean()).toBeCloseTo(direct.mean(), 9);
    expect(short.std()).toBeCloseTo(direct.std(), 9);
    expect(short.halfDiff()).toBeCloseTo(direct.halfDiff(), 9);
    const partial = new RollingWindow(24);
    partial.push(5);
    partial.push(7);
    short.refillFrom(partial);
    expect(short.full).toBe(false);
    expect(short.mean()).toBe(6);
  });

  it('stable on noise, unstable on a slow ramp whose spread alone looks small', () => {
    const rng = new Prng(22);
    const noise = new RollingWindow(24);
    const ramp = new RollingWindow(24);
    for (let i = 0; i < 24; i++) {
      noise.push(1000 + rng.gauss() * 2);
      ramp.push(1000 + i * 0.8 + rng.gauss() * 2);
    }
    expect(noise.isStable(2, 1.7, 4, 0.3)).toBe(true);
    expect(ramp.std()).toBeLessThan(1.7 * 2 + 0.3 + 5);
    expect(ramp.isStable(2, 1.7, 4, 0.3)).toBe(false);
  });

  it('noise estimate converges from a wrong initial guess and ignores steps', () => {
    const rng = new Prng(23);
    const est = new NoiseEstimator(0.5);
    for (let i = 0; i < 5000; i++) est.push((i % 600 < 300 ? 0 : 500) + rng.gauss() * 5);
    expect(est.sigma).toBeGreaterThan(4);
    expect(est.sigma).toBeLessThan(6.5);
  });
});

describe('plate detector', () => {
  function feed(samples: number[], decide: (s: SettledSpan) => 'accept' | 'hold' = () => 'accept') {
    const spans: SettledSpan[] = [];
    const d = new PlateDetector(60, 1, DEFAULT_TUNING, (s) => {
      spans.push({ ...s, plateaus: [...s.plateaus] });
      return decide(s);
    });
    for (const [i, x] of samples.entries()) d.push(x, 1000 + (i * 1000) / 60);
    return { d, spans };
  }

  it('one span per step with before/after levels, baseline moved to after', () => {
    const rng = new Prng(24);
    const xs = Array.from({ length: 600 }, (_, i) => (i < 240 ? 2000 : 1648) + rng.gauss());
    const { d, spans } = feed(xs);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.before).toBeCloseTo(2000, 0);
    expect(spans[0]!.after).toBeCloseTo(1648, 0);
    expect(d.baseline).toBeCloseTo(1648, 0);
  });

  it('auto-zero follows slow drift while stable, rate-limited', () => {
    const rng = new Prng(25);
    // 60 g/h of drift over 2 minutes.
    const xs = Array.from({ length: 7200 }, (_, i) => 2000 + (i / 60) * (60 / 3600) + rng.gauss() * 0.5);
    const { d, spans } = feed(xs);
    expect(spans).toHaveLength(0);
    expect(d.driftGrams).toBeGreaterThan(1.5);
    expect(d.driftGrams).toBeLessThan(2.5);
  });

  it('never re-zeros across an unfinished event: a held span keeps its original baseline', () => {
    const rng = new Prng(26);
    const xs = Array.from({ length: 900 }, (_, i) => (i < 240 ? 2000 : i < 360 ? 2300 : 2000) + rng.gauss());
    const { spans } = feed(xs, (s) => (s.final ? 'accept' : 'hold'));
    // The 2300 plateau was held (unexplained), the return to 2000 closed the same span: delta ≈ 0.
    expect(spans.every((s) => Math.abs(s.before - 2000) < 1)).toBe(true);
    expect(Math.abs(spans.at(-1)!.after - 2000)).toBeLessThan(1);
  });
});

describe('classification', () => {
  it('whole units within tolerance are explained; in-between deltas are not', () => {
    expect(bestQty(-704, cola!, 1)).toMatchObject({ qty: 2, explained: true });
    expect(bestQty(-528, cola!, 1).explained).toBe(false);
    expect(bestQty(20, cola!, 1).qty).toBe(0);
  });

  it('candidates are ranked with confidences that sum to about 1', () => {
    const c = candidatesFor(-528, [cola!], 1);
    expect(c.length).toBeGreaterThanOrEqual(2);
    expect(c.reduce((a, x) => a + x.confidence, 0)).toBeCloseTo(1, 1);
  });

  it('splits a span at whole-unit plateaus reached quickly, not at a slow pass-through', () => {
    const limits = { unitGrams: 352, allowed: (k: number, s: number) => 3 * Math.sqrt(k * 16 + s * s) };
    const change = (delta: number, plateaus: { level: number; tStart: number; tEnd: number }[]) => ({
      key: 'p',
      delta,
      sigmaDelta: 0.3,
      before: 3520,
      tStart: 1000,
      tSettled: 2500,
      plateaus,
      threshold: 5,
      levelSigma: 0.2,
    });
    const quick = settledSteps([change(-704, [{ level: 3168, tStart: 1200, tEnd: 1300 }])], -2, limits);
    expect(quick.map((x) => [x.qty, x.t])).toEqual([
      [-1, 1000],
      [-1, 1301],
    ]);
    const slow = settledSteps([change(704, [{ level: 3872, tStart: 2000, tEnd: 2100 }])], 2, limits);
    expect(slow.map((x) => [x.qty, x.t])).toEqual([[2, 1000]]);
  });

  it('two plates of one facing: a step is a moment when every plate rests, summed to whole units', () => {
    const limits = { unitGrams: 50, allowed: (k: number, s: number) => 3 * Math.sqrt(k + s * s) };
    // Item 1 off plate a (a rests at −50 from 1300 ms), item 2 lying across a and b from 1500 ms.
    const a = {
      key: 'a',
      delta: -92,
      sigmaDelta: 0.1,
      before: 1000,
      tStart: 1000,
      tSettled: 2600,
      threshold: 5,
      levelSigma: 0.2,
      plateaus: [
        { level: 950, tStart: 1150, tEnd: 1500 },
        { level: 908, tStart: 1650, tEnd: 2600 },
      ],
    };
    const b = {
      key: 'b',
      delta: -8,
      sigmaDelta: 0.1,
      before: 800,
      tStart: 1550,
      tSettled: 2600,
      threshold: 5,
      levelSigma: 0.2,
      plateaus: [],
    };
    expect(settledSteps([a, b], -2, limits).map((x) => [x.qty, x.key])).toEqual([
      [-1, 'a'],
      [-1, 'a'],
    ]);
    // A hand resting (+60 g, about a unit) before lifting with one item: against the change, it splits nothing.
    const hand = {
      key: 'a',
      delta: 60,
      sigmaDelta: 0.1,
      before: 1000,
      tStart: 1000,
      tSettled: 1800,
      threshold: 5,
      levelSigma: 0.2,
      plateaus: [],
    };
    const lift = {
      key: 'a',
      delta: -110,
      sigmaDelta: 0.1,
      before: 1060,
      tStart: 2000,
      tSettled: 2800,
      threshold: 5,
      levelSigma: 0.2,
      plateaus: [],
    };
    expect(settledSteps([hand, lift], -1, limits).map((x) => x.qty)).toEqual([-1]);
  });
});

describe('stock level', () => {
  it('low/out with hysteresis', () => {
    const s = new StockLevel(cola!); // low at 6, hysteresis 3
    expect(s.set(10, 0)).toEqual({ from: null, to: 'ok' });
    expect(s.set(6, 1)).toEqual({ from: 'ok', to: 'low' });
    expect(s.set(7, 2)).toBeNull();
    expect(s.set(8, 3)).toBeNull();
    expect(s.set(9, 4)).toEqual({ from: 'low', to: 'ok' });
    expect(s.set(0, 5)).toEqual({ from: 'ok', to: 'out' });
    expect(s.set(1, 6)).toEqual({ from: 'out', to: 'low' });
    expect(s.setFromGrams(352 * 30, 7)).toEqual({ from: 'low', to: 'ok' });
    expect(s.count).toBe(24);
  });
});

/** A live ADC's last bits: -3..3 divisions, deterministic per time. */
const jitter = (t: number) => Math.floor(Math.abs(Math.sin(t * 12.9898) * 43758.5453) % 7) - 3;

describe('sensor health', () => {
  it('stuck, saturated, noisy against the calibrated floor, silent by receive time', () => {
    const h = new SensorHealth(DEFAULT_HEALTH, 0.5);
    for (let t = -2000; t < 0; t += 16) h.sample(1234.5 + jitter(t) * 0.1, t);
    for (let t = 0; t < 4000; t += 16) h.sample(1234.5, t);
    h.received(4000);
    expect(h.evaluate(0.5, 4000)).toBe('stuck');
    for (let t = 4000; t < 6000; t += 16) h.sample(25_000 + (t % 3), t);
    expect(h.evaluate(0.5, 6000)).toBe('saturated');
    for (let t = 6000; t < 7000; t += 16) h.sample(1000 + (t % 7), t);
    h.received(7000);
    expect(h.evaluate(0.5, 7000)).toBe('ok');
    expect(h.evaluate(3, 7000)).toBe('noisy');
    expect(h.evaluate(1.5, 7000)).toBe('noisy');
    expect(h.evaluate(1, 7000)).toBe('ok');
    expect(h.evaluate(0.5, 12_001)).toBe('silent');
  });

  it('a quiet plate in coarse divisions repeats its value for seconds: it is not judged stuck', () => {
    const h = new SensorHealth(DEFAULT_HEALTH, 0.3);
    // 60 Hz, 2 g divisions, noise under a division: the value flips to the next division every 2-5 s.
    let t = 0;
    const statuses = new Set<string>();
    for (let run = 0; run < 200; run++) {
      const quiet = 120 + ((run * 37) % 180);
      for (let i = 0; i < quiet; i++, t += 16) h.sample(500, t);
      t += 16;
      h.sample(502, t);
      h.received(t);
      statuses.add(h.evaluate(0.3, t));
    }
    // A level a gram away from a boundary never flips: no run length proves that channel froze.
    for (const stop = t + 600_000; t < stop; t += 16) h.sample(500, t);
    h.received(t);
    statuses.add(h.evaluate(0.3, t));
    expect([...statuses]).toEqual(['ok']);
  });

  it('a channel whose noise spans divisions is stuck once a run is beyond what its own runs explain', () => {
    const h = new SensorHealth(DEFAULT_HEALTH, 0.5);
    let t = 0;
    for (; t < 20_000; t += 16) h.sample(1000 + jitter(t) * 0.5, t);
    h.received(t);
    expect(h.evaluate(0.5, t)).toBe('ok');
    for (const frozenFrom = t; t - frozenFrom < 3_200; t += 16) h.sample(1000, t);
    h.received(t);
    expect(h.evaluate(0.5, t)).toBe('stuck');
  });

  it('a channel frozen from boot is stuck after a minute of samples, before anything was learned', () => {
    const h = new SensorHealth(DEFAULT_HEALTH, 0.5);
    let t = 0;
    for (; t < 30_000; t += 16) h.sample(800, t);
    h.received(t);
    expect(h.evaluate(0.5, t)).toBe('ok');
    for (; t < 60_000; t += 16) h.sample(800, t);
    h.received(t);
    expect(h.evaluate(0.5, t)).toBe('stuck');
  });
});
