/**
 * Shoppers at the independent generator's lanes: honest sessions with the behaviour real lanes see (own bags,
 * staged and slow bagging, leaning, hands resting, multi-scans, produce, light items, bags lifted after
 * paying) and dishonest ones with one act each. Produces scanner and POS lines, the scale's load, and truth.
 */

import type { ItemSim, LaneParams, ScaleSim } from './lane-world.js';
import type { Rng } from './prng.js';

export interface LoadStep {
  t: number; // s
  delta: number;
  rampS: number;
  impact: number; // brief overshoot when dropped, g
}

export interface Press {
  t0: number;
  t1: number;
  force: number;
}

export type ActKind = 'unscanned' | 'not bagged' | 'swapped' | 'removed';

export interface SessionTruth {
  lane: string;
  openedAt: number; // ms
  closedAt: number;
  honest: boolean;
  act?: { kind: ActKind; t: number; deltaGrams: number; visible: boolean };
  tags: string[];
  items: number;
  /** What the shopper did, in time order: the last one before an alert names its likely cause. */
  actions: { t: number; label: string }[];
}

export interface LaneScript {
  steps: LoadStep[];
  presses: Press[];
  scans: { t: number; gtin: string }[];
  pos: { t: number; pos: string; transaction_id: string }[];
  sessions: SessionTruth[];
  endS: number;
}

interface Bagged {
  weight: number;
}

export class LaneShoppers {
  private readonly out: LaneScript = { steps: [], presses: [], scans: [], pos: [], sessions: [], endS: 0 };
  private readonly normal: ItemSim[];
  private readonly light: ItemSim[];
  private readonly produce: ItemSim[];

  constructor(
    private readonly rng: Rng,
    private readonly p: LaneParams,
    private readonly scale: ScaleSim,
    catalog: readonly ItemSim[],
    private readonly startMs: number,
  ) {
    this.normal = catalog.filter((i) => !i.produce && i.realMean >= 12);
    this.light = catalog.filter((i) => !i.produce && i.realMean < 12);
    this.produce = catalog.filter((i) => i.produce);
  }

  run(sessions: number): LaneScript {
    let t = this.rng.uniform(3, 10);
    for (let n = 1; n <= sessions; n++) t = this.session(t, n) + this.rng.uniform(5, 45);
    this.out.endS = t;
    return this.out;
  }

  private ms(t: number): number {
    return Math.round(this.startMs + t * 1000);
  }

  private unit(item: ItemSim): number {
    if (item.produce) return this.rng.uniform(120, 2200);
    return item.realMean * (1 + this.rng.normal(0, item.spread));
  }

  private drawItem(tags: Set<string>): ItemSim {
    const { rng, p } = this;
    if (this.produce.length > 0 && rng.chance(p.produceP)) {
      tags.add('produce');
      return rng.pick(this.produce);
    }
    if (this.light.length > 0 && rng.chance(p.lightP)) {
      tags.add('light item (< 12 g)');
      return rng.pick(this.light);
    }
    return rng.pick(this.normal);
  }

  private actions: { t: number; label: string }[] = [];

  private did(t: number, label: string): void {
    this.actions.push({ t: this.ms(t), label });
  }

  private place(t: number, weight: number, tags: Set<string>, label: string): void {
    const { rng, p } = this;
    this.did(t, label);
    this.out.steps.push({
      t,
      delta: weight,
      rampS: rng.uniform(0.2, 1.5),
      impact: weight * rng.uniform(0, 0.3),
    });
    if (rng.chance(p.handRestP)) {
      tags.add('hand resting');
      const t0 = t + rng.uniform(0, 1);
      this.did(t0, 'hand resting');
      this.out.presses.push({ t0, t1: t0 + rng.uniform(0.8, 5), force: rng.uniform(20, 400) });
    }
  }

  /** Noise-derived visibility: the act changes the load by more than 4 σ of a difference of two readings. */
  private visible(delta: number, spreadGrams = 0): boolean {
    const s = this.scale;
    const sd = Math.sqrt(2 * s.sigma ** 2 + s.resolution ** 2 / 6 + spreadGrams ** 2);
    return Math.abs(delta) >= 4 * sd && Math.abs(delta) >= 2 * s.resolution;
  }

  private session(t0: number, n: number): number {
    const { rng, p } = this;
    const tx = `${this.scale.lane}-tx-${n}`;
    const tags = new Set<string>();
    this.actions = [];
    const honest = !rng.chance(p.dishonestP);
    const actKind: ActKind | undefined = honest
      ? undefined
      : rng.pick(['unscanned', 'not bagged', 'swapped', 'removed'] as const);
    let act: SessionTruth['act'];
    const onScale: Bagged[] = [];
    let t = t0;
    this.out.pos.push({ t, pos: 'basket-open', transaction_id: tx });
    if (rng.chance(p.ownBagP)) {
      tags.add('own bag');
      for (let b = rng.int(1, 2); b > 0; b--) {
        t += rng.uniform(0.8, 3);
        const heavy = rng.chance(p.heavyBagP);
        if (heavy) tags.add('heavy own bag (> 250 g)');
        const w = heavy ? rng.uniform(260, 450) : rng.chance(0.5) ? rng.uniform(5, 40) : rng.uniform(60, 240);
        this.place(t, w, tags, heavy ? 'heavy own bag placed' : 'own bag placed');
        onScale.push({ weight: w });
      }
    }
    const slow = rng.chance(p.slowBagP);
    const staged = rng.chance(p.stagedP);
    if (slow) tags.add('slow bagging');
    if (staged) tags.add('staged bagging');
    const count = Math.max(1, Math.round(-Math.log(Math.max(rng.next(), 1e-9)) * p.meanItems));
    const actAt = rng.int(0, count - 1);
    const queue: { item: ItemSim; qty: number }[] = [];
    for (let i = 0; i < count; i++) {
      const item = this.drawItem(tags);
      const qty = !item.produce && rng.chance(p.multiScanP) ? rng.int(2, 3) : 1;
      if (qty > 1) tags.add('multi-scan');
      queue.push({ item, qty });
    }
    const lean = rng.chance(p.leanP);
    let items = 0;
    for (let i = 0; i < queue.length; ) {
      const batch = staged ? queue.slice(i, i + rng.int(2, 4)) : queue.slice(i, i + 1);
      const toBag: { item: ItemSim; scanT: number; index: number }[] = [];
      for (const [k, entry] of batch.entries()) {
        t += rng.uniform(1.2, 5);
        for (let q = 0; q < entry.qty; q++) {
          if (q > 0) t += rng.uniform(0.4, 1.5);
          this.out.scans.push({ t, gtin: entry.item.gtin });
          this.did(t, entry.qty > 1 ? 'multi-scan' : 'scan');
          toBag.push({ item: entry.item, scanT: t, index: i + k });
          items++;
        }
      }
      for (const bag of toBag) {
        t += slow ? rng.uniform(6, 20) : rng.uniform(0.8, 4);
        const isAct = actKind !== undefined && act === undefined && bag.index === actAt && !bag.item.produce;
        if (isAct && actKind === 'not bagged') {
          const w = this.unit(bag.item);
          act = { kind: actKind, t: this.ms(bag.scanT), deltaGrams: w, visible: this.visible(w) };
          continue;
        }
        let w = this.unit(bag.item);
        if (isAct && actKind === 'swapped') {
          const other = rng.pick(this.normal.filter((x) => x.gtin !== bag.item.gtin));
          const real = w;
          w = this.unit(other);
          const spread = Math.hypot(bag.item.spread * bag.item.realMean, other.spread * other.realMean);
          act = {
            kind: actKind,
            t: this.ms(t),
            deltaGrams: w - real,
            visible: this.visible(w - real, spread),
          };
        }
        const kind = bag.item.produce ? 'produce' : bag.item.realMean < 12 ? 'light item' : 'item';
        this.place(
          t,
          w,
          tags,
          `${kind} placed${slow ? ' (slow bagging)' : staged ? ' (staged bagging)' : ''}`,
        );
        onScale.push({ weight: w });
      }
      if (actKind === 'unscanned' && act === undefined && i + batch.length > actAt) {
        t += rng.uniform(1.5, 5);
        const w = this.unit(rng.pick(this.normal));
        this.place(t, w, tags, 'act: unscanned item placed');
        onScale.push({ weight: w });
        act = { kind: actKind, t: this.ms(t), deltaGrams: w, visible: this.visible(w) };
      }
      if (lean && rng.chance(0.5)) {
        tags.add('leaning');
        const l0 = t + rng.uniform(0.3, 2);
        this.did(l0, 'leaning');
        this.out.presses.push({ t0: l0, t1: l0 + rng.uniform(0.5, 6), force: rng.logUniform(200, 6000) });
      }
      i += batch.length;
    }
    if (actKind === 'removed' && act === undefined && onScale.length > 0) {
      t += rng.uniform(2, 6);
      const taken = onScale.splice(rng.int(0, onScale.length - 1), 1)[0];
      if (taken) {
        this.out.steps.push({ t, delta: -taken.weight, rampS: rng.uniform(0.3, 1.5), impact: 0 });
        act = {
          kind: 'removed',
          t: this.ms(t),
          deltaGrams: -taken.weight,
          visible: this.visible(taken.weight),
        };
      }
    }
    t += rng.uniform(2, 8);
    this.out.pos.push({ t, pos: 'payment-start', transaction_id: tx });
    this.did(t, 'payment-start');
    t += rng.uniform(4, 20);
    this.out.pos.push({ t, pos: 'payment-success', transaction_id: tx });
    this.did(t, 'payment-success');
    const total = onScale.reduce((s, b) => s + b.weight, 0);
    let close: number;
    if (rng.chance(p.liftBeforeCloseP)) {
      tags.add('bags lifted before close');
      let lift = t + rng.uniform(0.5, 6);
      const parts = rng.int(1, 3);
      for (let k = 0; k < parts; k++) {
        this.out.steps.push({ t: lift, delta: -total / parts, rampS: rng.uniform(0.3, 1.5), impact: 0 });
        this.did(lift, 'bags lifted after payment');
        lift += rng.uniform(1, 4);
      }
      close = lift + rng.uniform(0.5, 6);
    } else {
      close = t + rng.uniform(2, 8);
      this.out.steps.push({
        t: close + rng.uniform(1, 10),
        delta: -total,
        rampS: rng.uniform(0.3, 1.5),
        impact: 0,
      });
    }
    this.out.pos.push({ t: close, pos: 'basket-close', transaction_id: tx });
    this.did(close, 'basket-close');
    if (this.scale.sigma >= 1.5) tags.add('noisy scale (σ ≥ 1.5 g)');
    if (this.scale.resolution >= 5) tags.add('coarse scale (5 g)');
    const truth: SessionTruth = {
      lane: this.scale.lane,
      openedAt: this.ms(t0),
      closedAt: this.ms(close),
      honest: act === undefined,
      tags: [...tags],
      items,
      actions: this.actions.sort((a, b) => a.t - b.t),
    };
    if (act) truth.act = act;
    this.out.sessions.push(truth);
    return close + 12;
  }
}
