import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { footfallSection, type InfluxConfig } from '../../gateway/src/config/sections/footfall.js';
import { InfluxFootfallStore } from '../../gateway/src/sinks/influx/influx-footfall-store.js';
import { SqliteRollupStore } from '../../gateway/src/sinks/rollups/sqlite-rollups.js';
import { systemClock } from '../../shared/src/clock.js';
import { createLogger } from '../../shared/src/logger.js';
import { Influxd, startInfluxd } from '../support/influxd.js';
import { freePort } from '../support/peers.js';
import { scriptedTraffic } from './scripted-traffic.js';

const logger = createLogger({ level: 'silent' });
const DAY0 = Date.UTC(2026, 10, 20, 8, 0);

function influxConfig(url: string, extra: Partial<InfluxConfig> = {}): InfluxConfig {
  return footfallSection.parse({
    influx: { url, database: 'footfall', flush_interval_ms: 50, batch_size: 500, ...extra },
  }).influx!;
}

describe('footfall storage in a real InfluxDB 1.x', () => {
  let influxd: Influxd;
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'sg-footfall-'));
    dirs.push(d);
    return d;
  };
  beforeAll(async () => {
    influxd = await startInfluxd();
  });
  afterAll(async () => {
    await influxd?.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('creates retention policies and continuous queries; points come back through InfluxQL', async () => {
    const store = new InfluxFootfallStore(influxConfig(influxd.url), {
      store: 'test-store',
      dataDir: tmp(),
      clock: systemClock(),
      logger,
    });
    await store.start();
    const { minutes } = scriptedTraffic(DAY0, 2);
    for (const m of minutes) store.writeMinute(m);
    await store.flush();
    const rps = await influxd.query('footfall', 'SHOW RETENTION POLICIES');
    expect(rps[0]!.values.map((v) => [v[0], v[1], v[4]])).toEqual(
      expect.arrayContaining([
        ['storegate_minutes', '720h0m0s', true],
        ['storegate_hourly', '9600h0m0s', false],
      ]),
    );
    const cqs = await influxd.query('footfall', 'SHOW CONTINUOUS QUERIES');
    const names = cqs.find((s) => s.name === 'footfall')!.values.map((v) => v[0]);
    expect(names).toEqual(expect.arrayContaining(['cq_footfall_store_1h', 'cq_footfall_door_1h']));

    const rows = await influxd.query(
      'footfall',
      `SELECT count("entries"), sum("entries"), sum("exits") FROM "footfall_store" WHERE "store" = 'test-store'`,
    );
    const sumIn = minutes.reduce((n, m) => n + m.in, 0);
    const sumOut = minutes.reduce((n, m) => n + m.out, 0);
    expect(rows[0]!.values[0]!.slice(1)).toEqual([minutes.length, sumIn, sumOut]);
    const doors = await influxd.query(
      'footfall',
      `SELECT sum("entries") FROM "footfall_door" GROUP BY "door"`,
    );
    expect(doors.map((s) => s.tags!.door).sort()).toEqual(['door-1', 'door-2']);
    const first = await influxd.query('footfall', `SELECT * FROM "footfall_store" LIMIT 1`);
    expect(first[0]!.values[0]![0]).toBe(minutes[0]!.t); // precision kept: minute starts, epoch ms
    await store.close();
  });

  it('loses nothing when InfluxDB is stopped and restarted mid-stream', async () => {
    const cfg = influxConfig(influxd.url, { database: 'restart', batch_size: 50 });
    const store = new InfluxFootfallStore(cfg, {
      store: 'test-store',
      dataDir: tmp(),
      clock: systemClock(),
      logger,
    });
    await store.start();
    const { minutes } = scriptedTraffic(DAY0, 6, 11);
    const third = Math.floor(minutes.length / 3);
    for (const m of minutes.slice(0, third)) store.writeMinute(m);
    await store.flush();
    await influxd.stop();
    for (const m of minutes.slice(third, 2 * third)) store.writeMinute(m);
    await store.flush();
    expect(store.writer.isDown()).toBe(true);
    expect(store.writer.backlog()).toBeGreaterThan(0);
    await expect(store.query({ from: DAY0, to: DAY0 + 3_600_000, stepMs: 3_600_000 })).rejects.toMatchObject({
      code: 'SG_NOT_READY',
      message: expect.stringMatching(/unreachable/),
    });
    await influxd.start();
    for (const m of minutes.slice(2 * third)) store.writeMinute(m);
    await expect.poll(() => store.writer.backlog(), { timeout: 40_000, interval: 200 }).toBe(0);
    await store.flush();
    const rows = await influxd.query(
      'restart',
      `SELECT count("entries"), sum("entries") FROM "footfall_store"`,
    );
    expect(rows[0]!.values[0]!.slice(1)).toEqual([minutes.length, minutes.reduce((n, m) => n + m.in, 0)]);
    expect(store.writer.stats.dropped).toBe(0);
    await store.close();
  });

  it('starts with InfluxDB down: buffers on disk, creates the schema and writes everything once it is up', async () => {
    const late = new Influxd();
    late.port = await freePort();
    try {
      const dataDir = tmp();
      const cfg = influxConfig(late.url, { database: 'late' });
      const store = new InfluxFootfallStore(cfg, {
        store: 'test-store',
        dataDir,
        clock: systemClock(),
        logger,
      });
      await store.start(); // must not throw: the gateway boots before its database
      const { minutes } = scriptedTraffic(DAY0, 1, 5);
      for (const m of minutes) store.writeMinute(m);
      await store.flush();
      expect(store.writer.isDown()).toBe(true);
      await store.close(); // gateway restarts while InfluxDB is still down: the backlog is on disk

      const again = new InfluxFootfallStore(cfg, {
        store: 'test-store',
        dataDir,
        clock: systemClock(),
        logger,
      });
      await again.start();
      await late.start();
      await expect.poll(() => again.writer.backlog(), { timeout: 40_000, interval: 200 }).toBe(0);
      const rows = await late.query('late', 'SELECT count("entries") FROM "footfall_store"');
      expect(rows[0]!.values[0]![1]).toBe(minutes.length);
      const rps = await late.query('late', 'SHOW RETENTION POLICIES');
      expect(rps[0]!.values.map((v) => v[0])).toEqual(
        expect.arrayContaining(['storegate_minutes', 'storegate_hourly']),
      );
      await again.close();
    } finally {
      await late.dispose();
    }
  });

  it('answers GET /api/footfall queries exactly like the SQLite default for the same input', async () => {
    const { minutes, days } = scriptedTraffic(DAY0, 24, 3); // crosses the 03:00 store-empty time
    expect(days).toHaveLength(1);
    const sqlite = new SqliteRollupStore(join(tmp(), 'footfall.db'), {
      store: 'test-store',
      rollupDays: 3650,
      clock: systemClock(),
    });
    const influx = new InfluxFootfallStore(influxConfig(influxd.url, { database: 'parity' }), {
      store: 'test-store',
      dataDir: tmp(),
      clock: systemClock(),
      logger,
    });
    await Promise.all([sqlite.start(), influx.start()]);
    for (const m of minutes) {
      sqlite.writeMinute(m);
      influx.writeMinute(m);
    }
    for (const d of days) {
      sqlite.writeDay(d);
      influx.writeDay(d);
    }
    const queries = [
      { from: DAY0, to: DAY0 + 86_400_000, stepMs: 3_600_000 },
      { from: DAY0 + 7 * 60_000, to: DAY0 + 5 * 3_600_000, stepMs: 15 * 60_000 },
      { from: DAY0, to: DAY0 + 2 * 86_400_000, stepMs: 86_400_000 },
      { from: DAY0, to: DAY0 + 86_400_000, stepMs: 3_600_000, door: 'door-2' },
    ];
    for (const q of queries) {
      const [a, b] = await Promise.all([sqlite.query(q), influx.query(q)]);
      expect(a.length).toBeGreaterThan(0);
      expect(b).toEqual(a);
    }
    const [daysA, daysB] = await Promise.all([
      sqlite.days(DAY0 - 86_400_000, DAY0 + 86_400_000),
      influx.days(DAY0 - 86_400_000, DAY0 + 86_400_000),
    ]);
    expect(daysA).toHaveLength(1);
    expect(daysA[0]).toMatchObject({
      day_start: days[0]!.day_start,
      in: days[0]!.in,
      residual: days[0]!.residual,
    });
    expect(Object.keys(daysA[0]!.doors).sort()).toEqual(['door-1', 'door-2']);
    expect(daysB).toEqual(daysA);
    const hourly = await sqlite.query(queries[0]!);
    expect(hourly.some((r) => r.occupancy_corrected !== null)).toBe(true);
    expect(hourly.reduce((n, r) => n + r.in, 0)).toBe(
      minutes.filter((m) => m.t < DAY0 + 86_400_000).reduce((n, m) => n + m.in, 0),
    );
    await Promise.all([sqlite.close(), influx.close()]);
  });
});
