import { StuckRuns } from './stuck-runs.js';

/** Load-cell channel health, worst first when several apply. */
export type SensorStatus = 'silent' | 'saturated' | 'stuck' | 'noisy' | 'ok';

export interface HealthLimits {
  /** No sample for this long (gateway receive time) → silent. */
  silentMs: number;
  /**
   * Identical raw values for at least this long → stuck, once the run is also longer than the channel's own
   * quiet runs make plausible (see StuckRuns): a live ADC jitters in its last bits, but a quiet plate whose
   * firmware reports grams in 2 g divisions repeats its value for seconds.
   */
  stuckMs: number;
  /** |grams| at or beyond this → saturated (plates are typically rated 20 kg). */
  saturationGrams: number;
  saturatedMs: number;
  /** Noisy when the running noise sigma exceeds this factor × the calibrated noise floor… */
  noisyFactor: number;
  /** …or, without a calibration, this many grams. */
  noisyGrams: number;
}

export const DEFAULT_HEALTH: HealthLimits = {
  silentMs: 5_000,
  stuckMs: 3_000,
  saturationGrams: 20_000,
  saturatedMs: 1_000,
  noisyFactor: 4,
  noisyGrams: 25,
};

/**
 * Tracks one channel's raw samples cheaply (two counters per sample) and turns them into a status. Noise is
 * judged against the channel's own calibrated floor: shelves differ a lot, a global threshold would either
 * miss a degraded quiet plate or flag a normal noisy one.
 */
export class SensorHealth {
  status: SensorStatus = 'ok';
  lastReceivedAt: number | null = null;
  private lastRaw = Number.NaN;
  private stuckSince = 0;
  private readonly runs = new StuckRuns();
  private saturatedSince = Number.NaN;
  private noisy = false;
  private lastT = Number.NaN;

  constructor(
    private readonly limits: HealthLimits,
    private readonly noiseFloor: number | null,
  ) {}

  sample(raw: number, t: number): void {
    if (raw !== this.lastRaw) {
      if (!Number.isNaN(this.lastRaw)) this.runs.ended(Math.abs(raw - this.lastRaw));
      this.lastRaw = raw;
      this.stuckSince = t;
    } else this.runs.repeated();
    if (Math.abs(raw) >= this.limits.saturationGrams) {
      if (Number.isNaN(this.saturatedSince)) this.saturatedSince = t;
    } else {
      this.saturatedSince = Number.NaN;
    }
    this.lastT = t;
  }

  received(at: number): void {
    this.lastReceivedAt = at;
  }

  /** Status from the latest samples, the current noise sigma and the time now (receive clock). */
  evaluate(sigma: number, now: number): SensorStatus {
    const l = this.limits;
    const limit = this.noiseFloor !== null ? this.noiseFloor * l.noisyFactor : l.noisyGrams;
    // Hysteresis: clear "noisy" only well below the limit.
    this.noisy = this.noisy ? sigma > limit * 0.7 : sigma > limit;
    if (this.lastReceivedAt !== null && now - this.lastReceivedAt > l.silentMs) return 'silent';
    if (!Number.isNaN(this.saturatedSince) && this.lastT - this.saturatedSince >= l.saturatedMs) {
      return 'saturated';
    }
    if (!Number.isNaN(this.lastT) && this.lastT - this.stuckSince >= l.stuckMs && this.runs.implausible()) {
      return 'stuck';
    }
    return this.noisy ? 'noisy' : 'ok';
  }
}
