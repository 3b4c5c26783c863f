import { describe, expect, it } from 'vitest';
import { learningSchema } from '../../gateway/src/config/sections/checkout.js';
import { learnedStd, WeightLearner } from '../../gateway/src/processors/checkout/weight-learner.js';
import { CHIPS, COLA, item, lane } from './harness.js';

describe('weight learning', () => {
  it('learns a robust mean/std and rejects outliers', () => {
    const learner = new WeightLearner(learningSchema.parse({}));
    const samples = [501, 499, 500, 502, 498, 500, 501, 499, 1000, 500, 250];
    const accepted = samples.map((g, i) => learner.observe('x', g, i));
    expect(accepted.filter((a) => !a)).toHaveLength(2);
    const l = learner.get('x')!;
    expect(l.mean).toBeCloseTo(500, 0);
    expect(learnedStd(l)).toBeLessThan(2);
    expect(l.rejected).toBe(2);
    expect(learner.ready('x')?.n).toBe(9);
    expect(learner.takeDirty().map((d) => d.gtin)).toEqual(['x']);
    expect(learner.takeDirty()).toEqual([]);
  });

  it('an attendant-verified weighing counts more', () => {
    const learner = new WeightLearner(learningSchema.parse({ attendant_weight: 3 }));
    learner.observe('y', 100, 0);
    learner.observe('y', 120, 1, true);
    expect(learner.get('y')!.mean).toBeCloseTo(115, 5);
  });

  it('once learned, the lane verifies against the learned weight, not the wrong nominal one', () => {
    // The catalog says 160 g but this batch of chips really weighs 185 g (±1 g).
    const l = lane({}, [item(CHIPS, 'chips', 160, { toleranceGrams: 30 }), item(COLA, 'cola', 352)]);
    l.stable(0);
    let on = 0;
    for (let i = 0; i < 10; i++) {
      l.scan(CHIPS);
      const g = 185 + ((i % 3) - 1);
      l.place(on, on + g);
      on += g;
    }
    expect(l.alerts()).toEqual([]);
    expect(l.learner.ready(`0${CHIPS}`)?.mean).toBeCloseTo(185, 0);
    l.scan(CHIPS);
    l.place(on, on + 160); // the nominal weight now stands out: a different, lighter product
    // Lighter than expected may still be an item being let go of: the bagging timeout decides.
    l.wait(2_000);
    expect(l.alerts()).toEqual([]);
    l.wait(11_000);
    expect(l.alerts()).toEqual(['weight_mismatch']);
    const last = l.events.at(-1);
    expect(last?.type).toBe('lane.alert');
    expect(last?.type === 'lane.alert' && last.data.expected_grams).toBeCloseTo(185, 0);
  });
});

describe('scale health', () => {
  it('a scale drifting over many sessions raises lane.maintenance once', () => {
    // A generous tolerance keeps items verifying while the gain creeps up: only the accumulated error shows it.
    const l = lane({ learning: { enabled: false } }, [item(COLA, 'cola', 352, { toleranceGrams: 30 })]);
    l.stable(0);
    for (let s = 0; s < 40; s++) {
      const gain = 1 + (s / 40) * 0.05; // up to +5 % gain drift
      l.pos('basket-open');
      l.scan(COLA);
      l.place(0, Math.round(352 * gain));
      l.pos('payment-success');
      l.place(Math.round(352 * gain), 0);
      l.pos('basket-close');
      l.wait(5_000);
    }
    const maintenance = l.events.filter((e) => e.type === 'lane.maintenance');
    expect(maintenance).toHaveLength(1);
    expect(maintenance[0]?.data).toMatchObject({ lane: 'lane-1', reason: 'scale_drift' });
    expect(l.processor.state('lane-1')?.maintenance).toBe(true);
  });

  it('a healthy scale never does', () => {
    const l = lane();
    l.stable(0);
    for (let s = 0; s < 40; s++) {
      l.pos('basket-open');
      l.scan(COLA);
      l.place(0, 352 + ((s % 5) - 2));
      l.pos('payment-success');
      l.place(352, 0);
      l.pos('basket-close');
    }
    expect(l.events.filter((e) => e.type === 'lane.maintenance')).toHaveLength(0);
  });
});

describe('learned weights: bounded drift (issue 12 item 4)', () => {
  const DAY = 86_400_000;
  it('a learned weight moves at most max_drift_pct_per_day per day without a confirmation', () => {
    const learner = new WeightLearner(learningSchema.parse({ max_drift_pct_per_day: 2, outlier_mads: 100 }));
    for (let i = 0; i < 8; i++) learner.observe('z', 1000 + (i % 2), i);
    expect(learner.ready('z', 10)?.mean).toBeCloseTo(1000.5, 0); // the first use confirms it
    // Someone (or a drifting scale) walks it up by 1 % per sample, all within the same day.
    let g = 1000;
    for (let i = 0; i < 40; i++) {
      g *= 1.01;
      learner.observe('z', g, 100 + i);
    }
    expect(learner.get('z')!.mean).toBeGreaterThan(1_150);
    expect(learner.ready('z', 1_000)?.mean).toBeCloseTo(1020.5, 0); // held at +2 %
    expect(learner.ready('z', 1_000)?.held).toBe(true);
    expect(learner.held(1_000).map((h) => h.gtin)).toEqual(['z']);
    expect(learner.ready('z', 2 * DAY + 1)?.mean).toBeCloseTo(1000.5 * 1.04, 0); // into day two: +4 %
    learner.confirm('z', 2 * DAY + 2);
    expect(learner.ready('z', 2 * DAY + 3)?.mean).toBeCloseTo(learner.get('z')!.mean, 5);
    expect(learner.held(2 * DAY + 3)).toEqual([]);
  });
});

describe('catalog accuracy', () => {
  it('nominal tolerances widen to the spread of real weights around the catalog, learned across products', async () => {
    const { CatalogAccuracy } = await import('../../gateway/src/processors/checkout/catalog-accuracy.js');
    const { expectationFor } = await import('../../gateway/src/processors/checkout/expectation.js');
    const { verificationSchema } = await import('../../gateway/src/config/sections/checkout.js');
    const accuracy = new CatalogAccuracy();
    expect(accuracy.relativeSigma()).toBeNull();
    // Verified weighings 0–8 % off their nominal weights (master data a few percent off).
    for (let i = 0; i < 60; i++) accuracy.observe(((i % 9) - 4) * 0.02);
    const sigma = accuracy.relativeSigma()!;
    expect(sigma).toBeGreaterThan(0.03);
    expect(sigma).toBeLessThan(0.09);
    const cfg = { verification: verificationSchema.parse({}), learning: learningSchema.parse({}) };
    const learner = new WeightLearner(cfg.learning);
    const chips = item(CHIPS, 'chips', 1000, { toleranceGrams: 10 });
    const tight = expectationFor(chips, 'k', learner, cfg.verification, cfg.learning, 1, 0, null);
    const wide = expectationFor(chips, 'k', learner, cfg.verification, cfg.learning, 1, 0, sigma);
    expect(tight).toMatchObject({ kind: 'weighed', tolerance: 15 });
    // sigmas × factor σ, σ from the catalog's spread and a step on this scale (default: the floor read as 4 σ).
    expect(wide.kind === 'weighed' && wide.tolerance).toBeCloseTo(
      3 * 1.5 * Math.hypot(sigma * 1000, 0.25),
      5,
    );
  });
});
