import type { Clock } from '../../../../shared/src/clock.js';
import { type Reading, type ReadingType, readingTime } from '../../../../shared/src/readings.js';
import type { CatalogView } from '../../core/catalog.js';
import type { StoreEvent } from '../../core/events.js';
import type { LaneDirectory } from '../../ports/lane-directory.js';
import type { Processor } from '../../ports/pipeline.js';
import { BaggingTimes } from './bagging-times.js';
import { CatalogAccuracy } from './catalog-accuracy.js';
import { LaneEngine } from './lane-engine.js';
import type { CheckoutOptions } from './lane-options.js';
import type { AttendantAction, LaneState } from './lane-types.js';
import { OwnBagWeights } from './own-bags.js';
import { ScaleHealth } from './scale-health.js';
import { StageTiming } from './stage-timing.js';
import type { WeightLearner } from './weight-learner.js';

export interface CheckoutProcessorDeps {
  config: CheckoutOptions;
  clock: Clock;
  catalog: CatalogView;
  learner: WeightLearner;
  directory: LaneDirectory;
  /** Called synchronously after any input changed a lane (the feature publishes the display state). */
  onStateChange?(state: LaneState): void;
  /** A scanner/scale/POS reading from a device in no lane (counted; the feature logs it, throttled). */
  onUnmapped?(deviceId: string): void;
  /** A reading whose `lane` field names another lane than its device's (rejected, counted; logged throttled). */
  onForeignLane?(deviceId: string, claimed: string, assigned: string): void;
  /** A queued (replay) attendant action could not apply, e.g. no open alert at that time. */
  onAttendantRejected?(lane: string, t: number, reason: string): void;
}

export interface CheckoutCounters {
  unmapped: number;
  badQuality: number;
  /** Readings naming a lane their device is not assigned to (issue 12 item 4). */
  foreignLane: number;
  /** Pending items dropped because a lane held too many (no POS closing sessions). */
  pendingDropped: number;
  /** Sessions closed because nothing happened on the lane for `session_idle_ms`. */
  idleClosed: number;
}

const HANDLED: readonly ReadingType[] = ['scanner.scan', 'scale.reading', 'pos.event'];

/** Routes scanner, bagging-scale and POS readings to their lane's verification engine. */
export class CheckoutProcessor implements Processor {
  readonly name = 'checkout';
  readonly handles = HANDLED;
  readonly counters: CheckoutCounters = {
    unmapped: 0,
    badQuality: 0,
    foreignLane: 0,
    pendingDropped: 0,
    idleClosed: 0,
  };
  private readonly engines = new Map<string, LaneEngine>();
  /** Learned across every lane: the catalog is the same for all of them. */
  readonly accuracy = new CatalogAccuracy();
  /** The shoppers' let-go time of staged items, learned across every lane. */
  readonly stageTiming = new StageTiming();
  /** The shoppers' own bag weights, learned across every lane. */
  readonly ownBags: OwnBagWeights;
  /** The shoppers' scan → bagged times, learned across every lane. */
  readonly baggingTimes: BaggingTimes;
  private readonly queued: Array<{
    lane: string;
    action: AttendantAction;
    t: number;
    note: string | null;
    by: string | null;
  }> = [];

  constructor(private readonly deps: CheckoutProcessorDeps) {
    const v = deps.config.verification;
    this.ownBags = new OwnBagWeights(v.bag_max_grams, v.bag_cap_grams);
    this.baggingTimes = new BaggingTimes(v.bag_timeout_ms);
    for (const lane of deps.directory.lanes()) this.engine(lane);
  }

  process(reading: Reading): StoreEvent[] {
    const t = readingTime(reading);
    const out = this.drainQueued(t);
    // A device acts only on the lane it is assigned to; a lane exists only when configured (or placed in the
    // registry), never because a payload names it.
    const laneId = this.deps.directory.laneOf(reading.deviceId);
    if (!laneId || !this.deps.directory.lanes().includes(laneId)) {
      this.counters.unmapped++;
      this.deps.onUnmapped?.(reading.deviceId);
      return out;
    }
    const claimed = reading.type === 'pos.event' ? reading.lane : undefined;
    if (claimed !== undefined && claimed !== laneId) {
      this.counters.foreignLane++;
      this.deps.onForeignLane?.(reading.deviceId, claimed, laneId);
      return out;
    }
    if (reading.quality === 'bad') {
      this.counters.badQuality++;
      return out;
    }
    const engine = this.engine(laneId);
    const dropped = engine.dropped;
    if (reading.type === 'scanner.scan') out.push(...engine.scan(reading.code, t));
    else if (reading.type === 'scale.reading') out.push(...engine.scale(reading.grams, reading.status, t));
    else if (reading.type === 'pos.event') out.push(...engine.pos(reading.event, t, reading.transactionId));
    this.counters.pendingDropped += engine.dropped - dropped;
    this.changed(engine);
    return out;
  }

  tick(now: number): StoreEvent[] {
    const out = this.drainQueued(now);
    for (const engine of this.engines.values()) {
      const before = engine.alert;
      const prompted = engine.prompted;
      const events = engine.tick(now);
      if (events.some((e) => e.type === 'lane.session.closed' && e.data.idle_timeout === true))
        this.counters.idleClosed++;
      out.push(...events);
      if (events.length > 0 || before !== engine.alert || prompted !== engine.prompted) this.changed(engine);
    }
    return out;
  }

  /** Attendant clears or overrides the lane's open alert (HTTP, CLI). Throws nothing: `error` says why not. */
  attendant(
    lane: string,
    action: AttendantAction,
    note: string | null,
    by: string | null,
    t = this.deps.clock.now(),
  ) {
    if (!this.deps.directory.lanes().includes(lane)) {
      return { events: [] as StoreEvent[], error: `unknown lane ${lane}` };
    }
    const engine = this.engine(lane);
    const result = engine.attendant(action, t, note, by);
    this.changed(engine);
    return result;
  }

  /** Replay: an attendant line takes effect at its time, before the next reading or tick at or after it. */
  queueAttendant(
    lane: string,
    action: AttendantAction,
    t: number,
    note: string | null,
    by: string | null,
  ): void {
    this.queued.push({ lane, action, t, note, by });
  }

  /** Every lane that exists (configured or placed in the registry). */
  states(): LaneState[] {
    return [...this.deps.directory.lanes()]
      .sort((a, b) => a.localeCompare(b))
      .map((l) => this.engine(l).snapshot());
  }

  state(lane: string): LaneState | undefined {
    if (!this.deps.directory.lanes().includes(lane)) return undefined;
    return this.engine(lane).snapshot();
  }

  private drainQueued(now: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    while (this.queued.length > 0 && this.queued[0]!.t <= now) {
      const q = this.queued.shift()!;
      const r = this.attendant(q.lane, q.action, q.note, q.by, q.t);
      if (r.error) this.deps.onAttendantRejected?.(q.lane, q.t, `attendant ${q.action} ignored: ${r.error}`);
      out.push(...r.events);
    }
    return out;
  }

  private engine(lane: string): LaneEngine {
    let engine = this.engines.get(lane);
    if (!engine) {
      const { config, catalog, learner } = this.deps;
      engine = new LaneEngine({
        lane,
        catalog,
        learner,
        health: new ScaleHealth(config.maintenance),
        verification: config.verification,
        learning: config.learning,
        accuracy: this.accuracy,
        stageTiming: this.stageTiming,
        ownBags: this.ownBags,
        baggingTimes: this.baggingTimes,
      });
      this.engines.set(lane, engine);
    }
    return engine;
  }

  private changed(engine: LaneEngine): void {
    this.deps.onStateChange?.(engine.snapshot());
  }
}
