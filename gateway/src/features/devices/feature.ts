import type { Logger } from '../../../../shared/src/logger.js';
import type { Feature } from '../../ports/feature.js';
import { DeviceHealthProcessor } from '../../processors/health/device-health-processor.js';
import { PublishRates } from '../../processors/health/publish-rates.js';
import type { GatewayContext } from '../context.js';
import { FeatureScope } from '../scope.js';
import { registerInstallerDeviceRoutes } from './installer-routes.js';
import { deviceHealthMetrics } from './metrics.js';
import { registerDeviceRoutes } from './routes.js';

/**
 * Wires the health processor into the gateway. The pipeline ticker drives its tick() (transitions); every
 * `health.check_interval_ms` this feature feeds it the registry's device list (the CLI may add or remove devices
 * meanwhile), writes last-seen back to the registry (batched there) and samples publish rates. It also exposes
 * Prometheus gauges and `GET /api/devices`.
 */
export class DeviceHealthFeature implements Feature {
  readonly name = 'device-health';
  readonly processor: DeviceHealthProcessor;
  private readonly rates = new PublishRates();
  private readonly synced = new Map<string, number>();
  private readonly log: Logger;
  private scope: FeatureScope | null = null;
  private routesRegistered = false;

  constructor(private readonly ctx: GatewayContext) {
    this.log = ctx.logger.child({ mod: 'device-health' });
    this.processor = new DeviceHealthProcessor({
      offlineAfterMissed: ctx.config.health.offline_after_missed,
      startedAt: ctx.clock.now(),
    });
  }

  async start(): Promise<void> {
    const scope = new FeatureScope(this.log);
    this.scope = scope;
    scope.defer(this.ctx.pipeline.add(this.processor));
    deviceHealthMetrics(this.ctx, scope, this.processor);
    if (!this.routesRegistered) {
      registerDeviceRoutes(this.ctx.http, {
        registry: this.ctx.registry,
        health: this.processor,
        stats: this.ctx.deviceStats,
        rates: this.rates,
      });
      registerInstallerDeviceRoutes(this.ctx.http, {
        registry: this.ctx.registry,
        config: this.ctx.config,
        changed: () => this.refreshDirectory(),
      });
      this.routesRegistered = true;
    }
    this.refreshDirectory();
    this.sampleRates(this.ctx.clock.now());
    scope.defer(
      this.ctx.deviceStats.onConnection((id, connected) => {
        const events = this.processor.connection(id, connected, this.ctx.clock.now());
        if (events.length === 0) return;
        this.ctx.pipeline.emit(events).catch((err: unknown) => {
          this.log.error({ err, device: id }, 'device health event not stored');
        });
      }),
    );
    // A busy or broken registry file must not stop health tracking; the next round retries.
    scope.every(
      this.ctx.clock,
      this.ctx.config.health.check_interval_ms,
      () => this.refresh(),
      'device health refresh',
    );
    scope.defer(() => this.syncLastSeen());
  }

  async stop(): Promise<void> {
    await this.scope?.release();
    this.scope = null;
  }

  /** One bookkeeping round; public so tests can drive it without waiting for the timer. */
  refresh(): void {
    this.refreshDirectory();
    this.syncLastSeen();
    this.sampleRates(this.ctx.clock.now());
  }

  private sampleRates(now: number): void {
    const stats = this.ctx.deviceStats;
    this.rates.sample(
      now,
      this.processor.snapshot().map((d) => [d.id, stats.get(d.id)?.accepted ?? 0] as const),
    );
  }

  private refreshDirectory(): void {
    this.processor.setDirectory(this.ctx.registry.list());
  }

  /** Hand last-seen and firmware back to the registry, so `storegate device list` sees them. */
  private syncLastSeen(): void {
    for (const d of this.processor.snapshot()) {
      if (!d.registered || d.lastSeenAt === null || this.synced.get(d.id) === d.lastSeenAt) continue;
      this.ctx.registry.touch(d.id, d.lastSeenAt, d.firmware ?? undefined);
      this.synced.set(d.id, d.lastSeenAt);
    }
  }
}
