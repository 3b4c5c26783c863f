import type { PosEventName, ScaleStatus } from '../../../../shared/src/readings.js';
import { gtinKey } from '../../core/catalog.js';
import type { StoreEvent } from '../../core/events.js';
import { expectationFor } from './expectation.js';
import { LaneDecisions } from './lane-decisions.js';
import { clearedEvent, maintenanceEvent, verifiedEvent } from './lane-events.js';
import { newSession, sessionClosedEvent } from './lane-session.js';
import { laneSnapshot } from './lane-snapshot.js';
import type { AttendantAction } from './lane-types.js';

/** A paid session with no basket-close (POS sends only `transaction`/`payment-success`) closes by itself. */
const PAID_CLOSE_MS = 120_000;

/**
 * One lane's verification state machine: idle → basket open → per item scan → the bagging scale gains the item's
 * weight once stable → verified, or an alert with a reason → attendant clear/override → payment → closed.
 * Pure: every input carries its time; outputs are events. `evaluate` (lane-decisions.ts) runs on each input and
 * on tick, so time outs fire without a reading; the bagging area's model is bagging-area.ts.
 */
export class LaneEngine extends LaneDecisions {
  /** Last reading time, or when the current over/under-capacity spell began. */
  scaleAt = 0;
  private paidAt = 0;
  /** Pending items dropped over the cap since start. */
  dropped = 0;
  /** Last scan, POS event or weight change: an idle open session closes by itself. */
  private activityAt = 0;

  snapshot() {
    return laneSnapshot(this);
  }

  scan(code: string, t: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    // A scan after payment is the next shopper (POS that never sends basket-close).
    if (this.session?.phase === 'paid') out.push(...this.close(t));
    if (!this.session) out.push(...this.open(t));
    const s = this.session!;
    this.activityAt = t;
    this.lastEventAt = t;
    this.area.settle();
    const key = gtinKey(code);
    const item = this.deps.catalog.get(code);
    const { verification: v, learning } = this.deps;
    const catalogSigma = this.deps.accuracy?.relativeSigma() ?? null;
    const expectation = expectationFor(
      item,
      key,
      this.deps.learner,
      v,
      learning,
      this.floor,
      t,
      catalogSigma,
      this.noise.stepSigma(),
    );
    this.firstScanAt ??= t;
    s.scanned++;
    if (item?.ageRestricted) s.ageRestricted++;
    out.push(...this.heldBeforeScan(t));
    if (expectation.kind === 'exempt') {
      s.exempt++;
      this.area.addExempt(code, expectation.slackGrams, Math.max(expectation.toleranceGrams, this.floor));
      out.push(
        verifiedEvent(this.deps.lane, this.session!.id, t, code, item, {
          by: 'exempt',
          unverifiable: expectation.reason,
        }),
      );
    } else {
      const deadline = t + this.baggingTimes.promptMs();
      this.pending.push({
        key,
        code,
        item,
        expectation,
        scannedAt: t,
        deadline,
        alerted: false,
        promptedAt: null,
      });
      // Bounded: a lane whose POS never closes a session must not grow without end (issue 13 item 5).
      while (this.pending.length > v.max_pending_items) {
        const gone = this.pending.shift()!;
        if (this.alert?.item === gone) this.alert.item = null;
        this.dropped++;
      }
    }
    out.push(...this.evaluate(t));
    return out;
  }

  scale(grams: number, status: ScaleStatus, t: number): StoreEvent[] {
    this.scaleGrams = status === 'zero' ? 0 : grams;
    const isStable = status === 'stable' || status === 'zero';
    const follow = this.area.baseline !== null && !this.alert && this.session?.phase === 'shopping';
    this.area.observe(this.scaleGrams, isStable, this.floor, follow);
    this.noise.observe(this.scaleGrams, isStable);
    if (!isStable || this.baseline === null || Math.abs(this.scaleGrams - this.baseline) > this.floor)
      this.activityAt = t;
    if (isStable && this.unexplained) {
      // A changed stable weight restarts the confirmation wait (leaning, slow bagging).
      if (Math.abs(this.unexplained.grams - this.scaleGrams) > this.floor) {
        this.previousLevel = this.unexplained;
        this.unexplained = null;
      } else this.unexplained.lastAt = t;
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
    this.activityAt = t;
    this.lastEventAt = t;
    this.area.settle();
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
      // A weight held since before the shopper went to pay is decided as shopping, not waved through as paying.
      out.push(...this.evaluate(t));
      s.phase = 'paying';
      this.payingAt = t;
      // Paying with scanned items not bagged yet: give them a short last chance, not the full timeout.
      for (const p of this.pending)
        p.deadline = Math.min(p.deadline, t + 3 * this.deps.verification.confirm_ms);
    } else {
      // Paid with a scanned item never bagged: the last moment to say so.
      const unbagged = this.pending.find((p) => !p.alerted);
      if (unbagged && !this.alert && event === 'payment-success') {
        unbagged.alerted = true;
        out.push(...this.raise('item_not_bagged', t, 0, unbagged));
      }
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
        // An override is a person's word, not a weighing: it never teaches the item's weight (issue 12 item 4).
        this.area.contents.add({ what: 'item', code: alert.item.code, grams: delta, tolerance: this.floor });
        out.push(
          verifiedEvent(this.deps.lane, this.session!.id, t, alert.item.code, alert.item.item, {
            by: 'attendant',
            measured: delta,
          }),
        );
      } else s.acceptedByAttendant++;
    }
    if (alert.reason === 'item_removed' && alert.removed) this.area.contents.remove(alert.removed);
    if (grams !== null) this.area.baseline = grams;
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
    if (this.session && now - this.activityAt >= this.deps.verification.session_idle_ms)
      return this.close(now, true);
    // The scale still reads an unexplained level: it stands until now (how long a staged part stood, lane-levels.ts).
    const u = this.unexplained;
    if (u && this.stable && Math.abs((this.scaleGrams ?? 0) - u.grams) <= this.floor) u.lastAt = now;
    return this.session ? this.evaluate(now) : [];
  }

  private open(t: number): StoreEvent[] {
    this.session = newSession(this.deps.lane, t);
    this.activityAt = t;
    this.pending = [];
    this.unexplained = null;
    this.firstScanAt = null;
    this.payingAt = Number.POSITIVE_INFINITY;
    this.openLoadAt = Number.NEGATIVE_INFINITY;
    this.area.open(this.stable ? this.scaleGrams : null);
    return [];
  }

  private close(t: number, idle = false): StoreEvent[] {
    const s = this.session!;
    const out: StoreEvent[] = [];
    const unresolved = this.alert?.reason ?? null;
    if (this.alert)
      out.push(clearedEvent(this.deps.lane, this.session!.id, t, this.alert, 'session_closed', null, null));
    out.push(sessionClosedEvent(this.deps.lane, s, t, this.pending.length, unresolved, idle));
    const finding = this.deps.health.closeSession(s.relativeErrors);
    if (finding) out.push(maintenanceEvent(this.deps.lane, t, finding));
    this.session = null;
    this.pending = [];
    this.alert = null;
    this.unexplained = null;
    this.area.close();
    return out;
  }
}
