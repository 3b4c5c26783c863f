/**
 * Fixed-size rolling window with O(1) mean, standard deviation and half-window mean difference (a slope test:
 * a slow ramp can have a small spread yet a clear difference between its older and newer halves).
 * Values are stored relative to the first sample so sums of squares keep their precision on 20 kg plates.
 */
export class RollingWindow {
  private readonly buf: Float64Array;
  private readonly half: number;
  /** √(1/half + 1/(size − half)): sigma of the half-mean difference per unit of noise sigma. */
  private readonly diffScale: number;
  private head = 0;
  private count = 0;
  private ref = Number.NaN;
  private sum = 0;
  private sumSq = 0;
  /** Sum of the newest `half` samples. */
  private sumNew = 0;
  private sinceRecompute = 0;

  constructor(readonly size: number) {
    if (size < 4) throw new RangeError('window needs at least 4 samples');
    this.buf = new Float64Array(size);
    this.half = Math.floor(size / 2);
    this.diffScale = Math.sqrt(1 / this.half + 1 / (size - this.half));
  }

  push(x: number): void {
    if (Number.isNaN(this.ref)) this.ref = x;
    const v = x - this.ref;
    const n = this.size;
    if (this.count === n) {
      const old = this.buf[this.head]!;
      this.sum -= old;
      this.sumSq -= old * old;
    } else {
      this.count++;
    }
    // The sample leaving the newest half moves into the older half.
    if (this.count > this.half) {
      const leaving = this.head - this.half;
      this.sumNew -= this.buf[leaving < 0 ? leaving + n : leaving]!;
    }
    this.buf[this.head] = v;
    if (++this.head === n) this.head = 0;
    this.sum += v;
    this.sumSq += v * v;
    this.sumNew += v;
    if (++this.sinceRecompute >= 4096) this.recompute();
  }

  get full(): boolean {
    return this.count === this.size;
  }

  mean(): number {
    return this.ref + this.sum / this.count;
  }

  std(): number {
    const m = this.sum / this.count;
    const variance = this.sumSq / this.count - m * m;
    return variance > 0 ? Math.sqrt(variance) : 0;
  }

  /** mean(newest half) − mean(oldest half) of a full window. */
  halfDiff(): number {
    const older = this.sum - this.sumNew;
    return this.sumNew / this.half - older / (this.count - this.half);
  }

  /** Stable: spread and slope both within what noise of `sigma` explains (plus a resolution floor). */
  isStable(sigma: number, stdK: number, diffK: number, floor: number): boolean {
    return this.within(stdK * sigma + floor, diffK * sigma * this.diffScale + floor);
  }

  /** Spread at most `maxStd` and half-mean difference at most `maxDiff` (a full window only). */
  within(maxStd: number, maxDiff: number): boolean {
    if (this.count < this.size) return false;
    // Compared squared: this runs for every sample of every plate.
    const m = this.sum / this.count;
    if (this.sumSq / this.count - m * m > maxStd * maxStd) return false;
    return Math.abs(this.halfDiff()) <= maxDiff;
  }

  /** sigma of the half-mean difference per unit of white-noise sigma. */
  get halfDiffScale(): number {
    return this.diffScale;
  }

  /** The `i`-th newest sample (0 = newest) of a window holding more than `i`. */
  newest(i: number): number {
    const j = this.head - 1 - i;
    return this.ref + this.buf[j < 0 ? j + this.size : j]!;
  }

  /** Start over with the newest samples of `other` (as many as fit), oldest first. */
  refillFrom(other: RollingWindow): void {
    this.reset();
    for (let i = Math.min(this.size, other.count) - 1; i >= 0; i--) this.push(other.newest(i));
  }

  reset(): void {
    this.head = 0;
    this.count = 0;
    this.ref = Number.NaN;
    this.sum = 0;
    this.sumSq = 0;
    this.sumNew = 0;
  }

  private recompute(): void {
    this.sinceRecompute = 0;
    let s = 0;
    let sq = 0;
    let sn = 0;
    const n = this.size;
    for (let i = 0; i < this.count; i++) {
      const v = this.buf[(this.head - 1 - i + n) % n]!;
      s += v;
      sq += v * v;
      if (i < this.half) sn += v;
    }
    this.sum = s;
    this.sumSq = sq;
    this.sumNew = sn;
  }
}

/**
 * Running noise estimate from first differences (σ ≈ mean|Δx| / (√2·√(2/π))), so it needs no stable period
 * to bootstrap. Each difference is clipped at a few current sigmas: steps and spikes barely move it.
 * The scale's resolution is the smallest step seen between two different samples; quantisation alone is
 * noise of resolution/√12, so σ never drops below that (a quiet plate reading 0.1 g steps is not σ = 0).
 */
const INV_SQRT12 = 1 / Math.sqrt(12);

export class NoiseEstimator {
  private meanAbsDiff: number;
  private last = Number.NaN;
  private seen = 0;
  private step = Number.POSITIVE_INFINITY;
  private current: number;

  constructor(
    initialSigma: number,
    private readonly alpha = 1 / 512,
    private readonly floor = 0.05,
  ) {
    this.meanAbsDiff = Math.max(initialSigma, floor) * 1.128;
    this.current = Math.max(this.meanAbsDiff / 1.128, floor);
  }

  push(x: number): void {
    if (!Number.isNaN(this.last)) {
      const limit = this.meanAbsDiff * 3 + this.floor;
      let d = Math.abs(x - this.last);
      // Below a microgram is float rounding of a calibration factor, not a reading step.
      if (d > 1e-6 && d < this.step) this.step = d;
      if (d > limit) d = limit;
      // Learn fast during the first seconds, when the initial guess may be far off.
      const alpha = this.seen < 240 ? 1 / 24 : this.alpha;
      this.meanAbsDiff += (d - this.meanAbsDiff) * alpha;
    }
    this.last = x;
    this.seen++;
    this.current = Math.max(this.meanAbsDiff / 1.128, this.floor, this.resolution * INV_SQRT12);
  }

  /** Read several times per sample downstream: kept up to date by `push` rather than worked out per read. */
  get sigma(): number {
    return this.current;
  }

  /** Smallest reading step seen (grams); 0 until two different samples were seen. */
  get resolution(): number {
    return Number.isFinite(this.step) ? this.step : 0;
  }
}
