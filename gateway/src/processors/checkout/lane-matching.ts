import type { PendingItem } from './lane-types.js';

export interface Match {
  items: PendingItem[];
  /** Sum of expected means of the weighed items in the match. */
  expectedGrams: number;
}

/** Bound on the subset search: 2^8 subsets at most per stable reading. */
const MAX_CANDIDATES = 8;

/**
 * Which pending items explain a stable weight gain of `delta` grams. Several scans may land on the scale in
 * one settle, so every subset of the oldest pending items is tried: weighed items must sum to delta within
 * the root-sum-square of their tolerances (+ `slack` from light exempt items on the scale); sold-by-weight or
 * unknown items absorb any positive remainder. The best match has the smallest normalised error; a superset
 * of it that also fits is preferred (light items inside its tolerance).
 */
export function matchPending(
  pending: readonly PendingItem[],
  delta: number,
  noise: number,
  slack: number,
): Match | null {
  const candidates = pending.slice(0, MAX_CANDIDATES);
  let best: { match: Match; score: number; oldest: number; mask: number } | null = null;
  const accepted = new Map<number, Match>();
  for (let mask = 1; mask < 1 << candidates.length; mask++) {
    let mean = 0;
    let variance = 0;
    let anyCount = 0;
    let anyMax = 0;
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
        variance += e.tolerance * e.tolerance;
      } else if (e.kind === 'any') {
        anyCount++;
        anyMax += e.maxGrams;
      }
    }
    const tolerance = Math.sqrt(variance);
    const rest = delta - mean;
    let score: number;
    if (anyCount > 0) {
      if (rest <= noise * anyCount || rest > anyMax) continue;
      score = 1; // an open-weight item always matches, but never better than a weighed fit
    } else {
      if (rest < -tolerance || rest > tolerance + slack) continue;
      score = rest > tolerance ? 1 : Math.abs(rest) / Math.max(tolerance, 1e-9);
    }
    // Ties (open-weight items absorb any remainder): the subset holding the oldest scan, then the larger one.
    const better =
      !best ||
      score < best.score - 1e-9 ||
      (Math.abs(score - best.score) <= 1e-9 &&
        (oldest < best.oldest || (oldest === best.oldest && items.length > best.match.items.length)));
    const match = { items, expectedGrams: mean };
    accepted.set(mask, match);
    if (better) best = { match, score, oldest, mask };
  }
  if (!best) return null;
  // A scanned item light enough to hide inside the tolerance of the best fit was most likely bagged with it:
  // weight cannot tell, and "not bagged" would be a false alarm. Take the largest accepted superset.
  let chosen = best.match;
  for (const [mask, match] of accepted)
    if ((mask & best.mask) === best.mask && match.items.length > chosen.items.length) chosen = match;
  return chosen;
}
