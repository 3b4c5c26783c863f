import { join } from 'node:path';
import { createLogThrottle, type Logger } from '../../../../shared/src/logger.js';
import { StoregateError } from '../../core/errors.js';
import { facingSignature, facingsOf } from '../../core/facings.js';
import type { Feature } from '../../ports/feature.js';
import type { ShelfProcessor } from '../../processors/shelf/shelf-processor.js';
import { ShelvesStore } from '../../registry/planogram-store.js';
import type { GatewayContext } from '../context.js';
import { FeatureScope } from '../scope.js';
import { registerCalibrationRoutes } from './calibration-routes.js';
import { CalibrationSessions } from './calibration-sessions.js';
import type { ShelfDeviceCommands } from './device-commands.js';
import { shelfMetrics } from './metrics.js';
import { PickTally } from './pick-tally.js';
import { seedPlanogramFromConfig } from './planogram-seed.js';
import { registerShelfRoutes } from './routes.js';
import { shelfProcessor } from './wiring.js';

const RELOAD_CHECK_MS = 5000;
/** Learned unit weights are written this often (and at stop and reload): a crash loses at most a minute. */
const PERSIST_LEARNED_MS = 60_000;

export interface ShelfFeatureDeps {
  /** Device-side tare/calibrate (serial protocol or MQTT commands); absent: those routes answer 503. */
  deviceCommands?: ShelfDeviceCommands;
}

/**
 * Smart shelves in the live gateway: the planogram and calibrations from `${data_dir}/shelves.db` (seeded from
 * `shelves.planogram`), the ShelfProcessor in the pipeline (ticked by the gateway's PipelineTicker: silence,
 * resolver expiry), and the HTTP API. Edits made by the CLI in the same database are picked up within 5 s.
 */
export class ShelfFeature implements Feature {
  readonly name = 'shelves';
  readonly deviceCommands: ShelfDeviceCommands | null;
  calibrationActivityAt = 0;
  private readonly log: Logger;
  private scope: FeatureScope | null = null;
  private openStore: ShelvesStore | null = null;
  private current: ShelfProcessor | null = null;
  private loadedVersion = 0;
  private routesRegistered = false;
  private readonly unknownPlateLog;
  /** Picks per plate per hour since start, for the dashboard's heatmap (GET /api/shelves/picks). */
  picks: PickTally | null = null;
  private readonly calibrations: CalibrationSessions;

  constructor(
    private readonly ctx: GatewayContext,
    deps: ShelfFeatureDeps = {},
  ) {
    this.log = ctx.logger.child({ mod: 'shelves' });
    this.deviceCommands = deps.deviceCommands ?? null;
    this.unknownPlateLog = createLogThrottle({ now: () => ctx.clock.now() });
    this.calibrations = new CalibrationSessions(this, ctx.clock);
  }

  get store(): ShelvesStore {
    if (!this.openStore) throw new StoregateError('SG_NOT_READY', 'the shelves feature is not running');
    return this.openStore;
  }

  get processor(): ShelfProcessor {
    if (!this.current) throw new StoregateError('SG_NOT_READY', 'the shelves feature is not running');
    return this.current;
  }

  get planogramVersion(): number {
    return this.loadedVersion;
  }

  async start(): Promise<void> {
    const scope = new FeatureScope(this.log);
    this.scope = scope;
    const store = scope.own(new ShelvesStore(join(this.ctx.config.dataDir, 'shelves.db')));
    this.openStore = store;
    scope.defer(() => {
      this.openStore = null;
      this.current = null;
    });
    scope.defer(() => this.calibrations.cancelAll());
    seedPlanogramFromConfig(this.ctx.config, store, this.ctx.clock.now(), this.log);
    this.current = this.build();
    const metrics = shelfMetrics(
      this.ctx.metrics,
      scope,
      () => this.processor,
      // A web calibration waiting for the installer counts as activity now.
      () => (this.calibrations.openCount() > 0 ? this.ctx.clock.now() : this.calibrationActivityAt),
    );
    const picks = new PickTally(this.ctx.clock.now());
    this.picks = picks;
    scope.listen(this.ctx.live, 'events', (events) => picks.add(events));
    scope.defer(
      this.ctx.pipeline.add({
        name: 'shelf',
        handles: ['shelf.weight'],
        process: (r) => metrics.countEvents(this.processor.process(r)),
        tick: (now) => metrics.countEvents(this.processor.tick(now)),
      }),
    );
    if (!this.routesRegistered) {
      registerShelfRoutes(this.ctx.http, this, this.ctx.clock);
      registerCalibrationRoutes(this.ctx.http, this, this.calibrations, this.ctx.clock);
      this.routesRegistered = true;
    }
    scope.every(this.ctx.clock, RELOAD_CHECK_MS, () => this.reloadIfChanged(), 'shelf planogram reload');
    scope.every(this.ctx.clock, PERSIST_LEARNED_MS, () => this.persistLearned(), 'shelf learned weights');
    scope.defer(() => this.persistLearned());
  }

  /** Write what the facings learned; a planogram change since then drops what no longer applies. */
  persistLearned(): void {
    if (!this.openStore || !this.current) return;
    const current = this.openStore.current();
    if ((current?.version ?? 0) !== this.loadedVersion) return;
    this.openStore.saveLearnedWeights(this.current.learnedWeights());
  }

  async stop(): Promise<void> {
    await this.scope?.release();
    this.scope = null;
  }

  /** Rebuild the processor from the store (after an API/CLI edit or a new calibration). Stock re-settles. */
  reload(): void {
    if (this.current && this.openStore) {
      // Keep what was learned across a rebuild, unless the planogram changed the facing (signature check).
      const next = new Set(
        facingsOf(this.openStore.current()?.plates ?? []).map((f) => `${f.id}|${facingSignature(f)}`),
      );
      this.openStore.saveLearnedWeights(
        this.current.learnedWeights().filter((w) => next.has(`${w.facing}|${w.signature}`)),
      );
    }
    this.current = this.build();
    this.log.info({ version: this.loadedVersion }, 'planogram/calibration reloaded');
  }

  private reloadIfChanged(): void {
    if (this.openStore && this.openStore.version() !== this.loadedVersion) this.reload();
  }

  private build(): ShelfProcessor {
    const current = this.store.current();
    this.loadedVersion = current?.version ?? 0;
    return shelfProcessor(this.ctx.config, {
      plates: current?.plates ?? [],
      calibrations: this.store.calibrations(),
      learnedWeights: this.store.learnedWeights(),
      onUnknownPlate: (device, channel) => {
        const { log, suppressed } = this.unknownPlateLog.allow(`shelf-unknown:${device}#${channel}`);
        if (log) this.log.warn({ device, channel, suppressed }, 'shelf channel not in planogram; ignored');
      },
    });
  }
}
