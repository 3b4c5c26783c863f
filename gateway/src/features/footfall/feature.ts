import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../../../shared/src/logger.js';
import type { GpioPort } from '../../connectors/gpio/gpio-port.js';
import { StoregateError } from '../../core/errors.js';
import type { StoreEvent } from '../../core/events.js';
import { assertTimeZone } from '../../core/local-time.js';
import type { Feature } from '../../ports/feature.js';
import type { FootfallProcessor } from '../../processors/footfall/footfall-processor.js';
import type { FootfallStore } from '../../sinks/rollups/footfall-store.js';
import type { GatewayContext } from '../context.js';
import { FeatureScope } from '../scope.js';
import { footfallMetrics } from './metrics.js';
import { registerFootfallRoutes } from './routes.js';
import { footfallProcessor, gpioDoors, openFootfallStore } from './wiring.js';

/** Counter baselines older than this are not resumed: the device has surely restarted or been replaced. */
const MAX_STATE_AGE_MS = 86_400_000;

export interface FootfallFeatureDeps {
  gpio?: GpioPort;
  store?: FootfallStore;
}

/**
 * Footfall: the processor in the pipeline, GPIO doors, minute/day records into InfluxDB (when configured)
 * or the embedded SQLite rollups, transactions from checkout lanes, and the HTTP API.
 */
export class FootfallFeature implements Feature {
  readonly name = 'footfall';
  readonly processor: FootfallProcessor;
  private readonly statePath: string;
  private readonly log: Logger;
  private scope: FeatureScope | null = null;
  private openStore: FootfallStore | null = null;
  private countEvents: (events: StoreEvent[]) => StoreEvent[] = (events) => events;
  private routesRegistered = false;

  constructor(
    readonly ctx: GatewayContext,
    private readonly deps: FootfallFeatureDeps = {},
  ) {
    this.log = ctx.logger.child({ mod: 'footfall' });
    this.processor = footfallProcessor(ctx.config);
    this.statePath = join(ctx.config.dataDir, 'footfall-state.json');
  }

  get store(): FootfallStore {
    if (!this.openStore) throw new StoregateError('SG_NOT_READY', 'the footfall feature is not running');
    return this.openStore;
  }

  async start(): Promise<void> {
    assertTimeZone(this.ctx.config.store.timezone);
    const scope = new FeatureScope(this.log);
    this.scope = scope;
    const store = this.deps.store ?? openFootfallStore(this.ctx, this.log);
    await store.start();
    this.openStore = store;
    scope.defer(async () => {
      this.saveState();
      this.openStore = null;
      await store.close();
    });
    this.countEvents = footfallMetrics(this.ctx, scope, this.processor, this.ctx.clock).count;
    await this.restore(store);
    scope.defer(
      this.ctx.pipeline.add({
        name: this.processor.name,
        handles: this.processor.handles,
        process: (r) => this.countEvents(this.processor.process(r)),
        tick: (now) => this.countEvents(this.processor.tick(now)),
      }),
    );
    scope.listen(this.ctx.live, 'events', (events) => this.handle(events));
    if (!this.routesRegistered) {
      registerFootfallRoutes(this.ctx.http, this);
      this.routesRegistered = true;
    }
    const doors = gpioDoors(this.ctx, this.log, this.deps.gpio);
    if (doors) {
      scope.defer(() => doors.stop());
      await doors.start();
    }
  }

  async stop(): Promise<void> {
    await this.scope?.release();
    this.scope = null;
  }

  /** Durable events (after the outbox took them) feed storage; paid lane sessions count as transactions. */
  private handle(events: readonly StoreEvent[]): void {
    const derived: StoreEvent[] = [];
    for (const e of events) {
      if (e.type === 'footfall.minute') {
        this.store.writeMinute(e.data);
        this.saveState();
      } else if (e.type === 'footfall.day') this.store.writeDay(e.data);
      else if (e.type === 'lane.session.closed' && e.data.paid === true && this.countsLaneSessions()) {
        const id = e.data.transaction_id ?? e.data.session;
        derived.push(...this.countEvents(this.processor.recordTransactions(e.t, 1, id)));
      }
    }
    if (derived.length > 0) {
      this.ctx.pipeline.emit(derived).catch((err) => this.log.error({ err }, 'footfall events not stored'));
    }
  }

  private countsLaneSessions(): boolean {
    return this.ctx.config.footfall.transaction_events.includes('lane.session.closed');
  }

  private async restore(store: FootfallStore): Promise<void> {
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
      const rows = await store.query({ from: now - 26 * 3_600_000, to: now, stepMs: 60_000 });
      this.processor.aggregator.restore(rows, now);
    } catch (err) {
      this.log.warn({ err }, "could not resume today's occupancy from storage; starting at 0");
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
      this.log.warn({ err }, 'could not save footfall counter state');
    }
  }
}
