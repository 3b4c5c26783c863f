import { describe, expect, it } from 'vitest';
import { learningSchema, verificationSchema } from '../../gateway/src/config/sections/checkout.js';
import { type Expectation, expectationFor } from '../../gateway/src/processors/checkout/expectation.js';
import { ScaleNoise } from '../../gateway/src/processors/checkout/scale-noise.js';
import { WeightLearner } from '../../gateway/src/processors/checkout/weight-learner.js';
import { CHIPS, item } from './harness.js';

const verification = verificationSchema.parse({});
const learning = learningSchema.parse({});
/** sigmas × tolerance_factor: a tolerance is this many σ of what the scale measures for the item. */
const K = learning.sigmas * verification.tolerance_factor;
const tolerance = (e: Expectation) => (e.kind === 'weighed' ? e.tolerance : Number.NaN);

describe('item tolerances from what was observed (expectation.ts)', () => {
  it('tolerance follows the item’s learned spread, never tighter than a step on this scale', () => {
    const chips = item(CHIPS, 'chips', 200);
    const learner = new WeightLearner(learning);
    for (let i = 0; i < 40; i++) learner.observe('tight', 203 + (i % 2 ? 0.5 : -0.5), i);
    for (let i = 0; i < 40; i++) learner.observe('loose', 203 + (i % 2 ? 4 : -4), i);
    const tight = expectationFor(chips, 'tight', learner, verification, learning, 1, 100, 0.02, 0.2);
    const loose = expectationFor(chips, 'loose', learner, verification, learning, 1, 100, 0.02, 0.2);
    expect(tight).toMatchObject({ kind: 'weighed', source: 'learned' });
    const std = (key: string) => learner.ready(key, 100)!.std;
    expect(std('loose')).toBeGreaterThan(4 * std('tight'));
    expect(tolerance(tight)).toBeCloseTo(K * std('tight'), 5);
    expect(tolerance(loose)).toBeCloseTo(K * std('loose'), 5);
    // The same learned spread on a noisier scale: a step there is off by 2 g.
    expect(
      tolerance(expectationFor(chips, 'tight', learner, verification, learning, 8, 100, 0.02, 2)),
    ).toBeCloseTo(K * 2, 5);
  });

  it('a nominal tolerance follows the catalog’s observed spread and the scale’s noise, not the default grams', () => {
    const learner = new WeightLearner(learning);
    const at = (grams: number, catalogSigma: number, step: number) =>
      tolerance(
        expectationFor(
          item(CHIPS, 'x', grams),
          'k',
          learner,
          verification,
          learning,
          1,
          0,
          catalogSigma,
          step,
        ),
      );
    // 40 g item, master data 1 % off, quiet scale: far under the default 10 g × 1.5 — a swap of ±8 g shows.
    expect(at(40, 0.01, 0.3)).toBeCloseTo(K * Math.hypot(0.4, 0.3), 5);
    expect(at(40, 0.01, 0.3)).toBeLessThan(5);
    // The same item on a scale whose steps are off by 2 g.
    expect(at(40, 0.01, 2)).toBeCloseTo(K * Math.hypot(0.4, 2), 5);
    // A store whose master data is 4 % off: a 1 kg item gets 4.5 × 40 g.
    expect(at(1_000, 0.04, 0.3)).toBeCloseTo(K * Math.hypot(40, 0.3), 5);
    // Until the catalog's spread is known, the stated prior: max(10 g, 3 %) × factor.
    expect(
      tolerance(expectationFor(item(CHIPS, 'x', 40), 'k', learner, verification, learning, 1, 0, null, 0.3)),
    ).toBe(15);
  });

  it('a step’s σ combines both readings’ noise and their division', () => {
    const noise = new ScaleNoise(4);
    expect(noise.stepSigma()).toBe(1); // prior: the configured floor read as 4 σ
    for (let i = 0; i < 200; i++) noise.observe(100 + (i % 2 ? 0.5 : -0.5) + (i % 7 === 0 ? 1 : 0), true);
    const sigma = noise.sigma!;
    const r = noise.resolution!;
    expect(noise.stepSigma()).toBeCloseTo(Math.sqrt(2 * sigma * sigma + (r * r) / 6), 9);
  });
});
