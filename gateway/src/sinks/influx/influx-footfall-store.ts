import { join } from 'node:path';
import { InfluxDB, escape as influxEscape } from 'influx';
import type { Registry } from 'prom-client';
import { Counter, Gauge } from 'prom-client';
import type { Clock } from '../../../../shared/src/clock.js';
import type { Logger } from '../../../../shared/src/logger.js';
import type { InfluxConfig } from '../../config/sections/footfall.js';
import { StoregateError } from '../../core/errors.js';
import { conversionRate, type DayRecord, type MinuteRecord } from '../../core/footfall-records.js';
import type { DaySummary, FootfallQuery, FootfallRow, FootfallStore } from '../rollups/footfall-store.js';
import { PointDiskBuffer } from './disk-buffer.js';
import { dayPoints, ensureInfluxSchema, minutePoints } from './influx-schema.js';
import { InfluxPointWriter } from './point-writer.js';
import { RollupBackfill, RP_HOURLY, RP_MINUTES } from './rollup-backfill.js';

export function createInfluxClient(cfg: InfluxConfig): InfluxDB {
  const url = new URL(cfg.url);
  return new InfluxDB({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 8086)),
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    database: cfg.database,
    ...(cfg.username ? { username: cfg.username } : {}),
    ...(cfg.password ? { password: cfg.password } : {}),
    // Retries are ours (disk buffer + backoff); the client's own two quick retries would only delay that.
    pool: { maxRetries: 0, requestTimeout: cfg.timeout_ms },
  });
}

type Series = { columns: string[]; values: unknown[][] }[];

/** Footfall in InfluxDB 1.x; writes through the batching writer with its disk buffer. */
export class InfluxFootfallStore implements FootfallStore {
  readonly kind = 'influx' as const;
  readonly influx: InfluxDB;
  readonly writer: InfluxPointWriter;
  readonly backfill: RollupBackfill;
  private readonly buffer: PointDiskBuffer;
  private schemaReady = false;

  constructor(
    private readonly cfg: InfluxConfig,
    private readonly deps: {
      store: string;
      dataDir: string;
      clock: Clock;
      logger: Logger;
      metrics?: Registry;
    },
  ) {
    this.influx = createInfluxClient(cfg);
    this.buffer = new PointDiskBuffer(join(deps.dataDir, 'influx-buffer.db'), cfg.max_buffered_points);
    this.backfill = new RollupBackfill(this.influx, cfg.database, deps.logger.child({ mod: 'influx' }));
    const written = deps.metrics
      ? new Counter({
          name: 'storegate_influx_points_written_total',
          help: 'Points accepted by InfluxDB',
          registers: [deps.metrics],
        })
      : null;
    this.writer = new InfluxPointWriter(
      this.influx,
      this.buffer,
      { batchSize: cfg.batch_size, flushIntervalMs: cfg.flush_interval_ms, precision: cfg.precision },
      {
        clock: deps.clock,
        logger: deps.logger,
        onWritten: (points) => {
          written?.inc(points.length);
          this.backfill.noteWritten(points, deps.clock.now());
        },
        prepare: () => this.ensureSchema(),
      },
    );
    if (deps.metrics) {
      const writer = this.writer;
      const buffer = this.buffer;
      new Gauge({
        name: 'storegate_influx_backlog_points',
        help: 'Points waiting for InfluxDB (memory + disk buffer)',
        registers: [deps.metrics],
        collect() {
          this.set(writer.backlog());
        },
      });
      new Gauge({
        name: 'storegate_influx_points_dropped',
        help: 'Points dropped because the disk buffer was full (oldest first), since start',
        registers: [deps.metrics],
        collect() {
          this.set(buffer.dropped);
        },
      });
    }
  }

  /** Creates database, retention policies and continuous queries; if InfluxDB is down, retried on later writes. */
  async start(): Promise<void> {
    await this.ensureSchema().catch((err) => {
      this.deps.logger.warn(
        { err, url: this.cfg.url },
        'InfluxDB not ready at start; points are buffered on disk',
      );
    });
    this.writer.start();
  }

  writeMinute(record: MinuteRecord): void {
    for (const p of minutePoints(record)) this.writer.write(p);
  }

  writeDay(record: DayRecord): void {
    for (const p of dayPoints(record)) this.writer.write(p);
  }

  /** Everything written so far is in InfluxDB (or buffered), and the backfill it triggered has run. */
  async flush(): Promise<void> {
    await this.writer.flush();
    await this.backfill.idle();
  }

  /** Everything written so far is in InfluxDB, or a clear 503-style error if it cannot be. */
  private async ready(): Promise<void> {
    await this.flush();
    await this.ensureSchema().catch(() => undefined);
    if (this.writer.isDown() || !this.schemaReady) {
      throw new StoregateError(
        'SG_NOT_READY',
        `InfluxDB at ${this.cfg.url} is unreachable; points are buffered`,
      );
    }
  }

  async query(q: FootfallQuery): Promise<FootfallRow[]> {
    await this.ready();
    const where = `"store" = ${influxEscape.stringLit(this.deps.store)} AND time >= ${q.from}ms AND time < ${q.to}ms`;
    const group = `GROUP BY time(${q.stepMs}ms) fill(none)`;
    const from = (m: string) => `"${RP_MINUTES}"."${m}"`;
    const [store, door, corrected] = await Promise.all([
      this.rows(
        `SELECT sum("entries"), sum("exits"), sum("transactions"), last("occupancy") FROM ${from('footfall_store')} WHERE ${where} ${group}`,
      ),
      q.door
        ? this.rows(
            `SELECT sum("entries"), sum("exits") FROM ${from('footfall_door')} WHERE ${where} AND "door" = ${influxEscape.stringLit(q.door)} ${group}`,
          )
        : Promise.resolve(null),
      this.rows(`SELECT last("occupancy") FROM "${RP_HOURLY}"."occupancy_corrected" WHERE ${where} ${group}`),
    ]);
    const doorByT = door ? new Map(door.map((v) => [v[0] as number, v])) : null;
    const correctedByT = new Map(corrected.map((v) => [v[0] as number, v[1] as number]));
    return store.map((v) => {
      const t = v[0] as number;
      const d = doorByT?.get(t);
      const entries = doorByT ? Number(d?.[1] ?? 0) : Number(v[1]);
      const transactions = Number(v[3]);
      return {
        t,
        in: entries,
        out: doorByT ? Number(d?.[2] ?? 0) : Number(v[2]),
        transactions,
        occupancy: Number(v[4]),
        occupancy_corrected: correctedByT.has(t) ? correctedByT.get(t)! : null,
        conversion: conversionRate(transactions, entries),
      };
    });
  }

  async days(from: number, to: number): Promise<DaySummary[]> {
    await this.ready();
    const raw = (await this.influx.queryRaw(
      `SELECT "entries", "exits", "residual", "scale", "transactions" FROM "${RP_HOURLY}"."footfall_day"
       WHERE "store" = ${influxEscape.stringLit(this.deps.store)} AND time >= ${from}ms AND time < ${to}ms GROUP BY "door"`,
      { precision: 'ms', database: this.cfg.database },
    )) as { results: { series?: (Series[number] & { tags: { door: string } })[]; error?: string }[] };
    if (raw.results[0]?.error)
      throw new StoregateError('SG_IO', `InfluxDB query failed: ${raw.results[0].error}`);
    const byDay = new Map<number, DaySummary>();
    const day = (t: number) => {
      let d = byDay.get(t);
      if (!d) {
        d = {
          day_start: t,
          in: 0,
          out: 0,
          residual: 0,
          scale: null,
          transactions: 0,
          conversion: null,
          doors: {},
        };
        byDay.set(t, d);
      }
      return d;
    };
    for (const series of raw.results[0]?.series ?? []) {
      for (const [t, entries, exits, residual, scale, transactions] of series.values as (number | null)[][]) {
        const d = day(t!);
        if (series.tags.door === '_store') {
          Object.assign(d, { in: entries, out: exits, residual, scale: scale ?? null, transactions });
          d.conversion = conversionRate(transactions ?? 0, entries ?? 0);
        } else d.doors[series.tags.door] = { in: entries!, out: exits!, residual: residual! };
      }
    }
    return [...byDay.values()].sort((x, y) => x.day_start - y.day_start);
  }

  async close(): Promise<void> {
    await this.writer.stop();
    this.buffer.close();
  }

  private async ensureSchema(): Promise<void> {
    if (this.schemaReady) return;
    await ensureInfluxSchema(this.influx, this.cfg);
    this.schemaReady = true;
  }

  private async rows(query: string): Promise<unknown[][]> {
    const raw = (await this.influx.queryRaw(query, { precision: 'ms', database: this.cfg.database })) as {
      results: { series?: Series; error?: string }[];
    };
    const result = raw.results[0];
    if (result?.error) throw new StoregateError('SG_IO', `InfluxDB query failed: ${result.error}`);
    return result?.series?.[0]?.values ?? [];
  }
}
