import { RecentSamples } from './recent-samples.js';

/** Unambiguous staged baggings seen before the learned quantile replaces the prior. */
const MIN_SAMPLES = 20;
const WINDOW = 300;
/** The share of let-go gaps an open-weight item's rest is accepted within (the rest alarms as unscanned). */
const QUANTILE = 0.95;
/**
 * Prior let-go time until enough staged baggings were seen: a hand puts the rest of an item down within 2 s of
 * the first part settling (stated physical assumption; replaced by what the store's shoppers do).
 */
const PRIOR_MS = 2_000;

/**
 * How long shoppers take to let go of the rest of an item they put down in stages, learned from known-weight items
 * whose stages sum to their expected weight (the only staged baggings that are unambiguous): the time from the
 * first stable reading of the partial level to its last one before the rest landed. An open-weight item (produce)
 * fits any weight, so its rest cannot be told from an unscanned item by weight — but an unscanned item is put down
 * after the shopper finished the previous one, so a gain that began within this time is the rest of the produce.
 * Shared by the lanes of a processor: it is the shoppers' timing, not the scale's.
 */
export class StageTiming {
  private readonly gaps = new RecentSamples(WINDOW, MIN_SAMPLES);

  observe(gapMs: number): void {
    if (!Number.isFinite(gapMs) || gapMs < 0) return;
    this.gaps.add(gapMs);
  }

  get samples(): number {
    return this.gaps.count;
  }

  /** The let-go time (ms) within which a gain after a staged first part is the rest of the same item. */
  limitMs(): number {
    return this.gaps.quantile(QUANTILE) ?? PRIOR_MS;
  }
}
