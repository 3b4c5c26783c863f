/**
 * What shoppers do at the independent generator's shelves: picks, puts, misplaced returns, hands resting,
 * double picks. Produces the ground truth and the weight contributions each plate will feel.
 */
import type { Rng } from './prng.js';
import type { FacingSim, ShelfParams, ShelfSim } from './shelf-world.js';

/** One contribution to one plate's load: a hand and/or an item arriving or leaving. Times in s. */
export interface Contribution {
  plate: number;
  t0: number;
  t1: number;
  delta: number; // final change of load, g
  tItem: number; // when the item starts to leave/arrive
  rampS: number; // how long its weight takes to move
  hand: number; // peak hand force, g
  wobbleHz: number;
  oscAmp: number;
  oscHz: number;
}

export interface ShelfTruth {
  t0: number; // ms
  t1: number;
  kind: 'pick' | 'put';
  sku: string;
  qty: number;
  facing: string;
  device: string;
  plates: string[]; // plates whose load changed, device#channel
  classes: string[];
  group?: number; // a rapid double pick: may be reported as one event of the summed quantity
}

export interface Disturbance {
  t0: number; // ms
  t1: number;
  device: string;
  kind: 'hand resting (no item)' | 'vibration';
}

interface Unit {
  sku: string;
  weight: number;
  home: FacingSim;
}

interface Placed extends Unit {
  facing: FacingSim;
  shares: Map<number, number>;
}

export interface ShelfScript {
  contributions: Contribution[];
  truths: ShelfTruth[];
  disturbances: Disturbance[];
  vibrations: { t0: number; t1: number; amp: number; hz: number }[];
}

export class ShopperScript {
  private readonly out: ShelfScript = { contributions: [], truths: [], disturbances: [], vibrations: [] };
  private readonly held: Unit[] = [];
  private readonly misplaced: Placed[] = [];
  private readonly busyUntil: number[];
  private group = 0;

  constructor(
    private readonly rng: Rng,
    private readonly p: ShelfParams,
    private readonly shelf: ShelfSim,
    private readonly startMs: number,
  ) {
    this.busyUntil = shelf.plates.map(() => 0);
  }

  run(durationS: number): ShelfScript {
    const { rng, p } = this;
    this.drawVibrations(durationS);
    let t = 10;
    while (true) {
      t += Math.max(2.5, -Math.log(Math.max(rng.next(), 1e-9)) * p.meanGapS);
      if (t > durationS - 16) break;
      t = this.act(t);
    }
    return this.out;
  }

  private drawVibrations(durationS: number): void {
    const count = Math.round((durationS / 60) * this.p.vibrationPerMin);
    for (let i = 0; i < count; i++) {
      const t0 = this.rng.uniform(5, durationS - 5);
      const t1 = t0 + this.rng.uniform(0.3, 2.5);
      this.out.vibrations.push({ t0, t1, amp: this.rng.logUniform(2, 40), hz: this.rng.uniform(6, 25) });
      this.out.disturbances.push({ ...this.ms(t0, t1), device: this.shelf.device, kind: 'vibration' });
    }
  }

  private ms(t0: number, t1: number): { t0: number; t1: number } {
    return { t0: Math.round(this.startMs + t0 * 1000), t1: Math.round(this.startMs + t1 * 1000) };
  }

  /** One visit; returns when the shelf is free again. */
  private act(t: number): number {
    const { rng, p } = this;
    if (rng.chance(p.handRestP)) return this.handRest(t);
    if (this.misplaced.length > 0 && rng.chance(0.3)) return this.pickMisplaced(t);
    if (this.held.length > 0 && rng.chance(p.putP)) return this.put(t);
    const end = this.pick(t, []);
    if (rng.chance(p.rapidDoubleP)) return this.pickAgain(end + rng.uniform(0.2, 0.9), true);
    if (rng.chance(p.doubleP)) return this.pickAgain(end + rng.uniform(1.5, 4), false);
    return end;
  }

  private pickAgain(t: number, rapid: boolean): number {
    const last = this.out.truths[this.out.truths.length - 1];
    const facing = this.shelf.facings.find((f) => f.id === last?.facing);
    if (!last || !facing || facing.stock < 1) return t;
    if (rapid) {
      last.group = last.group ?? ++this.group;
      last.classes.push('rapid double pick');
    }
    return this.pick(
      t,
      [rapid ? 'rapid double pick' : 'double pick'],
      facing,
      rapid ? last.group : undefined,
    );
  }

  private handRest(t: number): number {
    const plate = this.rng.int(0, this.shelf.plates.length - 1);
    const t1 = t + this.rng.uniform(1, 6);
    this.push({ plate, t0: t, t1, delta: 0, hand: this.rng.logUniform(50, 1500) }, t);
    this.out.disturbances.push({
      ...this.ms(t, t1),
      device: this.shelf.device,
      kind: 'hand resting (no item)',
    });
    return t1;
  }

  private push(
    c: Pick<Contribution, 'plate' | 't0' | 't1' | 'delta' | 'hand'> & Partial<Contribution>,
    tItem: number,
  ) {
    const rng = this.rng;
    this.out.contributions.push({
      tItem,
      rampS: rng.uniform(0.08, 0.35),
      wobbleHz: rng.uniform(2, 8),
      oscAmp: rng.logUniform(1, 25),
      oscHz: rng.uniform(4, 12),
      ...c,
    });
    this.busyUntil[c.plate] = Math.max(this.busyUntil[c.plate] ?? 0, c.t1 + 1.5);
  }

  private free(f: FacingSim, t: number): boolean {
    return f.plates.every((i) => (this.busyUntil[i] ?? 0) < t);
  }

  /** Where on the shelf a unit of facing f lies: plate index → share of its weight. */
  private position(f: FacingSim, classes: Set<string>): Map<number, number> {
    const { rng, p } = this;
    const n = f.plates.length;
    const first = f.plates[0] ?? 0;
    const shares = new Map<number, number>();
    if (n >= 3 && rng.chance(p.across3P)) {
      const w = [rng.uniform(0.15, 1), rng.uniform(0.15, 1), rng.uniform(0.15, 1)];
      const sum = w.reduce((a, b) => a + b, 0);
      const start = first + rng.int(0, n - 3);
      for (const [i, x] of w.entries()) shares.set(start + i, x / sum);
      classes.add('across 3 plates');
    } else if (n >= 2 && rng.chance(p.acrossP)) {
      const a = first + rng.int(0, n - 2);
      const share = rng.uniform(0.15, 0.85);
      shares.set(a, share);
      shares.set(a + 1, 1 - share);
      classes.add('across 2 plates');
    } else if (rng.chance(p.acrossFacingP)) {
      const left = rng.chance(0.5);
      const own = left ? first : first + n - 1;
      const other = left ? own - 1 : own + 1;
      if (other < 0 || other >= this.shelf.plates.length) {
        shares.set(own, 1);
      } else {
        const share = rng.uniform(0.35, 0.9);
        shares.set(own, share);
        shares.set(other, 1 - share);
        classes.add('across facings');
      }
    } else {
      shares.set(first + rng.int(0, n - 1), 1);
    }
    return shares;
  }

  private unitWeight(f: FacingSim): number {
    return f.realMean * (1 + this.rng.normal(0, f.spread));
  }

  private nearEqual(f: FacingSim): boolean {
    const i = this.shelf.facings.indexOf(f);
    return [i - 1, i + 1].some((j) => {
      const g = this.shelf.facings[j];
      return g !== undefined && Math.abs(g.nominal - f.nominal) <= 0.03 * f.nominal;
    });
  }

  /** Plays one hand movement over the plates in `loads` (plate → signed grams); returns its end. */
  private move(t: number, loads: Map<number, number>, kind: 'pick' | 'put', classes: Set<string>): number {
    const { rng, p } = this;
    const slow = kind === 'put' && rng.chance(p.slowPutP);
    const longHand = kind === 'pick' && rng.chance(p.longHandP);
    if (slow) classes.add('slow put');
    if (longHand) classes.add('hand resting');
    const duration = slow ? rng.uniform(1.5, 4.5) : longHand ? rng.uniform(3, 7) : rng.uniform(0.5, 2.2);
    const t1 = t + duration;
    const main = [...loads.entries()].sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))[0]?.[0];
    for (const [plate, delta] of loads) {
      const hand =
        plate !== main
          ? 0
          : slow
            ? rng.uniform(0, 30)
            : rng.chance(0.3)
              ? 0
              : rng.logUniform(5, longHand ? 1500 : 600);
      const tItem = slow ? t : t + duration * rng.uniform(0.25, 0.7);
      const rampS = slow ? duration * rng.uniform(0.6, 0.95) : rng.uniform(0.08, 0.35);
      this.push({ plate, t0: t, t1, delta, hand, rampS }, tItem);
    }
    return t1;
  }

  private record(
    t0: number,
    t1: number,
    kind: 'pick' | 'put',
    sku: string,
    qty: number,
    at: FacingSim,
    loads: Map<number, number>,
    classes: Set<string>,
    group?: number,
  ): void {
    if (this.nearEqual(at)) classes.add('near-equal neighbour');
    if ([...loads.keys()].some((i) => (this.shelf.plates[i]?.sigma ?? 0) >= 3))
      classes.add('noisy plate (σ ≥ 3 g)');
    const truth: ShelfTruth = {
      ...this.ms(t0, t1),
      kind,
      sku,
      qty,
      facing: at.id,
      device: this.shelf.device,
      plates: [...loads.keys()].map((i) => this.shelf.plates[i]?.key ?? ''),
      classes: [kind, ...classes],
    };
    if (group !== undefined) truth.group = group;
    this.out.truths.push(truth);
  }

  private pick(t: number, extra: string[], only?: FacingSim, group?: number): number {
    const { rng, p } = this;
    const candidates = only ? [only] : this.shelf.facings.filter((f) => f.stock > 0 && this.free(f, t));
    if (candidates.length === 0) return t;
    const f = rng.pick(candidates);
    const classes = new Set(extra);
    const qty = Math.min(f.stock, rng.chance(p.multiUnitP) ? rng.int(2, 3) : 1);
    if (qty > 1) classes.add('multi-unit');
    const loads = new Map<number, number>();
    for (let u = 0; u < qty; u++) {
      const weight = this.unitWeight(f);
      this.held.push({ sku: f.sku, weight, home: f });
      for (const [plate, share] of this.position(f, classes))
        loads.set(plate, (loads.get(plate) ?? 0) - share * weight);
    }
    f.stock -= qty;
    if (!only && rng.chance(p.simultaneousP)) this.simultaneous(t, f, classes);
    const t1 = this.move(t, loads, 'pick', classes);
    this.record(t, t1, 'pick', f.sku, qty, f, loads, classes, group);
    return t1;
  }

  /** A second shopper picks from a facing at least two away, at nearly the same time. */
  private simultaneous(t: number, beside: FacingSim, classes: Set<string>): void {
    const i = this.shelf.facings.indexOf(beside);
    const far = this.shelf.facings.filter((g, j) => Math.abs(j - i) >= 2 && g.stock > 0 && this.free(g, t));
    if (far.length === 0) return;
    classes.add('simultaneous');
    const g = this.rng.pick(far);
    const other = new Set(['simultaneous']);
    const weight = this.unitWeight(g);
    this.held.push({ sku: g.sku, weight, home: g });
    const loads = new Map<number, number>();
    for (const [plate, share] of this.position(g, other)) loads.set(plate, -share * weight);
    g.stock -= 1;
    const t0 = t + this.rng.uniform(0, 0.6);
    const t1 = this.move(t0, loads, 'pick', other);
    this.record(t0, t1, 'pick', g.sku, 1, g, loads, other);
  }

  private put(t: number): number {
    const { rng, p } = this;
    const unit = this.held.splice(rng.int(0, this.held.length - 1), 1)[0];
    if (!unit) return t;
    const classes = new Set<string>();
    let dest = unit.home;
    if (rng.chance(p.misplacedP)) {
      const i = this.shelf.facings.indexOf(unit.home);
      const others = this.shelf.facings.filter((g) => g.sku !== unit.sku);
      const near = [this.shelf.facings[i - 1], this.shelf.facings[i + 1]].filter(
        (g): g is FacingSim => g !== undefined,
      );
      const options = rng.chance(0.7) && near.length > 0 ? near : others;
      if (options.length > 0) dest = rng.pick(options);
    }
    if (!this.free(dest, t)) {
      this.held.push(unit);
      return t;
    }
    const shares =
      dest === unit.home
        ? this.position(dest, classes)
        : new Map([[dest.plates[rng.int(0, dest.plates.length - 1)] ?? 0, 1]]);
    const loads = new Map([...shares].map(([plate, share]) => [plate, share * unit.weight]));
    if (dest === unit.home) {
      dest.stock += 1;
    } else {
      classes.add('misplaced return');
      this.misplaced.push({ ...unit, facing: dest, shares });
    }
    const t1 = this.move(t, loads, 'put', classes);
    this.record(t, t1, 'put', unit.sku, 1, dest, loads, classes);
    return t1;
  }

  private pickMisplaced(t: number): number {
    const item = this.misplaced.splice(this.rng.int(0, this.misplaced.length - 1), 1)[0];
    if (!item) return t;
    if (!this.free(item.facing, t)) {
      this.misplaced.push(item);
      return t;
    }
    const classes = new Set(['pick of a misplaced item']);
    const loads = new Map([...item.shares].map(([plate, share]) => [plate, -share * item.weight]));
    this.held.push(item);
    const t1 = this.move(t, loads, 'pick', classes);
    this.record(t, t1, 'pick', item.sku, 1, item.facing, loads, classes);
    return t1;
  }
}
