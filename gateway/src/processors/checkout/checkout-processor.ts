import type { Clock } from '../../../../shared/src/clock.js';
import { type Reading, type ReadingType, readingTime } from '../../../../shared/src/readings.js';
import type { CatalogView } from '../../core/catalog.js';
import type { StoreEvent } from '../../core/events.js';
import type { LaneDirectory } from '../../ports/lane-directory.js';
import type { Processor } from '../../ports/pipeline.js';
import { LaneEngine } from './lane-engine.js';
import type { CheckoutOptions } from './lane-options.js';
import type { AttendantAction, LaneState } from './lane-types.js';
import { ScaleHealth } from './scale-health.js';
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
  /** A queued (replay) attendant action could not apply, e.g. no open alert at that time. */
  onAttendantRejected?(lane: string, t: number, reason: string): void;
}

export interface CheckoutCounters {
  unmapped: number;
  badQuality: number;
}

const HANDLED: readonly ReadingType[] = ['scanner.scan', 'scale.reading', 'pos.event'];

/** Routes scanner, bagging-scale and POS readings to their lane's verification engine. */
export class CheckoutProcessor implements Processor {
  readonly name = 'checkout';
  readonly handles = HANDLED;
  readonly counters: CheckoutCounters = { unmapped: 0, badQuality: 0 };
  private readonly engines = new Map<string, LaneEngine>();
  private readonly queued: Array<{
    lane: string;
    action: AttendantAction;
    t: number;
    note: string | null;
    by: string | null;
  }> = [];

  constructor(private readonly deps: CheckoutProcessorDeps) {
    for (const lane of deps.directory.lanes()) this.engine(lane);
  }

  process(reading: Reading): StoreEvent[] {
    const t = readingTime(reading);
    const out = this.drainQueued(t);
    const laneId =
      (reading.type === 'pos.event' ? reading.lane : undefined) ??
      this.deps.directory.laneOf(reading.deviceId);
    if (!laneId) {
      this.counters.unmapped++;
      this.deps.onUnmapped?.(reading.deviceId);
      return out;
    }
    if (reading.quality === 'bad') {
      this.counters.badQuality++;
      return out;
    }
    const engine = this.engine(laneId);
    if (reading.type === 'scanner.scan') out.push(...engine.scan(reading.code, t));
    else if (reading.type === 'scale.reading') out.push(...engine.scale(reading.grams, reading.status, t));
    else if (reading.type === 'pos.event') out.push(...engine.pos(reading.event, t, reading.transactionId));
    this.changed(engine);
    return out;
  }

  tick(now: number): StoreEvent[] {
    const out = this.drainQueued(now);
    for (const engine of this.engines.values()) {
      const before = engine.alert;
      const events = engine.tick(now);
      out.push(...events);
      if (events.length > 0 || before !== engine.alert) this.changed(engine);
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
    if (!this.engines.has(lane) && !this.deps.directory.lanes().includes(lane)) {
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

  /** Every known lane (configured, placed in the registry, or seen in a reading). */
  states(): LaneState[] {
    for (const lane of this.deps.directory.lanes()) this.engine(lane);
    return [...this.engines.values()].map((e) => e.snapshot()).sort((a, b) => a.lane.localeCompare(b.lane));
  }

  state(lane: string): LaneState | undefined {
    if (!this.engines.has(lane) && !this.deps.directory.lanes().includes(lane)) return undefined;
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
      });
      this.engines.set(lane, engine);
    }
    return engine;
  }

  private changed(engine: LaneEngine): void {
    this.deps.onStateChange?.(engine.snapshot());
  }
}
