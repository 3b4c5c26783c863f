import { join } from 'node:path';
import type { InfluxDB } from 'influx';
import type { Clock } from '../../../../shared/src/clock.js';
import type { Logger } from '../../../../shared/src/logger.js';
import type { InfluxConfig } from '../../config/sections/footfall.js';
import { eventsOf, type StoreEvent } from '../../core/events.js';
import { PointDiskBuffer, type StoredPoint } from './disk-buffer.js';
import { createInfluxClient } from './influx-footfall-store.js';
import { ensureRetentionPolicy } from './influx-schema.js';
import { InfluxPointWriter } from './point-writer.js';

/** HACCP samples and alarms live in their own policy: kept as long as the SQLite record, not 30 days. */
export const RP_HACCP = 'storegate_haccp';

const flag = (b: boolean | null): number | undefined => (b === null ? undefined : b ? 1 : 0);

/**
 * A copy of the HACCP record in InfluxDB 1.x for dashboards (docs/coldchain.md): `haccp_sample` per unit at
 * the record interval and `haccp_alarm` per alarm state change. The SQLite hash chain stays the record of
 * proof; this copy is written through the same batching writer and disk buffer as footfall, so an InfluxDB
 * outage delays it without losing it (up to the buffer bound).
 */
export class InfluxHaccpWriter {
  readonly influx: InfluxDB;
  private readonly buffer: PointDiskBuffer;
  private readonly writer: InfluxPointWriter;

  constructor(
    private readonly cfg: InfluxConfig,
    deps: { dataDir: string; clock: Clock; logger: Logger; retentionDays: number },
  ) {
    this.influx = createInfluxClient(cfg);
    this.buffer = new PointDiskBuffer(join(deps.dataDir, 'influx-haccp-buffer.db'), cfg.max_buffered_points);
    const duration = `${deps.retentionDays}d`;
    this.writer = new InfluxPointWriter(
      this.influx,
      this.buffer,
      { batchSize: cfg.batch_size, flushIntervalMs: cfg.flush_interval_ms, precision: cfg.precision },
      {
        clock: deps.clock,
        logger: deps.logger.child({ mod: 'influx-haccp' }),
        prepare: () => this.ensureSchema(duration),
      },
    );
  }

  start(): void {
    this.writer.start();
  }

  record(events: readonly StoreEvent[]): void {
    for (const p of haccpPoints(events)) this.writer.write(p);
  }

  async flush(): Promise<void> {
    await this.writer.flush();
  }

  async close(): Promise<void> {
    await this.writer.stop();
    this.buffer.close();
  }

  private ensureSchema(duration: string): Promise<void> {
    return ensureRetentionPolicy(this.influx, this.cfg.database, RP_HACCP, duration, false);
  }
}

export function haccpPoints(events: readonly StoreEvent[]): StoredPoint[] {
  const points: StoredPoint[] = [];
  for (const e of eventsOf(events, 'coldchain.sample')) {
    const d = e.data;
    const fields = numeric({
      temp_c: d.temp_c ?? undefined,
      humidity_pct: d.humidity_pct ?? undefined,
      door_open: flag(d.door_open),
      defrost: flag(d.defrost),
      in_range: flag(d.in_range),
    });
    // A sample without a value still marks the slot (status no_data / probe_fault), never a silent hole.
    fields.present = d.temp_c === null ? 0 : 1;
    points.push({
      rp: RP_HACCP,
      measurement: 'haccp_sample',
      tags: { unit: d.unit, class: d.class, status: d.status },
      fields,
      t: e.t,
    });
  }
  for (const e of eventsOf(events, 'coldchain.alarm')) {
    const d = e.data;
    points.push({
      rp: RP_HACCP,
      measurement: 'haccp_alarm',
      tags: { unit: d.unit, class: d.class, alarm: d.alarm, state: d.state },
      fields: numeric({
        raised: d.state === 'raised' ? 1 : 0,
        started_at: d.started_at,
        value_c: d.value_c ?? undefined,
        peak_c: d.peak_c ?? undefined,
        duration_s: d.duration_s ?? undefined,
      }),
      t: e.t,
    });
  }
  return points;
}

function numeric(fields: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && Number.isFinite(v)) out[k] = v;
  return out;
}
