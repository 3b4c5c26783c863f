import { RecentSamples } from './recent-samples.js';

/** Scale verifications seen before the learned quantile replaces the configured bagging time. */
const MIN_SAMPLES = 20;
const WINDOW = 300;
/** A shopper slower than this share of the store's shoppers is prompted. */
const QUANTILE = 0.95;

/**
 * How long the store's shoppers take from a scan to the item's weight settling on the bagging scale, learned from
 * every item verified by the scale (`scan_to_verified_ms`). It sets when a shopper is *prompted* to bag the item (a
 * message on the lane display, no attendant): at the 95th percentile of the last `WINDOW` times (from `MIN_SAMPLES`
 * on), never earlier than `bag_timeout_ms` — a slow shopper is not a suspect. Only a shopper who moves on after the
 * prompt (scans the next item, pays) or still has not bagged `bag_escalate_ms` after it is an `item_not_bagged`
 * alert. Shared by the lanes of a processor (it is the shoppers' pace, like stage-timing.ts).
 */
export class BaggingTimes {
  private readonly times = new RecentSamples(WINDOW, MIN_SAMPLES);

  constructor(private readonly configuredMs: number) {}

  observe(scanToVerifiedMs: number): void {
    if (!Number.isFinite(scanToVerifiedMs) || scanToVerifiedMs < 0) return;
    this.times.add(scanToVerifiedMs);
  }

  get samples(): number {
    return this.times.count;
  }

  /** From a scan, how long the shopper has before being prompted to bag the item (ms). */
  promptMs(): number {
    const q = this.times.quantile(QUANTILE);
    return q === null ? this.configuredMs : Math.max(this.configuredMs, q);
  }
}
