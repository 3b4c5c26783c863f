import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { footfallSection } from '../../gateway/src/config/sections/footfall.js';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import { InfluxHaccpWriter, RP_HACCP } from '../../gateway/src/sinks/influx/influx-haccp-writer.js';
import { systemClock } from '../../shared/src/clock.js';
import { createLogger } from '../../shared/src/logger.js';
import { type Influxd, startInfluxd } from '../support/influxd.js';

const T0 = Date.UTC(2026, 11, 1, 8, 0, 0);

function sample(t: number, temp: number | null): StoreEvent {
  return {
    type: 'coldchain.sample',
    t,
    stream: 'coldchain/case-1',
    dataClass: 'telemetry',
    data: {
      unit: 'case-1',
      class: 'chilled',
      status: temp === null ? 'probe_fault' : 'ok',
      temp_c: temp,
      humidity_pct: null,
      door_open: false,
      defrost: false,
      in_range: temp === null ? null : temp <= 5,
      sampled_at: temp === null ? null : t - 1_000,
    },
  } as StoreEvent;
}

function alarm(t: number, state: 'raised' | 'cleared'): StoreEvent {
  return {
    type: 'coldchain.alarm',
    t,
    stream: 'coldchain/case-1',
    dataClass: 'must_deliver',
    data: {
      id: `case-1:high:${T0}`,
      unit: 'case-1',
      class: 'chilled',
      alarm: 'high',
      state,
      started_at: T0,
      raised_at: T0 + 900_000,
      ended_at: state === 'cleared' ? t : null,
      limit_c: 5,
      for_s: 900,
      value_c: 7.5,
      peak_c: 8.25,
      duration_s: state === 'cleared' ? (t - T0) / 1000 : null,
      source: 'xr-1',
    },
  } as StoreEvent;
}

/** The InfluxDB copy of the HACCP record against a real influxd, including one that is down when written. */
describe('HACCP record copy in InfluxDB', () => {
  let influxd: Influxd;
  let dir: string;

  beforeAll(async () => {
    influxd = await startInfluxd();
    dir = mkdtempSync(join(tmpdir(), 'sg-haccp-influx-'));
  }, 60_000);
  afterAll(async () => {
    await influxd?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes samples and alarms into a policy kept as long as the record, also across an outage', async () => {
    const cfg = footfallSection.parse({ influx: { url: influxd.url, flush_interval_ms: 50 } }).influx!;
    const writer = new InfluxHaccpWriter(cfg, {
      dataDir: dir,
      clock: systemClock(),
      logger: createLogger({ level: 'silent' }),
      retentionDays: 400,
    });
    writer.start();
    try {
      writer.record([sample(T0, 3.5), sample(T0 + 300_000, null), alarm(T0 + 900_000, 'raised')]);
      await writer.flush();
      await influxd.stop();
      writer.record([alarm(T0 + 1_800_000, 'cleared')]);
      await new Promise((r) => setTimeout(r, 300)); // a failed send moves the batch to the disk buffer
      await influxd.start();
      await writer.flush();

      const policies = await influxd.query(cfg.database, 'SHOW RETENTION POLICIES');
      const haccp = policies[0]!.values.find((v) => v[0] === RP_HACCP);
      expect(haccp?.[1]).toBe('9600h0m0s');

      const samples = await influxd.query(
        cfg.database,
        `SELECT temp_c, present, in_range, status FROM "${RP_HACCP}"."haccp_sample" ORDER BY time`,
      );
      expect(samples[0]!.values).toEqual([
        [T0, 3.5, 1, 1, 'ok'],
        [T0 + 300_000, null, 0, null, 'probe_fault'],
      ]);
      // The point written while influxd was down comes from the disk buffer on the writer's retry.
      const alarmQuery = `SELECT raised, peak_c, duration_s, state FROM "${RP_HACCP}"."haccp_alarm" ORDER BY time`;
      let alarms = await influxd.query(cfg.database, alarmQuery);
      for (const until = Date.now() + 30_000; (alarms[0]?.values.length ?? 0) < 2 && Date.now() < until; ) {
        await new Promise((r) => setTimeout(r, 250));
        alarms = await influxd.query(cfg.database, alarmQuery);
      }
      expect(alarms[0]!.values).toEqual([
        [T0 + 900_000, 1, 8.25, null, 'raised'],
        [T0 + 1_800_000, 0, 8.25, 1800, 'cleared'],
      ]);
    } finally {
      await writer.close();
    }
  }, 90_000);
});
