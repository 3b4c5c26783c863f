import { describe, expect, it } from 'vitest';
import type { PendingItem } from '../../gateway/src/processors/checkout/lane-types.js';
import { splitLoad } from '../../gateway/src/processors/checkout/lane-verify.js';
import { StageTiming } from '../../gateway/src/processors/checkout/stage-timing.js';
import { APPLES, CHIPS, COLA, lane } from './harness.js';

const verified = (l: ReturnType<typeof lane>) =>
  l.events.filter((e) => e.type === 'lane.item.verified').map((e) => e.data);

/** Open-weight items put down in stages: the rest is told from an unscanned item by the shoppers' let-go time. */
describe('checkout lane: staged open-weight items and the learned let-go time', () => {
  it('the rest of produce landing within the let-go time of its first part is the same item', () => {
    const l = lane();
    l.stable(0);
    l.scan(APPLES);
    l.place(0, 300); // first part of the apples: verified at once (any weight fits)
    l.clock.advance(600);
    l.stable(300);
    l.place(300, 820); // the rest, let go 0.6 s later (prior let-go time 2 s)
    l.wait(2_000);
    l.scan(COLA);
    l.place(820, 1172);
    l.wait(2_000);
    expect(l.alerts()).toEqual([]);
    expect(verified(l).map((v) => v.gtin)).toEqual([APPLES, COLA]);
  });

  it('a gain that begins after the let-go time of produce is an unscanned item at the next scan', () => {
    const l = lane();
    l.stable(0);
    l.scan(APPLES);
    l.place(0, 300);
    l.wait(4_000); // the shopper finished the apples
    l.place(300, 460); // unscanned chips
    l.wait(2_000);
    l.scan(COLA);
    expect(l.alerts()).toEqual(['unexpected_item']);
  });

  it('learns the let-go time from known-weight items whose stages sum to their weight', () => {
    const l = lane();
    l.stable(0);
    let on = 0;
    for (let i = 0; i < 24; i++) {
      l.scan(CHIPS); // 160 ± 15 g
      l.place(on, on + 60); // a part
      l.clock.advance(300); // stands 0.3 s
      l.stable(on + 60);
      l.place(on + 60, on + 160); // the rest: 160 g in all, verified
      on += 160;
      l.wait(1_000);
    }
    expect(l.alerts()).toEqual([]);
    expect(l.processor.stageTiming.samples).toBe(24);
    expect(l.processor.stageTiming.limitMs()).toBe(300);
    // Now a gain 1.5 s after produce was verified is later than any shopper let go of a part: not the apples.
    l.scan(APPLES);
    l.place(on, on + 300);
    l.clock.advance(1_500);
    l.stable(on + 300);
    l.place(on + 300, on + 460);
    l.wait(2_000);
    l.scan(COLA);
    expect(l.alerts()).toEqual(['unexpected_item']);
  });

  it('StageTiming: the prior until 20 gaps, then their 95th percentile', () => {
    const s = new StageTiming();
    expect(s.limitMs()).toBe(2_000);
    for (let i = 1; i <= 19; i++) s.observe(i * 100);
    expect(s.limitMs()).toBe(2_000);
    s.observe(2_000);
    expect(s.limitMs()).toBe(2_000); // 95th of 100..1900, 2000 → the 19th of 20 sorted (index 19)
    for (let i = 0; i < 20; i++) s.observe(100);
    expect(s.limitMs()).toBe(1_900);
    s.observe(-5);
    s.observe(Number.NaN);
    expect(s.samples).toBe(40);
  });
});

describe('checkout lane: several scans weighed as one load', () => {
  const weighed = (mean: number, tolerance: number) =>
    ({
      expectation: { kind: 'weighed', mean, tolerance, sigma: tolerance / 3, source: 'nominal' },
    }) as PendingItem;
  const open = { expectation: { kind: 'any', maxGrams: 30_000 } } as PendingItem;

  it('every share stays inside its item tolerance; open-weight items take what the weighed ones do not explain', () => {
    // 41.1 ± 5.3 with produce: the weighed item is recorded at its expectation, never at 382 g.
    expect(splitLoad([weighed(41.1, 5.3), open], 41.1, 423.5)).toEqual([41.1, 382.4]);
    // Two weighed items, 12 g over: spread by variance (9 : 1), cut at the root-sum-square tolerance.
    const [a, b] = splitLoad([weighed(500, 15), weighed(100, 5)], 600, 612);
    expect(a! - 500).toBeCloseTo(10.8, 5);
    expect(b! - 100).toBeCloseTo(1.2, 5);
    const [c, d] = splitLoad([weighed(500, 15), weighed(100, 5)], 600, 640); // 40 g over (exempt grams)
    expect(c! - 500).toBeLessThanOrEqual(15);
    expect(d! - 100).toBeLessThanOrEqual(5);
  });

  it('a multi-scan load is verified item by item with the measured split inside each tolerance', () => {
    const l = lane();
    l.stable(0);
    l.scan(COLA); // 352 ± 12
    l.scan(CHIPS); // 160 ± 15
    l.place(0, 530); // both at once, 18 g over their sum (within the root-sum-square 19.2 g)
    l.wait(2_000);
    expect(l.alerts()).toEqual([]);
    for (const v of verified(l))
      expect(Math.abs(v.measured_grams! - v.expected_grams!)).toBeLessThanOrEqual(v.tolerance_grams!);
  });
});
