import { Counter, Gauge, type Registry } from 'prom-client';
import type { ShelfProcessor } from '../../processors/shelf/shelf-processor.js';
import type { FeatureScope } from '../scope.js';

/** Prometheus metrics of the shelves, read from whichever processor is current (it is rebuilt on edits). */
export function shelfMetrics(
  registry: Registry,
  scope: FeatureScope,
  processor: () => ShelfProcessor,
  calibrationActivityAt: () => number,
) {
  const registers = [registry];
  const eventsTotal = scope.metric(
    registry,
    new Counter({
      name: 'storegate_shelf_events_total',
      help: 'Shelf events derived, by type',
      labelNames: ['type'],
      registers,
    }),
  );
  scope.metric(
    registry,
    new Counter({
      name: 'storegate_shelf_samples_total',
      help: 'Load-cell samples processed',
      registers,
      collect() {
        this.reset();
        this.inc(processor().counters.samples);
      },
    }),
  );
  scope.metric(
    registry,
    new Gauge({
      name: 'storegate_shelf_stock_units',
      help: 'Units on each plate (facing), from the last settled weight',
      labelNames: ['device', 'channel', 'sku'],
      registers,
      collect() {
        this.reset();
        for (const p of processor().stock()) {
          if (p.stock !== null)
            this.set({ device: p.device, channel: String(p.channel), sku: p.sku }, p.stock);
        }
      },
    }),
  );
  scope.metric(
    registry,
    new Gauge({
      name: 'storegate_shelf_calibration_last_activity_seconds',
      help: 'Unix time of the last calibration step through the API (now while a web calibration is open); 0: none since start',
      registers,
      collect() {
        this.set(Math.floor(calibrationActivityAt() / 1000));
      },
    }),
  );
  return {
    countEvents<T extends { type: string }[]>(events: T): T {
      for (const e of events) eventsTotal.inc({ type: e.type });
      return events;
    },
  };
}
