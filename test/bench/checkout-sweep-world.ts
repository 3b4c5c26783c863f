import { gtinCheckDigit } from '../../gateway/src/core/catalog.js';
import type { Prng } from './shelf-prng.js';

/**
 * The second lane trace generator (issue 11 item 6), written apart from checkout-sessions.ts: every parameter of
 * the store, its scales and its shoppers is drawn per run from ranges wider than the engine was written for.
 * Nothing here reads the engine's configuration.
 */

/** One bagging scale as a vendor built it. */
export interface ScaleParams {
  /** Noise σ of one raw sample (g). */
  sigma: number;
  /** Display division (g). */
  resolution: number;
  /** Samples per second the scale reports. */
  hz: number;
  /** Peak amplitude of the slow wander of stable readings (g) and its period. */
  wander: number;
  wanderPeriodMs: number;
  /** Load-cell creep: fraction of a placed load that appears over a few seconds after it settled. */
  creep: number;
  creepTauMs: number;
  /** Share of physically still samples the scale still flags as motion (noise tripping its stable window). */
  flicker: number;
}

export interface ShopperParams {
  ownBag: number;
  secondBag: number;
  bagGrams: [number, number];
  lean: number;
  /** Share of leans during which the scale reports a stable (leaning) weight for a moment. */
  leanStable: number;
  handRest: number;
  handRestMs: [number, number];
  slow: number;
  slowDelayMs: [number, number];
  /** Bagging in stages: the hand still bears part of the weight for a stable moment. */
  staged: number;
  multiScan: number;
  rearrange: number;
  /** Bags taken away before the POS reports payment-success (card still processing). */
  bagsOffEarly: number;
  noBasketClose: number;
  lightItems: number;
  itemsMax: number;
  dishonest: number;
}

export interface SweepProduct {
  gtin: string;
  kind: 'weighed' | 'light' | 'exempt' | 'produce';
  /** What the catalog says (null for produce). */
  nominal: number | null;
  toleranceGrams: number | null;
  trueMean: number;
  trueStd: number;
}

export interface SweepWorld {
  seed: number;
  shopper: ShopperParams;
  scales: ScaleParams[];
  products: SweepProduct[];
}

const logUniform = (rand: Prng, lo: number, hi: number) => Math.exp(rand.range(Math.log(lo), Math.log(hi)));

export function drawScale(rand: Prng): ScaleParams {
  return {
    sigma: logUniform(rand, 0.05, 3),
    resolution: rand.pick([0.1, 0.2, 0.5, 1, 1, 2, 5]),
    hz: rand.range(2, 10),
    wander: rand.next() < 0.3 ? 0 : logUniform(rand, 0.2, 3),
    wanderPeriodMs: rand.range(20_000, 300_000),
    creep: rand.next() < 0.4 ? 0 : logUniform(rand, 0.0002, 0.003),
    creepTauMs: rand.range(500, 5_000),
    flicker: rand.next() < 0.5 ? 0 : rand.range(0, 0.3),
  };
}

function drawShopper(rand: Prng): ShopperParams {
  const lo = rand.range(5, 60);
  return {
    ownBag: rand.range(0.05, 0.6),
    secondBag: rand.range(0, 0.3),
    bagGrams: [lo, lo + rand.range(30, 250)],
    lean: rand.range(0, 0.4),
    leanStable: rand.range(0, 0.6),
    handRest: rand.range(0, 0.2),
    handRestMs: [300, rand.range(1_000, 3_000)],
    slow: rand.range(0, 0.3),
    slowDelayMs: [4_000, rand.range(6_000, 10_000)],
    staged: rand.range(0, 0.3),
    multiScan: rand.range(0, 0.3),
    rearrange: rand.range(0, 0.2),
    bagsOffEarly: rand.range(0, 0.5),
    noBasketClose: rand.range(0, 0.5),
    lightItems: rand.range(0.02, 0.2),
    itemsMax: rand.int(3, 25),
    dishonest: rand.range(0.15, 0.4),
  };
}

function gtin(i: number): string {
  const body = `290${String(i).padStart(9, '0')}`;
  return `${body}${gtinCheckDigit(body)}`;
}

/**
 * Master data as it really is: nominal weights off the true mean by a per-store bias, unit spread per product,
 * near-equal weights side by side (flavours of one brand), light items down to a gram, open-weight produce.
 */
function drawProducts(rand: Prng): SweepProduct[] {
  const bias = rand.range(0, 0.04);
  const spread = rand.range(0.002, 0.03);
  const out: SweepProduct[] = [];
  let i = 1;
  const weighed = rand.int(40, 120);
  while (out.length < weighed) {
    const base = logUniform(rand, 15, 3_000);
    const flavours = rand.next() < 0.3 ? rand.int(2, 4) : 1;
    for (let f = 0; f < flavours; f++) {
      const nominal = Math.round(base * (1 + 0.01 * f * rand.range(-1, 1)));
      const trueMean = nominal * (1 + bias * rand.gauss());
      const explicit = rand.next() < 0.5;
      out.push({
        gtin: gtin(i++),
        kind: 'weighed',
        nominal,
        toleranceGrams: explicit ? Math.max(2, Math.round(rand.range(0.01, 0.05) * nominal)) : null,
        trueMean,
        trueStd: Math.max(0.2, spread * rand.range(0.3, 1.5) * trueMean),
      });
    }
  }
  for (let k = 0; k < rand.int(4, 12); k++) {
    const w = rand.range(1, 14);
    out.push({
      gtin: gtin(i++),
      kind: 'light',
      nominal: Math.max(1, Math.round(w)),
      toleranceGrams: null,
      trueMean: w,
      trueStd: 0.1 + 0.05 * w,
    });
  }
  for (let k = 0; k < rand.int(0, 6); k++) {
    const w = rand.range(5, 60);
    out.push({
      gtin: gtin(i++),
      kind: 'exempt',
      nominal: Math.round(w),
      toleranceGrams: null,
      trueMean: w,
      trueStd: 1,
    });
  }
  for (let k = 0; k < rand.int(2, 8); k++)
    out.push({
      gtin: gtin(i++),
      kind: 'produce',
      nominal: null,
      toleranceGrams: null,
      trueMean: 0,
      trueStd: 0,
    });
  return out;
}

export function drawWorld(seed: number, rand: Prng, lanes: number): SweepWorld {
  const shopper = drawShopper(rand);
  const products = drawProducts(rand);
  const scales = Array.from({ length: lanes }, () => drawScale(rand));
  return { seed, shopper, scales, products };
}

export function sweepUnit(p: SweepProduct, rand: Prng): number {
  if (p.kind === 'produce') return logUniform(rand, 80, 2_500);
  return Math.max(0.3, p.trueMean + p.trueStd * rand.gauss());
}

export function sweepCatalogJson(products: readonly SweepProduct[]) {
  return {
    version: 1,
    items: products.map((p) => ({
      gtin: p.gtin,
      sku: `sw-${p.gtin.slice(-6)}`,
      ...(p.nominal !== null ? { grams: p.nominal } : {}),
      ...(p.toleranceGrams !== null ? { tolerance_grams: p.toleranceGrams } : {}),
      ...(p.kind === 'exempt' ? { weight_exempt: true } : {}),
      ...(p.kind === 'produce' ? { sold_by_weight: true } : {}),
    })),
  };
}
