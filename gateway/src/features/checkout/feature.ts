import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { TimerHandle } from '../../core/clock.js';
import { createLogThrottle } from '../../core/logger.js';
import type { Feature } from '../../ports/feature.js';
import { CheckoutProcessor } from '../../processors/checkout/checkout-processor.js';
import type { AttendantAction, LaneState } from '../../processors/checkout/lane-types.js';
import { WeightLearner } from '../../processors/checkout/weight-learner.js';
import { type ApplyResult, CatalogStore } from '../../registry/catalog-store.js';
import { ConfiguredLaneDirectory } from '../../registry/lanes.js';
import { cloudCommands } from '../../sinks/uplink/commands.js';
import type { GatewayContext } from '../context.js';
import type { LaneStatePublisher } from './lane-state-publisher.js';
import { BrokerLaneStatePublisher, type InternalPublish } from './lane-state-publisher.js';
import { checkoutMetrics } from './metrics.js';
import { registerLaneRoutes } from './routes.js';

export interface CheckoutFeatureDeps {
  /** The embedded broker's internal publish; lane states are then retained on `lanes/{id}/state`. */
  broker?: InternalPublish;
  /** Overrides `broker` (tests). */
  publisher?: LaneStatePublisher;
}

/**
 * Staff-less checkout lanes: the catalog cache (checkout.db), the verification processor in the pipeline,
 * learned-weight persistence, the `catalog.sync` cloud command, lane state to the broker, HTTP and WebSocket.
 */
export class CheckoutFeature implements Feature {
  readonly name = 'checkout';
  readonly catalog: CatalogStore;
  readonly learner: WeightLearner;
  readonly directory: ConfiguredLaneDirectory;
  readonly processor: CheckoutProcessor;
  /** `state` fires with every lane state change (WebSocket subscribers). */
  readonly states = new EventEmitter<{ state: [LaneState] }>();
  private readonly publisher: LaneStatePublisher | null;
  private timer: TimerHandle | null = null;
  private unregister: (() => void) | null = null;
  private readonly log;

  constructor(
    private readonly ctx: GatewayContext,
    deps: CheckoutFeatureDeps = {},
  ) {
    const cfg = ctx.config.checkout;
    this.log = ctx.logger.child({ mod: 'checkout' });
    this.states.setMaxListeners(1_000);
    this.catalog = CatalogStore.open(join(ctx.config.dataDir, 'checkout.db'));
    this.learner = new WeightLearner(cfg.learning, this.catalog.learned());
    const unmappedLog = createLogThrottle({ now: () => ctx.clock.now(), burst: 1 });
    this.directory = new ConfiguredLaneDirectory(cfg.lanes, ctx.registry, ctx.clock);
    this.publisher =
      deps.publisher ?? (deps.broker ? new BrokerLaneStatePublisher(deps.broker, this.log) : null);
    this.processor = new CheckoutProcessor({
      config: cfg,
      clock: ctx.clock,
      catalog: this.catalog,
      learner: this.learner,
      directory: this.directory,
      onUnmapped: (deviceId) => {
        const gate = unmappedLog.allow(deviceId);
        if (gate.log)
          this.log.warn(
            { device: deviceId, suppressed: gate.suppressed },
            'lane reading from a device in no lane; ignored (see checkout.lanes)',
          );
      },
      onStateChange: (state) => {
        this.publisher?.publish(state);
        this.states.emit('state', state);
      },
    });
    ctx.pipeline.add(this.processor);
    checkoutMetrics(ctx, this);
    registerLaneRoutes(ctx.http, this);
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

  /** Attendant clear/override; the events are durable when this resolves. */
  async attendant(lane: string, action: AttendantAction, note: string | null, by: string | null) {
    const result = this.processor.attendant(lane, action, note, by);
    await this.ctx.pipeline.emit(result.events);
    return result;
  }

  async start(): Promise<void> {
    const schedule = () => {
      this.timer = this.ctx.clock.setTimeout(() => {
        this.persist();
        schedule();
      }, this.ctx.config.checkout.flush_learned_ms);
    };
    schedule();
    this.unregister = cloudCommands(this.ctx).register('catalog.sync', (args) => {
      const r = this.applyCatalog(args.catalog ?? args, 'cloud');
      return { version: r.version, items: r.items, relearn: r.relearn.length };
    });
    for (const state of this.processor.states()) this.publisher?.publish(state);
    const v = this.catalog.version();
    this.log.info(
      { lanes: this.directory.lanes(), catalog_version: v?.version ?? null, items: v?.itemCount ?? 0 },
      'checkout lanes ready',
    );
  }

  async stop(): Promise<void> {
    if (this.timer) this.ctx.clock.clearTimeout(this.timer);
    this.timer = null;
    this.unregister?.();
    this.unregister = null;
    this.persist();
    await this.publisher?.flush();
    this.catalog.close();
  }

  /** Save learned weights; pick up a catalog imported by the CLI meanwhile. */
  private persist(): void {
    const dirty = this.learner.takeDirty();
    try {
      this.catalog.saveLearned(dirty);
      for (const key of this.catalog.refreshIfChanged() ?? []) this.learner.reset(key);
    } catch (err) {
      this.learner.markDirty(dirty.map((d) => d.gtin));
      this.log.error({ err }, 'saving learned weights failed; retrying at the next flush');
    }
  }
}
