import type { PendingItem } from './lane-types.js';

export interface Match {
  items: PendingItem[];
  /** Sum of expected means of the weighed items in the match. */
  expectedGrams: number;
  /**
   * Items of the match the weighing cannot tell apart from the rest of it: their weight is within the noise and
   * spread of the fit without them. They are taken as bagged by policy, not verified by the scale.
   */
  unverifiable: PendingItem[];
}

/**
 * Stated prior: a scanned item is put in the bag far more often than it is kept back — at least 20 : 1. So a
 * load is taken as the larger set unless the smaller explains it 20× better (likelihood ratio of Gaussian fits:
 * z² differs by more than 2 ln 20 ≈ 6).
 */
const BAGGED_ODDS_Z2 = 2 * Math.log(20);

/** Bound on the subset search: 2^8 subsets at most per stable reading. */
const MAX_CANDIDATES = 8;

interface Fit {
  mask: number;
  items: PendingItem[];
  mean: number;
  /** σ of the load the subset predicts, scale noise of the step included. */
  sigma: number;
  /** |residual| in units of that σ; open-weight subsets fit any remainder (z = 0). */
  z: number;
  oldest: number;
  open: number;
}

/**
 * Which pending items explain a stable weight gain of `delta` grams. Several scans may land on the scale in
 * one settle, so every subset of the oldest pending items is tried. A subset is admissible when its weighed items
 * sum to delta within the root-sum-square of their tolerances (+ `slack` from light exempt items on the scale);
 * one sold-by-weight or unknown item absorbs any positive remainder (a load is never split between two of them:
 * nothing in it says it was two). Among admissible subsets the best explains delta with the smallest residual in
 * units of its own σ — the items' spreads and the step's noise (`stepSigma`), not their tolerances: two items
 * that are each "inside tolerance" do not fit a load one of them explains. A subset holding the best fit and
 * more items is taken unless the best explains the load clearly better (by the bagged-odds prior below); an
 * item without which the load fits about as well is returned as `unverifiable`.
 */
export function matchPending(
  pending: readonly PendingItem[],
  delta: number,
  noise: number,
  slack: number,
  stepSigma = noise / 4,
): Match | null {
  const candidates = pending.slice(0, MAX_CANDIDATES);
  const fits: Fit[] = [];
  for (let mask = 1; mask < 1 << candidates.length; mask++) {
    let mean = 0;
    let tolerance2 = 0;
    let variance = stepSigma * stepSigma;
    let open = 0;
    let openMax = 0;
    let oldest = -1;
    const items: PendingItem[] = [];
    for (let i = 0; i < candidates.length; i++) {
      if (!(mask & (1 << i))) continue;
      const p = candidates[i]!;
      items.push(p);
      if (oldest < 0) oldest = i;
      const e = p.expectation;
      if (e.kind === 'weighed') {
        mean += e.mean;
        tolerance2 += e.tolerance * e.tolerance;
        variance += e.sigma * e.sigma;
      } else if (e.kind === 'any') {
        open++;
        openMax += e.maxGrams;
      }
    }
    if (open > 1) continue;
    const tolerance = Math.sqrt(tolerance2);
    const rest = delta - mean;
    const sigma = Math.sqrt(variance);
    if (open > 0) {
      if (rest <= noise || rest > openMax) continue;
      fits.push({ mask, items, mean, sigma, z: 0, oldest, open });
      continue;
    }
    if (rest < -tolerance || rest > tolerance + slack) continue;
    // Light exempt items' grams may sit on top of the load: what exceeds the tolerance is theirs.
    const unexplained = rest > tolerance ? tolerance : rest;
    fits.push({ mask, items, mean, sigma, z: Math.abs(unexplained) / sigma, oldest, open });
  }
  if (fits.length === 0) return null;
  // A weighed fit beats an open-weight one (which fits anything); then the smallest z; ties: the oldest scan.
  const rank = (f: Fit) => (f.open > 0 ? 1 : 0);
  let best = fits[0]!;
  for (const f of fits.slice(1)) {
    const better =
      rank(f) < rank(best) ||
      (rank(f) === rank(best) &&
        (f.z < best.z - 1e-9 ||
          (Math.abs(f.z - best.z) <= 1e-9 &&
            (f.oldest < best.oldest || (f.oldest === best.oldest && f.items.length < best.items.length)))));
    if (better) best = f;
  }
  // A scanned item light enough to hide inside the noise and spread of the best fit was most likely bagged with
  // it: weight cannot tell, and "not bagged" would be a false alarm. Take the largest such superset.
  let chosen = best;
  for (const f of fits) {
    if ((f.mask & best.mask) !== best.mask || f.items.length <= chosen.items.length) continue;
    if (f.open > best.open) continue; // an open-weight item is never added to a load another item explains
    if (f.z * f.z - best.z * best.z <= BAGGED_ODDS_Z2) chosen = f;
  }
  // Unverifiable: an item without which the load is explained about as well (within the same odds).
  const byMask = new Map(fits.map((f) => [f.mask, f]));
  const unverifiable = chosen.items.filter((p) => {
    const i = candidates.indexOf(p);
    const without = byMask.get(chosen.mask & ~(1 << i));
    return (
      without !== undefined &&
      without.open === chosen.open &&
      without.z * without.z - chosen.z * chosen.z <= BAGGED_ODDS_Z2
    );
  });
  return { items: chosen.items, expectedGrams: chosen.mean, unverifiable };
}
