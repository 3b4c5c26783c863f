import type { ColdDayUnit } from '../../core/coldchain-events.js';
import type { ColdUnitOptions } from './options.js';

/** What a unit looked like over one stretch of time: the state of its last sample. */
export interface HeldState {
  tempC: number | null;
  doorOpen: boolean;
  /** In a defrost cycle proper (not recovery). */
  defrosting: boolean;
  /** Defrost or its recovery: out-of-range time does not count. */
  suppressed: boolean;
}

const MIN = 60_000;
const round1 = (x: number) => Math.round(x * 10) / 10;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * One unit's figures for one store day, accumulated time-weighted: each sample's state holds until the next
 * sample, and time between samples further apart than the gap threshold is a gap, not covered time.
 */
export class DayAccumulator {
  private coveredMs = 0;
  private tempMs = 0;
  private tempSum = 0;
  private min: number | null = null;
  private max: number | null = null;
  private highMs = 0;
  private lowMs = 0;
  private defrostMs = 0;
  private doorMs = 0;
  private gapMs = 0;
  private readonly gaps: { from: number; to: number }[] = [];
  defrosts = 0;
  doorOpenings = 0;
  alarms = 0;
  kwh: number | null = null;
  meterResets = 0;

  constructor(private readonly unit: ColdUnitOptions) {}

  /** A sample's temperature (min/max are of samples, not interpolated). */
  observe(tempC: number): void {
    if (this.min === null || tempC < this.min) this.min = tempC;
    if (this.max === null || tempC > this.max) this.max = tempC;
  }

  /** [a, b) spent in `state` (covered) or in a gap. */
  span(a: number, b: number, state: HeldState, covered: boolean): void {
    const d = b - a;
    if (d <= 0) return;
    if (!covered) {
      this.gapMs += d;
      const last = this.gaps.at(-1);
      if (last && last.to === a) last.to = b;
      else this.gaps.push({ from: a, to: b });
      return;
    }
    this.coveredMs += d;
    if (state.doorOpen) this.doorMs += d;
    if (state.defrosting) this.defrostMs += d;
    const t = state.tempC;
    if (t === null) return;
    this.tempMs += d;
    this.tempSum += t * d;
    if (state.suppressed) return;
    if (this.unit.maxC !== null && t > this.unit.maxC) this.highMs += d;
    if (this.unit.minC !== null && t < this.unit.minC) this.lowMs += d;
  }

  addEnergy(kwh: number): void {
    this.kwh = (this.kwh ?? 0) + kwh;
  }

  result(): ColdDayUnit {
    return {
      unit: this.unit.id,
      class: this.unit.cls,
      min_limit_c: this.unit.minC,
      max_limit_c: this.unit.maxC,
      min_c: this.min,
      max_c: this.max,
      mean_c: this.tempMs > 0 ? Math.round((this.tempSum / this.tempMs) * 100) / 100 : null,
      covered_minutes: round1(this.coveredMs / MIN),
      minutes_out_of_range: round1((this.highMs + this.lowMs) / MIN),
      minutes_high: round1(this.highMs / MIN),
      minutes_low: round1(this.lowMs / MIN),
      defrosts: this.defrosts,
      defrost_minutes: round1(this.defrostMs / MIN),
      door_openings: this.doorOpenings,
      door_open_minutes: round1(this.doorMs / MIN),
      gap_minutes: round1(this.gapMs / MIN),
      gaps: this.gaps.map((g) => ({ ...g })),
      kwh: this.kwh === null ? null : round3(this.kwh),
      meter_resets: this.meterResets,
      alarms: this.alarms,
    };
  }
}
