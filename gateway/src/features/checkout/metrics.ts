import { Counter, Gauge } from 'prom-client';
import type { CheckoutProcessor } from '../../processors/checkout/checkout-processor.js';
import type { CatalogStore } from '../../registry/catalog-store.js';
import type { GatewayContext } from '../context.js';
import type { FeatureScope } from '../scope.js';

/** Prometheus metrics of the lanes, counted from the durable live feed (what the outbox accepted). */
export function checkoutMetrics(
  ctx: GatewayContext,
  scope: FeatureScope,
  feature: { readonly catalog: CatalogStore; readonly processor: CheckoutProcessor },
): void {
  const registers = [ctx.metrics];
  const keep = <M extends Parameters<FeatureScope['metric']>[1]>(m: M) => scope.metric(ctx.metrics, m);
  const alerts = keep(
    new Counter({
      name: 'storegate_lane_alerts_total',
      help: 'Lane alerts raised, by lane and reason',
      labelNames: ['lane', 'reason'],
      registers,
    }),
  );
  const verified = keep(
    new Counter({
      name: 'storegate_lane_items_verified_total',
      help: 'Items verified, by lane and how (scale, exempt, attendant)',
      labelNames: ['lane', 'by'],
      registers,
    }),
  );
  const sessions = keep(
    new Counter({
      name: 'storegate_lane_sessions_closed_total',
      help: 'Checkout sessions closed, by lane',
      labelNames: ['lane'],
      registers,
    }),
  );
  const maintenance = keep(
    new Counter({
      name: 'storegate_lane_maintenance_total',
      help: 'Scale maintenance alerts (drift, noise), by lane',
      labelNames: ['lane', 'reason'],
      registers,
    }),
  );
  keep(
    new Gauge({
      name: 'storegate_checkout_catalog_version',
      help: 'Version of the lane catalog in use (0: none)',
      registers,
      collect() {
        this.set(feature.catalog.version()?.version ?? 0);
      },
    }),
  );
  keep(
    new Gauge({
      name: 'storegate_checkout_catalog_items',
      help: 'Items in the lane catalog',
      registers,
      collect() {
        this.set(feature.catalog.version()?.itemCount ?? 0);
      },
    }),
  );
  keep(
    new Gauge({
      name: 'storegate_checkout_unmapped_readings',
      help: 'Scanner/scale/POS readings from devices not assigned to any lane (since start)',
      registers,
      collect() {
        this.set(feature.processor.counters.unmapped);
      },
    }),
  );
  keep(
    new Gauge({
      name: 'storegate_lane_sessions_open',
      help: 'Checkout sessions open now, by lane (`storegate upgrade` waits until none is)',
      labelNames: ['lane'],
      registers,
      collect() {
        this.reset();
        for (const s of feature.processor.states()) this.set({ lane: s.lane }, s.session === null ? 0 : 1);
      },
    }),
  );
  const counted = (name: string, help: string, key: 'foreignLane' | 'pendingDropped' | 'idleClosed') =>
    keep(
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(feature.processor.counters[key]);
        },
      }),
    );
  counted(
    'storegate_checkout_foreign_lane_readings',
    'Readings rejected because their lane field names another lane than the device is assigned to (since start)',
    'foreignLane',
  );
  counted(
    'storegate_checkout_pending_dropped',
    'Scanned items dropped from a lane holding more than verification.max_pending_items (since start)',
    'pendingDropped',
  );
  counted(
    'storegate_checkout_idle_sessions_closed',
    'Lane sessions closed after verification.session_idle_ms without activity (since start)',
    'idleClosed',
  );
  scope.listen(ctx.live, 'events', (events) => {
    for (const e of events) {
      if (e.type === 'lane.alert') alerts.labels(e.data.lane, e.data.reason).inc();
      else if (e.type === 'lane.item.verified') verified.labels(e.data.lane, e.data.by).inc();
      else if (e.type === 'lane.session.closed') sessions.labels(e.data.lane).inc();
      else if (e.type === 'lane.maintenance') maintenance.labels(e.data.lane, e.data.reason).inc();
    }
  });
}
