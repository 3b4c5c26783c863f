import type { PosEventName, ScaleStatus } from '../../../../shared/src/readings.js';
import { gtinKey } from '../../core/catalog.js';
import type { StoreEvent } from '../../core/events.js';
import { expectationFor } from './expectation.js';
import { LaneContents, type OnScale } from './lane-contents.js';
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
import { ScaleNoise } from './scale-noise.js';

/** A paid session with no basket-close (POS sends only `transaction`/`payment-success`) closes by itself. */
const PAID_CLOSE_MS = 120_000;
/** Share of a within-noise difference the accounted weight moves per stable reading (wander, creep). */
const TRACK = 0.2;

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
  /** The last stable weight, while the scale has not moved beyond the floor since (creep following). */
  private stillAt: number | null = null;
  /** Last time the scale stood still at the accounted weight (a gain began after it). */
  private atBaselineAt: number | null = null;
  /** The item verified last and what it was expected to weigh, for the rest of an item put down in stages. */
  private lastVerified: { thing: OnScale; mean: number | null; tolerance: number; at: number } | null = null;
  private firstScanAt: number | null = null;
  /** Last scan or POS event: the shopper moved on, so a weight still held is no transient. */
  private lastEventAt = Number.NEGATIVE_INFINITY;
  /** When payment-start came: bags may leave from then on. */
  private payingAt = Number.POSITIVE_INFINITY;
  /** The scale's own noise, learned from its stable readings: the floor of every decision. */
  readonly noise: ScaleNoise;
  /** Verified items and own bags on the scale, so a drop can be matched to what left. */
  readonly contents = new LaneContents();
  /** Pending items dropped over the cap since start. */
  dropped = 0;
  /** Last scan, POS event or weight change: an idle open session closes by itself. */
  private activityAt = 0;
  updatedAt = 0;

  constructor(readonly deps: LaneEngineDeps) {
    this.noise = new ScaleNoise(deps.verification.noise_grams);
  }

  /** Smallest stable change that is not noise on this lane's scale (g). */
  get floor(): number {
    return this.noise.floor();
  }

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
    this.activityAt = t;
    this.lastEventAt = t;
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
    );
    this.firstScanAt ??= t;
    s.scanned++;
    if (item?.ageRestricted) s.ageRestricted++;
    out.push(...this.heldBeforeScan(t));
    if (expectation.kind === 'exempt') {
      s.exempt++;
      this.exemptSlack += expectation.slackGrams + this.floor;
      // Its weight is not verified, but taking it away again is a drop that can match it.
      this.contents.add({ what: 'item', code, grams: expectation.slackGrams, tolerance: this.floor });
      out.push(verifiedEvent(this.deps.lane, this.session!.id, t, code, item, { by: 'exempt' }));
    } else {
      const deadline = t + v.bag_timeout_ms;
      this.pending.push({ key, code, item, expectation, scannedAt: t, deadline, alerted: false });
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
    // A motion flag whose weight stays within the floor of the last stable one is the scale's own noise
    // tripping its stable window, not a load moving: stillness lasts through it.
    if (this.stillAt !== null && Math.abs(this.scaleGrams - this.stillAt) > this.floor) this.stillAt = null;
    if (isStable) {
      if (this.stillAt !== null) this.followCreep(this.stillAt, this.scaleGrams);
      this.stillAt = this.scaleGrams;
    }
    this.noise.observe(this.scaleGrams, isStable);
    if (!isStable || this.baseline === null || Math.abs(this.scaleGrams - this.baseline) > this.floor)
      this.activityAt = t;
    if (isStable) {
      // A changed stable weight restarts the confirmation wait (leaning, slow bagging).
      if (this.unexplained && Math.abs(this.unexplained.grams - this.scaleGrams) > this.floor)
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
    this.activityAt = t;
    this.lastEventAt = t;
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
        this.contents.add({ what: 'item', code: alert.item.code, grams: delta, tolerance: this.floor });
        out.push(
          verifiedEvent(this.deps.lane, this.session!.id, t, alert.item.code, alert.item.item, {
            by: 'attendant',
            measured: delta,
          }),
        );
      } else s.acceptedByAttendant++;
    }
    if (alert.reason === 'item_removed' && alert.removed) this.contents.remove(alert.removed);
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
    if (this.session && now - this.activityAt >= this.deps.verification.session_idle_ms)
      return this.close(now, true);
    return this.session ? this.evaluate(now) : [];
  }

  private open(t: number): StoreEvent[] {
    this.session = newSession(this.deps.lane, t);
    this.activityAt = t;
    this.pending = [];
    this.exemptSlack = 0;
    this.unexplained = null;
    this.firstScanAt = null;
    this.payingAt = Number.POSITIVE_INFINITY;
    this.lastVerified = null;
    this.contents.clear();
    this.baseline = this.stable ? this.scaleGrams : null;
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
    this.contents.clear();
    return out;
  }

  /**
   * Still since the last stable reading, yet the step takes the weight off the accounted one by more than
   * noise: the load crept (a load cell under a heavy bag, plastic settling). Nothing is put down or taken away
   * without the scale seeing motion, so the accounted weight moves with the step.
   */
  private followCreep(prev: number, grams: number): void {
    if (this.baseline === null || this.alert || this.session?.phase !== 'shopping') return;
    const floor = this.floor;
    const step = grams - prev;
    if (
      Math.abs(step) <= floor &&
      Math.abs(prev - this.baseline) <= floor &&
      Math.abs(grams - this.baseline) > floor
    )
      this.baseline += step;
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
    const floor = this.floor;
    if (this.stable && this.scaleGrams !== null) {
      const grams = this.scaleGrams;
      if (this.baseline === null) this.baseline = grams;
      let delta = grams - this.baseline;
      if (Math.abs(delta) > floor && this.alert?.reason !== 'weight_mismatch') {
        const match = matchPending(this.pending, delta, floor, this.exemptSlack);
        if (match) {
          out.push(...this.verifyMatch(match.items, match.expectedGrams, delta, t));
          this.baseline = grams;
          delta = 0;
        }
      }
      if (Math.abs(delta) <= floor) {
        this.unexplained = null;
        this.atBaselineAt = t;
        // The accounted weight follows slow wander and load-cell creep, so they never add up to a "change".
        if (!this.alert) this.baseline += TRACK * delta;
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
    const floor = this.floor;
    if (delta > 0) {
      // Own bags before the first item; a bag whose weight began to land before the first scan counts too.
      const beforeFirstScan =
        s.scanned === 0 ||
        (this.firstScanAt !== null && (this.atBaselineAt === null || this.atBaselineAt < this.firstScanAt));
      if (beforeFirstScan && delta <= v.bag_max_grams) {
        s.bagGrams += delta;
        this.contents.add({ what: 'bag', code: null, grams: delta, tolerance: floor });
        this.baseline = grams;
        return [];
      }
      if (delta <= this.exemptSlack) {
        this.exemptSlack -= delta;
        this.baseline = grams;
        return [];
      }
      if (this.restOfLast(delta, t)) {
        this.baseline = grams;
        return [];
      }
    }
    let removed: OnScale[] | null = null;
    if (delta < 0) {
      // Paying: the items are in the transaction; bags may leave while the card is processed.
      if (s.phase === 'paying' && (this.unexplained?.since ?? t) >= this.payingAt) return [];
      removed = this.contents.match(-delta, floor);
      if (!removed && -delta < this.contents.unmatchedLimit(floor)) return this.absorb(grams, t);
    }
    if (!this.unexplained) this.unexplained = { grams, since: t };
    const waited = t - this.unexplained.since;
    if (waited < v.confirm_ms) return [];
    // A hand resting, a lean or a bag lifted to rearrange returns to the level before it: a held drop, or a gain
    // with nothing pending (a gain against a pending scan is weighed now), is a change only once the shopper moved on (a scan or POS event after it began) or it outlasted the time a
    // shopper has to bag an item.
    const transientLike = delta < 0 || this.pending.length === 0;
    if (transientLike && this.lastEventAt <= this.unexplained.since && waited < v.bag_timeout_ms) return [];
    // Less than what is still pending: maybe an item put down in stages or slowly; its bagging time decides.
    if (delta > 0 && this.couldBePartial(delta) && t < this.pending[0]!.deadline) return [];
    const reason: AlertReason =
      delta < 0 ? 'item_removed' : this.pending.length > 0 ? 'weight_mismatch' : 'unexpected_item';
    return this.raise(reason, t, delta, reason === 'weight_mismatch' ? this.pending[0]! : null, removed);
  }

  /**
   * The hand let go of the rest of the item verified last (it was put down in stages): the gain belongs to it
   * when the sum fits its expectation better and within tolerance (never for an open-weight item: anything fits).
   */
  private restOfLast(delta: number, t: number): boolean {
    const last = this.lastVerified;
    if (!last || this.unexplained) return false;
    const fits =
      last.mean !== null &&
      Math.abs(last.thing.grams + delta - last.mean) < Math.abs(last.thing.grams - last.mean) &&
      Math.abs(last.thing.grams + delta - last.mean) <= last.tolerance &&
      t - last.at <= this.deps.verification.bag_timeout_ms;
    if (!fits) return false;
    last.thing.grams += delta;
    this.session!.measuredGrams += delta;
    return true;
  }

  /** A drop that matches nothing on the scale: once it has held, the accounted weight follows it. */
  private absorb(grams: number, t: number): StoreEvent[] {
    if (!this.unexplained) this.unexplained = { grams, since: t };
    else if (t - this.unexplained.since >= this.deps.verification.confirm_ms) {
      this.baseline = grams;
      this.unexplained = null;
    }
    return [];
  }

  /**
   * The shopper scans the next item while an unexplained gain still stands on the scale with nothing pending:
   * whatever it is, it was put down unscanned (a hand rest or lean would have been lifted to scan). Decided now,
   * before the new item could be taken to explain it.
   */
  private heldBeforeScan(t: number): StoreEvent[] {
    if (this.alert || this.pending.length > 0 || !this.stable || !this.unexplained) return [];
    if (this.baseline === null || this.scaleGrams === null) return [];
    const delta = this.scaleGrams - this.baseline;
    if (delta <= this.floor) return [];
    return this.raise('unexpected_item', t, delta, null);
  }

  /** The gain is below the sum of the pending items' weights: a part of them may still be in the hand. */
  private couldBePartial(delta: number): boolean {
    let pendingGrams = 0;
    for (const p of this.pending) {
      const e = p.expectation;
      pendingGrams += e.kind === 'weighed' ? e.mean - e.tolerance : e.kind === 'any' ? e.maxGrams : 0;
    }
    return delta < pendingGrams;
  }

  private overdue(t: number): StoreEvent[] {
    const grace = this.stable && !this.unexplained ? 0 : this.deps.verification.motion_grace_ms;
    const late = this.pending.find((p) => !p.alerted && t >= p.deadline + grace);
    if (!late) return [];
    late.alerted = true;
    return this.raise('item_not_bagged', t, 0, late);
  }

  private raise(
    reason: AlertReason,
    t: number,
    delta: number,
    item: PendingItem | null,
    removed: OnScale[] | null = null,
  ): StoreEvent[] {
    this.alert = { reason, raisedAt: t, deltaGrams: delta, item, removed };
    this.session!.alerts[reason]++;
    return [alertEvent(this.deps.lane, this.session!.id, t, reason, delta, item, this.scaleGrams)];
  }

  private verifyMatch(items: PendingItem[], expectedGrams: number, delta: number, t: number): StoreEvent[] {
    this.pending = this.pending.filter((p) => !items.includes(p));
    this.lastVerified = null;
    return recordVerified(this.deps, this.session!, items, expectedGrams, delta, t, (thing) => {
      const onScale = { ...thing, tolerance: Math.max(thing.tolerance, this.floor) };
      this.contents.add(onScale);
      if (items.length !== 1) return;
      const e = items[0]!.expectation;
      const mean = e.kind === 'weighed' ? e.mean : null;
      this.lastVerified = { thing: onScale, mean, tolerance: onScale.tolerance, at: t };
    });
  }

  private pendingHas(item: PendingItem | null): boolean {
    return item !== null && this.pending.includes(item);
  }
}
