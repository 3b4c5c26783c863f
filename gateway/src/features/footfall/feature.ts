import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Counter, Gauge } from 'prom-client';
import type { LoadedConfig } from '../../config/load.js';
import { GpioDoorConnector } from '../../connectors/gpio/gpio-door-connector.js';
import type { GpioPort } from '../../connectors/gpio/gpio-port.js';
import { GpiodGpio } from '../../connectors/gpio/gpiod-gpio.js';
import { OnoffGpio } from '../../connectors/gpio/onoff-gpio.js';
import type { StoreEvent } from '../../core/events.js';
import type { Feature } from '../../ports/feature.js';
import {
  FootfallProcessor,
  type FootfallProcessorOptions,
} from '../../processors/footfall/footfall-processor.js';
import type { DayRecord, MinuteRecord } from '../../processors/footfall/records.js';
import { assertTimeZone } from '../../processors/footfall/store-day.js';
import { InfluxFootfallStore } from '../../sinks/influx/influx-footfall-store.js';
import type { FootfallStore } from '../../sinks/rollups/footfall-store.js';
import { SqliteRollupStore } from '../../sinks/rollups/sqlite-rollups.js';
import type { GatewayContext } from '../context.js';
import { registerFootfallRoutes } from './routes.js';

/** Counter baselines older than this are not resumed: the device has surely restarted or been replaced. */
const MAX_STATE_AGE_MS = 86_400_000;

export function footfallOptions(config: LoadedConfig): FootfallProcessorOptions {
  const f = config.footfall;
  return {
    store: config.store.id,
    timeZone: config.store.timezone,
    storeEmptyTime: f.store_empty_time,
    driftCorrection: f.drift_correction,
    debounceMs: f.debounce_ms,
    blockedAlarmMs: f.blocked_alarm_ms,
    transactionEvents: f.transaction_events,
  };
}

/**
 * Footfall: the processor in the pipeline, GPIO doors, minute/day records into InfluxDB (when configured)
 * or the embedded SQLite rollups, transactions from checkout lanes, and the HTTP API.
 */
export class FootfallFeature implements Feature {
  readonly name = 'footfall';
  readonly processor: FootfallProcessor;
  readonly store: FootfallStore;
  private readonly gpioDoors: GpioDoorConnector | null;
  private readonly statePath: string;
  private readonly eventsTotal: Counter<'type'>;
  private readonly onEvents = (events: readonly StoreEvent[]) => this.handle(events);

  constructor(
    readonly ctx: GatewayContext,
    deps: { gpio?: GpioPort; store?: FootfallStore } = {},
  ) {
    const cfg = ctx.config.footfall;
    assertTimeZone(ctx.config.store.timezone);
    this.processor = new FootfallProcessor(footfallOptions(ctx.config));
    this.statePath = join(ctx.config.dataDir, 'footfall-state.json');
    this.eventsTotal = new Counter({
      name: 'storegate_footfall_events_total',
      help: 'Footfall events derived, by type',
      labelNames: ['type'],
      registers: [ctx.metrics],
    });
    const processor = this.processor;
    const clock = ctx.clock;
    new Gauge({
      name: 'storegate_footfall_occupancy',
      help: 'Live store occupancy (clamped at 0, reset at footfall.store_empty_time)',
      registers: [ctx.metrics],
      collect() {
        this.set(processor.aggregator.currentOccupancy());
      },
    });
    new Gauge({
      name: 'storegate_footfall_blocked_beams',
      help: 'Door beams held blocked past footfall.blocked_alarm_ms',
      registers: [ctx.metrics],
      collect() {
        this.set(processor.blockedBeams().length);
      },
    });
    new Gauge({
      name: 'storegate_footfall_visitors_today',
      help: 'Entries counted since the last store-empty time',
      registers: [ctx.metrics],
      collect() {
        this.set(processor.snapshot(clock.now()).in);
      },
    });
    ctx.pipeline.add({
      name: this.processor.name,
      handles: this.processor.handles,
      process: (r) => this.count(this.processor.process(r)),
      tick: (now) => this.count(this.processor.tick(now)),
    });
    const log = ctx.logger.child({ mod: 'footfall' });
    this.store =
      deps.store ??
      (cfg.influx
        ? new InfluxFootfallStore(cfg.influx, {
            store: ctx.config.store.id,
            dataDir: ctx.config.dataDir,
            clock: ctx.clock,
            logger: log,
            metrics: ctx.metrics,
          })
        : new SqliteRollupStore(join(ctx.config.dataDir, 'footfall.db'), {
            store: ctx.config.store.id,
            rollupDays: cfg.rollup_days,
            clock: ctx.clock,
          }));
    const doors = cfg.doors.flatMap((d) =>
      d.gpio
        ? [
            {
              id: d.id,
              chip: d.gpio.chip,
              pinA: d.gpio.pin_a,
              pinB: d.gpio.pin_b,
              activeLow: d.gpio.active_low,
            },
          ]
        : [],
    );
    const gpio =
      deps.gpio ??
      (cfg.gpio_driver === 'onoff'
        ? new OnoffGpio(() => ctx.clock.now())
        : new GpiodGpio(() => ctx.clock.now()));
    this.gpioDoors =
      doors.length > 0
        ? new GpioDoorConnector(gpio, doors, {
            ingest: ctx.pipeline,
            clock: ctx.clock,
            logger: log,
            deviceStats: ctx.deviceStats,
          })
        : null;
    registerFootfallRoutes(ctx.http, this);
  }

  async start(): Promise<void> {
    await this.store.start();
    await this.restore();
    this.ctx.live.on('events', this.onEvents);
    await this.gpioDoors?.start();
  }

  async stop(): Promise<void> {
    await this.gpioDoors?.stop();
    this.ctx.live.off('events', this.onEvents);
    this.saveState();
    await this.store.close();
  }

  private count(events: StoreEvent[]): StoreEvent[] {
    for (const e of events) this.eventsTotal.labels(e.type).inc();
    return events;
  }

  /** Durable events (after the outbox took them) feed storage; paid lane sessions count as transactions. */
  private handle(events: readonly StoreEvent[]): void {
    const derived: StoreEvent[] = [];
    for (const e of events) {
      if (e.type === 'footfall.minute') {
        this.store.writeMinute(e.data as unknown as MinuteRecord);
        this.saveState();
      } else if (e.type === 'footfall.day') this.store.writeDay(e.data as unknown as DayRecord);
      else if (e.type === 'lane.session.closed' && e.data.paid === true && this.countsLaneSessions()) {
        const id = (e.data.transaction_id as string | null) ?? (e.data.session as string | undefined);
        derived.push(...this.count(this.processor.recordTransactions(e.t, 1, id ?? undefined)));
      }
    }
    if (derived.length > 0) {
      this.ctx.pipeline
        .emit(derived)
        .catch((err) => this.ctx.logger.error({ err }, 'footfall events not stored'));
    }
  }

  private countsLaneSessions(): boolean {
    return this.ctx.config.footfall.transaction_events.includes('lane.session.closed');
  }

  private async restore(): Promise<void> {
    const now = this.ctx.clock.now();
    try {
      const state = JSON.parse(readFileSync(this.statePath, 'utf8')) as {
        saved_at: number;
        counters: Record<string, number>;
      };
      if (now - state.saved_at < MAX_STATE_AGE_MS) this.processor.restoreCounters(state.counters);
    } catch {
      // first start, or an unreadable file: counters start from a fresh baseline
    }
    try {
      const rows = await this.store.query({ from: now - 26 * 3_600_000, to: now, stepMs: 60_000 });
      this.processor.aggregator.restore(rows, now);
    } catch (err) {
      this.ctx.logger.warn({ err }, "could not resume today's occupancy from storage; starting at 0");
    }
  }

  private saveState(): void {
    try {
      const tmp = `${this.statePath}.tmp`;
      writeFileSync(
        tmp,
        JSON.stringify({ saved_at: this.ctx.clock.now(), counters: this.processor.counterSnapshot() }),
      );
      renameSync(tmp, this.statePath);
    } catch (err) {
      this.ctx.logger.warn({ err }, 'could not save footfall counter state');
    }
  }
}
