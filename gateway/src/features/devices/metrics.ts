import { Counter, Gauge } from 'prom-client';
import { deviceKinds } from '../../../../shared/src/device-contract.js';
import type { DeviceHealthProcessor } from '../../processors/health/device-health-processor.js';
import type { GatewayContext } from '../context.js';
import type { FeatureScope } from '../scope.js';

/** Online/offline gauges by kind and the transition counter (counted from the durable live feed). */
export function deviceHealthMetrics(
  ctx: GatewayContext,
  scope: FeatureScope,
  processor: DeviceHealthProcessor,
) {
  const registers = [ctx.metrics];
  const byKind = (state: 'online' | 'offline') =>
    function (this: Gauge<'kind'>) {
      const counts = new Map<string, number>(deviceKinds.map((k) => [k, 0]));
      for (const d of processor.snapshot()) {
        if (d.state === state) counts.set(d.kind ?? 'unknown', (counts.get(d.kind ?? 'unknown') ?? 0) + 1);
      }
      for (const [kind, n] of counts) this.set({ kind }, n);
    };
  scope.metric(
    ctx.metrics,
    new Gauge({
      name: 'storegate_devices_online',
      help: 'Devices heard from within their expected interval, by kind',
      labelNames: ['kind'],
      registers,
      collect: byKind('online'),
    }),
  );
  scope.metric(
    ctx.metrics,
    new Gauge({
      name: 'storegate_devices_offline',
      help: 'Devices silent for longer than their kind allows, by kind',
      labelNames: ['kind'],
      registers,
      collect: byKind('offline'),
    }),
  );
  const transitions = scope.metric(
    ctx.metrics,
    new Counter({
      name: 'storegate_device_health_transitions_total',
      help: 'Device online/offline transitions',
      labelNames: ['to'],
      registers,
    }),
  );
  scope.listen(ctx.live, 'events', (events) => {
    for (const e of events) {
      if (e.type === 'device.health' && e.data.change === 'state') transitions.inc({ to: e.data.state });
    }
  });
}
