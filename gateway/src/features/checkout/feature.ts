import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { createLogThrottle, type Logger } from '../../../../shared/src/logger.js';
import { gtinKey, type LearnedWeight } from '../../core/catalog.js';
import { StoregateError } from '../../core/errors.js';
import type { Feature } from '../../ports/feature.js';
import type { CheckoutProcessor } from '../../processors/checkout/checkout-processor.js';
import type { AttendantAction, LaneState } from '../../processors/checkout/lane-types.js';
import type { WeightLearner } from '../../processors/checkout/weight-learner.js';
import { type ApplyResult, CatalogStore } from '../../registry/catalog-store.js';
import { ConfiguredLaneDirectory } from '../../registry/lanes.js';
import { cloudCommands } from '../../sinks/uplink/commands.js';
import type { GatewayContext } from '../context.js';
import { FeatureScope } from '../scope.js';
import { seedCatalogFromConfig } from './catalog-seed.js';
import { LaneHealthOverlay, type ServedLaneState } from './lane-health.js';
import type { LaneStatePublisher } from './lane-state-publisher.js';
import { BrokerLaneStatePublisher, type InternalPublish } from './lane-state-publisher.js';
import { registerLearnedRoutes } from './learned-routes.js';
import { checkoutMetrics } from './metrics.js';
import { registerLaneRoutes } from './routes.js';
import { checkoutProcessor } from './wiring.js';

export interface CheckoutFeatureDeps {
  /** The embedded broker's internal publish; lane states are then retained on `lanes/{id}/state`. */
  broker?: InternalPublish;
  /** Overrides `broker` (tests). */
  publisher?: LaneStatePublisher;
}

interface Running {
  catalog: CatalogStore;
  learner: WeightLearner;
  directory: ConfiguredLaneDirectory;
  processor: CheckoutProcessor;
}

/**
 * Staff-less checkout lanes: the catalog cache (checkout.db), the verification processor in the pipeline,
 * learned-weight persistence, the `catalog.sync` cloud command, lane state to the broker, HTTP and WebSocket.
 */
export class CheckoutFeature implements Feature {
  readonly name = 'checkout';
  /** `state` fires with every lane state change, device health included (WebSocket subscribers). */
  readonly states = new EventEmitter<{ state: [ServedLaneState] }>();
  private readonly publisher: LaneStatePublisher | null;
  private readonly log: Logger;
  private scope: FeatureScope | null = null;
  private running: Running | null = null;
  private routesRegistered = false;
  private readonly deviceHealth = new LaneHealthOverlay((id) => this.laneOf(id));

  constructor(
    private readonly ctx: GatewayContext,
    deps: CheckoutFeatureDeps = {},
  ) {
    this.log = ctx.logger.child({ mod: 'checkout' });
    this.states.setMaxListeners(1_000);
    this.publisher =
      deps.publisher ?? (deps.broker ? new BrokerLaneStatePublisher(deps.broker, this.log) : null);
  }

  /** The lane a device is in while the feature runs (the recorder names lanes with it), else undefined. */
  laneOf(deviceId: string): string | undefined {
    return this.running?.directory.laneOf(deviceId);
  }

  private get live(): Running {
    if (!this.running) throw new StoregateError('SG_NOT_READY', 'the checkout feature is not running');
    return this.running;
  }

  /** A lane's state as displays see it (device health included), or undefined for an unknown lane. */
  laneState(lane: string): ServedLaneState | undefined {
    const state = this.processor.state(lane);
    return state && this.deviceHealth.serve(state);
  }

  laneStates(): ServedLaneState[] {
    return this.processor.states().map((s) => this.deviceHealth.serve(s));
  }

  get catalog(): CatalogStore {
    return this.live.catalog;
  }
  get learner(): WeightLearner {
    return this.live.learner;
  }
  get directory(): ConfiguredLaneDirectory {
    return this.live.directory;
  }
  get processor(): CheckoutProcessor {
    return this.live.processor;
  }

  /** Apply a catalog document (CLI import, `catalog.sync` downlink). Throws SG_PAYLOAD_REJECTED; old one kept. */
  applyCatalog(json: unknown, source = 'cloud'): ApplyResult {
    const result = this.catalog.apply(json, source, this.ctx.clock.now());
    for (const key of result.relearn) this.learner.reset(key);
    this.log.info(
      { version: result.version, items: result.items, relearn: result.relearn.length, source },
      'catalog applied',
    );
    return result;
  }

  now(): number {
    return this.ctx.clock.now();
  }

  /** An installer accepts a learned weight the daily drift bound holds back; saved at once. */
  confirmLearned(gtin: string): LearnedWeight | undefined {
    const l = this.learner.confirm(gtinKey(gtin), this.ctx.clock.now());
    if (l) {
      this.log.info({ gtin: l.gtin, grams: l.mean, n: l.n }, 'learned weight confirmed');
      this.persist();
    }
    return l;
  }

  /** Attendant clear/override; the events are durable when this resolves. */
  async attendant(lane: string, action: AttendantAction, note: string | null, by: string | null) {
    const result = this.processor.attendant(lane, action, note, by);
    await this.ctx.pipeline.emit(result.events);
    return result;
  }

  async start(): Promise<void> {
    const scope = new FeatureScope(this.log);
    this.scope = scope;
    const cfg = this.ctx.config.checkout;
    const catalog = scope.own(CatalogStore.open(join(this.ctx.config.dataDir, 'checkout.db')));
    const seeded = seedCatalogFromConfig(this.ctx.config, catalog, this.ctx.clock.now(), this.log);
    if (seeded)
      this.log.info(
        { version: seeded.version, items: seeded.items, relearn: seeded.relearn.length },
        'catalog applied from checkout.catalog',
      );
    const directory = new ConfiguredLaneDirectory(cfg.lanes, this.ctx.registry, this.ctx.clock);
    const unmappedLog = createLogThrottle({ now: () => this.ctx.clock.now(), burst: 1 });
    const { processor, learner } = checkoutProcessor(this.ctx.config, {
      clock: this.ctx.clock,
      catalog,
      learned: catalog.learned(),
      directory,
      onUnmapped: (deviceId) => {
        const gate = unmappedLog.allow(deviceId);
        if (gate.log)
          this.log.warn(
            { device: deviceId, suppressed: gate.suppressed },
            'lane reading from a device in no lane; ignored (see checkout.lanes)',
          );
      },
      onForeignLane: (deviceId, claimed, assigned) => {
        const gate = unmappedLog.allow(`foreign:${deviceId}`);
        if (gate.log)
          this.log.warn(
            { device: deviceId, claimed, assigned, suppressed: gate.suppressed },
            'lane reading names another lane than its device is assigned to; rejected',
          );
      },
      onStateChange: (state) => this.changed(state),
    });
    this.running = { catalog, learner, directory, processor };
    // Registered before the store is closed on release, so the last learned weights are saved first.
    scope.defer(async () => {
      this.persist();
      await this.publisher?.flush();
      this.running = null;
    });
    scope.defer(this.ctx.pipeline.add(processor));
    checkoutMetrics(this.ctx, scope, this);
    if (!this.routesRegistered) {
      registerLaneRoutes(this.ctx.http, this);
      registerLearnedRoutes(this.ctx.http, this);
      this.routesRegistered = true;
    }
    scope.every(this.ctx.clock, cfg.flush_learned_ms, () => this.persist(), 'learned-weight flush');
    scope.defer(
      cloudCommands(this.ctx).register('catalog.sync', (args) => {
        const r = this.applyCatalog(args.catalog ?? args, 'cloud');
        return { version: r.version, items: r.items, relearn: r.relearn.length };
      }),
    );
    scope.listen(this.ctx.live, 'events', (events) => {
      for (const lane of this.deviceHealth.apply(events)) {
        const state = processor.state(lane);
        if (state) this.changed(state);
      }
    });
    for (const state of this.laneStates()) this.publisher?.publish(state);
    const v = catalog.version();
    this.log.info(
      { lanes: directory.lanes(), catalog_version: v?.version ?? null, items: v?.itemCount ?? 0 },
      'checkout lanes ready',
    );
  }

  async stop(): Promise<void> {
    await this.scope?.release();
    this.scope = null;
  }

  private changed(state: LaneState): void {
    const served = this.deviceHealth.serve(state);
    this.publisher?.publish(served);
    this.states.emit('state', served);
  }

  /** Save learned weights; pick up a catalog imported by the CLI meanwhile. */
  private persist(): void {
    const { catalog, learner } = this.live;
    const dirty = learner.takeDirty();
    try {
      catalog.saveLearned(dirty);
      for (const key of catalog.refreshIfChanged() ?? []) learner.reset(key);
    } catch (err) {
      learner.markDirty(dirty.map((d) => d.gtin));
      this.log.error({ err }, 'saving learned weights failed; retrying at the next flush');
    }
  }
}
