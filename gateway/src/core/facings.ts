import {
  type FacingInput,
  type PlanogramInput,
  type PlateInput,
  type PlateSpec,
  plateKey,
  specToWire,
} from './planogram.js';

/** One SKU over one or more adjacent plates (keys in shelf order): the unit of stock and of learning. */
export interface FacingSpec {
  id: string;
  sku: string;
  name?: string;
  unitGrams: number;
  toleranceGrams: number;
  capacity: number;
  lowStock: number;
  plates: string[];
  fixture?: string;
  shelf?: string;
}

/** Group flattened plates back into their facings, in planogram order. */
export function facingsOf(plates: readonly PlateSpec[]): FacingSpec[] {
  const byId = new Map<string, { spec: PlateSpec; plates: PlateSpec[] }>();
  for (const p of plates) {
    const entry = byId.get(p.facing) ?? { spec: p, plates: [] };
    entry.plates.push(p);
    byId.set(p.facing, entry);
  }
  return [...byId.entries()].map(([id, { spec, plates: members }]) => ({
    id,
    sku: spec.sku,
    ...(spec.name ? { name: spec.name } : {}),
    unitGrams: spec.unitGrams,
    toleranceGrams: spec.toleranceGrams,
    capacity: spec.capacity,
    lowStock: spec.lowStock,
    plates: [...members]
      .sort((a, b) => a.facingIndex - b.facingIndex)
      .map((m) => plateKey(m.device, m.channel)),
    ...(spec.fixture ? { fixture: spec.fixture } : {}),
    ...(spec.shelf ? { shelf: spec.shelf } : {}),
  }));
}

/** A facing's learned unit weight as persisted, bound to the facing signature it was learned on. */
export interface StoredWeight {
  facing: string;
  signature: string;
  mean: number;
  spread: number;
  n: number;
  updatedAt: number;
}

/**
 * What identifies a facing for learning: a change of its SKU, nominal weight or plates makes what was learned
 * about it meaningless, so learned weights are kept only while this string is unchanged.
 */
export function facingSignature(f: FacingSpec): string {
  return `${f.sku}|${f.unitGrams}|${f.plates.join(',')}`;
}

/** Wire form that round-trips: one-plate facings as flat plates (the old form), the others as `facings`. */
export function planogramToWire(plates: readonly PlateSpec[]): PlanogramInput & { plates: PlateInput[] } {
  const flat: PlateInput[] = [];
  const facings: FacingInput[] = [];
  const byKey = new Map(plates.map((p) => [plateKey(p.device, p.channel), p]));
  for (const f of facingsOf(plates)) {
    const first = byKey.get(f.plates[0]!)!;
    if (f.plates.length === 1 && f.id === f.plates[0]) {
      flat.push(specToWire(first));
      continue;
    }
    const wire = specToWire(first);
    facings.push({
      id: f.id,
      sku: f.sku,
      ...(f.name ? { name: f.name } : {}),
      unit_grams: f.unitGrams,
      tolerance_grams: f.toleranceGrams,
      capacity: f.capacity,
      low_stock: wire.low_stock,
      plates: f.plates.map((k) => {
        const p = byKey.get(k)!;
        return { device: p.device, channel: p.channel };
      }),
    });
  }
  return facings.length > 0 ? { plates: flat, facings } : { plates: flat };
}
