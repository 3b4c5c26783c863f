import type { StoreEventOf } from '../../core/events.js';
import { ALERT_REASONS, type AlertReason, laneEvent, round1, type SessionTotals } from './lane-types.js';

export function newSession(lane: string, t: number): SessionTotals {
  return {
    id: `${lane}:${t}`,
    openedAt: t,
    phase: 'shopping',
    bagGrams: 0,
    scanned: 0,
    verified: 0,
    exempt: 0,
    acceptedByAttendant: 0,
    alerts: Object.fromEntries(ALERT_REASONS.map((r) => [r, 0])) as Record<AlertReason, number>,
    clears: 0,
    overrides: 0,
    expectedGrams: 0,
    measuredGrams: 0,
    ageRestricted: 0,
    transactionId: null,
    relativeErrors: [],
  };
}

/** `lane.session.closed` with totals; the footfall conversion rate counts these. */
export function sessionClosedEvent(
  lane: string,
  s: SessionTotals,
  t: number,
  unverified: number,
  unresolvedAlert: AlertReason | null,
  idleTimeout = false,
): StoreEventOf<'lane.session.closed'> {
  const alertCount = ALERT_REASONS.reduce((n, r) => n + s.alerts[r], 0);
  return laneEvent(lane, 'lane.session.closed', t, {
    session: s.id,
    opened_at: s.openedAt,
    duration_ms: t - s.openedAt,
    paid: s.phase === 'paid',
    transaction_id: s.transactionId,
    items: s.scanned,
    verified: s.verified,
    exempt: s.exempt,
    accepted_by_attendant: s.acceptedByAttendant,
    unverified,
    age_restricted: s.ageRestricted,
    alerts: alertCount,
    alerts_by_reason: { ...s.alerts },
    clears: s.clears,
    overrides: s.overrides,
    unresolved_alert: unresolvedAlert,
    idle_timeout: idleTimeout,
    bag_grams: round1(s.bagGrams),
    expected_grams: round1(s.expectedGrams),
    measured_grams: round1(s.measuredGrams),
  });
}
