import type { FacingInput, PlanogramInput } from '../../gateway/src/core/planogram.js';
import { Prng } from './shelf-prng.js';
import { plateSigma, type SweepParams } from './shelf-sweep-params.js';
import { renderPlates } from './shelf-sweep-render.js';
import type { TraceBatch } from './shelf-trace.js';

/**
 * Randomised shelf traces for the sweep: facings over 1–3 plates, items lying across plate (and facing)
 * boundaries, nominal weights a few % off the real mean, near-equal neighbouring SKUs, heavy-tailed plate
 * noise, drift, vibration, spikes, quantisation, and shoppers who pick, put, double-pick, lean, rest a hand,
 * return items to the wrong facing and reach with two hands at once. Ground truth carries class tags.
 */
export interface SweepTruth {
  type: 'shelf.pick' | 'shelf.put' | 'shelf.misplaced';
  t: number;
  device: string;
  /** Plates the moved items touched (any of them is an acceptable place to report the event). */
  channels: number[];
  sku: string;
  qty: number;
  tags: string[];
}

/** An interaction window (also leans, which have no truth): false alarms are charged to its tags. */
export interface SweepWindow {
  device: string;
  t0: number;
  t1: number;
  tags: string[];
}

export interface SweepTrace {
  planogram: PlanogramInput;
  batches: TraceBatch[];
  truth: SweepTruth[];
  windows: SweepWindow[];
  samples: number;
  params: SweepParams;
}

interface Item {
  sku: string;
  facing: Facing;
  weight: number;
  shares: [Plate, number][];
}
interface Facing {
  sku: string;
  nominal: number;
  real: number;
  plates: Plate[];
  items: Item[];
  nearEqual: boolean;
  capacity: number;
}
export interface Plate {
  device: string;
  channel: number;
  facing: Facing | null;
  sigma: number;
  signal: Float64Array;
}

const START = 1_767_225_600_000;

export function generateSweep(p: SweepParams): SweepTrace {
  const rng = new Prng(p.seed);
  const hz = 60;
  const n = Math.round(p.minutes * 60 * hz);
  const shelves: { plates: Plate[]; facings: Facing[] }[] = [];
  for (let s = 0; s < p.shelves; s++) shelves.push(buildShelf(rng, p, s, n));
  const truth: SweepTruth[] = [];
  const windows: SweepWindow[] = [];
  const g = new Gen(rng, p, hz, n, truth, windows);
  for (const shelf of shelves) {
    for (const f of shelf.facings) {
      const count = rng.int(Math.ceil(f.capacity / 3), f.capacity);
      for (let k = 0; k < count; k++) g.place(g.newItem(f), shelf, 0, 1, false);
    }
    g.run(shelf);
  }
  const plates = shelves.flatMap((s) => s.plates);
  const batches = renderPlates(plates, p, rng, hz, START);
  truth.sort((a, b) => a.t - b.t);
  const facings: FacingInput[] = shelves.flatMap((s) =>
    s.facings.map((f) => ({
      sku: f.sku,
      unit_grams: f.nominal,
      capacity: f.capacity,
      plates: f.plates.map((pl) => ({ device: pl.device, channel: pl.channel })),
    })),
  );
  return { planogram: { facings }, batches, truth, windows, samples: n * plates.length, params: p };
}

function buildShelf(rng: Prng, p: SweepParams, s: number, n: number): { plates: Plate[]; facings: Facing[] } {
  const device = `sweep-${s + 1}`;
  const plates: Plate[] = [];
  for (let c = 0; c < p.platesPerShelf; c++) {
    plates.push({ device, channel: c, facing: null, sigma: plateSigma(rng, p), signal: new Float64Array(n) });
  }
  const facings: Facing[] = [];
  for (let c = 0; c < plates.length; ) {
    const r = rng.next();
    const width = Math.min(
      plates.length - c,
      r < p.facingWidth[0] ? 1 : r < p.facingWidth[0] + p.facingWidth[1] ? 2 : 3,
    );
    const prev = facings.at(-1);
    const near = prev !== undefined && rng.next() < p.nearEqual;
    const nominal = near
      ? Math.round(prev.nominal * (1 + rng.range(-0.02, 0.02)) * 10) / 10
      : Math.round(Math.exp(rng.range(Math.log(40), Math.log(1200))) * 10) / 10;
    const f: Facing = {
      sku: `s${s + 1}-f${facings.length + 1}-${Math.round(nominal)}`,
      nominal,
      real: nominal * (1 + rng.range(-p.bias, p.bias)),
      plates: plates.slice(c, c + width),
      items: [],
      nearEqual: near,
      capacity: Math.max(4, Math.min(30, Math.floor(5000 / nominal))) * width,
    };
    if (near) prev.nearEqual = true;
    for (const pl of f.plates) pl.facing = f;
    facings.push(f);
    c += width;
  }
  return { plates, facings };
}

/** Smooth step of `grams` starting at sample i over `ramp` samples, with hand sway during the ramp. */
export function addStep(pl: Plate, i: number, grams: number, ramp: number, sway: number, hz: number): void {
  const freq = 4;
  for (let j = Math.max(0, i); j < pl.signal.length; j++) {
    const k = j - i;
    const f = k >= ramp ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * k) / ramp);
    const wobble =
      k < ramp ? sway * Math.sin((2 * Math.PI * freq * k) / hz) * Math.sin((Math.PI * k) / ramp) : 0;
    pl.signal[j] = pl.signal[j]! + f * grams + wobble;
  }
}

/** A transient force (hand, elbow) on a plate: up over `edge`, held `hold` samples with sway, back down. */
export function addForce(
  pl: Plate,
  i: number,
  force: number,
  hold: number,
  edge: number,
  sway: number,
  hz: number,
) {
  const total = hold + 2 * edge;
  for (let k = 0; k < total && i + k < pl.signal.length; k++) {
    if (i + k < 0) continue;
    const env = k < edge ? k / edge : k > hold + edge ? (total - k) / edge : 1;
    pl.signal[i + k] = pl.signal[i + k]! + env * (force + sway * Math.sin((2 * Math.PI * 1.7 * k) / hz));
  }
}

class Gen {
  constructor(
    readonly rng: Prng,
    readonly p: SweepParams,
    readonly hz: number,
    readonly n: number,
    readonly truth: SweepTruth[],
    readonly windows: SweepWindow[],
  ) {}

  newItem(f: Facing): Item {
    return { sku: f.sku, facing: f, weight: f.real * (1 + this.rng.gauss() * this.p.unitSpread), shares: [] };
  }

  ramp(slow = false): number {
    const [lo, hi] = this.p.rampS;
    return Math.max(2, Math.round((slow ? this.rng.range(1, 2) : this.rng.range(lo, hi)) * this.hz));
  }

  /** Where an item comes to rest: one plate, across two of its facing, three, or into the next facing. */
  place(item: Item, shelf: { plates: Plate[] }, i: number, ramp: number, onPlate: Plate | false): void {
    const r = this.rng;
    const fp = item.facing.plates;
    let shares: [Plate, number][];
    if (onPlate) shares = [[onPlate, 1]];
    else if (fp.length >= 3 && r.next() < this.p.across * 0.4) {
      const a = r.range(0.15, 0.4);
      const b = r.range(0.2, 0.5);
      const k = r.int(0, fp.length - 3);
      shares = [
        [fp[k]!, a],
        [fp[k + 1]!, b],
        [fp[k + 2]!, 1 - a - b],
      ];
    } else if (fp.length >= 2 && r.next() < this.p.across) {
      const k = r.int(0, fp.length - 2);
      const a = r.range(0.2, 0.8);
      shares = [
        [fp[k]!, a],
        [fp[k + 1]!, 1 - a],
      ];
    } else if (r.next() < this.p.acrossFacing) {
      const edge = r.next() < 0.5 ? fp[0]! : fp.at(-1)!;
      const idx = shelf.plates.indexOf(edge);
      const other = shelf.plates[idx + (edge === fp[0] ? -1 : 1)];
      const a = r.range(0.55, 0.85);
      shares = other
        ? [
            [edge, a],
            [other, 1 - a],
          ]
        : [[edge, 1]];
    } else shares = [[r.pick(fp), 1]];
    item.shares = shares;
    if (!onPlate) item.facing.items.push(item);
    for (const [pl, frac] of shares)
      addStep(pl, i, item.weight * frac, ramp, 0.03 * item.weight * frac, this.hz);
  }

  remove(item: Item, i: number, ramp: number): void {
    const list = item.facing.items;
    const at = list.indexOf(item);
    if (at >= 0) list.splice(at, 1);
    for (const [pl, frac] of item.shares)
      addStep(pl, i, -item.weight * frac, ramp, 0.04 * item.weight * frac, this.hz);
  }

  record(type: SweepTruth['type'], i: number, ramp: number, items: Item[], sku: string, tags: string[]) {
    const plates = [...new Set(items.flatMap((it) => it.shares.map(([pl]) => pl)))];
    const spans = new Set(items.map((it) => it.shares.length));
    const extra: string[] = [];
    if (spans.has(2)) extra.push('across-2');
    if (spans.has(3)) extra.push('across-3');
    if (items.some((it) => it.shares.some(([pl]) => pl.facing !== it.facing))) extra.push('across-facing');
    if (items.some((it) => it.facing.nearEqual)) extra.push('near-equal');
    this.truth.push({
      type,
      t: START + ((i + ramp / 2) * 1000) / this.hz,
      device: plates[0]!.device,
      channels: plates.map((pl) => pl.channel),
      sku,
      qty: items.length,
      tags: [...tags, ...extra],
    });
  }

  window(device: string, i0: number, i1: number, tags: string[]) {
    this.windows.push({ device, t0: START + (i0 * 1000) / this.hz, t1: START + (i1 * 1000) / this.hz, tags });
  }

  run(shelf: { plates: Plate[]; facings: Facing[] }): void {
    const { rng, p, hz } = this;
    const device = shelf.plates[0]!.device;
    for (let s = 10 + rng.range(0, 5); s < p.minutes * 60 - 30; s += 3 + rng.range(0.2, 1.8) * p.gapS) {
      const i = Math.round(s * hz);
      const r = rng.next();
      const f = rng.pick(shelf.facings);
      if (r < p.lean) {
        const k = rng.int(0, shelf.plates.length - 2);
        const force = rng.range(150, 2500);
        const hold = Math.round(rng.range(1, 4) * hz);
        for (const pl of shelf.plates.slice(k, k + rng.int(1, 2))) {
          addForce(
            pl,
            i,
            force * rng.range(0.3, 1),
            hold,
            Math.round(0.2 * hz),
            rng.range(0.02, 0.05) * force,
            hz,
          );
        }
        this.window(device, i, i + hold + Math.round(0.4 * hz), ['lean']);
        continue;
      }
      const full = f.items.length >= f.capacity - 1;
      const put = f.items.length <= 1 || (!full && rng.next() < 0.4);
      if (put) {
        const slow = rng.next() < p.slowPut;
        const ramp = this.ramp(slow);
        const item = this.newItem(f);
        this.place(item, shelf, i, ramp, false);
        this.record('shelf.put', i, ramp, [item], f.sku, [slow ? 'slow-put' : 'put']);
        this.window(device, i, i + ramp, ['put']);
        continue;
      }
      if (rng.next() < p.doublePick && f.items.length >= 3) {
        for (const k of [0, 1]) {
          const at = i + k * Math.round(rng.range(0.3, 0.6) * hz);
          const ramp = Math.round(rng.range(0.08, 0.15) * hz);
          const item = rng.pick(f.items);
          this.remove(item, at, ramp);
          this.record('shelf.pick', at, ramp, [item], f.sku, ['rapid']);
        }
        this.window(device, i, i + Math.round(1.2 * hz), ['rapid']);
        continue;
      }
      if (rng.next() < p.misplaced) {
        this.misplacedReturn(shelf, f, i);
        continue;
      }
      const qty = rng.next() < p.multiQty ? Math.min(rng.int(2, 3), f.items.length) : 1;
      const items: Item[] = [];
      while (items.length < qty) {
        const it = rng.pick(f.items);
        if (!items.includes(it)) items.push(it);
      }
      const ramp = this.ramp();
      const tags = [qty > 1 ? 'multi' : 'pick'];
      if (rng.next() < p.handRest) {
        tags.push('hand-rest');
        this.rest(items[0]!.shares[0]![0], i, f);
      }
      for (const it of items) this.remove(it, i, ramp);
      this.record('shelf.pick', i, ramp, items, f.sku, tags);
      if (rng.next() < p.simultaneous) {
        const next = shelf.facings[shelf.facings.indexOf(f) + 1];
        if (next && next.items.length > 1) {
          const it = rng.pick(next.items);
          const at = i + rng.int(0, 6);
          this.remove(it, at, ramp);
          this.record('shelf.pick', at, ramp, [it], next.sku, ['simultaneous']);
          tags.push('simultaneous');
        }
      }
      this.window(device, i - Math.round(2 * hz), i + ramp, tags);
    }
  }

  /** A hand resting before the pick: swaying (never stable) or steady (settles, then lifts with the item). */
  private rest(pl: Plate, i: number, f: Facing): void {
    const { rng, hz } = this;
    const steady = rng.next() < 0.5;
    const hold = Math.round(rng.range(steady ? 1 : 0.1, steady ? 1.8 : 0.6) * hz);
    const force = rng.range(0.1, 0.8) * Math.min(f.real, 600) + rng.range(20, 200);
    addForce(pl, i - hold - 6, force, hold, 6, steady ? 0 : 0.1 * force, hz);
  }

  private misplacedReturn(shelf: { plates: Plate[]; facings: Facing[] }, f: Facing, i: number): void {
    const { rng, hz } = this;
    const others = shelf.facings.filter((o) => o !== f && Math.abs(o.real - f.real) > 0.1 * f.real);
    if (others.length === 0 || f.items.length < 2) return;
    const item = rng.pick(f.items);
    const r1 = this.ramp();
    this.remove(item, i, r1);
    this.record('shelf.pick', i, r1, [item], f.sku, ['pick']);
    const g = rng.pick(others);
    const plate = rng.pick(g.plates);
    const i2 = i + Math.round(rng.range(3, 8) * hz);
    const r2 = this.ramp();
    this.place(item, shelf, i2, r2, plate);
    this.record('shelf.misplaced', i2, r2, [item], f.sku, ['misplaced']);
    const i3 = i2 + Math.round(rng.range(6, 15) * hz);
    const r3 = this.ramp();
    for (const [pl, frac] of item.shares) addStep(pl, i3, -item.weight * frac, r3, 0.04 * item.weight, hz);
    this.record('shelf.pick', i3, r3, [item], f.sku, ['misplaced-pick']);
    this.window(shelf.plates[0]!.device, i, i3 + r3, ['misplaced']);
  }
}
