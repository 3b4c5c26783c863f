import { describe, expect, it } from 'vitest';
import { RecentSamples } from './recent-samples.js';

describe('RecentSamples', () => {
  it('answers null until enough samples were seen, then the nearest-rank quantile', () => {
    const s = new RecentSamples(100, 5);
    for (const v of [5, 1, 4, 2]) s.add(v);
    expect(s.quantile(0.5)).toBeNull();
    expect(s.medianAbsoluteDeviation()).toBeNull();
    s.add(3);
    expect(s.quantile(0)).toBe(1);
    expect(s.quantile(0.5)).toBe(3);
    expect(s.quantile(0.99)).toBe(5);
    expect(s.medianAbsoluteDeviation()).toBe(1);
  });

  it('keeps only the last `window` samples', () => {
    const s = new RecentSamples(3, 1);
    for (const v of [100, 1, 2, 3]) s.add(v);
    expect(s.count).toBe(3);
    expect(s.quantile(1)).toBe(3);
  });

  it('a single outlier does not move the median absolute deviation', () => {
    const s = new RecentSamples(50, 5);
    for (const v of [10, 11, 9, 10, 11, 9, 10, 1000]) s.add(v);
    expect(s.medianAbsoluteDeviation()).toBe(1);
  });
});
