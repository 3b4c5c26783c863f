import type { CalibrationRecord } from '../../core/calibration.js';
import type { StoreEvent } from '../../core/events.js';
import { type PlateSpec, plateKey } from '../../core/planogram.js';
import type { FacingState } from './facing-state.js';
import type { ForeignItem } from './hypotheses.js';
import type { PlateDetector } from './plate-detector.js';
import { type HealthLimits, SensorHealth, type SensorStatus } from './sensor-health.js';
import { shelfEvent } from './shelf-event.js';

/** Everything the processor keeps per plate. */
export class PlateState {
  readonly key: string;
  /** Set by the processor right after construction. */
  facing!: FacingState;
  readonly health: SensorHealth;
  detector: PlateDetector | null = null;
  lastT = Number.NaN;
  /** Grams added to the measured net weight so counts stay right with straddling or foreign items on it. */
  adjustGrams = 0;
  foreign: ForeignItem[] = [];
  sensorStatus: SensorStatus = 'ok';
  lastEventAt: number | null = null;
  /** Settled level of the last closed span (grams, calibrated). */
  level = Number.NaN;
  samples = 0;

  constructor(
    readonly spec: PlateSpec,
    readonly calibration: CalibrationRecord | undefined,
    limits: HealthLimits,
  ) {
    this.key = plateKey(spec.device, spec.channel);
    this.health = new SensorHealth(limits, calibration ? calibration.noiseGrams : null);
  }

  /** Raw device grams → true grams with this channel's calibration (identity when uncalibrated). */
  correct(raw: number): number {
    const c = this.calibration;
    return c ? (raw - c.zeroGrams) * c.scale : raw;
  }

  /** Net product grams at a settled level: drift tracked by auto-zero removed, adjustments applied. */
  netGrams(level: number): number {
    return level - (this.detector?.driftGrams ?? 0) + this.adjustGrams;
  }

  /** `shelf.sensor` when the health status changed (judged at `now`, dated `t`), else null. */
  sensorEvent(now: number, t: number): StoreEvent | null {
    if (!this.detector) return null;
    const status = this.health.evaluate(this.detector.noise.sigma, now);
    if (status === this.sensorStatus) return null;
    const previous = this.sensorStatus;
    this.sensorStatus = status;
    return shelfEvent('shelf.sensor', t, this.spec, {
      status,
      previous,
      noise_grams: round1(this.detector.noise.sigma),
      noise_floor_grams: this.calibration?.noiseGrams ?? null,
      drift_grams: round1(this.detector.driftGrams),
    });
  }

  snapshot() {
    const d = this.detector;
    return {
      device: this.spec.device,
      channel: this.spec.channel,
      sku: this.spec.sku,
      ...(this.spec.name ? { name: this.spec.name } : {}),
      ...(this.spec.fixture ? { fixture: this.spec.fixture } : {}),
      ...(this.spec.shelf ? { shelf: this.spec.shelf } : {}),
      unit_grams: this.spec.unitGrams,
      capacity: this.spec.capacity,
      low_stock: this.spec.lowStock,
      facing: this.spec.facing,
      stock: this.facing.stock.count,
      stock_alarm: this.facing.stock.alarm,
      stock_alarm_since: this.facing.stock.alarmSince,
      stock_updated_at: this.facing.stock.updatedAt,
      net_grams: d && !Number.isNaN(d.baseline) ? round1(this.netGrams(d.baseline)) : null,
      busy: d?.busy ?? false,
      sensor: this.sensorStatus,
      noise_grams: d ? round2(d.sigma) : null,
      resolution_grams: d ? round2(d.noise.resolution) : null,
      activity_threshold_grams: d ? round2(d.activityThreshold) : null,
      drift_grams: d ? round1(d.driftGrams) : 0,
      spikes_rejected: d?.spikes.replaced ?? 0,
      misplaced_items: this.foreign
        .filter((f) => f.reported)
        .map((f) => ({ sku: f.home.spec.sku, qty: f.qty })),
      calibrated_at: this.calibration?.calibratedAt ?? null,
      last_sample_at: Number.isNaN(this.lastT) ? null : Math.round(this.lastT),
      last_event_at: this.lastEventAt,
    };
  }
}

export type PlateSnapshot = ReturnType<PlateState['snapshot']>;

export const round1 = (x: number): number => Math.round(x * 10) / 10;
export const round2 = (x: number): number => Math.round(x * 100) / 100;
