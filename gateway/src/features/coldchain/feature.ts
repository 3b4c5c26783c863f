import { join } from 'node:path';
import type { Logger } from '../../../../shared/src/logger.js';
import { StoregateError } from '../../core/errors.js';
import type { StoreEvent } from '../../core/events.js';
import type { Feature } from '../../ports/feature.js';
import { ColdChainProcessor } from '../../processors/coldchain/coldchain-processor.js';
import { HaccpStore } from '../../sinks/haccp/haccp-store.js';
import { InfluxHaccpWriter } from '../../sinks/influx/influx-haccp-writer.js';
import type { GatewayContext } from '../context.js';
import { FeatureScope } from '../scope.js';
import { coldchainMetrics } from './metrics.js';
import { buildReport } from './report.js';
import { registerHaccpRoutes } from './routes.js';
import { coldChainOptions } from './units.js';

const DAY_MS = 86_400_000;

export function haccpFile(dataDir: string): string {
  return join(dataDir, 'haccp.db');
}

/**
 * Cold chain: the processor in the pipeline for every configured unit (and OPC UA alarm points), the HACCP
 * record fed from durable events, the daily report sent through the outbox, pruning past the retention, and
 * the API. Started only when there is at least one unit.
 */
export class ColdChainFeature implements Feature {
  readonly name = 'coldchain';
  readonly processor: ColdChainProcessor;
  private readonly log: Logger;
  private scope: FeatureScope | null = null;
  private openStore: HaccpStore | null = null;
  private routesRegistered = false;
  private recordErrors: { inc(): void } | null = null;
  /** The InfluxDB copy of the record, when the store has InfluxDB (footfall.influx). */
  private influxCopy: InfluxHaccpWriter | null = null;

  constructor(readonly ctx: GatewayContext) {
    this.log = ctx.logger.child({ mod: 'coldchain' });
    this.processor = new ColdChainProcessor(coldChainOptions(ctx.config));
  }

  get store(): HaccpStore {
    if (!this.openStore) throw new StoregateError('SG_NOT_READY', 'the cold-chain feature is not running');
    return this.openStore;
  }

  async start(): Promise<void> {
    const scope = new FeatureScope(this.log);
    this.scope = scope;
    const store = scope.own(new HaccpStore(haccpFile(this.ctx.config.dataDir)));
    this.openStore = store;
    scope.defer(() => {
      this.openStore = null;
    });
    const influx = this.ctx.config.footfall.influx;
    if (influx) {
      const copy = scope.own(
        new InfluxHaccpWriter(influx, {
          dataDir: this.ctx.config.dataDir,
          clock: this.ctx.clock,
          logger: this.log,
          retentionDays: this.ctx.config.coldchain.retention_days,
        }),
      );
      copy.start();
      this.influxCopy = copy;
      scope.defer(() => {
        this.influxCopy = null;
      });
    }
    this.recordErrors = coldchainMetrics(this.ctx, scope, this.processor);
    scope.listen(this.ctx.live, 'events', (events) => this.handle(events));
    scope.defer(this.ctx.pipeline.add(this.processor));
    const retentionMs = this.ctx.config.coldchain.retention_days * DAY_MS;
    const prune = () => {
      const deleted = store.prune(this.ctx.clock.now() - retentionMs);
      if (deleted > 0) this.log.info({ deleted }, 'haccp records past the retention pruned');
    };
    prune();
    scope.every(this.ctx.clock, 3_600_000, prune, 'haccp prune');
    if (!this.routesRegistered) {
      registerHaccpRoutes(this.ctx.http, this);
      this.routesRegistered = true;
    }
    this.log.info({ units: coldChainOptions(this.ctx.config).units.length }, 'cold chain started');
  }

  async stop(): Promise<void> {
    await this.scope?.release();
    this.scope = null;
  }

  /** Durable events go into the record; a closed day also becomes the daily report, sent must-deliver. */
  private handle(events: readonly StoreEvent[]): void {
    const store = this.openStore;
    if (!store) return;
    try {
      store.record(events);
    } catch (err) {
      // The events are durable in the outbox (the cloud has them); the record misses them: counted and logged.
      this.recordErrors?.inc();
      this.log.error({ err, events: events.length }, 'haccp record write failed');
      return;
    }
    this.influxCopy?.record(events);
    for (const e of events) {
      if (e.type !== 'coldchain.day') continue;
      const report = buildReport(store, String(e.data.day), this.ctx.clock.now());
      const event: StoreEvent = {
        type: 'haccp.report',
        t: e.t,
        stream: 'haccp/report',
        dataClass: 'must_deliver',
        data: { ...report },
      };
      this.ctx.pipeline.emit([event]).catch((err) => this.log.error({ err }, 'haccp report not stored'));
    }
  }
}
