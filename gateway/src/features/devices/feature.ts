import { Counter, Gauge } from 'prom-client';
import type { TimerHandle } from '../../core/clock.js';
import { deviceKinds } from '../../core/device-contract.js';
import type { StoreEvent } from '../../core/events.js';
import type { Feature } from '../../ports/feature.js';
import { DeviceHealthProcessor } from '../../processors/health/device-health-processor.js';
import { PublishRates } from '../../processors/health/publish-rates.js';
import type { GatewayContext } from '../context.js';
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
  private timer: TimerHandle | null = null;
  private running = false;
  private readonly onLive = (events: readonly StoreEvent[]) => {
    for (const e of events) {
      if (e.type === 'device.health' && e.data.change === 'state')
        this.transitions.inc({ to: String(e.data.state) });
    }
  };
  private transitions!: Counter<'to'>;

  constructor(private readonly ctx: GatewayContext) {
    this.processor = new DeviceHealthProcessor({
      offlineAfterMissed: ctx.config.health.offline_after_missed,
      startedAt: ctx.clock.now(),
    });
    ctx.pipeline.add(this.processor);
    this.registerMetrics();
    registerDeviceRoutes(ctx.http, {
      registry: ctx.registry,
      health: this.processor,
      stats: ctx.deviceStats,
      rates: this.rates,
    });
  }

  async start(): Promise<void> {
    this.refreshDirectory();
    this.sampleRates(this.ctx.clock.now());
    this.ctx.live.on('events', this.onLive);
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) this.ctx.clock.clearTimeout(this.timer);
    this.timer = null;
    this.ctx.live.off('events', this.onLive);
    this.syncLastSeen();
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

  private schedule(): void {
    this.timer = this.ctx.clock.setTimeout(() => {
      if (this.running) this.schedule();
      try {
        this.refresh();
      } catch (err) {
        // A busy or broken registry file must not stop health tracking; the next round retries.
        this.ctx.logger.error({ err, feature: this.name }, 'device health refresh failed');
      }
    }, this.ctx.config.health.check_interval_ms);
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

  private registerMetrics(): void {
    const registers = [this.ctx.metrics];
    const processor = this.processor;
    const byKind = (state: 'online' | 'offline') =>
      function (this: Gauge<'kind'>) {
        const counts = new Map<string, number>(deviceKinds.map((k) => [k, 0]));
        for (const d of processor.snapshot()) {
          if (d.state === state) counts.set(d.kind ?? 'unknown', (counts.get(d.kind ?? 'unknown') ?? 0) + 1);
        }
        for (const [kind, n] of counts) this.set({ kind }, n);
      };
    new Gauge({
      name: 'storegate_devices_online',
      help: 'Devices heard from within their expected interval, by kind',
      labelNames: ['kind'],
      registers,
      collect: byKind('online'),
    });
    new Gauge({
      name: 'storegate_devices_offline',
      help: 'Devices silent for longer than their kind allows, by kind',
      labelNames: ['kind'],
      registers,
      collect: byKind('offline'),
    });
    this.transitions = new Counter({
      name: 'storegate_device_health_transitions_total',
      help: 'Device online/offline transitions',
      labelNames: ['to'],
      registers,
    });
  }
}

export function createDeviceHealthFeature(ctx: GatewayContext): DeviceHealthFeature {
  return new DeviceHealthFeature(ctx);
}
