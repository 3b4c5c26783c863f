import type { LaneAction } from './checkout-sweep-scale.js';
import { type ScaleParams, type SweepProduct, type SweepWorld, sweepUnit } from './checkout-sweep-world.js';
import type { Prng } from './shelf-prng.js';

export type SweepAct = 'not_bagged' | 'swapped' | 'removed' | 'unscanned';
export const SWEEP_ACTS: readonly SweepAct[] = ['not_bagged', 'swapped', 'removed', 'unscanned'];

/** Ground truth of one generated session; action times move when the lane blocks for an alert. */
export interface SweepTruth {
  lane: string;
  act: SweepAct | null;
  /** The dishonest action. */
  event: LaneAction | null;
  /** The act changes the weight by more than the scale can resolve (4 σ of noise, unit spread and division). */
  physical: boolean;
  open: LaneAction;
  close: LaneAction;
  classes: Set<string>;
}

/** What a weight difference must exceed to be physically visible on this scale (4 combined σ, 2 divisions). */
export function visible(grams: number, scale: ScaleParams, unitStd = 0): boolean {
  const quant = scale.resolution / Math.sqrt(12);
  const sigma = Math.sqrt(2 * (scale.sigma ** 2 + quant ** 2) + unitStd ** 2 + scale.wander ** 2 / 2);
  return Math.abs(grams) > Math.max(4 * sigma, 2 * scale.resolution);
}

function pick(rand: Prng, world: SweepWorld, kinds: ReadonlyArray<SweepProduct['kind']>): SweepProduct {
  return rand.pick(world.products.filter((p) => kinds.includes(p.kind)));
}

/**
 * One shopper at one lane from `from`: own bags (some before basket-open), scans, multi-scans, bagging fast,
 * slow or in stages, leaning, resting a hand, lifting a bag to rearrange it, paying, taking the bags (sometimes
 * before the POS confirms payment), and with probability `dishonest` one act of not bagging, swapping, removing
 * or bagging an unscanned item.
 */
export function sweepSession(lane: string, scale: ScaleParams, from: number, rand: Prng, world: SweepWorld) {
  const p = world.shopper;
  const actions: LaneAction[] = [];
  const classes = new Set<string>();
  const push = <A extends LaneAction>(a: A): A => {
    a.t = Math.round(a.t);
    actions.push(a);
    return a;
  };
  let onScale = 0;
  const bagged: Array<{ grams: number; std: number }> = [];
  const place = (t: number, grams: number) => {
    onScale += grams;
    return push({ t, kind: 'load', delta: grams, settleMs: rand.range(250, 1_200) });
  };
  const item = () =>
    rand.next() < p.lightItems
      ? pick(rand, world, ['light', 'exempt'])
      : pick(rand, world, ['weighed', 'weighed', 'weighed', 'produce']);
  let t = from + rand.range(2_000, 20_000);
  const early = rand.next() < p.ownBag * 0.3;
  if (early) {
    place(t - rand.range(1_000, 3_000), rand.range(...p.bagGrams));
    classes.add('own_bag');
  }
  const open = push({ t, kind: 'pos', event: 'basket-open' });
  if (!early && rand.next() < p.ownBag) {
    t += rand.range(800, 3_000);
    place(t, rand.range(...p.bagGrams));
    classes.add('own_bag');
    if (rand.next() < p.secondBag) {
      t += rand.range(800, 2_500);
      place(t, rand.range(...p.bagGrams));
    }
  }
  const n = rand.int(1, p.itemsMax);
  const act: SweepAct | null = rand.next() < p.dishonest ? rand.pick(SWEEP_ACTS) : null;
  const actAt = act === 'removed' ? rand.int(1, Math.max(1, n)) : rand.int(0, n - 1);
  let event: LaneAction | null = null;
  let physical = true;
  for (let i = 0; i < n; i++) {
    t += rand.range(700, 4_000);
    if (act === 'unscanned' && i === actAt) {
      const u = pick(rand, world, ['weighed']);
      const w = sweepUnit(u, rand);
      event = place(t, w);
      physical = visible(w, scale);
      t += rand.range(2_000, 5_000);
    }
    if (act === 'removed' && i === actAt && bagged.length > 0) {
      const k = rand.int(0, bagged.length - 1);
      const gone = bagged.splice(k, 1)[0]!;
      event = place(t, -gone.grams);
      physical = visible(gone.grams, scale);
      t += rand.range(2_000, 5_000);
    }
    const a = act === 'swapped' && i === actAt ? pick(rand, world, ['weighed']) : item();
    const scan = push({ t, kind: 'scan', code: a.gtin });
    if (act === 'not_bagged' && i === actAt) {
      event = scan;
      physical = a.kind === 'produce' || visible(a.trueMean, scale, a.trueStd);
      t += rand.range(1_000, 4_000);
      continue;
    }
    let w: number;
    let std = a.trueStd;
    if (act === 'swapped' && i === actAt) {
      const b = rand.pick(world.products.filter((x) => x.kind === 'weighed' && x !== a));
      w = sweepUnit(b, rand);
      physical = visible(w - a.trueMean, scale, a.trueStd);
      std = b.trueStd;
    } else w = sweepUnit(a, rand);
    if (rand.next() < p.multiScan && i < n - 1) {
      const b = item();
      push({ t: t + rand.range(600, 2_000), kind: 'scan', code: b.gtin });
      w += sweepUnit(b, rand);
      t += 2_000;
      i++;
      classes.add('multi_scan');
    }
    const slow = rand.next() < p.slow;
    if (slow) classes.add('slow_bagging');
    t += slow ? rand.range(...p.slowDelayMs) : rand.range(800, 3_500);
    if (a.kind === 'light' || a.kind === 'exempt') classes.add('light_items');
    if (rand.next() < p.staged) {
      // The hand still holds part of the item for a (stable) moment before letting go.
      const part = w * rand.range(0.2, 0.8);
      const put = place(t, part);
      if (act === 'swapped' && i === actAt) event = put;
      t += put.settleMs + rand.range(400, 2_500);
      place(t, w - part);
      classes.add('staged_bagging');
    } else {
      const put = place(t, w);
      if (act === 'swapped' && i === actAt) event = put;
    }
    bagged.push({ grams: w, std });
    t += 1_200;
    const r = rand.next();
    if (r < p.lean) {
      const ms = rand.range(300, 4_000);
      const stable = rand.next() < p.leanStable ? rand.range(200, Math.min(1_500, ms)) : 0;
      push({
        t,
        kind: 'transient',
        extra: rand.range(50, 5_000),
        ms,
        stableFrom: rand.range(0, ms - stable),
        stableMs: stable,
      });
      t += ms + 500;
      classes.add('leaning');
    } else if (r < p.lean + p.handRest) {
      const ms = rand.range(...p.handRestMs);
      push({ t, kind: 'transient', extra: rand.range(20, 400), ms, stableFrom: 150, stableMs: ms - 300 });
      t += ms + 500;
      classes.add('hand_rest');
    } else if (r < p.lean + p.handRest + p.rearrange && onScale > 50) {
      const ms = rand.range(500, 2_500);
      const stable = rand.next() < 0.3 ? rand.range(300, ms / 2) : 0;
      push({
        t,
        kind: 'transient',
        extra: -onScale * rand.range(0.2, 0.9),
        ms,
        stableFrom: 200,
        stableMs: stable,
      });
      t += ms + 500;
      classes.add('rearrange');
    }
  }
  t += rand.range(1_000, 4_000);
  push({ t, kind: 'pos', event: 'payment-start' });
  const paid = t + rand.range(2_000, 8_000);
  const offEarly = onScale > 0 && rand.next() < p.bagsOffEarly;
  let off = offEarly ? t + rand.range(1_000, paid - t) : paid + rand.range(500, 4_000);
  push({ t: paid, kind: 'pos', event: 'payment-success' });
  if (offEarly) classes.add('bags_off_before_paid');
  if (onScale > 0) classes.add('bags_off');
  // Bags leave in one to three lifts.
  const lifts = rand.int(1, 3);
  let left = onScale;
  for (let k = 0; k < lifts && left > 0; k++) {
    const g = k === lifts - 1 ? left : left * rand.range(0.2, 0.7);
    place(off, -g);
    left -= g;
    off += rand.range(600, 2_500);
  }
  t = Math.max(paid, off) + rand.range(500, 2_500);
  const noClose = rand.next() < p.noBasketClose;
  if (noClose) classes.add('no_basket_close');
  // Without basket-close the session ends with the last bag lifted (that action's time moves with the lane).
  const close = noClose ? actions.at(-1)! : push({ t, kind: 'pos', event: 'basket-close' });
  const truth: SweepTruth = { lane, act: event ? act : null, event, physical, open, close, classes };
  return { actions: actions.sort((x, y) => x.t - y.t), truth, end: t };
}
