import type { Expectation } from './expectation.js';
import { RecentSamples } from './recent-samples.js';

/** What a mismatch was judged against: a pending item's expectation and catalog entry. */
type Judged = { expectation: Expectation; item?: { grams: number | null } | undefined };

/** Verified weighings before the learned spread widens nominal tolerances. */
const MIN_SAMPLES = 20;
const WINDOW = 300;
/** MAD of a normal distribution is 0.6745 σ. */
const MAD_PER_SIGMA = 0.6745;

/**
 * How far the catalog's nominal weights are from what items really weigh, learned across all products from
 * scale-verified single-item weighings against a nominal weight: the robust spread (MAD) of the relative
 * errors (measured − nominal) / nominal. Master data is often a few percent off; a tolerance tighter than
 * that spread would reject the right item at every sale, and since only scale-verified weighings teach, the
 * per-item learner would never see it. Verified weighings alone are cut off at the tolerance, so settled
 * single-item mismatches feed it too (lane-decisions.ts); the swaps among them are outliers the MAD ignores.
 */
export class CatalogAccuracy {
  private readonly recent = new RecentSamples(WINDOW, MIN_SAMPLES);

  observe(relativeError: number): void {
    if (!Number.isFinite(relativeError) || Math.abs(relativeError) > 0.5) return;
    this.recent.add(relativeError);
  }

  /**
   * A settled mismatch against the only pending item, weighed against a nominal weight: a weighing too. Verified
   * weighings are cut off at the tolerance, so a store whose nominal weights are further off than the tolerance
   * would never show it otherwise (a swap is an outlier the robust spread ignores).
   */
  observeMismatch(item: Judged | null, delta: number): void {
    const nominal = item?.item?.grams;
    if (item?.expectation.kind === 'weighed' && item.expectation.source === 'nominal' && nominal)
      this.observe((delta - nominal) / nominal);
  }

  /** Estimated σ of (true mean − nominal) / nominal, or null until enough weighings were seen. */
  relativeSigma(): number | null {
    const mad = this.recent.medianAbsoluteDeviation();
    return mad === null ? null : mad / MAD_PER_SIGMA;
  }
}
