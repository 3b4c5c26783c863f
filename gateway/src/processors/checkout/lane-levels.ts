import type { PendingItem } from './lane-types.js';

/** Stable levels the lane cannot explain yet, and what they show about how shoppers bag. */
/** A stable weight the lane cannot explain (yet): its first and last stable reading. */
export interface UnexplainedLevel {
  grams: number;
  since: number;
  lastAt: number;
  /** A gain that began within the let-go time of produce verified last: its rest, if it holds until moved on. */
  rest: boolean;
}

/**
 * The let-go time shown by a verification, if it is an unambiguous staged bagging: one known-weight item verified
 * on the level after a partial one (a gain lighter than it, begun after its scan) — the stages summed to its
 * weight. The gap is how long the first part stood. Null for anything else.
 */
export function stagedGap(
  level: UnexplainedLevel | null,
  items: readonly PendingItem[],
  delta: number,
  baseline: number | null,
  floor: number,
): number | null {
  const item = items[0];
  if (!level || !item || items.length !== 1 || item.expectation.kind !== 'weighed' || baseline === null)
    return null;
  const part = level.grams - baseline;
  if (level.since < item.scannedAt || part <= floor || part >= delta - floor) return null;
  return level.lastAt - level.since;
}

/** The least the pending items weigh together (a gain below it may be a part of them still in the hand). */
export function pendingLowerBound(pending: readonly PendingItem[]): number {
  let grams = 0;
  for (const p of pending) {
    const e = p.expectation;
    grams += e.kind === 'weighed' ? e.mean - e.tolerance : e.kind === 'any' ? e.maxGrams : 0;
  }
  return grams;
}
