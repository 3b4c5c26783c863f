import type { LearnedWeight } from '../../core/catalog.js';
import type { LearningOptions } from './lane-options.js';

const RECENT = 25;
const DAY_MS = 86_400_000;
/** Older samples fade once this much weight has accumulated, so a reformulated product is learned again. */
const MAX_WEIGHT = 200;

export function learnedStd(l: LearnedWeight): number {
  return l.weight > 1 ? Math.sqrt(Math.max(0, l.m2 / (l.weight - 1))) : 0;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Robust per-GTIN weight learning. A sample further than k·MAD from the recent median is rejected as an outlier
 * (a second item in the bag, a hand on the scale); inliers update a weighted mean/variance (West's weighted
 * Welford). Pure in-memory state: the checkout feature persists `takeDirty()` to the catalog DB.
 */
export class WeightLearner {
  private readonly byGtin = new Map<string, LearnedWeight>();
  private readonly dirty = new Set<string>();

  constructor(
    private readonly config: LearningOptions,
    seed: readonly LearnedWeight[] = [],
  ) {
    for (const l of seed) this.byGtin.set(l.gtin, { ...l, recent: [...l.recent] });
  }

  get(gtin: string): LearnedWeight | undefined {
    return this.byGtin.get(gtin);
  }

  /**
   * Learned mean/std once enough samples were accepted, else undefined. The mean used is bounded: at most
   * `max_drift_pct_per_day` of the confirmed value away from it per day since the confirmation, so a slow walk
   * of the weight (or someone teaching it one) cannot move it further without an installer confirming.
   */
  ready(gtin: string, at?: number): { mean: number; std: number; n: number; held: boolean } | undefined {
    const l = this.byGtin.get(gtin);
    if (!l || l.n < this.config.min_samples) return undefined;
    if (l.anchor == null) {
      l.anchor = l.mean;
      l.anchorAt = at ?? l.updatedAt;
      this.dirty.add(gtin);
    }
    const days = Math.max(1, Math.ceil(((at ?? l.updatedAt) - (l.anchorAt ?? 0)) / DAY_MS));
    const bound = (this.config.max_drift_pct_per_day / 100) * Math.abs(l.anchor) * days;
    const mean = Math.min(l.anchor + bound, Math.max(l.anchor - bound, l.mean));
    return { mean, std: learnedStd(l), n: l.n, held: mean !== l.mean };
  }

  /** Learned weights held back by the daily drift bound, waiting for an installer's confirmation. */
  held(at: number): Array<{ gtin: string; learned: number; used: number; confirmed: number }> {
    const out = [];
    for (const l of this.byGtin.values()) {
      const r = this.ready(l.gtin, at);
      if (r?.held) out.push({ gtin: l.gtin, learned: l.mean, used: r.mean, confirmed: l.anchor! });
    }
    return out;
  }

  /** An installer confirms the learned weight: it becomes the new reference of the drift bound. */
  confirm(gtin: string, at: number): LearnedWeight | undefined {
    const l = this.byGtin.get(gtin);
    if (!l) return undefined;
    l.anchor = l.mean;
    l.anchorAt = at;
    this.dirty.add(gtin);
    return l;
  }

  /** Offer a verified weighing; returns false if it was rejected as an outlier. */
  observe(gtin: string, grams: number, at: number, byAttendant = false): boolean {
    if (!this.config.enabled || !Number.isFinite(grams) || grams <= 0) return false;
    const l = this.byGtin.get(gtin) ?? {
      gtin,
      n: 0,
      weight: 0,
      mean: 0,
      m2: 0,
      recent: [],
      rejected: 0,
      updatedAt: at,
    };
    if (l.recent.length >= 5) {
      const med = median(l.recent);
      const mad = median(l.recent.map((v) => Math.abs(v - med)));
      // MAD of a few identical readings is 0: floor it at scale resolution and 0.5 % of the weight.
      const spread = Math.max(1.4826 * mad, 1, 0.005 * med);
      if (Math.abs(grams - med) > this.config.outlier_mads * spread) {
        l.rejected++;
        l.updatedAt = at;
        this.byGtin.set(gtin, l);
        this.dirty.add(gtin);
        return false;
      }
    }
    const w = byAttendant ? this.config.attendant_weight : 1;
    if (l.weight + w > MAX_WEIGHT) {
      const keep = (MAX_WEIGHT - w) / l.weight;
      l.weight *= keep;
      l.m2 *= keep;
    }
    const total = l.weight + w;
    const delta = grams - l.mean;
    l.mean += (w / total) * delta;
    l.m2 += w * delta * (grams - l.mean);
    l.weight = total;
    l.n++;
    l.recent.push(grams);
    if (l.recent.length > RECENT) l.recent.shift();
    l.updatedAt = at;
    this.byGtin.set(gtin, l);
    this.dirty.add(gtin);
    return true;
  }

  /** Forget what was learned for a GTIN (its nominal weight changed in a new catalog version). */
  reset(gtin: string): void {
    if (this.byGtin.delete(gtin)) this.dirty.add(gtin);
  }

  /** A save failed: offer these again at the next `takeDirty`. */
  markDirty(gtins: readonly string[]): void {
    for (const g of gtins) this.dirty.add(g);
  }

  /** Changed entries since the last call (a deleted entry comes back as `{gtin, deleted: true}`). */
  takeDirty(): Array<LearnedWeight | { gtin: string; deleted: true }> {
    const out = [...this.dirty].map((gtin) => this.byGtin.get(gtin) ?? { gtin, deleted: true as const });
    this.dirty.clear();
    return out;
  }
}
