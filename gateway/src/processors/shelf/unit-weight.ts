/**
 * What one facing's units really weigh, learned online from settled, unambiguous events.
 *
 * Priors (stated, not fitted): the printed weight is the starting mean, but real means are often a few percent
 * off it, so the mean is uncertain by PRIOR_MEAN_FRACTION of nominal until events teach it; the unit-to-unit
 * spread starts at half the planogram tolerance (tolerance ≈ 2 σ), at least MIN_SPREAD_FRACTION.
 * Robustness: each observation is clipped at HUBER_Z predictive sigmas (a wrong explanation or a hand on the
 * plate moves the estimate by a bounded step); memory is capped at MAX_N observations so the estimate follows
 * a slow change of supplier; and the mean never leaves ±MAX_DRIFT_FRACTION of nominal (beyond that the
 * planogram is wrong, which learning must not hide).
 */
export const PRIOR_MEAN_FRACTION = 0.05;
export const MIN_SPREAD_FRACTION = 0.005;
export const HUBER_Z = 2.5;
export const MAX_N = 40;
export const MAX_DRIFT_FRACTION = 0.15;
/** Pseudo-observations the prior is worth. */
const PRIOR_N = 2;

export interface LearnedWeight {
  mean: number;
  spread: number;
  n: number;
}

export class UnitWeight {
  mean: number;
  private variance: number;
  /** Observations learned from (capped at MAX_N for the update weight, reported uncapped). */
  n = 0;

  constructor(
    readonly nominal: number,
    toleranceGrams: number,
    learned?: LearnedWeight,
  ) {
    const spread = Math.max(toleranceGrams / 2, MIN_SPREAD_FRACTION * nominal);
    this.mean = nominal;
    this.variance = spread * spread;
    if (learned && Math.abs(learned.mean - nominal) <= MAX_DRIFT_FRACTION * nominal) {
      this.mean = learned.mean;
      this.variance = Math.max(learned.spread, MIN_SPREAD_FRACTION * nominal) ** 2;
      this.n = learned.n;
    }
  }

  /** Unit-to-unit spread (grams, one sigma). */
  get spread(): number {
    return Math.sqrt(this.variance);
  }

  /**
   * Uncertainty of the mean as `observe` really estimates it: the prior (worth PRIOR_N observations) averaged
   * with n events, so the prior's error weighs PRIOR_N / (n + PRIOR_N) and the units' spread √n / (n + PRIOR_N).
   * (A textbook posterior 1 / (1/prior² + n/spread²) would claim about one spread after the first event, while
   * this robust mean has moved only a third of the way from the print: a real weight 6 % off the print would
   * then look further off after its first events than before them.)
   */
  get meanSigma(): number {
    const prior = PRIOR_MEAN_FRACTION * this.nominal;
    const n = Math.min(this.n, MAX_N);
    return Math.sqrt(PRIOR_N * PRIOR_N * prior * prior + n * this.variance) / (n + PRIOR_N);
  }

  /** Sigma of the weight of `qty` units predicted before measuring, with the measurement's own sigma. */
  predictSigma(qty: number, sigmaDelta: number): number {
    const m = this.meanSigma;
    return Math.sqrt(qty * this.variance + qty * qty * m * m + sigmaDelta * sigmaDelta);
  }

  /** Learn from |Δ| explained as `qty` units. Returns false when the observation was clipped hard (an outlier). */
  observe(absDelta: number, qty: number, sigmaDelta: number): boolean {
    const x = absDelta / qty;
    const perUnit = this.predictSigma(qty, sigmaDelta) / qty;
    const z = (x - this.mean) / perUnit;
    const clipped = Math.max(-HUBER_Z, Math.min(HUBER_Z, z)) * perUnit;
    const w = 1 / (Math.min(this.n, MAX_N) + PRIOR_N + 1);
    const nextMean = this.mean + w * clipped;
    const limit = MAX_DRIFT_FRACTION * this.nominal;
    this.mean = Math.max(this.nominal - limit, Math.min(this.nominal + limit, nextMean));
    // Spread per unit: a k-unit sum varies by √k σ, so its per-unit deviation is σ/√k. The measurement's noise
    // and the mean's own uncertainty are not spread: an unlearned mean 6 % off the print would otherwise teach a
    // spread of several percent from its first events, and widen the facing's likelihood for good.
    const m = this.meanSigma;
    const r2 = (clipped * clipped - m * m) * qty - (sigmaDelta * sigmaDelta) / qty;
    const floor = (MIN_SPREAD_FRACTION * this.nominal) ** 2;
    this.variance = Math.max(floor, this.variance + w * (r2 - this.variance));
    this.n++;
    return Math.abs(z) <= HUBER_Z;
  }

  learned(): LearnedWeight {
    return { mean: this.mean, spread: this.spread, n: this.n };
  }
}
