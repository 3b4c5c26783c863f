import { Counter, Gauge } from 'prom-client';
import type { Clock } from '../../../../shared/src/clock.js';
import type { StoreEvent } from '../../core/events.js';
import type { FootfallProcessor } from '../../processors/footfall/footfall-processor.js';
import type { GatewayContext } from '../context.js';
import type { FeatureScope } from '../scope.js';

/** Prometheus metrics of footfall; returns the counter of derived events. */
export function footfallMetrics(
  ctx: GatewayContext,
  scope: FeatureScope,
  processor: FootfallProcessor,
  clock: Clock,
) {
  const registers = [ctx.metrics];
  const keep = <M extends Parameters<FeatureScope['metric']>[1]>(m: M) => scope.metric(ctx.metrics, m);
  const eventsTotal = keep(
    new Counter({
      name: 'storegate_footfall_events_total',
      help: 'Footfall events derived, by type',
      labelNames: ['type'],
      registers,
    }),
  );
  keep(
    new Gauge({
      name: 'storegate_footfall_occupancy',
      help: 'Live store occupancy (clamped at 0, reset at footfall.store_empty_time)',
      registers,
      collect() {
        this.set(processor.aggregator.currentOccupancy());
      },
    }),
  );
  keep(
    new Gauge({
      name: 'storegate_footfall_blocked_beams',
      help: 'Door beams held blocked past footfall.blocked_alarm_ms',
      registers,
      collect() {
        this.set(processor.blockedBeams().length);
      },
    }),
  );
  keep(
    new Gauge({
      name: 'storegate_footfall_visitors_today',
      help: 'Entries counted since the last store-empty time',
      registers,
      collect() {
        this.set(processor.snapshot(clock.now()).in);
      },
    }),
  );
  return {
    count(events: StoreEvent[]): StoreEvent[] {
      for (const e of events) eventsTotal.labels(e.type).inc();
      return events;
    },
  };
}
