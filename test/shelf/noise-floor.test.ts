import { describe, expect, it } from 'vitest';
import { DEFAULT_TUNING, PlateDetector } from '../../gateway/src/processors/shelf/plate-detector.js';
import { Prng } from '../bench/shelf-prng.js';

/** Feed `seconds` of a plate at 60 Hz: level + noise (+ vibration), rounded to the scale's resolution. */
function plate(o: { sigma: number; resolution: number; seconds: number; seed: number; vibration?: number }) {
  const rng = new Prng(o.seed);
  let spans = 0;
  const d = new PlateDetector(60, 2, DEFAULT_TUNING, () => {
    spans++;
    return 'accept';
  });
  const n = o.seconds * 60;
  for (let i = 0; i < n; i++) {
    const vib = (o.vibration ?? 0) * Math.sin((2 * Math.PI * 0.7 * i) / 60);
    const x = 1500 + vib + rng.gauss() * o.sigma;
    d.push(Math.round(x / o.resolution) * o.resolution, 1000 + (i * 1000) / 60);
  }
  return { d, spans: () => spans };
}

describe('per-plate noise floor', () => {
  it('follows the plate noise: a noisier plate gets a proportionally higher activity threshold', () => {
    const quiet = plate({ sigma: 0.8, resolution: 0.1, seconds: 60, seed: 1 }).d;
    const loud = plate({ sigma: 13, resolution: 0.1, seconds: 60, seed: 2 }).d;
    expect(quiet.sigma).toBeGreaterThan(0.6);
    expect(quiet.sigma).toBeLessThan(1.1);
    expect(loud.sigma).toBeGreaterThan(10);
    expect(loud.sigma).toBeLessThan(16);
    expect(loud.activityThreshold / loud.sigma).toBeCloseTo(DEFAULT_TUNING.triggerSigma, 1);
    expect(quiet.activityThreshold).toBe(DEFAULT_TUNING.minTriggerGrams);
  });

  it('never drops below the scale resolution: a quiet plate reading 1 g steps has σ ≥ 1/√12 g and is stable', () => {
    const { d, spans } = plate({ sigma: 0.15, resolution: 1, seconds: 60, seed: 3 });
    expect(d.noise.resolution).toBe(1);
    expect(d.sigma).toBeGreaterThanOrEqual(1 / Math.sqrt(12) - 1e-9);
    expect(d.stable).toBe(true);
    expect(spans()).toBe(0);
  });

  it('vibration that first differences miss raises the floor: the plate settles and reports nothing', () => {
    const { d, spans } = plate({ sigma: 0.5, resolution: 0.1, seconds: 120, seed: 4, vibration: 4 });
    expect(d.noise.sigma).toBeLessThan(0.7);
    expect(d.sigma).toBeGreaterThan(2 * d.noise.sigma);
    expect(d.stable).toBe(true);
    expect(spans()).toBe(0);
  });
});
