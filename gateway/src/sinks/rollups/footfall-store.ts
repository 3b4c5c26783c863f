import type { DayRecord, FootfallBucket, MinuteRecord } from '../../core/footfall-records.js';

export interface FootfallQuery {
  from: number;
  to: number;
  /** Bucket width; buckets are aligned to the epoch (UTC), like InfluxQL's GROUP BY time(). */
  stepMs: number;
  /** Only this door's entries/exits (transactions and occupancy stay store-wide). */
  door?: string;
}

/** A bucket as answered, with the drift-corrected occupancy once the day it belongs to has closed. */
export interface FootfallRow extends FootfallBucket {
  occupancy_corrected: number | null;
}

/** A closed store day as answered by GET /api/footfall/days (same from both stores). */
export interface DaySummary {
  day_start: number;
  in: number;
  out: number;
  /** in − out before correction: the day's accuracy indicator, store-wide and per door. */
  residual: number;
  scale: number | null;
  transactions: number;
  conversion: number | null;
  doors: Record<string, { in: number; out: number; residual: number }>;
}

/**
 * Where footfall minute and day records are kept for dashboards: SQLite rollups (embedded default) or
 * InfluxDB 1.x. Guarantees, checked by the same test against both:
 * - `writeMinute`/`writeDay` never throw and never block: records are buffered;
 * - once `flush()` resolved, `query` answers include every record written before it;
 * - `query` returns non-empty buckets only, ascending by `t`, with `t = floor(minute / step) * step`,
 *   in/out/transactions summed, occupancy the bucket's last minute's value, occupancy_corrected the last
 *   drift-corrected value in the bucket (null while none of its minutes belongs to a closed day),
 *   conversion = transactions / in (null when in = 0), rounded to 4 decimals.
 */
export interface FootfallStore {
  readonly kind: 'sqlite' | 'influx';
  start(): Promise<void>;
  writeMinute(record: MinuteRecord): void;
  writeDay(record: DayRecord): void;
  flush(): Promise<void>;
  query(q: FootfallQuery): Promise<FootfallRow[]>;
  /** Closed days whose start lies in [from, to), ascending. */
  days(from: number, to: number): Promise<DaySummary[]>;
  close(): Promise<void>;
}

export const MINUTE_MS = 60_000;

/** Validate a query the same way for both stores (HTTP maps the error to 400). */
export function checkQuery(q: FootfallQuery): string | null {
  if (!Number.isFinite(q.from) || !Number.isFinite(q.to)) return 'from and to must be epoch ms or ISO dates';
  if (q.to <= q.from) return 'to must be after from';
  if (!Number.isInteger(q.stepMs) || q.stepMs < MINUTE_MS || q.stepMs % MINUTE_MS !== 0) {
    return 'step must be a whole number of minutes (e.g. 1m, 15m, 1h, 1d)';
  }
  if ((q.to - q.from) / q.stepMs > 100_000) return 'too many buckets: use a larger step';
  return null;
}
