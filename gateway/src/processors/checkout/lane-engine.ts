import type { PosEventName, ScaleStatus } from '../../../../shared/src/readings.js';
import { gtinKey } from '../../core/catalog.js';
import type { StoreEvent } from '../../core/events.js';
import { expectationFor } from './expectation.js';
import { alertEvent, clearedEvent, maintenanceEvent, verifiedEvent } from './lane-events.js';
import { matchPending } from './lane-matching.js';
import { newSession, sessionClosedEvent } from './lane-session.js';
import { laneSnapshot } from './lane-snapshot.js';
import type {
  AlertReason,
  AttendantAction,
  LaneEngineDeps,
  OpenAlert,
  PendingItem,
  SessionTotals,
} from './lane-types.js';
import { recordVerified } from './lane-verify.js';

/** A paid session with no basket-close (POS sends only `transaction`/`payment-success`) closes by itself. */
const PAID_CLOSE_MS = 120_000;

/**
 * One lane's verification state machine: idle → basket open → per item scan → the bagging scale gains the item's
 * weight once stable → verified, or an alert with a reason → attendant clear/override → payment → closed.
 * Pure: every input carries its time; outputs are events. `evaluate` runs on each input and on tick, so time
 * outs fire without a reading.
 */
export class LaneEngine {
  session: SessionTotals | null = null;
  pending: PendingItem[] = [];
  alert: OpenAlert | null = null;
  /** Weight on the scale that is accounted for (own bag + verified items). */
  baseline: number | null = null;
  scaleGrams: number | null = null;
  scaleStatus: ScaleStatus | null = null;
  /** Last reading time, or when the current over/under-capacity spell began. */
  scaleAt = 0;
  /** Light exempt items on the scale: small unexplained gains up to this are theirs. */
  private exemptSlack = 0;
  private unexplained: { grams: number; since: number } | null = null;
  private paidAt = 0;
  updatedAt = 0;

  constructor(readonly deps: LaneEngineDeps) {}

  get stable(): boolean {
    return this.scaleStatus === 'stable' || this.scaleStatus === 'zero';
  }

  snapshot() {
    return laneSnapshot(this);
  }

  scan(code: string, t: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    // A scan after payment is the next shopper (POS that never sends basket-close).
    if (this.session?.phase === 'paid') out.push(...this.close(t));
    if (!this.session) out.push(...this.open(t));
    const s = this.session!;
    const key = gtinKey(code);
    const item = this.deps.catalog.get(code);
    const { verification: v, learning } = this.deps;
    const expectation = expectationFor(item, key, this.deps.learner, v, learning);
    s.scanned++;
    if (item?.ageRestricted) s.ageRestricted++;
    if (expectation.kind === 'exempt') {
      s.exempt++;
      this.exemptSlack += expectation.slackGrams + v.noise_grams;
      out.push(verifiedEvent(this.deps.lane, this.session!.id, t, code, item, { by: 'exempt' }));
    } else {
      const deadline = t + v.bag_timeout_ms;
      this.pending.push({ key, code, item, expectation, scannedAt: t, deadline, alerted: false });
    }
    out.push(...this.evaluate(t));
    return out;
  }

  scale(grams: number, status: ScaleStatus, t: number): StoreEvent[] {
    this.scaleGrams = status === 'zero' ? 0 : grams;
    if (status === 'stable' || status === 'zero') {
      // A changed stable weight restarts the confirmation wait (leaning, slow bagging).
      if (
        this.unexplained &&
        Math.abs(this.unexplained.grams - this.scaleGrams) > this.deps.verification.noise_grams
      )
        this.unexplained = null;
    }
    const fault = (x: ScaleStatus | null) => x === 'over' || x === 'under';
    // Time the scale could not weigh does not count against the shopper's bagging timeout.
    if (fault(this.scaleStatus) && !fault(status))
      for (const p of this.pending) p.deadline += t - this.scaleAt;
    if (!fault(this.scaleStatus) || !fault(status)) this.scaleAt = t;
    this.scaleStatus = status;
    return this.evaluate(t);
  }

  pos(event: PosEventName, t: number, transactionId?: string): StoreEvent[] {
    const out: StoreEvent[] = [];
    if (event === 'basket-open') {
      if (this.session?.phase === 'paid') out.push(...this.close(t));
      if (!this.session) out.push(...this.open(t));
      return out;
    }
    if (event === 'basket-close') return this.session ? this.close(t) : [];
    if (!this.session) out.push(...this.open(t));
    const s = this.session!;
    if (transactionId) s.transactionId = transactionId;
    if (event === 'payment-start') {
      s.phase = 'paying';
      // Paying with scanned items not bagged yet: give them a short last chance, not the full timeout.
      for (const p of this.pending)
        p.deadline = Math.min(p.deadline, t + 3 * this.deps.verification.confirm_ms);
    } else {
      s.phase = 'paid';
      this.paidAt = t;
    }
    out.push(...this.evaluate(t));
    return out;
  }

  attendant(action: AttendantAction, t: number, note: string | null, attendant: string | null) {
    const alert = this.alert;
    if (!this.session || !alert) return { events: [] as StoreEvent[], error: 'no open alert on this lane' };
    const s = this.session;
    const out: StoreEvent[] = [];
    const grams = this.stable ? this.scaleGrams : null;
    const delta = grams !== null && this.baseline !== null ? grams - this.baseline : alert.deltaGrams;
    if (alert.item) {
      this.pending = this.pending.filter((p) => p !== alert.item);
      if (action === 'override' && alert.reason === 'weight_mismatch') {
        s.verified++;
        s.measuredGrams += delta;
        if (!this.deps.health.needsMaintenance) this.deps.learner.observe(alert.item.key, delta, t, true);
        out.push(
          verifiedEvent(this.deps.lane, this.session!.id, t, alert.item.code, alert.item.item, {
            by: 'attendant',
            measured: delta,
          }),
        );
      } else s.acceptedByAttendant++;
    }
    if (grams !== null) this.baseline = grams;
    this.unexplained = null;
    if (action === 'override') s.overrides++;
    else s.clears++;
    this.alert = null;
    out.push(clearedEvent(this.deps.lane, this.session!.id, t, alert, action, note, attendant));
    out.push(...this.evaluate(t));
    return { events: out, error: null };
  }

  tick(now: number): StoreEvent[] {
    if (this.session?.phase === 'paid' && now - this.paidAt >= PAID_CLOSE_MS) return this.close(now);
    return this.session ? this.evaluate(now) : [];
  }

  private open(t: number): StoreEvent[] {
    this.session = newSession(this.deps.lane, t);
    this.pending = [];
    this.exemptSlack = 0;
    this.unexplained = null;
    this.baseline = this.stable ? this.scaleGrams : null;
    return [];
  }

  private close(t: number): StoreEvent[] {
    const s = this.session!;
    const out: StoreEvent[] = [];
    const unresolved = this.alert?.reason ?? null;
    if (this.alert)
      out.push(clearedEvent(this.deps.lane, this.session!.id, t, this.alert, 'session_closed', null, null));
    out.push(sessionClosedEvent(this.deps.lane, s, t, this.pending.length, unresolved));
    const finding = this.deps.health.closeSession(s.relativeErrors);
    if (finding) out.push(maintenanceEvent(this.deps.lane, t, finding));
    this.session = null;
    this.pending = [];
    this.alert = null;
    this.unexplained = null;
    return out;
  }

  /** Decide what the current (stable) weight means, and fire due timeouts. */
  private evaluate(t: number): StoreEvent[] {
    this.updatedAt = t;
    const s = this.session;
    if (!s || s.phase === 'paid') {
      // Idle or paid: bags are put down and taken away freely; the baseline follows the scale.
      if (this.stable) this.baseline = this.scaleGrams;
      return [];
    }
    if (this.scaleStatus === 'over' || this.scaleStatus === 'under') return []; // nothing is measurable
    const out: StoreEvent[] = [];
    const v = this.deps.verification;
    if (this.stable && this.scaleGrams !== null) {
      const grams = this.scaleGrams;
      if (this.baseline === null) this.baseline = grams;
      let delta = grams - this.baseline;
      if (Math.abs(delta) > v.noise_grams && this.alert?.reason !== 'weight_mismatch') {
        const match = matchPending(this.pending, delta, v.noise_grams, this.exemptSlack);
        if (match) {
          out.push(...this.verifyMatch(match.items, match.expectedGrams, delta, t));
          this.baseline = grams;
          delta = 0;
        }
      }
      if (Math.abs(delta) <= v.noise_grams) {
        this.unexplained = null;
        if (this.alert && this.alert.reason !== 'weight_mismatch' && !this.pendingHas(this.alert.item)) {
          out.push(clearedEvent(this.deps.lane, this.session!.id, t, this.alert, 'shopper', null, null));
          this.alert = null;
        }
      } else if (!this.alert) {
        out.push(...this.unexplainedWeight(delta, grams, t));
      }
    }
    if (!this.alert) out.push(...this.overdue(t));
    return out;
  }

  private unexplainedWeight(delta: number, grams: number, t: number): StoreEvent[] {
    const s = this.session!;
    const v = this.deps.verification;
    if (delta > 0 && s.scanned === 0 && s.bagGrams + delta <= v.bag_max_grams) {
      s.bagGrams += delta; // own bag put down before the first item
      this.baseline = grams;
      return [];
    }
    if (delta > 0 && delta <= this.exemptSlack) {
      this.exemptSlack -= delta;
      this.baseline = grams;
      return [];
    }
    if (!this.unexplained) this.unexplained = { grams, since: t };
    if (t - this.unexplained.since < v.confirm_ms) return [];
    const reason: AlertReason =
      delta < 0 ? 'item_removed' : this.pending.length > 0 ? 'weight_mismatch' : 'unexpected_item';
    return this.raise(reason, t, delta, reason === 'weight_mismatch' ? this.pending[0]! : null);
  }

  private overdue(t: number): StoreEvent[] {
    const grace = this.stable && !this.unexplained ? 0 : this.deps.verification.motion_grace_ms;
    const late = this.pending.find((p) => !p.alerted && t >= p.deadline + grace);
    if (!late) return [];
    late.alerted = true;
    return this.raise('item_not_bagged', t, 0, late);
  }

  private raise(reason: AlertReason, t: number, delta: number, item: PendingItem | null): StoreEvent[] {
    this.alert = { reason, raisedAt: t, deltaGrams: delta, item };
    this.session!.alerts[reason]++;
    return [alertEvent(this.deps.lane, this.session!.id, t, reason, delta, item, this.scaleGrams)];
  }

  private verifyMatch(items: PendingItem[], expectedGrams: number, delta: number, t: number): StoreEvent[] {
    this.pending = this.pending.filter((p) => !items.includes(p));
    return recordVerified(this.deps, this.session!, items, expectedGrams, delta, t);
  }

  private pendingHas(item: PendingItem | null): boolean {
    return item !== null && this.pending.includes(item);
  }
}
