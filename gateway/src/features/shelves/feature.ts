import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Counter, Gauge } from 'prom-client';
import type { TimerHandle } from '../../core/clock.js';
import { createLogThrottle } from '../../core/logger.js';
import type { Feature } from '../../ports/feature.js';
import type { Processor } from '../../ports/pipeline.js';
import { ShelfProcessor } from '../../processors/shelf/shelf-processor.js';
import { loadPlanogramFile, specToWire } from '../../registry/planogram.js';
import { ShelvesStore } from '../../registry/planogram-store.js';
import type { GatewayContext } from '../context.js';
import type { ShelfDeviceCommands } from './device-commands.js';
import { registerShelfRoutes } from './routes.js';

const RELOAD_CHECK_MS = 5000;

/**
 * Smart shelves in the live gateway: the planogram and calibrations from `${data_dir}/shelves.db` (seeded from
 * `shelves.planogram`), the ShelfProcessor in the pipeline (ticked by the gateway's PipelineTicker: silence,
 * resolver expiry), and the HTTP API. Edits made by the CLI in the same database are picked up within 5 s.
 */
export class ShelfFeature implements Feature {
  readonly name = 'shelves';
  readonly store: ShelvesStore;
  processor: ShelfProcessor;
  private loadedVersion = 0;
  private timer: TimerHandle | null = null;
  private readonly throttle = createLogThrottle();
  private readonly eventsTotal: Counter<'type'>;
  /** Device-side tare/calibrate (serial today); null until the gateway wires a transport. */
  deviceCommands: ShelfDeviceCommands | null = null;

  constructor(private readonly ctx: GatewayContext) {
    this.store = new ShelvesStore(join(ctx.config.dataDir, 'shelves.db'));
    this.seedFromConfig();
    this.processor = this.build();
    this.eventsTotal = new Counter({
      name: 'storegate_shelf_events_total',
      help: 'Shelf events derived, by type',
      labelNames: ['type'],
      registers: [ctx.metrics],
    });
    const samples = () => this.processor.counters;
    new Counter({
      name: 'storegate_shelf_samples_total',
      help: 'Load-cell samples processed',
      registers: [ctx.metrics],
      collect() {
        this.reset();
        this.inc(samples().samples);
      },
    });
    const stock = () => this.processor.stock();
    new Gauge({
      name: 'storegate_shelf_stock_units',
      help: 'Units on each plate (facing), from the last settled weight',
      labelNames: ['device', 'channel', 'sku'],
      registers: [ctx.metrics],
      collect() {
        this.reset();
        for (const p of stock()) {
          if (p.stock !== null)
            this.set({ device: p.device, channel: String(p.channel), sku: p.sku }, p.stock);
        }
      },
    });
    const delegate: Processor = {
      name: 'shelf',
      handles: ['shelf.weight'],
      process: (r) => this.count(this.processor.process(r)),
      tick: (now) => this.count(this.processor.tick(now)),
    };
    ctx.pipeline.add(delegate);
    registerShelfRoutes(ctx.http, this);
  }

  async start(): Promise<void> {
    const loop = async () => {
      const now = this.ctx.clock.now();
      try {
        this.reloadIfChanged(now);
      } catch (err) {
        this.ctx.logger.error({ err, mod: 'shelves' }, 'shelf planogram reload failed');
      }
      if (this.timer) this.timer = this.ctx.clock.setTimeout(() => void loop(), RELOAD_CHECK_MS);
    };
    this.timer = this.ctx.clock.setTimeout(() => void loop(), RELOAD_CHECK_MS);
  }

  async stop(): Promise<void> {
    if (this.timer) this.ctx.clock.clearTimeout(this.timer);
    this.timer = null;
    this.store.close();
  }

  useDeviceCommands(commands: ShelfDeviceCommands): void {
    this.deviceCommands = commands;
  }

  get planogramVersion(): number {
    return this.loadedVersion;
  }

  /** Rebuild the processor from the store (after an API/CLI edit or a new calibration). Stock re-settles. */
  reload(): void {
    this.processor = this.build();
    this.ctx.logger.info({ mod: 'shelves', version: this.loadedVersion }, 'planogram/calibration reloaded');
  }

  private reloadIfChanged(_now: number): void {
    if (this.store.version() !== this.loadedVersion) this.reload();
  }

  private count<T extends { type: string }[]>(events: T): T {
    for (const e of events) this.eventsTotal.inc({ type: e.type });
    return events;
  }

  /**
   * Import `shelves.planogram` when the file changed since it was last imported. Edits made later through the
   * API or CLI win over an unchanged file; a broken file is logged and the stored planogram stays in force.
   */
  private seedFromConfig(): void {
    const file = this.ctx.config.shelves.planogram;
    if (!file) return;
    const configFile = this.ctx.config.configFile;
    const resolved = isAbsolute(file) || !configFile ? file : resolve(dirname(configFile), file);
    try {
      const wire = JSON.stringify(loadPlanogramFile(resolved).map(specToWire));
      const imported = this.store.latestBy('config');
      if (imported && JSON.stringify(imported.plates.map(specToWire)) === wire) return;
      this.store.replace({ plates: JSON.parse(wire) }, 'config', `loaded ${resolved}`, this.ctx.clock.now());
    } catch (err) {
      this.ctx.logger.error(
        { err, mod: 'shelves', file: resolved, version: this.store.version() },
        'planogram file not loaded; keeping the stored planogram',
      );
    }
  }

  private build(): ShelfProcessor {
    const current = this.store.current();
    this.loadedVersion = current?.version ?? 0;
    const c = this.ctx.config.shelves;
    return new ShelfProcessor({
      plates: current?.plates ?? [],
      calibrations: this.store.calibrations(),
      defaultHz: c.sample_hz,
      defaultNoiseGrams: c.default_noise_grams,
      misplacedMemoryMs: c.misplaced_memory_ms,
      tuning: {
        settleMs: c.detection.settle_ms,
        holdMs: c.detection.hold_ms,
        triggerSigma: c.detection.trigger_sigma,
        minTriggerGrams: c.detection.min_trigger_grams,
        maxDriftGramsPerMin: c.detection.max_drift_grams_per_min,
      },
      health: {
        silentMs: c.health.silent_ms,
        stuckMs: c.health.stuck_ms,
        saturationGrams: c.health.saturation_grams,
        noisyFactor: c.health.noisy_factor,
        noisyGrams: c.health.noisy_grams,
      },
      onUnknownPlate: (device, channel) => {
        const key = `shelf-unknown:${device}#${channel}`;
        const { log, suppressed } = this.throttle.allow(key);
        if (log) {
          this.ctx.logger.warn(
            { mod: 'shelves', device, channel, suppressed },
            'shelf channel not in planogram; ignored',
          );
        }
      },
    });
  }
}
