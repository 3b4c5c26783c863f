import type { PosEventName } from '../../shared/src/readings.js';
import { type BenchProduct, unitWeight } from './checkout-catalog.js';
import type { Prng } from './shelf-prng.js';

export type Action =
  | { t: number; kind: 'pos'; event: PosEventName }
  | { t: number; kind: 'scan'; code: string }
  | { t: number; kind: 'weight'; delta: number; settleMs: number }
  | { t: number; kind: 'lean'; extra: number; ms: number; blipMs: number };

export type Dishonesty = 'swapped' | 'unscanned' | 'removed';

/** One generated shopper session with its ground truth. Action times shift when the lane blocks for an alert. */
export interface SessionTruth {
  lane: string;
  dishonest: Dishonesty | null;
  /** The dishonest action (its `t` is final after the run). */
  event: Action | null;
  /** Swapped barcodes whose weights differ by more than the scanned item's tolerance. */
  distinguishable: boolean;
  open: Action;
  close: Action;
  behaviours: Set<string>;
}

const weighed = (ps: readonly BenchProduct[]) => ps.filter((p) => p.kind === 'weighed');

function pickProduct(rand: Prng, products: readonly BenchProduct[]): BenchProduct {
  const r = rand.next();
  const kind = r < 0.85 ? 'weighed' : r < 0.9 ? 'light' : r < 0.93 ? 'exempt' : 'produce';
  return rand.pick(products.filter((p) => p.kind === kind));
}

/**
 * Script one session on `lane` starting after `from`: honest shoppers with own bags, leaning, slow bagging and
 * several scans before bagging; 30 % of sessions hold exactly one dishonest act.
 */
export function scriptSession(lane: string, from: number, rand: Prng, products: readonly BenchProduct[]) {
  const actions: Action[] = [];
  const push = <A extends Action>(a: A): A => {
    a.t = Math.round(a.t);
    actions.push(a);
    return a;
  };
  const behaviours = new Set<string>();
  let t = from + rand.range(3_000, 15_000);
  let onScale = 0;
  const place = (at: number, grams: number, settleMs = rand.range(300, 900)) => {
    onScale += grams;
    return push({ t: at, kind: 'weight', delta: grams, settleMs });
  };
  if (rand.next() < 0.1) {
    place(t - 2_000, rand.range(20, 150));
    behaviours.add('bag_before_open');
  }
  const open = push({ t, kind: 'pos', event: 'basket-open' });
  if (!behaviours.has('bag_before_open') && rand.next() < 0.35) {
    t += rand.range(1_000, 3_000);
    place(t, rand.range(20, 150), 500);
    behaviours.add('own_bag');
  }
  const n = rand.int(1, 10);
  const dishonest: Dishonesty | null =
    rand.next() < 0.3 ? rand.pick(['swapped', 'unscanned', 'removed'] as const) : null;
  const at =
    dishonest === 'swapped'
      ? rand.int(0, n - 1)
      : dishonest === 'unscanned'
        ? rand.int(1, Math.max(1, n - 1))
        : rand.int(2, Math.max(2, n));
  const leanAt = rand.next() < 0.2 ? rand.int(0, n - 1) : -1;
  let event: Action | null = null;
  let distinguishable = true;
  const bagged: number[] = [];
  for (let i = 0; i < n; i++) {
    t += rand.range(1_000, 4_000);
    if (dishonest === 'unscanned' && i === at) {
      event = place(t, unitWeight(rand.pick(weighed(products)), rand));
      t += rand.range(2_000, 4_000);
    }
    if (dishonest === 'removed' && i === at && bagged.length > 0) {
      const w = bagged.splice(rand.int(0, bagged.length - 1), 1)[0]!;
      event = place(t, -w, 500);
      distinguishable = w >= 10;
      t += rand.range(2_000, 4_000);
    }
    const swapped = dishonest === 'swapped' && i === at;
    const a = swapped ? rand.pick(weighed(products)) : pickProduct(rand, products);
    push({ t, kind: 'scan', code: a.gtin });
    let w: number;
    if (swapped) {
      const b = rand.pick(weighed(products).filter((p) => p !== a));
      w = unitWeight(b, rand);
      const tol = a.toleranceGrams ?? Math.max(10, 0.03 * a.nominal!);
      distinguishable = Math.abs(w - a.nominal!) > tol;
    } else w = unitWeight(a, rand);
    if (!swapped && i < n - 1 && rand.next() < 0.15) {
      const b = pickProduct(rand, products);
      push({ t: t + rand.range(800, 2_000), kind: 'scan', code: b.gtin });
      w += unitWeight(b, rand);
      t += 2_000;
      behaviours.add('multi_scan');
    }
    const slow = rand.next() < 0.12;
    if (slow) behaviours.add('slow_bagging');
    const delay = slow ? rand.range(6_000, 10_000) : rand.range(1_000, 3_500);
    const settle = rand.range(300, 900);
    const put = place(t + delay, w, settle);
    if (swapped) event = put;
    bagged.push(w);
    t += delay + settle;
    if (i === leanAt) {
      const ms = rand.range(500, 3_000);
      const blipMs = rand.next() < 0.3 ? rand.range(200, 800) : 0;
      push({ t: t + 500, kind: 'lean', extra: rand.range(300, 4_000), ms, blipMs });
      t += ms + 1_000;
      behaviours.add('leaning');
    }
  }
  t += rand.range(1_000, 3_000);
  push({ t, kind: 'pos', event: 'payment-start' });
  t += rand.range(2_000, 5_000);
  push({ t, kind: 'pos', event: 'payment-success' });
  t += rand.range(1_000, 3_000);
  place(t, -onScale, 800);
  t += rand.range(1_500, 2_500);
  const close = push({ t, kind: 'pos', event: 'basket-close' });
  // Too few items for the chosen act: the session was honest after all.
  const truth: SessionTruth = {
    lane,
    dishonest: event ? dishonest : null,
    event,
    distinguishable,
    open,
    close,
    behaviours,
  };
  return { actions: actions.sort((x, y) => x.t - y.t), truth, end: t };
}
