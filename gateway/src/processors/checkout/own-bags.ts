import { RecentSamples } from './recent-samples.js';

/** Landings before the first scan seen before the learned quantile replaces the prior. */
const MIN_SAMPLES = 20;
const WINDOW = 300;
/** The share of the store's own-bag landings the bound accepts. */
const QUANTILE = 0.98;

/**
 * How heavy the shoppers' own bags and crates are, learned from what they put down before the first scan. Before the
 * first scan a shopper lays out bags; an unscanned item put down then is a rare theft mode next to them (vendors
 * accept bags placed before the first scan for the same reason). So every such landing the lane decided — accepted
 * as a bag, or alarmed because it was over the bound — is a sample of the bag weights, and the bound is a high
 * quantile of the last `WINDOW` of them (from `MIN_SAMPLES` on). Until then, and never below it, the configured
 * `bag_max_grams` (the prior); never above `bag_cap_grams` (a bag heavier than that is not a bag). Shared by the
 * lanes of a processor: the bags are the store's shoppers', not the scale's.
 */
export class OwnBagWeights {
  private readonly landings = new RecentSamples(WINDOW, MIN_SAMPLES);

  constructor(
    private readonly priorGrams: number,
    private readonly capGrams: number,
  ) {}

  /** A landing before the first scan, once decided (accepted as a bag or alarmed as over the bound). */
  observe(grams: number): void {
    if (!Number.isFinite(grams) || grams <= 0) return;
    this.landings.add(grams);
  }

  get samples(): number {
    return this.landings.count;
  }

  /** The heaviest single landing before the first scan accepted as an own bag (g). */
  limitGrams(): number {
    const cap = Math.max(this.capGrams, this.priorGrams);
    const q = this.landings.quantile(QUANTILE);
    return q === null ? this.priorGrams : Math.min(cap, Math.max(this.priorGrams, q));
  }
}
