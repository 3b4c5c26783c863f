import { join } from 'node:path';
import type { Logger } from '../../../../shared/src/logger.js';
import type { LoadedConfig } from '../../config/load.js';
import { GpioDoorConnector } from '../../connectors/gpio/gpio-door-connector.js';
import type { GpioPort } from '../../connectors/gpio/gpio-port.js';
import { GpiodGpio } from '../../connectors/gpio/gpiod-gpio.js';
import { OnoffGpio } from '../../connectors/gpio/onoff-gpio.js';
import {
  FootfallProcessor,
  type FootfallProcessorOptions,
} from '../../processors/footfall/footfall-processor.js';
import { InfluxFootfallStore } from '../../sinks/influx/influx-footfall-store.js';
import type { FootfallStore } from '../../sinks/rollups/footfall-store.js';
import { SqliteRollupStore } from '../../sinks/rollups/sqlite-rollups.js';
import type { GatewayContext } from '../context.js';

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
    entriesFrom: f.entries_from,
  };
}

/** The footfall processor as `store:` and `footfall:` configure it (live feature and `storegate replay`). */
export function footfallProcessor(config: LoadedConfig): FootfallProcessor {
  return new FootfallProcessor(footfallOptions(config));
}

/** Minute/day records go to InfluxDB when configured, else to the embedded SQLite rollups. */
export function openFootfallStore(ctx: GatewayContext, log: Logger): FootfallStore {
  const cfg = ctx.config.footfall;
  if (cfg.influx) {
    return new InfluxFootfallStore(cfg.influx, {
      store: ctx.config.store.id,
      dataDir: ctx.config.dataDir,
      clock: ctx.clock,
      logger: log,
      metrics: ctx.metrics,
    });
  }
  return new SqliteRollupStore(join(ctx.config.dataDir, 'footfall.db'), {
    store: ctx.config.store.id,
    rollupDays: cfg.rollup_days,
    clock: ctx.clock,
  });
}

/** Doors wired to GPIO pins (dual beams); null when no door has a `gpio` block. */
export function gpioDoors(ctx: GatewayContext, log: Logger, port?: GpioPort): GpioDoorConnector | null {
  const cfg = ctx.config.footfall;
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
  if (doors.length === 0) return null;
  const now = () => ctx.clock.now();
  const gpio = port ?? (cfg.gpio_driver === 'onoff' ? new OnoffGpio(now) : new GpiodGpio(now));
  return new GpioDoorConnector(gpio, doors, {
    ingest: ctx.pipeline,
    clock: ctx.clock,
    logger: log,
    deviceStats: ctx.deviceStats,
  });
}
