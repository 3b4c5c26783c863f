import type { StoreEvent } from '../../core/events.js';
import type { OnScale } from './lane-contents.js';
import { verifiedEvent } from './lane-events.js';
import type { LaneEngineDeps, PendingItem, SessionTotals } from './lane-types.js';

/**
 * What a scale verification does besides the event: session totals, the relative error the scale-health check
 * accumulates, and a learning sample. With several items in one settle only their sum was weighed: the measured
 * weight is apportioned by expectation, and nothing is learned from it. A lane flagged for maintenance teaches
 * nothing (its drift must not leak into the shared learned weights).
 */
export function recordVerified(
  deps: LaneEngineDeps,
  session: SessionTotals,
  items: readonly PendingItem[],
  expectedGrams: number,
  delta: number,
  t: number,
  onScale: (thing: OnScale) => void,
): StoreEvent[] {
  const out: StoreEvent[] = [];
  const single = items.length === 1;
  for (const p of items) {
    const e = p.expectation;
    const measured = single
      ? delta
      : e.kind === 'weighed'
        ? e.mean + (delta - expectedGrams) / items.length
        : delta - expectedGrams;
    const tolerance = e.kind === 'weighed' ? e.tolerance : 0;
    onScale({ what: 'item', code: p.code, grams: measured, tolerance });
    session.verified++;
    session.measuredGrams += measured;
    if (e.kind === 'weighed') {
      session.expectedGrams += e.mean;
      if (single) session.relativeErrors.push((measured - e.mean) / e.mean);
    }
    if (single && !p.item?.soldByWeight && !deps.health.needsMaintenance) {
      deps.learner.observe(p.key, measured, t);
      const nominal = p.item?.grams;
      if (e.kind === 'weighed' && nominal) deps.accuracy?.observe((measured - nominal) / nominal);
    }
    out.push(verifiedEvent(deps.lane, session.id, t, p.code, p.item, { by: 'scale', measured, pending: p }));
  }
  return out;
}
