import type { CatalogItem } from '../../core/catalog.js';
import type { StoreEventOf } from '../../core/events.js';
import {
  type AlertReason,
  type AttendantAction,
  laneEvent,
  type OpenAlert,
  type PendingItem,
  round1,
} from './lane-types.js';
import type { MaintenanceFinding } from './scale-health.js';

/** Why an item was accounted for by policy rather than by weight (docs/checkout.md). */
export type Unverifiable = 'catalog_exempt' | 'below_resolution' | 'below_min_weighable' | 'hidden_in_load';

/** Wire forms (snake_case) of the lane events; docs/checkout.md lists their fields. */
export function verifiedEvent(
  lane: string,
  session: string,
  t: number,
  code: string,
  item: CatalogItem | undefined,
  how: {
    by: 'scale' | 'exempt' | 'attendant';
    measured?: number;
    pending?: PendingItem;
    unverifiable?: Unverifiable | null;
  },
): StoreEventOf<'lane.item.verified'> {
  const e = how.pending?.expectation;
  return laneEvent(lane, 'lane.item.verified', t, {
    session,
    gtin: item?.gtin ?? code,
    sku: item?.sku ?? null,
    name: item?.name ?? null,
    by: how.by,
    measured_grams: how.measured === undefined ? null : round1(how.measured),
    expected_grams: e?.kind === 'weighed' ? round1(e.mean) : (item?.grams ?? null),
    tolerance_grams: e?.kind === 'weighed' ? round1(e.tolerance) : null,
    expected_from: e?.kind === 'weighed' ? e.source : null,
    known: item !== undefined,
    age_restricted: item?.ageRestricted ?? false,
    scan_to_verified_ms: how.pending ? t - how.pending.scannedAt : 0,
    unverifiable: how.unverifiable ?? null,
  });
}

export function alertEvent(
  lane: string,
  session: string,
  t: number,
  reason: AlertReason,
  delta: number,
  item: PendingItem | null,
  scaleGrams: number | null,
): StoreEventOf<'lane.alert'> {
  const e = item?.expectation;
  return laneEvent(lane, 'lane.alert', t, {
    session,
    reason,
    gtin: item ? (item.item?.gtin ?? item.code) : null,
    sku: item?.item?.sku ?? null,
    expected_grams: e?.kind === 'weighed' ? round1(e.mean) : null,
    tolerance_grams: e?.kind === 'weighed' ? round1(e.tolerance) : null,
    delta_grams: round1(delta),
    scale_grams: scaleGrams,
  });
}

export function clearedEvent(
  lane: string,
  session: string,
  t: number,
  alert: OpenAlert,
  action: AttendantAction | 'shopper' | 'session_closed',
  note: string | null,
  attendant: string | null,
): StoreEventOf<'lane.alert.cleared'> {
  return laneEvent(lane, 'lane.alert.cleared', t, {
    session,
    reason: alert.reason,
    action,
    note,
    attendant,
    raised_at: alert.raisedAt,
    open_ms: t - alert.raisedAt,
  });
}

export function maintenanceEvent(
  lane: string,
  t: number,
  finding: MaintenanceFinding,
): StoreEventOf<'lane.maintenance'> {
  return laneEvent(lane, 'lane.maintenance', t, {
    reason: finding.reason,
    bias_pct: Math.round(finding.biasPct * 100) / 100,
    rms_pct: Math.round(finding.rmsPct * 100) / 100,
    sessions: finding.sessions,
  });
}
