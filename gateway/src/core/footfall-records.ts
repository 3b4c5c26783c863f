/**
 * The wire records footfall produces (event `data`, snake_case) and that both storage back-ends keep:
 * `footfall.minute` per closed minute and `footfall.day` per closed store day.
 */

export interface DoorCounts {
  in: number;
  out: number;
}

export interface MinuteRecord {
  store: string;
  /** Minute start, epoch ms (also the event's `t`). */
  t: number;
  in: number;
  out: number;
  /** Live occupancy at the end of the minute, clamped at 0. */
  occupancy: number;
  transactions: number;
  doors: Record<string, DoorCounts>;
  /** Latest camera zone counts seen during or before the minute. */
  zones: Record<string, number>;
}

export interface DoorDayRecord extends DoorCounts {
  /** in − out over the day: the door's accuracy indicator (0 for a perfect counter on a one-door store). */
  residual: number;
}

export interface DayRecord {
  store: string;
  /** Local calendar date the store day started on (store.timezone). */
  date: string;
  day_start: number;
  day_end: number;
  in: number;
  out: number;
  residual: number;
  /** Which side was rescaled and by how much (null: nothing to rescale, e.g. no exits counted). */
  correction: 'exits' | 'entries' | 'off';
  scale: number | null;
  transactions: number;
  conversion: number | null;
  doors: Record<string, DoorDayRecord>;
  /** Start of the first minute of `corrected_occupancy`; one value per following minute. */
  minute_t0: number;
  corrected_occupancy: number[];
}

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
