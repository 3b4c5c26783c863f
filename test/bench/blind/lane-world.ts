/** The independent lane generator's world: a catalog and per-lane scale behaviour, drawn from the seed. */
import type { Rng } from './prng.js';

export interface ItemSim {
  gtin: string;
  sku: string;
  nominal?: number; // catalog grams (absent for produce)
  realMean: number;
  spread: number; // relative σ of one unit
  produce: boolean;
}

export interface ScaleSim {
  lane: string;
  sigma: number; // σ of a reported reading, g
  resolution: number;
  hz: number;
  creep: number; // fraction of a load step that creeps in
  creepTauS: number;
  zeroWalk: number; // stationary σ of the wandering zero, g
  flicker: number; // chance a still reading is reported unstable
}

export interface LaneParams {
  biasSd: number;
  dishonestP: number;
  ownBagP: number;
  heavyBagP: number;
  slowBagP: number;
  stagedP: number;
  multiScanP: number;
  produceP: number;
  lightP: number;
  leanP: number;
  handRestP: number;
  liftBeforeCloseP: number;
  meanItems: number;
}

export function drawLaneParams(rng: Rng): LaneParams {
  return {
    biasSd: rng.uniform(0, 0.04),
    dishonestP: rng.uniform(0.15, 0.35),
    ownBagP: rng.uniform(0.1, 0.7),
    heavyBagP: rng.uniform(0, 0.15),
    slowBagP: rng.uniform(0, 0.3),
    stagedP: rng.uniform(0, 0.3),
    multiScanP: rng.uniform(0, 0.2),
    produceP: rng.uniform(0, 0.15),
    lightP: rng.uniform(0, 0.15),
    leanP: rng.uniform(0, 0.35),
    handRestP: rng.uniform(0, 0.35),
    liftBeforeCloseP: rng.uniform(0.2, 0.95),
    meanItems: rng.uniform(3, 12),
  };
}

export function drawScale(rng: Rng, lane: string): ScaleSim {
  return {
    lane,
    sigma: Math.min(6, Math.exp(rng.normal(Math.log(0.7), 0.7))),
    resolution: rng.pick([0.5, 1, 1, 2, 2, 5]),
    hz: rng.int(2, 10),
    creep: rng.uniform(0, 0.004),
    creepTauS: rng.uniform(5, 60),
    zeroWalk: rng.uniform(0, 2),
    flicker: rng.uniform(0, 0.05),
  };
}

function ean13(body12: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(body12[i]) * (i % 2 === 0 ? 1 : 3);
  return body12 + String((10 - (sum % 10)) % 10);
}

export function drawCatalog(rng: Rng, p: LaneParams, count: number): ItemSim[] {
  const items: ItemSim[] = [];
  for (let i = 0; i < count; i++) {
    const produce = i < Math.max(2, Math.round(count * 0.06));
    const light = !produce && i < Math.round(count * 0.16);
    const realMean = produce ? 0 : light ? rng.uniform(3, 12) : rng.logUniform(12, 2500);
    const bias = Math.max(-0.08, Math.min(0.08, rng.normal(0, p.biasSd)));
    const item: ItemSim = {
      gtin: ean13(`40${String(1_000_000_000 + i * 7919 + rng.int(0, 7000)).slice(-10)}`),
      sku: produce ? `produce-${i}` : `item-${i}`,
      realMean,
      spread: rng.uniform(0.003, 0.03),
      produce,
    };
    if (!produce) item.nominal = Math.max(1, Math.round(realMean * (1 + bias)));
    items.push(item);
  }
  return items;
}

export function catalogOf(items: readonly ItemSim[]): unknown {
  return {
    version: 1,
    items: items.map((i) =>
      i.produce
        ? { gtin: i.gtin, sku: i.sku, sold_by_weight: true }
        : { gtin: i.gtin, sku: i.sku, name: `Blind ${i.sku}`, grams: i.nominal },
    ),
  };
}
