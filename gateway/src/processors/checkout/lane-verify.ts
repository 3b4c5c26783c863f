import type { StoreEvent } from '../../core/events.js';
import type { OnScale } from './lane-contents.js';
import { verifiedEvent } from './lane-events.js';
import type { LaneEngineDeps, PendingItem, SessionTotals } from './lane-types.js';

/**
 * What a scale verification does besides the event: session totals, the relative error the scale-health check
 * accumulates, and a learning sample. With several items in one settle only their sum was weighed: the measured
 * weight is apportioned by expectation, and nothing is learned from it. A single weighing teaches only once it is
 * final and undisturbed (bagging-area.ts: a hand on it or a part still in the hand revises it, and then it does not
 * teach). A lane flagged for maintenance teaches
 * nothing (its drift must not leak into the shared learned weights).
 */
export function recordVerified(
  deps: LaneEngineDeps,
  session: SessionTotals,
  items: readonly PendingItem[],
  expectedGrams: number,
  delta: number,
  t: number,
  /** Items of the load the weighing cannot tell apart from the others (lane-matching.ts). */
  unverifiable: readonly PendingItem[],
  /** `teach` (single items on a healthy lane) is called once the weighing is final, with its final weight. */
  onScale: (thing: OnScale, teach: ((grams: number) => void) | null) => void,
): StoreEvent[] {
  const out: StoreEvent[] = [];
  const single = items.length === 1;
  const split = splitLoad(items, expectedGrams, delta);
  for (const [i, p] of items.entries()) {
    const e = p.expectation;
    const measured = single ? delta : split[i]!;
    const tolerance = e.kind === 'weighed' ? e.tolerance : 0;
    const teaches = single && !p.item?.soldByWeight && !deps.health.needsMaintenance;
    const teach = (grams: number) => {
      deps.learner.observe(p.key, grams, t);
      const nominal = p.item?.grams;
      if (e.kind === 'weighed' && nominal) deps.accuracy?.observe((grams - nominal) / nominal);
    };
    onScale({ what: 'item', code: p.code, grams: measured, tolerance }, teaches ? teach : null);
    session.verified++;
    session.measuredGrams += measured;
    if (e.kind === 'weighed') {
      session.expectedGrams += e.mean;
      if (single) session.relativeErrors.push((measured - e.mean) / e.mean);
    }
    const policy = unverifiable.includes(p) ? 'hidden_in_load' : null;
    out.push(
      verifiedEvent(deps.lane, session.id, t, p.code, p.item, {
        by: 'scale',
        measured,
        pending: p,
        unverifiable: policy,
      }),
    );
  }
  return out;
}

/**
 * Several items weighed as one load: only their sum was measured (and judged, against the root-sum-square of
 * their tolerances). Each item's share: open-weight items share what the weighed ones do not explain; otherwise
 * the residual is spread in proportion to each item's variance (the least-squares split), cut at the sum's
 * tolerance (beyond it are light exempt items' grams) — so no share ever leaves its item's tolerance.
 */
export function splitLoad(items: readonly PendingItem[], expectedGrams: number, delta: number): number[] {
  const open = items.filter((p) => p.expectation.kind !== 'weighed').length;
  let variance = 0;
  for (const p of items) if (p.expectation.kind === 'weighed') variance += p.expectation.tolerance ** 2;
  const tolerance = Math.sqrt(variance);
  const residual = Math.max(-tolerance, Math.min(tolerance, delta - expectedGrams));
  return items.map((p) => {
    const e = p.expectation;
    if (e.kind !== 'weighed') return (delta - expectedGrams) / open;
    if (open > 0) return e.mean;
    return e.mean + (variance > 0 ? (residual * e.tolerance ** 2) / variance : 0);
  });
}
