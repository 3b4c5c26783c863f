/** Something the lane knows is on the bagging scale: a verified item (as weighed) or the shopper's own bag. */
export interface OnScale {
  what: 'item' | 'bag';
  code: string | null;
  grams: number;
  tolerance: number;
}

/** Bound on the subset search for a drop: 2^10 subsets of the most recent things on the scale. */
const MAX_CANDIDATES = 10;

/**
 * What is on the scale in this session, so a drop can be told from noise: "item_removed" needs a drop that
 * matches something (or a few things) on the scale within their tolerances plus the noise floor, or one at
 * least as large as the lightest thing there could be (something left that the lane did not weigh alone).
 */
export class LaneContents {
  private things: OnScale[] = [];

  add(thing: OnScale): void {
    this.things.push(thing);
  }

  clear(): void {
    this.things = [];
  }

  get size(): number {
    return this.things.length;
  }

  /** The subset of things whose weights sum closest to `drop` (g, positive), within tolerance; null if none. */
  match(drop: number, floor: number, except?: OnScale): OnScale[] | null {
    const candidates = this.things.filter((t) => t !== except).slice(-MAX_CANDIDATES);
    let best: { items: OnScale[]; score: number } | null = null;
    for (let mask = 1; mask < 1 << candidates.length; mask++) {
      let sum = 0;
      let variance = floor * floor;
      const items: OnScale[] = [];
      for (let i = 0; i < candidates.length; i++) {
        if (!(mask & (1 << i))) continue;
        const c = candidates[i]!;
        sum += c.grams;
        variance += c.tolerance * c.tolerance;
        items.push(c);
      }
      const score = Math.abs(drop - sum) / Math.sqrt(variance);
      if (score <= 1 && (!best || score < best.score)) best = { items, score };
    }
    return best?.items ?? null;
  }

  /** A drop this large is something leaving even when no combination matches it. */
  unmatchedLimit(floor: number): number {
    let lightest = Number.POSITIVE_INFINITY;
    for (const t of this.things) lightest = Math.min(lightest, t.grams - t.tolerance);
    return Math.max(floor, lightest);
  }

  remove(items: readonly OnScale[]): void {
    this.things = this.things.filter((t) => !items.includes(t));
  }
}
