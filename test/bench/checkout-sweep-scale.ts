import type { Reading, ScaleStatus } from '../../shared/src/readings.js';
import type { ScaleParams } from './checkout-sweep-world.js';
import type { Prng } from './shelf-prng.js';

/** A change of load, or a transient extra load (a hand, an elbow, a bag lifted a little). */
export type LaneAction =
  | { t: number; kind: 'pos'; event: 'basket-open' | 'payment-start' | 'payment-success' | 'basket-close' }
  | { t: number; kind: 'scan'; code: string }
  | { t: number; kind: 'load'; delta: number; settleMs: number }
  | { t: number; kind: 'transient'; extra: number; ms: number; stableFrom: number; stableMs: number };

interface Transient {
  from: number;
  until: number;
  extra: number;
  stableFrom: number;
  stableUntil: number;
}

/**
 * One lane's devices on virtual time, built from the scale's physics rather than from its readings: a true load,
 * raw samples with Gaussian noise, slow wander and load-cell creep, quantised to the display division; the scale
 * flags motion while the load moves, and sometimes when noise trips its own stable window.
 */
export class SweepLane {
  private idx = 0;
  private nextSample: number;
  private load = 0;
  private motionUntil = 0;
  private creeps: Array<{ at: number; grams: number }> = [];
  private transient: Transient | null = null;
  private readonly phase: number;

  constructor(
    readonly lane: string,
    private readonly actions: LaneAction[],
    private readonly scale: ScaleParams,
    private readonly rand: Prng,
    start: number,
  ) {
    this.nextSample = start;
    this.phase = rand.range(0, 2 * Math.PI);
  }

  nextTime(): number {
    const a = this.actions[this.idx];
    return a && a.t <= this.nextSample ? a.t : this.nextSample;
  }

  done(): boolean {
    return this.idx >= this.actions.length;
  }

  /** The lane is blocked while an attendant deals with an alert: the shopper's remaining actions shift. */
  delay(after: number, ms: number): void {
    for (let i = this.idx; i < this.actions.length; i++)
      if (this.actions[i]!.t >= after) this.actions[i]!.t += ms;
  }

  step(): Reading | null {
    const a = this.actions[this.idx];
    if (a && a.t <= this.nextSample) {
      this.idx++;
      return this.apply(a);
    }
    const t = this.nextSample;
    this.nextSample += Math.round(1_000 / this.scale.hz);
    return this.sample(t);
  }

  private meta(role: string, t: number) {
    return {
      deviceId: `${this.lane}-${role}`,
      deviceTime: t,
      receivedAt: t,
      quality: 'good' as const,
      source: 'replay' as const,
    };
  }

  private apply(a: LaneAction): Reading | null {
    switch (a.kind) {
      case 'pos':
        return { ...this.meta('pos', a.t), type: 'pos.event', event: a.event };
      case 'scan':
        return { ...this.meta('scanner', a.t), type: 'scanner.scan', code: a.code };
      case 'load':
        this.load += a.delta;
        this.motionUntil = Math.max(this.motionUntil, a.t + a.settleMs);
        if (a.delta > 0 && this.scale.creep > 0)
          this.creeps.push({ at: a.t + a.settleMs, grams: a.delta * this.scale.creep });
        else if (a.delta < 0) this.creeps = this.creeps.filter(() => this.load > 1);
        return null;
      case 'transient':
        this.transient = {
          from: a.t,
          until: a.t + a.ms,
          extra: a.extra,
          stableFrom: a.t + a.stableFrom,
          stableUntil: a.t + a.stableFrom + a.stableMs,
        };
        return null;
    }
  }

  private rawAt(t: number): number {
    const s = this.scale;
    let g = this.load + s.sigma * this.rand.gauss();
    g += s.wander * Math.sin((2 * Math.PI * t) / s.wanderPeriodMs + this.phase);
    for (const c of this.creeps) if (t > c.at) g += c.grams * (1 - Math.exp(-(t - c.at) / s.creepTauMs));
    return g;
  }

  private sample(t: number): Reading {
    const s = this.scale;
    const tr = this.transient && t < this.transient.until ? this.transient : null;
    let status: ScaleStatus = 'stable';
    let g = this.rawAt(t);
    if (tr) {
      g += tr.extra;
      const still = t >= tr.stableFrom && t < tr.stableUntil;
      if (!still) {
        g += this.rand.range(-0.2, 0.2) * Math.abs(tr.extra);
        status = 'motion';
      }
    }
    if (t < this.motionUntil) {
      g += this.rand.range(-80, 80);
      status = 'motion';
    } else if (status === 'stable' && this.rand.next() < s.flicker) status = 'motion';
    const shown = Math.round(g / s.resolution) * s.resolution;
    const grams = Math.round(shown * 1000) / 1000;
    if (status === 'stable' && Math.abs(grams) < s.resolution / 2)
      return { ...this.meta('scale', t), type: 'scale.reading', grams: 0, status: 'zero' };
    return { ...this.meta('scale', t), type: 'scale.reading', grams, status };
  }
}
