import { type StoreEvent, type StoreEventMap, storeEventProblem } from '../../gateway/src/core/events.js';

/** Complete `data` of events tests emit by hand (the pipeline's events are typed: no partial data). */
export const closedSession: StoreEventMap['lane.session.closed'] = {
  lane: 'lane-1',
  session: 'lane-1:1',
  opened_at: 0,
  duration_ms: 0,
  paid: true,
  transaction_id: null,
  items: 0,
  verified: 0,
  exempt: 0,
  accepted_by_attendant: 0,
  unverified: 0,
  age_restricted: 0,
  alerts: 0,
  alerts_by_reason: { unexpected_item: 0, item_not_bagged: 0, weight_mismatch: 0, item_removed: 0 },
  clears: 0,
  overrides: 0,
  unresolved_alert: null,
  idle_timeout: false,
  bag_grams: 0,
  expected_grams: 0,
  measured_grams: 0,
};

export const laneAlert: StoreEventMap['lane.alert'] = {
  lane: 'lane-1',
  session: 'lane-1:1',
  reason: 'weight_mismatch',
  gtin: null,
  sku: null,
  expected_grams: null,
  tolerance_grams: null,
  delta_grams: 0,
  scale_grams: null,
};

/** Throws on the first event whose data does not match its type's schema; returns the events. */
export function checkedEvents<E extends StoreEvent>(events: E[]): E[] {
  for (const e of events) {
    const problem = storeEventProblem(e);
    if (problem) throw new Error(`event does not match its schema: ${problem}\n${JSON.stringify(e)}`);
  }
  return events;
}
