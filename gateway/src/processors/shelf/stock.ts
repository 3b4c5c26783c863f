import type { PlateSpec } from '../../core/planogram.js';

export type StockAlarm = 'ok' | 'low' | 'out';

export interface StockTransition {
  from: StockAlarm | null;
  to: StockAlarm;
}

/**
 * Stock level of one facing with low/out alarms and hysteresis: `low` is raised at or below `lowStock` units
 * and cleared only at `lowStock + hysteresis`, so one customer picking and putting back the same item at the
 * threshold does not flap the alert. `out` is raised at 0 and cleared by the first unit back.
 */
export class StockLevel {
  count: number | null = null;
  alarm: StockAlarm | null = null;
  updatedAt: number | null = null;
  /** When the current alarm state began (the dashboard shows alarm ages). */
  alarmSince: number | null = null;

  constructor(private readonly spec: Pick<PlateSpec, 'capacity' | 'lowStock' | 'unitGrams'>) {}

  get hysteresis(): number {
    return Math.max(1, Math.ceil(this.spec.capacity * 0.1));
  }

  /** Net grams on the plate (tare and drift removed) → units; returns an alarm transition if any. */
  setFromGrams(netGrams: number, t: number): StockTransition | null {
    const units = Math.round(netGrams / this.spec.unitGrams);
    return this.set(Math.min(this.spec.capacity, Math.max(0, units)), t);
  }

  set(count: number, t: number): StockTransition | null {
    this.count = count;
    this.updatedAt = t;
    const next = this.nextAlarm(count);
    if (next === this.alarm) return null;
    const from = this.alarm;
    this.alarm = next;
    this.alarmSince = t;
    return { from, to: next };
  }

  private nextAlarm(count: number): StockAlarm {
    const low = this.spec.lowStock;
    if (count <= 0) return 'out';
    if (this.alarm === null) return count <= low ? 'low' : 'ok';
    if (this.alarm === 'ok') return count <= low ? 'low' : 'ok';
    // From low or out: back to ok only past the hysteresis band.
    return count >= low + this.hysteresis ? 'ok' : 'low';
  }
}
