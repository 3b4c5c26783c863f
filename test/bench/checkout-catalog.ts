import { gtinCheckDigit } from '../../gateway/src/core/catalog.js';
import type { Prng } from './shelf-prng.js';

/** A product as the bench knows it: the catalog's nominal view and the physical truth. */
export interface BenchProduct {
  gtin: string;
  kind: 'weighed' | 'light' | 'exempt' | 'produce';
  nominal: number | null;
  toleranceGrams: number | null;
  /** True mean weight of a unit (the catalog's nominal is off by ~1 %, as real master data is). */
  trueMean: number;
  trueStd: number;
}

function gtin(i: number): string {
  const body = `200${String(i).padStart(9, '0')}`;
  return `${body}${gtinCheckDigit(body)}`;
}

/** 80 weighed products (30 g–2.5 kg), 6 too light to weigh, 4 flagged weight-exempt, 5 sold by weight. */
export function generateCatalog(rand: Prng): BenchProduct[] {
  const products: BenchProduct[] = [];
  let i = 1;
  for (let k = 0; k < 80; k++) {
    const nominal = Math.round(Math.exp(rand.range(Math.log(30), Math.log(2500))));
    const trueMean = nominal * (1 + 0.01 * rand.gauss());
    const explicit = rand.next() < 0.5;
    products.push({
      gtin: gtin(i++),
      kind: 'weighed',
      nominal,
      toleranceGrams: explicit ? Math.max(5, Math.round(0.025 * nominal)) : null,
      trueMean,
      trueStd: Math.max(0.6, 0.008 * trueMean),
    });
  }
  for (let k = 0; k < 6; k++) {
    const w = rand.range(2, 7);
    products.push({
      gtin: gtin(i++),
      kind: 'light',
      nominal: Math.round(w),
      toleranceGrams: null,
      trueMean: w,
      trueStd: 0.3,
    });
  }
  for (let k = 0; k < 4; k++) {
    const w = rand.range(10, 40);
    products.push({
      gtin: gtin(i++),
      kind: 'exempt',
      nominal: Math.round(w),
      toleranceGrams: null,
      trueMean: w,
      trueStd: 1,
    });
  }
  for (let k = 0; k < 5; k++) {
    products.push({
      gtin: gtin(i++),
      kind: 'produce',
      nominal: null,
      toleranceGrams: null,
      trueMean: 700,
      trueStd: 350,
    });
  }
  return products;
}

/** One physical unit's weight. */
export function unitWeight(p: BenchProduct, rand: Prng): number {
  if (p.kind === 'produce') return rand.range(150, 1500);
  return Math.max(0.5, p.trueMean + p.trueStd * rand.gauss());
}

export function catalogJson(products: readonly BenchProduct[]) {
  return {
    version: 1,
    items: products.map((p) => ({
      gtin: p.gtin,
      sku: `sku-${p.gtin.slice(-5)}`,
      ...(p.nominal !== null ? { grams: p.nominal } : {}),
      ...(p.toleranceGrams !== null ? { tolerance_grams: p.toleranceGrams } : {}),
      ...(p.kind === 'exempt' ? { weight_exempt: true } : {}),
      ...(p.kind === 'produce' ? { sold_by_weight: true } : {}),
    })),
  };
}
