/**
 * The last `window` observations of one quantity a lane learns from the store's own behaviour (bagging times,
 * let-go gaps, own-bag weights, catalog errors), with the rank statistics the learners need. Below `minSamples`
 * it answers null: the learner keeps its prior until the store has shown enough.
 */
export class RecentSamples {
  private readonly values: number[] = [];

  constructor(
    private readonly window: number,
    private readonly minSamples: number,
  ) {}

  add(value: number): void {
    this.values.push(value);
    if (this.values.length > this.window) this.values.shift();
  }

  get count(): number {
    return this.values.length;
  }

  /** The q-quantile (nearest rank at or above q), or null until `minSamples` were seen. */
  quantile(q: number): number | null {
    if (this.values.length < this.minSamples) return null;
    const sorted = [...this.values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  }

  /** The median absolute deviation from the median, or null until `minSamples` were seen. */
  medianAbsoluteDeviation(): number | null {
    if (this.values.length < this.minSamples) return null;
    const sorted = [...this.values].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1]!;
    const deviations = sorted.map((x) => Math.abs(x - median)).sort((a, b) => a - b);
    return deviations[deviations.length >> 1]!;
  }
}
