import type { ColdClass } from '../../core/coldchain.js';

/** Where a unit's temperature, door and defrost come from. */
export type ColdUnitSource =
  /** `cold.sample` readings of a device (Modbus controller, env sensor), optionally one `unit` of several. */
  | { kind: 'sample'; device: string; unit: string | null }
  /** `plant.value` points of an OPC UA endpoint, mapped to the fields of a sample. */
  | { kind: 'points'; device: string; temp: string; door: string | null; defrost: string | null };

export interface ColdUnitOptions {
  id: string;
  cls: ColdClass;
  /** null: no low (or high) limit, e.g. an OPC UA point with only `max_c`. */
  minC: number | null;
  maxC: number | null;
  highForMs: number;
  lowForMs: number;
  hysteresisC: number;
  doorOpenMaxMs: number | null;
  source: ColdUnitSource;
  /** `energy.meter` channel of this cabinet. */
  energy: { device: string; unit: string | null } | null;
  defrost: {
    /** Scheduled defrost starts, minutes after local midnight (for controllers without a defrost bit). */
    scheduleMin: readonly number[];
    durationMs: number;
    /** After a defrost ends, the air needs this long to pull down again: no high alarm counts meanwhile. */
    recoveryMs: number;
  };
}

export interface ColdChainOptions {
  store: string;
  timeZone: string;
  /** HACCP record: one sample per unit at this interval. */
  recordIntervalMs: number;
  /** No reading from a unit for this long raises a communication-loss alarm. */
  commLossMs: number;
  /** Two samples further apart than this leave a gap in the record. */
  gapMs: number;
  /** A defrost bit held longer than this stops suppressing high alarms (a stuck bit must not hide a warm case). */
  defrostMaxMs: number;
  /**
   * A day's figures are emitted this long after local midnight: an energy meter read every 15 min tells what
   * the last quarter before midnight used only at its next reading.
   */
  dayCloseDelayMs: number;
  units: readonly ColdUnitOptions[];
}
