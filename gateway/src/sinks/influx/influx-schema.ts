import type { InfluxDB } from 'influx';
import type { InfluxConfig } from '../../config/sections/footfall.js';
import type { DayRecord, MinuteRecord } from '../../core/footfall-records.js';
import type { StoredPoint } from './disk-buffer.js';

/**
 * Measurements (tags → fields), designed for Grafana dashboards:
 *   footfall_store       store                → entries, exits, occupancy, transactions     (one per minute)
 *   footfall_door        store, door          → entries, exits                              (per active door)
 *   zone_occupancy       store, zone          → count                                        (per known zone)
 *   occupancy_corrected  store                → occupancy (drift-corrected, written at day close)
 *   footfall_day         store, door|"_store" → entries, exits, residual[, scale, transactions]
 * Minute points live in RP `storegate_minutes` (the database default); continuous queries roll them up per
 * hour into `storegate_hourly` (footfall_store_1h, footfall_door_1h).
 */
export const RP_MINUTES = 'storegate_minutes';
export const RP_HOURLY = 'storegate_hourly';

export async function ensureInfluxSchema(influx: InfluxDB, cfg: InfluxConfig): Promise<void> {
  const db = cfg.database;
  const names = await influx.getDatabaseNames();
  if (!names.includes(db)) await influx.createDatabase(db);
  const existing = new Map((await influx.showRetentionPolicies(db)).map((rp) => [rp.name, rp]));
  for (const [name, duration, isDefault] of [
    [RP_MINUTES, cfg.retention, true],
    [RP_HOURLY, cfg.rollup_retention, false],
  ] as const) {
    const options = { database: db, duration, replication: 1, isDefault };
    if (existing.has(name)) await influx.alterRetentionPolicy(name, options);
    else await influx.createRetentionPolicy(name, options);
  }
  const cqs = new Set((await influx.showContinousQueries(db)).map((cq) => cq.name));
  const rollups: [string, string][] = [
    [
      'cq_footfall_store_1h',
      `SELECT sum("entries") AS "entries", sum("exits") AS "exits", sum("transactions") AS "transactions",
        max("occupancy") AS "occupancy_max", last("occupancy") AS "occupancy"
       INTO "${db}"."${RP_HOURLY}"."footfall_store_1h" FROM "${db}"."${RP_MINUTES}"."footfall_store"
       GROUP BY time(1h), *`,
    ],
    [
      'cq_footfall_door_1h',
      `SELECT sum("entries") AS "entries", sum("exits") AS "exits"
       INTO "${db}"."${RP_HOURLY}"."footfall_door_1h" FROM "${db}"."${RP_MINUTES}"."footfall_door"
       GROUP BY time(1h), *`,
    ],
  ];
  for (const [name, query] of rollups) {
    if (!cqs.has(name)) await influx.createContinuousQuery(name, query, db);
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
    measurement: 'footfall_day',
    tags: { store: r.store, door: '_store' },
    fields: storeFields,
    t: r.day_start,
  });
  for (const [door, d] of Object.entries(r.doors)) {
    points.push({
      measurement: 'footfall_day',
      tags: { store: r.store, door },
      fields: { entries: d.in, exits: d.out, residual: d.residual },
      t: r.day_start,
    });
  }
  return points;
}
