import { type Reading, readingTime } from '../../../../shared/src/readings.js';
import type { CalibrationRecord } from '../../core/calibration.js';
import type { StoreEvent } from '../../core/events.js';
import { facingsOf } from '../../core/facings.js';
import { neighbours, type PlateSpec, plateKey } from '../../core/planogram.js';
import type { Processor } from '../../ports/pipeline.js';
import { type Cluster, ClusterSet } from './clusters.js';
import { type ExplainedRun, type ExplainHost, explain } from './explain.js';
import { FacingState, type StoredWeight } from './facing-state.js';
import type { Location } from './hypotheses.js';
import { runEvents, stockEvents } from './interaction-events.js';
import {
  DEFAULT_TUNING,
  type DetectorTuning,
  PlateDetector,
  type SettledSpan,
  type SpanDecision,
} from './plate-detector.js';
import { type PlateSnapshot, PlateState } from './plate-state.js';
import { DEFAULT_HEALTH, type HealthLimits } from './sensor-health.js';

export interface ShelfProcessorOptions {
  plates: readonly PlateSpec[];
  calibrations?: readonly CalibrationRecord[];
  tuning?: Partial<DetectorTuning>;
  health?: Partial<HealthLimits>;
  /** Noise sigma assumed for an uncalibrated channel until it has measured its own (grams). */
  defaultNoiseGrams?: number;
  /** Sample rate of single-sample readings (batches carry their own `hz`). */
  defaultHz?: number;
  /** How long a wrong-plate return may follow its pick and still be recognised as one. */
  misplacedMemoryMs?: number;
  /** Unit weights learned earlier (persisted); ignored for facings whose SKU, weight or plates changed. */
  learnedWeights?: readonly StoredWeight[];
  onUnknownPlate?(device: string, channel: number): void;
}

export interface ShelfCounters {
  samples: number;
  unknownPlate: number;
  badQuality: number;
  outOfOrder: number;
  nonFinite: number;
}

type Tap = (grams: readonly number[], t: number, hz: number | undefined) => void;

/** Plates of a cluster must have reported this far past its last settle before it is explained (batch skew). */
const GRACE_MS = 250;
/** A plate that sent nothing for this long is not waited for. */
const SILENT_MS = 2_000;

/**
 * Smart-shelf processor: per-plate signal chain (PlateDetector) → settled changes grouped with their
 * neighbours' (ClusterSet) → explained together with an explicit likelihood over facings, quantities and
 * splits (explain.ts, hypotheses.ts) → pick/put/misplaced events, stock per facing with alarms, learned unit
 * weights, and sensor health. Deterministic: time comes from reading timestamps and tick(now), never from the
 * wall clock.
 */
export class ShelfProcessor implements Processor {
  readonly name = 'shelf';
  readonly handles = ['shelf.weight'] as const;
  readonly counters: ShelfCounters = {
    samples: 0,
    unknownPlate: 0,
    badQuality: 0,
    outOfOrder: 0,
    nonFinite: 0,
  };
  private readonly plates = new Map<string, PlateState>();
  private readonly facingStates: FacingState[] = [];
  private readonly adjacency: Map<string, string[]>;
  private readonly order = new Map<string, number>();
  private readonly specs: PlateSpec[];
  private readonly tuning: DetectorTuning;
  private readonly clusters: ClusterSet;
  private readonly recentPicks: { facing: FacingState; t: number }[] = [];
  private readonly taps = new Map<string, Set<Tap>>();
  private out: StoreEvent[] = [];
  private readonly limits: HealthLimits;
  private readonly memoryMs: number;
  private readonly host: ExplainHost;
  private readonly aroundCache = new WeakMap<Cluster, readonly { p: PlateState; own: boolean }[]>();

  constructor(private readonly options: ShelfProcessorOptions) {
    this.tuning = { ...DEFAULT_TUNING, ...options.tuning };
    const limits = { ...DEFAULT_HEALTH, ...options.health };
    this.limits = limits;
    const cal = new Map((options.calibrations ?? []).map((c) => [plateKey(c.device, c.channel), c]));
    this.specs = [...options.plates];
    for (const [i, spec] of this.specs.entries()) {
      const key = plateKey(spec.device, spec.channel);
      this.plates.set(key, new PlateState(spec, cal.get(key), limits));
      this.order.set(key, i);
    }
    const learned = new Map((options.learnedWeights ?? []).map((w) => [w.facing, w]));
    for (const f of facingsOf(this.specs)) {
      const members = f.plates.map((k) => this.plates.get(k)!);
      const state = new FacingState(f, members, learned.get(f.id));
      for (const m of members) m.facing = state;
      this.facingStates.push(state);
    }
    this.adjacency = neighbours(this.specs);
    this.memoryMs = options.misplacedMemoryMs ?? 30 * 60_000;
    const adjacent = (a: string, b: string) => this.adjacency.get(a)?.includes(b) ?? false;
    this.clusters = new ClusterSet(adjacent);
    this.host = {
      facings: this.facingStates,
      order: (k) => this.order.get(k) ?? 0,
      adjacent,
      location: (f, keys) => this.location(f, keys),
      foreignOn: (keys) => keys.flatMap((k) => this.plates.get(k)?.foreign ?? []),
      heldPicks: (f, t) =>
        this.recentPicks.filter((p) => p.facing === f && t - p.t <= this.memoryMs).map((p) => t - p.t),
    };
  }

  process(reading: Reading): StoreEvent[] {
    if (reading.type !== 'shelf.weight') return [];
    const plate = this.plates.get(plateKey(reading.deviceId, reading.channel));
    if (!plate) {
      this.counters.unknownPlate++;
      this.options.onUnknownPlate?.(reading.deviceId, reading.channel);
      return [];
    }
    if (reading.quality === 'bad') {
      this.counters.badQuality++;
      return [];
    }
    const out: StoreEvent[] = [];
    this.out = out;
    const hz = reading.hz ?? this.options.defaultHz ?? 60;
    if (!plate.detector || plate.detector.hz !== hz) {
      plate.detector = this.newDetector(plate, hz);
      plate.lastT = Number.NaN;
    }
    const detector = plate.detector;
    const t0 = readingTime(reading);
    const dt = 1000 / hz;
    const grams = reading.grams;
    for (let i = 0; i < grams.length; i++) {
      const t = t0 + i * dt;
      const raw = grams[i]!;
      // A non-finite sample (a driver dividing by a zero factor) would poison every running sum downstream.
      if (!Number.isFinite(raw)) {
        this.counters.nonFinite++;
        continue;
      }
      if (!(t > plate.lastT) && !Number.isNaN(plate.lastT)) {
        this.counters.outOfOrder++;
        continue;
      }
      plate.lastT = t;
      plate.health.sample(raw, t);
      detector.push(plate.correct(raw), t);
    }
    plate.samples += grams.length;
    this.counters.samples += grams.length;
    plate.health.received(reading.receivedAt);
    const taps = this.taps.get(plate.key);
    if (taps) for (const tap of taps) tap(grams, t0, reading.hz);
    const f = plate.facing;
    if (f.stock.count === null && detector.stable) out.push(...stockEvents(f, f.recount(t0), t0));
    this.checkHealth(plate, reading.receivedAt, t0);
    this.resolveReady(plate.lastT, false);
    this.out = [];
    return out;
  }

  tick(now: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    this.out = out;
    const quietMs = this.tuning.settleMs + this.tuning.holdMs;
    for (const plate of this.plates.values()) {
      const ev = plate.sensorEvent(now, now);
      if (ev) out.push(ev);
      // Quiet by the gateway's receive clock: device clocks may be skewed against `now`.
      const lastReceived = plate.health.lastReceivedAt;
      if (plate.detector?.busy && lastReceived !== null && now - lastReceived > quietMs)
        plate.detector.flush();
    }
    this.resolveReady(now, true);
    this.out = [];
    return out;
  }

  /**
   * End of input (replay): a plate whose signal was stable at its end closes its span; every waiting cluster is
   * explained with what it has. An unsettled plate stays open (never re-zeroed mid-event).
   */
  end(_now: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    this.out = out;
    for (const plate of this.plates.values()) if (plate.detector?.busy) plate.detector.flush();
    for (const cluster of [...this.clusters.pending]) {
      this.clusters.remove(cluster);
      this.emit(cluster, explain(cluster.changes, this.host, cluster.lastSettled));
    }
    this.out = [];
    return out;
  }

  stock(): PlateSnapshot[] {
    return [...this.plates.values()].map((p) => p.snapshot());
  }

  /** Facings with their stock and what they learned (for /api/shelves and the CLI). */
  facings() {
    return this.facingStates.map((f) => f.snapshot());
  }

  /** Learned unit weights to persist (facings that learned something). */
  learnedWeights(): StoredWeight[] {
    return this.facingStates.filter((f) => f.weight.n > 0).map((f) => f.stored());
  }

  /** Raw (uncalibrated) samples of one channel as they arrive: the calibration wizard reads through this. */
  tap(device: string, channel: number, fn: Tap): () => void {
    const key = plateKey(device, channel);
    const set = this.taps.get(key) ?? new Set<Tap>();
    set.add(fn);
    this.taps.set(key, set);
    return () => set.delete(fn);
  }

  /**
   * The device re-zeroed this channel (a tare command): the jump that follows is not a pick. The plate starts
   * over (new baseline, stock re-estimated at the next stable level).
   */
  resetPlate(device: string, channel: number): void {
    const plate = this.plates.get(plateKey(device, channel));
    if (!plate) return;
    plate.detector = null;
    plate.lastT = Number.NaN;
    plate.level = Number.NaN;
    plate.adjustGrams = 0;
    plate.foreign = [];
    plate.facing.stock.count = null;
  }

  hasPlate(device: string, channel: number): boolean {
    return this.plates.has(plateKey(device, channel));
  }

  private newDetector(plate: PlateState, hz: number): PlateDetector {
    const sigma = plate.calibration?.noiseGrams ?? this.options.defaultNoiseGrams ?? 2;
    return new PlateDetector(hz, sigma, this.tuning, (span) => this.decide(plate, span));
  }

  private checkHealth(plate: PlateState, now: number, t: number): void {
    const ev = plate.sensorEvent(now, t);
    if (ev) this.out.push(ev);
  }

  private location(f: FacingState, keys: readonly string[]): Location {
    if (f.plates.some((p) => keys.includes(p.key))) return 'own';
    if (f.plates.some((p) => keys.some((k) => this.adjacency.get(k)?.includes(p.key)))) return 'neighbour';
    const specs = keys.map((k) => this.plates.get(k)!.spec);
    const sameShelf = f.plates.some((p) =>
      specs.some(
        (s) =>
          s.device === p.spec.device ||
          (s.shelf !== undefined && s.shelf === p.spec.shelf && s.fixture === p.spec.fixture),
      ),
    );
    return sameShelf ? 'shelf' : 'elsewhere';
  }

  /** Every settled span becomes a change to explain with its neighbours'; nothing is decided per plate. */
  private decide(plate: PlateState, span: SettledSpan): SpanDecision {
    plate.level = span.after;
    // A level at or beyond the plate's rating is not a measurement: no pick or put from or to it.
    const limit = this.limits.saturationGrams;
    if (Math.abs(span.before) >= limit || Math.abs(span.after) >= limit) return 'accept';
    const hz = plate.detector?.hz ?? 60;
    const windowSamples = Math.max(6, Math.round((this.tuning.windowMs * hz) / 1000));
    const plateauSamples = Math.max(4, Math.round((this.tuning.plateauMs * hz) / 1000));
    this.clusters.add({
      key: plate.key,
      delta: span.after - span.before,
      sigmaDelta: span.sigma * Math.sqrt(2 / windowSamples),
      levelSigma: span.sigma * Math.sqrt(1 / plateauSamples + 1 / windowSamples),
      before: span.before,
      tStart: span.tStart,
      tSettled: span.tSettled,
      plateaus: [...span.plateaus],
      threshold: plate.detector?.activityThreshold ?? this.tuning.minTriggerGrams,
    });
    return 'accept';
  }

  /**
   * Explain the clusters whose plates and neighbours are all quiet. One whose best explanation is poor waits
   * up to hold_ms for more changes (a hand resting, then lifting with the item) before it is reported as it is.
   */
  private resolveReady(now: number, byClock: boolean): void {
    // `remove` replaces the pending array, so iterating the one seen here needs no copy (this runs per batch).
    const pending = this.clusters.pending;
    for (const cluster of pending) {
      const age = now - cluster.lastSettled;
      let waiting = false;
      for (const { p, own } of this.around(cluster)) {
        if (!p.detector) continue;
        const silent = !(p.lastT >= now - SILENT_MS) && !byClock;
        if (p.detector.busy && (own || age < this.tuning.holdMs)) waiting = true;
        else if (!byClock && !silent && !(p.lastT >= cluster.lastSettled + GRACE_MS)) waiting = true;
      }
      if (waiting) continue;
      cluster.explained ??= explain(cluster.changes, this.host, cluster.lastSettled);
      const runs = cluster.explained;
      if (age < this.tuning.holdMs && !wellExplained(runs)) continue;
      this.clusters.remove(cluster);
      this.emit(cluster, runs);
    }
  }

  /**
   * The plates of a cluster and next to it. A cluster never changes (a new change makes a new one) and one that
   * waits the hold time is looked at on every batch of every plate: worked out once.
   */
  private around(cluster: Cluster): readonly { p: PlateState; own: boolean }[] {
    let hit = this.aroundCache.get(cluster);
    if (!hit) {
      const keys = this.clusters.neighbourhood(cluster, (k) => this.adjacency.get(k) ?? []);
      hit = [...keys].flatMap((k) => {
        const p = this.plates.get(k);
        return p ? [{ p, own: cluster.keys.has(k) }] : [];
      });
      this.aroundCache.set(cluster, hit);
    }
    return hit;
  }

  private emit(cluster: Cluster, runs: ExplainedRun[]): void {
    const t = cluster.lastSettled;
    const host = {
      plate: (k: string) => this.plates.get(k)!,
      rememberPick: (f: FacingState, at: number) => {
        this.recentPicks.push({ facing: f, t: at });
        if (this.recentPicks.length > 256) this.recentPicks.shift();
      },
      returned: (f: FacingState) => {
        const last = this.recentPicks.findLastIndex((p) => p.facing === f);
        if (last >= 0) this.recentPicks.splice(last, 1);
      },
    };
    for (const run of runs) {
      const { events, touched } = runEvents(run, host);
      const transitions = [...touched].map((f) => ({ f, tr: f.recount(t) }));
      for (const e of events) {
        const facing = e.type === 'shelf.misplaced' ? undefined : e.data.facing;
        const f =
          this.facingStates.find((x) => x.spec.id === facing) ??
          this.plates.get(`${e.data.device}#${e.data.channel}`)?.facing;
        if (f && e.type !== 'shelf.misplaced') e.data.stock = f.stock.count;
        this.plates.get(`${e.data.device}#${e.data.channel}`)!.lastEventAt = Math.round(t);
      }
      this.out.push(...events);
      for (const { f, tr } of transitions) this.out.push(...stockEvents(f, tr, t));
    }
  }
}

/**
 * Every interaction in it a pick of an item of the facing that changed (or of a misplaced item lying there)
 * within a few predicted sigmas, or nothing. A hand resting on a plate weighs anything, and often about a whole
 * number of units: a rise is only an item put once it has stayed for the hold time (a hand lifts within it, and
 * the rise and the fall with the item it took are then explained together as their sum). A put of a SKU from
 * elsewhere waits the same.
 */
function wellExplained(runs: readonly ExplainedRun[]): boolean {
  return runs.every((r) =>
    r.segments.every(
      (s) =>
        s.option.kind === 'nothing' ||
        (s.segment.delta < 0 &&
          (s.option.kind === 'own' || s.option.kind === 'foreign') &&
          Math.abs(s.option.z) <= 4),
    ),
  );
}
