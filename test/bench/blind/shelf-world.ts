/**
 * The independent shelf generator's world: shelves, plates, facings and every nuisance parameter, drawn per
 * run from ranges wider than the real rig's (DOMAIN.md figures), from nothing but the seed.
 */
import type { Rng } from './prng.js';

export interface PlateSim {
  key: string; // device#channel
  device: string;
  channel: number;
  sigma: number; // white noise, g
  wanderSigma: number; // slow correlated noise, g
  driftPerMin: number; // g/min
  thermalAmp: number; // g
  thermalPeriodS: number;
  load: number; // true load at the start, g
}

export interface FacingSim {
  id: string;
  sku: string;
  nominal: number; // printed in the planogram
  realMean: number;
  spread: number; // relative σ of one unit
  plates: number[]; // indices into ShelfSim.plates, in shelf order
  capacity: number;
  stock: number;
}

export interface ShelfSim {
  device: string;
  hz: number;
  resolution: number;
  plates: PlateSim[];
  facings: FacingSim[];
}

export interface ShelfParams {
  noiseMedian: number;
  noiseLogSd: number;
  maxDriftPerMin: number;
  vibrationPerMin: number;
  spikeRate: number; // per sample
  biasSd: number; // nominal vs real mean, relative
  spreadMax: number;
  clusterP: number; // a facing's SKU weighs within 2 % of its neighbour's
  acrossP: number; // a unit lies across two plates of its facing
  across3P: number; // a unit lies across three plates
  acrossFacingP: number; // a unit lies across the facing boundary
  multiUnitP: number;
  putP: number;
  misplacedP: number;
  slowPutP: number;
  handRestP: number; // a hand rests on a plate with no item moved
  longHandP: number; // a pick with the hand resting on the plate for seconds
  rapidDoubleP: number;
  doubleP: number;
  simultaneousP: number;
  meanGapS: number;
}

export function drawShelfParams(rng: Rng): ShelfParams {
  return {
    noiseMedian: rng.uniform(0.4, 1.5),
    noiseLogSd: rng.uniform(0.7, 1.4),
    maxDriftPerMin: rng.uniform(0, 4),
    vibrationPerMin: rng.uniform(0, 1.5),
    spikeRate: rng.chance(0.3) ? 0 : rng.logUniform(1e-5, 3e-3),
    biasSd: rng.uniform(0, 0.05),
    spreadMax: rng.uniform(0.01, 0.035),
    clusterP: rng.uniform(0, 0.7),
    acrossP: rng.uniform(0, 0.5),
    across3P: rng.uniform(0, 0.35),
    acrossFacingP: rng.uniform(0, 0.2),
    multiUnitP: rng.uniform(0, 0.25),
    putP: rng.uniform(0.1, 0.4),
    misplacedP: rng.uniform(0, 0.25),
    slowPutP: rng.uniform(0, 0.4),
    handRestP: rng.uniform(0, 0.15),
    longHandP: rng.uniform(0, 0.2),
    rapidDoubleP: rng.uniform(0, 0.12),
    doubleP: rng.uniform(0, 0.15),
    simultaneousP: rng.uniform(0, 0.15),
    meanGapS: rng.uniform(5, 16),
  };
}

const RESOLUTIONS = [0.1, 0.2, 0.5, 1, 2];

function plateSigma(rng: Rng, p: ShelfParams): number {
  return Math.min(25, Math.max(0.15, Math.exp(rng.normal(Math.log(p.noiseMedian), p.noiseLogSd))));
}

function drawFacingSizes(rng: Rng, plates: number): number[] {
  const sizes: number[] = [];
  let left = plates;
  while (left > 0) {
    const size = Math.min(left, rng.pick([1, 1, 2, 2, 3]));
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

export function drawShelves(rng: Rng, p: ShelfParams, shelfIndex: number, skuBase: number): ShelfSim {
  const device = `blind-shelf-${shelfIndex + 1}`;
  const plateCount = rng.int(6, 12);
  const hz = rng.int(10, 80);
  const resolution = rng.pick(RESOLUTIONS);
  const plates: PlateSim[] = [];
  for (let channel = 0; channel < plateCount; channel++) {
    plates.push({
      key: `${device}#${channel}`,
      device,
      channel,
      sigma: plateSigma(rng, p),
      wanderSigma: rng.uniform(0, 0.6),
      driftPerMin: rng.uniform(-p.maxDriftPerMin, p.maxDriftPerMin),
      thermalAmp: rng.uniform(0, 4),
      thermalPeriodS: rng.uniform(200, 1200),
      load: rng.uniform(0, 300), // tray and whatever the tare left
    });
  }
  const facings: FacingSim[] = [];
  let next = 0;
  let previous: number | undefined;
  for (const size of drawFacingSizes(rng, plateCount)) {
    const realMean =
      previous !== undefined && rng.chance(p.clusterP)
        ? previous * (1 + rng.uniform(-0.02, 0.02))
        : rng.logUniform(25, 1600);
    previous = realMean;
    const nominal =
      Math.round(realMean * (1 + Math.max(-0.1, Math.min(0.1, rng.normal(0, p.biasSd)))) * 10) / 10;
    const perPlateMax = Math.max(2, Math.floor(9000 / realMean));
    const capacity = Math.min(40, perPlateMax) * size;
    const stock = Math.max(2, Math.round(capacity * rng.uniform(0.5, 1)));
    const indices = Array.from({ length: size }, (_, i) => next + i);
    for (const i of indices) {
      const plate = plates[i];
      if (plate) plate.load += (stock / size) * realMean;
    }
    const n = skuBase + facings.length + 1;
    facings.push({
      id: `f-${shelfIndex + 1}-${facings.length + 1}`,
      sku: `sku-${n}`,
      nominal,
      realMean,
      spread: rng.uniform(0.005, p.spreadMax),
      plates: indices,
      capacity,
      stock,
    });
    next += size;
  }
  return { device, hz, resolution, plates, facings };
}

/** The planogram a user would write: printed (nominal) weights, facings listing their plates. */
export function planogramOf(shelves: readonly ShelfSim[]): unknown {
  return {
    facings: shelves.flatMap((shelf) =>
      shelf.facings.map((f) => ({
        id: f.id,
        sku: f.sku,
        name: `Blind ${f.sku}`,
        unit_grams: f.nominal,
        capacity: f.capacity,
        plates: f.plates.map((i) => ({ device: shelf.device, channel: shelf.plates[i]?.channel ?? i })),
      })),
    ),
  };
}
