import { type FacingSpec, facingSignature, type StoredWeight } from '../../core/facings.js';
import type { PlateSpec } from '../../core/planogram.js';
import type { PlateDetector } from './plate-detector.js';
import { StockLevel, type StockTransition } from './stock.js';
import { UnitWeight } from './unit-weight.js';

/** What a facing needs of its plates (PlateState, without the import cycle). */
export interface FacingPlate {
  readonly key: string;
  readonly spec: PlateSpec;
  readonly detector: PlateDetector | null;
  readonly level: number;
  netGrams(level: number): number;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

export type { StoredWeight };

/** One facing at run time: its plates, its stock (counted with the learned unit weight) and what it learned. */
export class FacingState {
  readonly stock: StockLevel;
  readonly weight: UnitWeight;
  readonly signature: string;
  updatedAt: number | null = null;

  constructor(
    readonly spec: FacingSpec,
    readonly plates: readonly FacingPlate[],
    learned?: StoredWeight,
  ) {
    this.signature = facingSignature(spec);
    this.stock = new StockLevel({
      capacity: spec.capacity,
      lowStock: spec.lowStock,
      unitGrams: spec.unitGrams,
    });
    // A weight learned on another SKU, nominal or set of plates says nothing about this facing.
    const valid = learned && learned.signature === this.signature ? learned : undefined;
    this.weight = new UnitWeight(spec.unitGrams, spec.toleranceGrams, valid);
    if (valid) this.updatedAt = valid.updatedAt;
  }

  /** Every plate has a settled level: net grams of the facing, drift and adjustments removed. */
  netGrams(): number | null {
    let sum = 0;
    for (const p of this.plates) {
      const d = p.detector;
      if (!d || Number.isNaN(d.baseline)) return null;
      sum += p.netGrams(Number.isNaN(p.level) ? d.baseline : p.level);
    }
    return sum;
  }

  /** Re-count the stock from the settled levels; an alarm transition if one happened. */
  recount(t: number): StockTransition | null {
    const net = this.netGrams();
    if (net === null) return null;
    const units = Math.round(net / this.weight.mean);
    return this.stock.set(Math.min(this.spec.capacity, Math.max(0, units)), t);
  }

  learn(absDelta: number, qty: number, sigmaDelta: number, t: number): void {
    this.weight.observe(absDelta, qty, sigmaDelta);
    this.updatedAt = t;
  }

  stored(): StoredWeight {
    return {
      facing: this.spec.id,
      signature: this.signature,
      updatedAt: this.updatedAt ?? 0,
      ...this.weight.learned(),
    };
  }

  snapshot() {
    return {
      id: this.spec.id,
      sku: this.spec.sku,
      ...(this.spec.name ? { name: this.spec.name } : {}),
      plates: this.plates.map((p) => ({ device: p.spec.device, channel: p.spec.channel })),
      unit_grams: this.spec.unitGrams,
      learned_unit_grams: round1(this.weight.mean),
      learned_spread_grams: Math.round(this.weight.spread * 100) / 100,
      learned_from: this.weight.n,
      learned_at: this.updatedAt,
      capacity: this.spec.capacity,
      low_stock: this.spec.lowStock,
      stock: this.stock.count,
      stock_alarm: this.stock.alarm,
      stock_alarm_since: this.stock.alarmSince,
      stock_updated_at: this.stock.updatedAt,
    };
  }
}
