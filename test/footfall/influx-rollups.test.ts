import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { footfallSection, type InfluxConfig } from '../../gateway/src/config/sections/footfall.js';
import type { DayRecord, MinuteRecord } from '../../gateway/src/core/footfall-records.js';
import { InfluxFootfallStore } from '../../gateway/src/sinks/influx/influx-footfall-store.js';
import { systemClock } from '../../shared/src/clock.js';
import { createLogger } from '../../shared/src/logger.js';
import { type Influxd, startInfluxd } from '../support/influxd.js';

/**
 * Hourly rollups and day records in a real InfluxDB 1.x across outages: minute points buffered while InfluxDB
 * is down across the top of the hour still get their hour's rollup (gateway backfill; a continuous query never
 * revisits an hour outside its RESAMPLE window), day records live in the long retention policy, and every
 * Grafana panel finds data in its own time range.
 */
const logger = createLogger({ level: 'silent' });
const HOUR = 3_600_000;
const DB = 'footfall';

function minute(t: number, entries: number): MinuteRecord {
  return {
    store: 'test-store',
    t,
    in: entries,
    out: entries - 1,
    occupancy: 10 + ((t / 60_000) % 7),
    transactions: 1,
    doors: { 'door-1': { in: entries, out: entries - 1 } },
    zones: { till: 2 },
  } as MinuteRecord;
}

function day(dayStart: number): DayRecord {
  return {
    store: 'test-store',
    date: new Date(dayStart).toISOString().slice(0, 10),
    day_start: dayStart,
    day_end: dayStart + 24 * HOUR,
    in: 500,
    out: 497,
    residual: 3,
    correction: 'exits',
    scale: 1.006,
    transactions: 120,
    conversion: 0.24,
    doors: { 'door-1': { in: 500, out: 497, residual: 3 } },
    minute_t0: dayStart,
    corrected_occupancy: [0, 1, 2],
  } as DayRecord;
}

describe('InfluxDB rollups that survive outages (real influxd)', () => {
  let influxd: Influxd;
  const dirs: string[] = [];
  const store = (cfg: Partial<InfluxConfig> = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-influx-rollups-'));
    dirs.push(dir);
    const config = footfallSection.parse({
      influx: { url: influxd.url, database: DB, flush_interval_ms: 50, batch_size: 500, ...cfg },
    }).influx!;
    return new InfluxFootfallStore(config, {
      store: 'test-store',
      dataDir: dir,
      clock: systemClock(),
      logger,
    });
  };
  beforeAll(async () => {
    influxd = await startInfluxd();
  });
  afterAll(async () => {
    await influxd?.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('an outage across the top of the hour: the hour still gets its rollup once InfluxDB is back', async () => {
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR; // two complete hours, three hours ago
    await influxd.stop();
    const s = store();
    await s.start(); // InfluxDB down: schema and points wait
    let entries = 0;
    for (let t = hour; t < hour + 2 * HOUR; t += 60_000) {
      const n = 1 + ((t / 60_000) % 5);
      if (t < hour + HOUR) entries += n;
      s.writeMinute(minute(t, n));
    }
    await influxd.start();
    await expect.poll(async () => s.writer.backlog(), { timeout: 30_000, interval: 100 }).toBe(0);
    await s.flush();
    expect(s.backfill.pendingHours()).toBe(0);
    const rows = await influxd.query(
      DB,
      `SELECT "entries", "exits", "occupancy_max" FROM "storegate_hourly"."footfall_store_1h" WHERE time >= ${hour}ms AND time < ${hour + 2 * HOUR}ms`,
    );
    const values = rows[0]?.values ?? [];
    expect(values.map((v) => v[0])).toEqual([hour, hour + HOUR]);
    expect(values[0]![1]).toBe(entries);
    expect(values[0]![2]).toBe(entries - 60);
    const doors = await influxd.query(
      DB,
      `SELECT "entries" FROM "storegate_hourly"."footfall_door_1h" WHERE time >= ${hour}ms AND time < ${hour + HOUR}ms GROUP BY "door"`,
    );
    expect(doors[0]?.values).toEqual([[hour, entries]]);

    // Written again (a replay after a crash): the rollup is overwritten, not doubled.
    for (let t = hour; t < hour + HOUR; t += 60_000) s.writeMinute(minute(t, 1 + ((t / 60_000) % 5)));
    await s.flush();
    const again = await influxd.query(
      DB,
      `SELECT "entries" FROM "storegate_hourly"."footfall_store_1h" WHERE time = ${hour}ms`,
    );
    expect(again[0]?.values).toEqual([[hour, entries]]);
    await s.close();
  });

  it('continuous queries RESAMPLE; one created without it (earlier versions) is replaced', async () => {
    await influxd.query(DB, 'DROP CONTINUOUS QUERY "cq_footfall_door_1h" ON "footfall"', 'POST');
    await influxd.query(
      DB,
      'CREATE CONTINUOUS QUERY "cq_footfall_door_1h" ON "footfall" BEGIN SELECT sum("entries") AS "entries" INTO "footfall"."storegate_hourly"."footfall_door_1h" FROM "footfall"."storegate_minutes"."footfall_door" GROUP BY time(1h), * END',
      'POST',
    );
    const s = store();
    await s.start();
    const cqs = await influxd.query(DB, 'SHOW CONTINUOUS QUERIES');
    const ours = cqs.find((x) => x.name === DB)!.values;
    expect(ours.map((v) => v[0]).sort()).toEqual(['cq_footfall_door_1h', 'cq_footfall_store_1h']);
    for (const v of ours) expect(String(v[1])).toMatch(/RESAMPLE EVERY 1h FOR 2h/);
    expect(String(ours.find((v) => v[0] === 'cq_footfall_door_1h')![1])).toMatch(
      /sum\(exits\)|sum\("exits"\)/,
    );
    await s.close();
  });

  it('day records and corrected occupancy are in the long retention policy and come back from days()', async () => {
    const s = store();
    await s.start();
    const dayStart = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR - 24 * HOUR;
    s.writeDay(day(dayStart));
    await s.flush();
    const long = await influxd.query(
      DB,
      `SELECT "residual" FROM "storegate_hourly"."footfall_day" WHERE time = ${dayStart}ms GROUP BY "door"`,
    );
    expect(long.length).toBe(2);
    const short = await influxd.query(DB, `SELECT "residual" FROM "storegate_minutes"."footfall_day"`);
    expect(short).toEqual([]);
    const corrected = await influxd.query(
      DB,
      `SELECT count("occupancy") FROM "storegate_hourly"."occupancy_corrected"`,
    );
    expect(corrected[0]?.values[0]?.[1]).toBe(3);
    const days = await s.days(dayStart, dayStart + 24 * HOUR);
    expect(days).toHaveLength(1);
    expect(days[0]).toMatchObject({
      day_start: dayStart,
      in: 500,
      residual: 3,
      doors: { 'door-1': { residual: 3 } },
    });
    await s.close();
  });

  it('every Grafana panel has data in its own time range', async () => {
    const s = store();
    await s.start();
    const now = Date.now();
    const lastHour = Math.floor(now / HOUR) * HOUR - HOUR;
    for (let t = lastHour; t < now - 60_000; t += 60_000) s.writeMinute(minute(t, 2));
    s.writeDay(day(Math.floor(now / (24 * HOUR)) * 24 * HOUR - 24 * HOUR));
    await s.flush();
    const dashboard = JSON.parse(
      readFileSync(resolve(import.meta.dirname, '../../dashboards/grafana/dashboards/footfall.json'), 'utf8'),
    ) as {
      time: { from: string };
      panels: { title: string; timeFrom?: string; targets: { query: string }[] }[];
    };
    for (const panel of dashboard.panels) {
      const range = panel.timeFrom ?? dashboard.time.from.replace('now-', '');
      for (const target of panel.targets) {
        const q = target.query
          .replaceAll('$timeFilter', `time >= now() - ${range} AND time <= now()`)
          .replaceAll('$__interval', '1m')
          .replaceAll('$store', 'test-store');
        const series = await influxd.query(DB, q);
        const points = series.flatMap((x) => x.values).filter((v) => v.slice(1).some((f) => f !== null));
        expect(points.length, `${panel.title}: ${q}`).toBeGreaterThan(0);
      }
    }
    await s.close();
  });
});
