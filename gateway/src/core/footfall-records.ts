import type { z } from 'zod';
import type { dayRecord, minuteRecord } from './events/footfall.js';

/**
 * The wire records footfall produces (event `data`, snake_case) and that both storage back-ends keep:
 * `footfall.minute` per closed minute and `footfall.day` per closed store day.
 */

export interface DoorCounts {
  in: number;
  out: number;
}

/** `data` of `footfall.minute` (schema: core/events/footfall.ts). */
export type MinuteRecord = z.output<typeof minuteRecord>;

export interface DoorDayRecord extends DoorCounts {
  /** in − out over the day: the door's accuracy indicator (0 for a perfect counter on a one-door store). */
  residual: number;
}

/** `data` of `footfall.day` (schema: core/events/footfall.ts). */
export type DayRecord = z.output<typeof dayRecord>;

/** Aggregated answer of GET /api/footfall; identical from SQLite rollups and from InfluxDB. */
export interface FootfallBucket {
  t: number;
  in: number;
  out: number;
  transactions: number;
  /** Occupancy at the end of the bucket (last minute's value). */
  occupancy: number;
  /** transactions / in for the bucket, null when nobody came in. */
  conversion: number | null;
}

export function conversionRate(transactions: number, visitors: number): number | null {
  return visitors > 0 ? Math.round((transactions / visitors) * 10_000) / 10_000 : null;
}
