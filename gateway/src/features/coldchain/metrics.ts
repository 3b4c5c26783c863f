import { Counter, Gauge } from 'prom-client';
import type { ColdChainProcessor } from '../../processors/coldchain/coldchain-processor.js';
import type { GatewayContext } from '../context.js';
import type { FeatureScope } from '../scope.js';

/** Prometheus metrics of the cold chain; returns the counter of record write failures. */
export function coldchainMetrics(ctx: GatewayContext, scope: FeatureScope, processor: ColdChainProcessor) {
  const registers = [ctx.metrics];
  scope.metric(
    ctx.metrics,
    new Gauge({
      name: 'storegate_coldchain_alarms_active',
      help: 'Cold-chain alarms currently raised, by alarm kind',
      labelNames: ['alarm'],
      registers,
      collect() {
        this.reset();
        for (const a of processor.active()) this.inc({ alarm: a.alarm });
      },
    }),
  );
  return scope.metric(
    ctx.metrics,
    new Counter({
      name: 'storegate_haccp_record_errors_total',
      help: 'Batches of durable cold-chain events the HACCP record could not store (disk, locked file)',
      registers,
    }),
  );
}
