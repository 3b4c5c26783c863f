import { LaneContents, type OnScale } from './lane-contents.js';

/** Share of a within-noise difference the accounted weight moves per stable reading (wander, creep). */
const TRACK = 0.2;

/** The item verified last and what it was expected to weigh, for the rest of an item put down in stages. */
interface LastVerified {
  thing: OnScale;
  mean: number | null;
  tolerance: number;
  at: number;
  /** Learn from the weighing once final; dropped when it had to be revised (not an undisturbed weighing). */
  teach: ((grams: number) => void) | null;
}

/**
 * What the lane believes is in the bagging area: the accounted weight (own bags + verified items), what those
 * things are (so a drop can be matched to what left), the grams light exempt items may add unweighed, and the
 * scale's stillness (so creep is followed and a staged item's rest can join it).
 */
export class BaggingArea {
  /** Weight on the scale that is accounted for (own bag + verified items). */
  baseline: number | null = null;
  /** Light exempt items on the scale: small unexplained gains up to this are theirs. */
  exemptSlack = 0;
  /** Verified items and own bags on the scale, so a drop can be matched to what left. */
  readonly contents = new LaneContents();
  /** Last time the scale stood still at the accounted weight (a gain began after it). */
  atBaselineAt: number | null = null;
  /** The last stable weight, while the scale has not moved beyond the floor since (creep following). */
  private stillAt: number | null = null;
  private lastVerified: LastVerified | null = null;

  /** A new session: what is on the scale now (if it is stable) is the shopper's, accounted already. */
  open(stableGrams: number | null): void {
    this.settle();
    this.exemptSlack = 0;
    this.lastVerified = null;
    this.contents.clear();
    this.baseline = stableGrams;
  }

  close(): void {
    this.settle();
    this.contents.clear();
  }

  /**
   * One reading. A motion flag whose weight stays within the floor of the last stable one is the scale's own noise
   * tripping its stable window, not a load moving: stillness lasts through it. `follow` says whether the
   * accounted weight may follow creep now (shopping, no alert open).
   */
  observe(grams: number, stable: boolean, floor: number, follow: boolean): void {
    if (this.stillAt !== null && Math.abs(grams - this.stillAt) > floor) this.stillAt = null;
    if (!stable) return;
    if (this.stillAt !== null && follow) this.followCreep(this.stillAt, grams, floor);
    this.stillAt = grams;
  }

  /**
   * Still since the last stable reading, yet the step takes the weight off the accounted one by more than
   * noise: the load crept (a load cell under a heavy bag, plastic settling). Nothing is put down or taken away
   * without the scale seeing motion, so the accounted weight moves with the step.
   */
  private followCreep(prev: number, grams: number, floor: number): void {
    if (this.baseline === null) return;
    const step = grams - prev;
    if (
      Math.abs(step) <= floor &&
      Math.abs(prev - this.baseline) <= floor &&
      Math.abs(grams - this.baseline) > floor
    )
      this.baseline += step;
  }

  /** The scale reads the accounted weight within noise at `t`; without an open alert it follows slow wander. */
  atRest(delta: number, t: number, follow: boolean): void {
    this.atBaselineAt = t;
    if (follow && this.baseline !== null) this.baseline += TRACK * delta;
  }

  addBag(grams: number, floor: number): void {
    this.contents.add({ what: 'bag', code: null, grams, tolerance: floor });
  }

  /** A light item verified on scan: its weight is not verified, but taking it away again is a drop that can match it. */
  addExempt(code: string, slackGrams: number, tolerance: number): void {
    this.exemptSlack += slackGrams + tolerance;
    this.contents.add({ what: 'item', code, grams: slackGrams, tolerance });
  }

  /** A gain light enough to be exempt items' unweighed grams. */
  takeExempt(delta: number): boolean {
    if (delta > this.exemptSlack) return false;
    this.exemptSlack -= delta;
    return true;
  }

  /** A verified item is on the scale; a single one may still get the rest of it if it was put down in stages. */
  addVerified(
    thing: OnScale,
    mean: number | null,
    single: boolean,
    t: number,
    teach: ((grams: number) => void) | null,
  ): void {
    this.contents.add(thing);
    if (single) this.lastVerified = { thing, mean, tolerance: thing.tolerance, at: t, teach };
  }

  /** The shopper moved on (or another item was weighed): the last weighing is final; it teaches if undisturbed. */
  settle(): void {
    const last = this.lastVerified;
    if (!last?.teach) return;
    last.teach(last.thing.grams);
    last.teach = null;
  }

  forgetLastVerified(): void {
    this.settle();
    this.lastVerified = null;
  }

  /**
   * Could a gain whose weight began to land at `onsetAt` be the rest of the open-weight item (produce) verified last,
   * put down in stages? Only if it began within the shoppers' let-go time (stage-timing.ts) of that weighing and
   * before the shopper moved on: an unscanned item is put down after the shopper finished the previous one.
   */
  couldBeRest(onsetAt: number | null, movedOnAt: number, letGoMs: number): boolean {
    const last = this.lastVerified;
    if (!last || last.mean !== null || onsetAt === null || movedOnAt > last.at) return false;
    return onsetAt >= last.at && onsetAt - last.at <= letGoMs;
  }

  /** The rest of the produce verified last landed (decided once the level held until the shopper moved on). */
  takeRest(delta: number): void {
    if (this.lastVerified) this.lastVerified.thing.grams += delta;
  }

  /**
   * The weighing of the item verified last is not final until the shopper moves on (a scan or POS event after it):
   * the hand may still have held part of it (put down in stages: the rest follows) or rested on it while it was
   * weighed (lifted: a drop follows). The change belongs to that item when the revised weight fits its expectation
   * better and within tolerance. An open-weight item (produce) fits any weight: only a drop is taken, and only one
   * that is not the weight of something else on the scale (that would be a removal) and leaves it above the floor.
   */
  revise(delta: number, t: number, maxAgeMs: number, movedOnAt: number, floor: number): boolean {
    const last = this.lastVerified;
    if (!last || movedOnAt > last.at || t - last.at > maxAgeMs) return false;
    const revised = last.thing.grams + delta;
    let fits: boolean;
    if (last.mean !== null)
      fits =
        Math.abs(revised - last.mean) < Math.abs(last.thing.grams - last.mean) &&
        Math.abs(revised - last.mean) <= last.tolerance;
    else {
      const others = this.contents.match(-delta, floor, last.thing);
      fits = delta < 0 && revised > floor && others === null;
    }
    if (!fits) return false;
    last.thing.grams = revised;
    last.teach = null;
    return true;
  }
}
