/**
 * Spike rejection: a Hampel filter over 5 samples. The centre sample is replaced by the window median when it
 * sits further from it than `k` noise sigmas, so single wild samples (HX711 glitches, one or two in a row) are
 * rejected instead of averaged in, while real steps pass unchanged (on a monotone edge the median is the centre).
 * Output lags input by 2 samples.
 */
export class SpikeFilter {
  private readonly buf = new Float64Array(5);
  private filled = 0;
  private head = 0;
  /** How many samples were replaced since construction (for metrics and tests). */
  replaced = 0;

  constructor(
    private readonly k = 5,
    private readonly minSpikeGrams = 3,
  ) {}

  /** Push one sample; returns the filtered sample 2 positions back, or NaN while the window fills. */
  push(x: number, sigma: number): number {
    const b = this.buf;
    b[this.head] = x;
    if (++this.head === 5) this.head = 0;
    if (this.filled < 5) {
      this.filled++;
      if (this.filled < 5) return Number.NaN;
    }
    // head now points at the oldest sample; the centre is two after it.
    const c = this.head + 2;
    const centre = b[c < 5 ? c : c - 5]!;
    const limit = Math.max(this.k * sigma, this.minSpikeGrams);
    // The median lies beyond `limit` from the centre only when 3 of the other 4 samples do, on one side: with
    // both next neighbours within it, it cannot (the usual case, so the median is not sorted out per sample).
    if (
      Math.abs(b[c + 1 < 5 ? c + 1 : c - 4]! - centre) <= limit &&
      Math.abs(b[c - 1 < 5 ? c - 1 : c - 6]! - centre) <= limit
    ) {
      return centre;
    }
    const med = median5(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!);
    if (Math.abs(centre - med) > limit) {
      this.replaced++;
      return med;
    }
    return centre;
  }

  reset(): void {
    this.filled = 0;
    this.head = 0;
  }
}

/** Median of five numbers with a fixed compare-exchange network (no allocation, hot path). */
export function median5(a: number, b: number, c: number, d: number, e: number): number {
  let t: number;
  if (a > b) {
    t = a;
    a = b;
    b = t;
  }
  if (d > e) {
    t = d;
    d = e;
    e = t;
  }
  if (a > d) {
    t = a;
    a = d;
    d = t;
    t = b;
    b = e;
    e = t;
  }
  // a is now the smallest of a,b,d,e and cannot be the median; median of b, c, d, e without the largest.
  if (b > c) {
    t = b;
    b = c;
    c = t;
  }
  if (b > d) {
    t = b;
    b = d;
    d = t;
    t = c;
    c = e;
    e = t;
  }
  return Math.min(c, d);
}
