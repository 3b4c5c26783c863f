import type { InfluxDB } from 'influx';
import type { InfluxConfig } from '../../config/sections/footfall.js';
import type { DayRecord, MinuteRecord } from '../../core/footfall-records.js';
import type { StoredPoint } from './disk-buffer.js';
import { CQ_RESAMPLE, hourlyRollups, RP_HOURLY, RP_MINUTES } from './rollup-backfill.js';

/**
 * Measurements (tags → fields), designed for Grafana dashboards:
 *   footfall_store       store                → entries, exits, occupancy, transactions     (one per minute)
 *   footfall_door        store, door          → entries, exits                              (per active door)
 *   zone_occupancy       store, zone          → count                                        (per known zone)
 *   occupancy_corrected  store                → occupancy (drift-corrected, written at day close)
 *   footfall_day         store, door|"_store" → entries, exits, residual[, scale, transactions]
 * Minute points live in RP `storegate_minutes` (the database default, `retention`); continuous queries (and
 * the gateway's backfill, rollup-backfill.ts) roll them up per hour into `storegate_hourly`
 * (footfall_store_1h, footfall_door_1h). Day records and corrected occupancy are kept as long as the rollups
 * (`storegate_hourly`, `rollup_retention`), like the SQLite backend keeps them.
 */
export { RP_HOURLY, RP_MINUTES };

/** Creates the database if needed and the policy, or brings an existing one to this duration. */
export async function ensureRetentionPolicy(
  influx: InfluxDB,
  db: string,
  name: string,
  duration: string,
  isDefault: boolean,
): Promise<void> {
  if (!(await influx.getDatabaseNames()).includes(db)) await influx.createDatabase(db);
  const exists = (await influx.showRetentionPolicies(db)).some((rp) => rp.name === name);
  const options = { database: db, duration, replication: 1, isDefault };
  if (exists) await influx.alterRetentionPolicy(name, options);
  else await influx.createRetentionPolicy(name, options);
}

export async function ensureInfluxSchema(influx: InfluxDB, cfg: InfluxConfig): Promise<void> {
  const db = cfg.database;
  await ensureRetentionPolicy(influx, db, RP_MINUTES, cfg.retention, true);
  await ensureRetentionPolicy(influx, db, RP_HOURLY, cfg.rollup_retention, false);
  const cqs = new Map((await influx.showContinousQueries(db)).map((cq) => [cq.name, cq.query]));
  for (const r of hourlyRollups(db)) {
    const current = cqs.get(r.name);
    if (current?.includes('RESAMPLE')) continue;
    // Created by an earlier version without RESAMPLE: replace it.
    if (current !== undefined) await influx.dropContinuousQuery(r.name, db);
    await influx.createContinuousQuery(r.name, `${r.select} GROUP BY time(1h), *`, db, CQ_RESAMPLE);
  }
}

export function minutePoints(r: MinuteRecord): StoredPoint[] {
  const points: StoredPoint[] = [
    {
      measurement: 'footfall_store',
      tags: { store: r.store },
      fields: { entries: r.in, exits: r.out, occupancy: r.occupancy, transactions: r.transactions },
      t: r.t,
    },
  ];
  for (const [door, c] of Object.entries(r.doors)) {
    points.push({
      measurement: 'footfall_door',
      tags: { store: r.store, door },
      fields: { entries: c.in, exits: c.out },
      t: r.t,
    });
  }
  for (const [zone, count] of Object.entries(r.zones)) {
    points.push({ measurement: 'zone_occupancy', tags: { store: r.store, zone }, fields: { count }, t: r.t });
  }
  return points;
}

export function dayPoints(r: DayRecord): StoredPoint[] {
  const points: StoredPoint[] = r.corrected_occupancy.map((occupancy, i) => ({
    rp: RP_HOURLY,
    measurement: 'occupancy_corrected',
    tags: { store: r.store },
    fields: { occupancy },
    t: r.minute_t0 + i * 60_000,
  }));
  const storeFields: Record<string, number> = {
    entries: r.in,
    exits: r.out,
    residual: r.residual,
    transactions: r.transactions,
  };
  if (r.scale !== null) storeFields.scale = r.scale;
  points.push({
    rp: RP_HOURLY,
    measurement: 'footfall_day',
    tags: { store: r.store, door: '_store' },
    fields: storeFields,
    t: r.day_start,
  });
  for (const [door, d] of Object.entries(r.doors)) {
    points.push({
      rp: RP_HOURLY,
      measurement: 'footfall_day',
      tags: { store: r.store, door },
      fields: { entries: d.in, exits: d.out, residual: d.residual },
      t: r.day_start,
    });
  }
  return points;
}
