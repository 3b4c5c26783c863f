import type { Reading } from '../../shared/src/readings.js';
import type { Action } from './checkout-sessions.js';
import type { Prng } from './shelf-prng.js';

const SAMPLE_MS = 200;

/**
 * One lane's devices: a scanner, a POS and a bagging scale polled every 200 ms (motion while an item settles or
 * someone leans, 1 g division, ~0.4 g noise). `delay` shifts the shopper's remaining actions: the lane is
 * blocked while an attendant deals with an alert.
 */
export class LaneSim {
  private idx = 0;
  private nextSample: number;
  private grams = 0;
  private motionUntil = 0;
  private lean: { from: number; until: number; extra: number; blipFrom: number; blipUntil: number } | null =
    null;

  constructor(
    readonly lane: string,
    private readonly actions: Action[],
    private readonly rand: Prng,
    start: number,
  ) {
    this.nextSample = start;
  }

  nextTime(): number {
    const a = this.actions[this.idx];
    return a && a.t <= this.nextSample ? a.t : this.nextSample;
  }

  done(): boolean {
    return this.idx >= this.actions.length;
  }

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
    this.nextSample += SAMPLE_MS;
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

  private apply(a: Action): Reading | null {
    switch (a.kind) {
      case 'pos':
        return { ...this.meta('pos', a.t), type: 'pos.event', event: a.event };
      case 'scan':
        return { ...this.meta('scanner', a.t), type: 'scanner.scan', code: a.code };
      case 'weight':
        this.grams += a.delta;
        this.motionUntil = a.t + a.settleMs;
        return null;
      case 'lean': {
        const blipFrom = a.t + (a.ms - a.blipMs) / 2;
        this.lean = {
          from: a.t,
          until: a.t + a.ms,
          extra: a.extra,
          blipFrom,
          blipUntil: a.blipMs > 0 ? blipFrom + a.blipMs : 0,
        };
        return null;
      }
    }
  }

  private sample(t: number): Reading {
    const lean = this.lean && t < this.lean.until ? this.lean : null;
    if (lean && t >= lean.blipFrom && t < lean.blipUntil) {
      return {
        ...this.meta('scale', t),
        type: 'scale.reading',
        grams: Math.round(this.grams + lean.extra),
        status: 'stable',
      };
    }
    if (lean || t < this.motionUntil) {
      const g = this.grams + (lean?.extra ?? 0) + this.rand.range(-60, 60);
      return { ...this.meta('scale', t), type: 'scale.reading', grams: Math.round(g), status: 'motion' };
    }
    const g = Math.round(this.grams + 0.4 * this.rand.gauss());
    if (Math.abs(g) < 1) return { ...this.meta('scale', t), type: 'scale.reading', grams: 0, status: 'zero' };
    return { ...this.meta('scale', t), type: 'scale.reading', grams: g, status: 'stable' };
  }
}
