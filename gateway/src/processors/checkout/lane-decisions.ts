import type { ScaleStatus } from '../../../../shared/src/readings.js';
import type { StoreEvent } from '../../core/events.js';
import { BaggingArea } from './bagging-area.js';
import { BaggingTimes } from './bagging-times.js';
import type { OnScale } from './lane-contents.js';
import { alertEvent, clearedEvent, verifiedEvent } from './lane-events.js';
import { pendingLowerBound, stagedGap, type UnexplainedLevel } from './lane-levels.js';
import { type Match, matchPending } from './lane-matching.js';
import type { AlertReason, LaneEngineDeps, OpenAlert, PendingItem, SessionTotals } from './lane-types.js';
import { recordVerified } from './lane-verify.js';
import { OwnBagWeights } from './own-bags.js';
import { ScaleNoise } from './scale-noise.js';

/**
 * The decision rules of a lane: what a stable weight means against what is pending and what is on the scale,
 * when an unexplained level becomes an alert, and the bagging timeouts (lane-engine.ts feeds it every input).
 */
export abstract class LaneDecisions {
  session: SessionTotals | null = null;
  pending: PendingItem[] = [];
  alert: OpenAlert | null = null;
  scaleGrams: number | null = null;
  scaleStatus: ScaleStatus | null = null;
  updatedAt = 0;
  /** The scale's own noise, learned from its stable readings: the floor of every decision. */
  readonly noise: ScaleNoise;
  /** What the lane believes is on the scale. */
  readonly area = new BaggingArea();
  protected unexplained: UnexplainedLevel | null = null;
  /** The unexplained level before the current one: the first part of an item put down in stages. */
  protected previousLevel: UnexplainedLevel | null = null;
  protected firstScanAt: number | null = null;
  /** Last scan or POS event: the shopper moved on, so a weight still held is no transient. */
  protected lastEventAt = Number.NEGATIVE_INFINITY;
  /** When payment-start came: bags may leave from then on. */
  protected payingAt = Number.POSITIVE_INFINITY;
  /** When a load was last taken as an open-weight item (produce): one weight never verifies two of them. */
  protected openLoadAt = Number.NEGATIVE_INFINITY;

  /** The shoppers' own bag weights (shared by the processor's lanes; this lane's own when run alone). */
  readonly ownBags: OwnBagWeights;
  /** The shoppers' scan → bagged times (shared by the processor's lanes; this lane's own when run alone). */
  readonly baggingTimes: BaggingTimes;
  /** Prompts shown since start (the display's state changes with each). */
  prompted = 0;

  constructor(readonly deps: LaneEngineDeps) {
    const v = deps.verification;
    this.noise = new ScaleNoise(v.noise_grams);
    this.ownBags = deps.ownBags ?? new OwnBagWeights(v.bag_max_grams, v.bag_cap_grams);
    this.baggingTimes = deps.baggingTimes ?? new BaggingTimes(v.bag_timeout_ms);
  }

  /** Smallest stable change that is not noise on this lane's scale (g). */
  get floor(): number {
    return this.noise.floor();
  }

  get stable(): boolean {
    return this.scaleStatus === 'stable' || this.scaleStatus === 'zero';
  }

  /** Weight on the scale that is accounted for (own bag + verified items). */
  get baseline(): number | null {
    return this.area.baseline;
  }

  /** Decide what the current (stable) weight means, and fire due timeouts. */
  protected evaluate(t: number): StoreEvent[] {
    this.updatedAt = t;
    const s = this.session;
    const area = this.area;
    if (!s || s.phase === 'paid') {
      // Idle or paid: bags are put down and taken away freely; the baseline follows the scale.
      if (this.stable) area.baseline = this.scaleGrams;
      return [];
    }
    if (this.scaleStatus === 'over' || this.scaleStatus === 'under') return []; // nothing is measurable
    const out: StoreEvent[] = [];
    const floor = this.floor;
    if (this.stable && this.scaleGrams !== null) {
      const grams = this.scaleGrams;
      if (area.baseline === null) area.baseline = grams;
      let delta = grams - area.baseline;
      if (Math.abs(delta) > floor && this.alert?.reason !== 'weight_mismatch') {
        const match = matchPending(this.pending, delta, floor, area.exemptSlack, this.noise.stepSigma());
        if (match) {
          out.push(...this.verifyMatch(match, delta, t));
          area.baseline = grams;
          delta = 0;
        }
      }
      if (Math.abs(delta) <= floor) {
        this.unexplained = null;
        // The accounted weight follows slow wander and load-cell creep, so they never add up to a "change".
        area.atRest(delta, t, !this.alert);
        if (this.alert && this.alert.reason !== 'weight_mismatch' && !this.pendingHas(this.alert.item)) {
          out.push(clearedEvent(this.deps.lane, s.id, t, this.alert, 'shopper', null, null));
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
    const area = this.area;
    // Own bags before the first item; a bag whose weight began to land before the first scan counts too.
    if (delta > 0 && this.landedBeforeFirstScan() && this.acceptBag(delta, grams)) return [];
    if (!this.unexplained && area.revise(delta, t, v.bag_timeout_ms, this.lastEventAt, floor)) {
      s.measuredGrams += delta;
      area.baseline = grams;
      return [];
    }
    let removed: OnScale[] | null = null;
    if (delta < 0) {
      // Paying: the items are in the transaction; bags may leave while the card is processed.
      if (s.phase === 'paying' && (this.unexplained?.since ?? t) >= this.payingAt) return [];
      removed = area.contents.match(-delta, floor);
      // Matching nothing, lighter than anything there: creep, a bag settling. Followed once it has held.
      if (!removed && -delta < area.contents.unmatchedLimit(floor)) return this.absorb(grams, t);
    }
    if (!this.unexplained) {
      const letGoMs = this.deps.stageTiming?.limitMs() ?? 0;
      const rest = delta > 0 && area.couldBeRest(area.atBaselineAt, this.lastEventAt, letGoMs);
      this.unexplained = { grams, since: t, lastAt: t, rest };
    }
    const waited = t - this.unexplained.since;
    if (waited < v.confirm_ms) return [];
    // A hand resting, a lean or a bag lifted to rearrange returns to the level before it, and may stay stable for
    // seconds: a held level is a change only once the shopper moved on (a scan or POS event after it began; the
    // hands are needed for both) or it outlasted the time a shopper has to bag an item. A gain still standing at
    // the next scan is decided there, before the new item could explain it (heldBeforeScan).
    if (this.lastEventAt <= this.unexplained.since && waited < v.bag_timeout_ms) return [];
    if (this.followBenign(delta, grams, removed)) return [];
    // Less than what is still pending: maybe an item put down in stages or slowly; its bagging time decides.
    if (delta > 0 && this.couldBePartial(delta) && t < this.pending[0]!.deadline) return [];
    const reason: AlertReason =
      delta < 0 ? 'item_removed' : this.pending.length > 0 ? 'weight_mismatch' : 'unexpected_item';
    if (reason === 'unexpected_item' && this.landedBeforeFirstScan()) this.ownBags.observe(delta);
    return this.raise(reason, t, delta, reason === 'weight_mismatch' ? this.pending[0]! : null, removed);
  }

  /** A drop that matches nothing on the scale: once it has held `confirm_ms`, the accounted weight follows it. */
  private absorb(grams: number, t: number): StoreEvent[] {
    if (!this.unexplained) this.unexplained = { grams, since: t, lastAt: t, rest: false };
    else if (t - this.unexplained.since >= this.deps.verification.confirm_ms) {
      this.area.baseline = grams;
      this.unexplained = null;
    }
    return [];
  }

  /**
   * A held level that is no alarm whatever it is; the accounted weight follows it. The rest of produce put down
   * in stages (a gain that began within the let-go time of its weighing, lane-levels.ts). A gain within the light exempt
   * items' allowance (unless a pending item could be arriving in stages: its part must not be spent on it); with
   * nothing pending, a gain lighter than the lightest item the lane weighs (lighter ones are verified on scan):
   * creep after a lean, a crumb of packaging; a drop that matches nothing on the scale and is lighter than anything
   * there (creep, a bag settling).
   */
  private followBenign(delta: number, grams: number, removed: OnScale[] | null): boolean {
    const area = this.area;
    const floor = this.floor;
    const partial = delta > 0 && this.pending.length > 0 && this.couldBePartial(delta);
    const rest = delta > 0 && this.unexplained?.rest === true;
    if (rest) {
      area.takeRest(delta);
      this.session!.measuredGrams += delta;
    }
    const benign =
      rest ||
      (delta > 0 && !partial && area.takeExempt(delta)) ||
      (delta > 0 && this.pending.length === 0 && delta < this.minWeighable) ||
      (delta < 0 && !removed && -delta < area.contents.unmatchedLimit(floor));
    if (!benign) return false;
    area.baseline = grams;
    this.unexplained = null;
    return true;
  }

  /**
   * The shopper scans the next item while an unexplained gain still stands on the scale: whatever it is, it was
   * put down (a hand rest or lean would have been lifted to scan) — unscanned with nothing pending, the wrong
   * item against a pending scan. Decided now, before the new item could be taken to explain it.
   */
  protected heldBeforeScan(t: number): StoreEvent[] {
    if (this.alert || !this.stable || !this.unexplained) return [];
    const baseline = this.area.baseline;
    if (baseline === null || this.scaleGrams === null) return [];
    const delta = this.scaleGrams - baseline;
    if (Math.abs(delta) <= this.floor) return [];
    const removed = delta < 0 ? this.area.contents.match(-delta, this.floor) : null;
    if (this.followBenign(delta, this.scaleGrams, removed) || delta < 0) return []; // a drop: evaluate decides
    if (this.pending.length === 0) {
      // Landed before this, the first scan: a bag, if the store's bags (learned meanwhile) are that heavy.
      if (this.landedBeforeFirstScan()) {
        if (this.acceptBag(delta, this.scaleGrams)) return [];
        this.ownBags.observe(delta);
      }
      return this.raise('unexpected_item', t, delta, null);
    }
    // Lighter than what is pending: the rest may follow with the next item; the bagging deadline decides.
    if (this.couldBePartial(delta)) return [];
    return this.raise('weight_mismatch', t, delta, this.pending[0]!);
  }

  /** The weight on the scale above the accounted one began to land before the first scan (or nothing is scanned). */
  private landedBeforeFirstScan(): boolean {
    const onset = this.area.atBaselineAt;
    return (
      this.session!.scanned === 0 ||
      (this.firstScanAt !== null && (onset === null || onset < this.firstScanAt))
    );
  }

  /** An own bag, if no heavier than the store's bags are (own-bags.ts): it becomes part of the accounted weight. */
  private acceptBag(delta: number, grams: number): boolean {
    if (delta > this.ownBags.limitGrams()) return false;
    this.ownBags.observe(delta);
    this.session!.bagGrams += delta;
    this.area.addBag(delta, this.floor);
    this.area.baseline = grams;
    this.unexplained = null;
    return true;
  }

  /** The lightest item weighed (lighter ones are exempt, expectation.ts): the floor of an "unscanned item". */
  private get minWeighable(): number {
    return Math.max(this.deps.verification.min_weighable_grams, 2 * this.floor);
  }

  /** The gain is below the sum of the pending items' weights: a part of them may still be in the hand. */
  private couldBePartial(delta: number): boolean {
    return delta < pendingLowerBound(this.pending);
  }

  private overdue(t: number): StoreEvent[] {
    const grace = this.stable && !this.unexplained ? 0 : this.deps.verification.motion_grace_ms;
    const late = this.pending.find((p) => !p.alerted && t >= p.deadline + grace);
    if (!late) return [];
    if (late.expectation.kind === 'any' && this.openLoadAt > late.scannedAt) {
      // Produce scanned before a load another produce item was weighed by, and nothing landed for it since: both
      // may have been in that load (weight cannot tell one from two). Accounted for by policy, and said so.
      this.pending = this.pending.filter((p) => p !== late);
      this.session!.verified++;
      return [
        verifiedEvent(this.deps.lane, this.session!.id, t, late.code, late.item, {
          by: 'scale',
          pending: late,
          unverifiable: 'hidden_in_load',
        }),
      ];
    }
    // A slow shopper is no suspect: prompted first (the display asks, no attendant). An attendant is called when the
    // shopper moves on without bagging it (scans on or pays: both need the hands) or ignores the prompt. From
    // payment-start the short last chance given there (lane-engine.ts) is the prompt.
    if (this.session!.phase === 'shopping') {
      if (late.promptedAt === null) {
        late.promptedAt = t;
        this.prompted++;
        return [];
      }
      const movedOn = this.lastEventAt > late.promptedAt;
      if (!movedOn && t < late.promptedAt + this.deps.verification.bag_escalate_ms) return [];
    }
    late.alerted = true;
    return this.raise('item_not_bagged', t, 0, late);
  }

  protected raise(
    reason: AlertReason,
    t: number,
    delta: number,
    item: PendingItem | null,
    removed: OnScale[] | null = null,
  ): StoreEvent[] {
    if (reason === 'weight_mismatch' && this.pending.length === 1)
      this.deps.accuracy?.observeMismatch(item, delta);
    this.alert = { reason, raisedAt: t, deltaGrams: delta, item, removed };
    this.session!.alerts[reason]++;
    return [alertEvent(this.deps.lane, this.session!.id, t, reason, delta, item, this.scaleGrams)];
  }

  private verifyMatch({ items, expectedGrams, unverifiable }: Match, delta: number, t: number): StoreEvent[] {
    const gap = stagedGap(this.previousLevel, items, delta, this.baseline, this.floor);
    if (gap !== null) this.deps.stageTiming?.observe(gap);
    this.previousLevel = null;
    for (const p of items) this.baggingTimes.observe(t - p.scannedAt);
    this.pending = this.pending.filter((p) => !items.includes(p));
    if (items.some((p) => p.expectation.kind === 'any')) this.openLoadAt = t;
    this.area.forgetLastVerified();
    return recordVerified(
      this.deps,
      this.session!,
      items,
      expectedGrams,
      delta,
      t,
      unverifiable,
      (thing, teach) => {
        const onScale = { ...thing, tolerance: Math.max(thing.tolerance, this.floor) };
        const e = items[0]!.expectation;
        this.area.addVerified(onScale, e.kind === 'weighed' ? e.mean : null, items.length === 1, t, teach);
      },
    );
  }

  protected pendingHas(item: PendingItem | null): boolean {
    return item !== null && this.pending.includes(item);
  }
}
