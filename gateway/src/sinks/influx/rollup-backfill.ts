import type { InfluxDB } from 'influx';
import type { Logger } from '../../../../shared/src/logger.js';
import type { StoredPoint } from './disk-buffer.js';

export const RP_MINUTES = 'storegate_minutes';
/** The long retention policy (`rollup_retention`, 400 days by default): hourly rollups and day records. */
export const RP_HOURLY = 'storegate_hourly';

const HOUR_MS = 3_600_000;

/** The hourly rollups: one continuous query each, and the same SELECT … INTO run by the backfill. */
export function hourlyRollups(db: string): { name: string; source: string; select: string }[] {
  const rollup = (name: string, source: string, fields: string, target: string) => ({
    name,
    source,
    select: `SELECT ${fields} INTO "${db}"."${RP_HOURLY}"."${target}" FROM "${db}"."${RP_MINUTES}"."${source}"`,
  });
  return [
    rollup(
      'cq_footfall_store_1h',
      'footfall_store',
      'sum("entries") AS "entries", sum("exits") AS "exits", sum("transactions") AS "transactions", max("occupancy") AS "occupancy_max", last("occupancy") AS "occupancy"',
      'footfall_store_1h',
    ),
    rollup(
      'cq_footfall_door_1h',
      'footfall_door',
      'sum("entries") AS "entries", sum("exits") AS "exits"',
      'footfall_door_1h',
    ),
  ];
}

/**
 * `RESAMPLE` of the continuous queries: every hour they recompute the last two, so the minute of xx:59 that
 * reaches InfluxDB just after the top of the hour is still counted. Everything later is the backfill's job.
 */
export const CQ_RESAMPLE = 'RESAMPLE EVERY 1h FOR 2h';

/** At most this many hours wait for a backfill (a year and more); beyond it the oldest are given up, logged. */
const MAX_PENDING_HOURS = 10_000;

/**
 * Gateway-side backfill of the hourly rollups. A continuous query runs only while InfluxDB is up and only over
 * its `RESAMPLE FOR` window; minute points the gateway buffered through an outage arrive later than that, and
 * their hour's rollup would never be computed. So every hour that points were written into after it ended
 * is recomputed here, with the continuous query's own SELECT over exactly that hour (a rollup row is
 * overwritten, never doubled: same series, same timestamp). Failed hours stay pending and are retried after
 * the next successful write.
 */
export class RollupBackfill {
  private readonly pending = new Set<number>();
  private running: Promise<void> | null = null;
  private readonly rollups;
  private readonly sources: ReadonlySet<string>;
  backfilled = 0;
  failures = 0;

  constructor(
    private readonly influx: InfluxDB,
    private readonly db: string,
    private readonly logger: Logger,
  ) {
    this.rollups = hourlyRollups(db);
    this.sources = new Set(this.rollups.map((r) => r.source));
  }

  /** Points InfluxDB just accepted; `now` is when. Hours already over get their rollups recomputed. */
  noteWritten(points: readonly StoredPoint[], now: number): void {
    for (const p of points) {
      if (!this.sources.has(p.measurement)) continue;
      const hour = Math.floor(p.t / HOUR_MS) * HOUR_MS;
      if (hour + HOUR_MS <= now) this.pending.add(hour);
    }
    while (this.pending.size > MAX_PENDING_HOURS) {
      const oldest = Math.min(...this.pending);
      this.pending.delete(oldest);
      this.logger.warn(
        { hour: new Date(oldest).toISOString() },
        'hourly rollup backfill given up (too many pending)',
      );
    }
    if (this.pending.size > 0) void this.run();
  }

  pendingHours(): number {
    return this.pending.size;
  }

  /** Resolves when no backfill is running (pending hours after a failure are retried on the next write). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private run(): Promise<void> {
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    for (const hour of [...this.pending].sort((a, b) => a - b)) {
      try {
        for (const r of this.rollups) {
          await this.influx.query(
            `${r.select} WHERE time >= ${hour}ms AND time < ${hour + HOUR_MS}ms GROUP BY time(1h), *`,
            { database: this.db },
          );
        }
        this.pending.delete(hour);
        this.backfilled++;
      } catch (err) {
        this.failures++;
        this.logger.warn(
          { err, pending: this.pending.size },
          'hourly rollup backfill failed; retried after the next write',
        );
        return;
      }
    }
  }
}
