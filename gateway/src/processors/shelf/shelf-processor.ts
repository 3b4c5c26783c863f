import { type Reading, readingTime } from '../../../../shared/src/readings.js';
import type { CalibrationRecord } from '../../core/calibration.js';
import type { StoreEvent } from '../../core/events.js';
import { neighbours, type PlateSpec, plateKey } from '../../core/planogram.js';
import type { Processor } from '../../ports/pipeline.js';
import { bestQty, candidatesFor, splitSteps } from './classify.js';
import {
  DEFAULT_TUNING,
  type DetectorTuning,
  PlateDetector,
  type SettledSpan,
  type SpanDecision,
} from './plate-detector.js';
import { type PlateSnapshot, PlateState, round1 } from './plate-state.js';
import { applyResolution, stockEvents } from './resolution-events.js';
import { ChangeResolver } from './resolver.js';
import { DEFAULT_HEALTH, type HealthLimits } from './sensor-health.js';
import { type ShelfMovementEvent, shelfEvent } from './shelf-event.js';

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

/**
 * Smart-shelf processor: per-plate signal chain (PlateDetector) → SKU × quantity from the planogram →
 * pick/put/misplaced events, stock levels with alarms, and sensor health. Deterministic: time comes from
 * reading timestamps and tick(now), never from the wall clock.
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
  private readonly adjacency: Map<string, string[]>;
  private readonly specs: PlateSpec[];
  private readonly tuning: DetectorTuning;
  private readonly resolver: ChangeResolver;
  private readonly recentPicks: { sku: string; key: string; t: number }[] = [];
  private readonly taps = new Map<string, Set<Tap>>();
  private out: StoreEvent[] = [];
  private readonly limits: HealthLimits;
  private readonly memoryMs: number;

  constructor(private readonly options: ShelfProcessorOptions) {
    this.tuning = { ...DEFAULT_TUNING, ...options.tuning };
    const limits = { ...DEFAULT_HEALTH, ...options.health };
    this.limits = limits;
    const cal = new Map((options.calibrations ?? []).map((c) => [plateKey(c.device, c.channel), c]));
    this.specs = [...options.plates];
    for (const spec of this.specs) {
      const key = plateKey(spec.device, spec.channel);
      this.plates.set(key, new PlateState(spec, cal.get(key), limits));
    }
    this.adjacency = neighbours(this.specs);
    this.memoryMs = options.misplacedMemoryMs ?? 30 * 60_000;
    this.resolver = new ChangeResolver({
      specs: () => this.specs,
      neighbours: (key) => this.adjacency.get(key) ?? [],
      foreign: (key) => this.plates.get(key)?.foreign ?? [],
      recentlyPicked: (sku, notOn, now) => this.recentlyPicked(sku, notOn, now),
    });
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
    if (plate.stock.count === null && detector.stable) {
      out.push(...stockEvents(plate, plate.stock.setFromGrams(plate.netGrams(detector.baseline), t0), t0));
    }
    this.checkHealth(plate, reading.receivedAt, t0);
    for (const r of this.resolver.expire(t0)) out.push(...applyResolution(r, this.plates, t0));
    this.out = [];
    return out;
  }

  tick(now: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    const quietMs = this.tuning.settleMs + this.tuning.holdMs;
    for (const plate of this.plates.values()) {
      const ev = plate.sensorEvent(now, now);
      if (ev) out.push(ev);
      // Quiet by the gateway's receive clock: device clocks may be skewed against `now`.
      const lastReceived = plate.health.lastReceivedAt;
      if (plate.detector?.busy && lastReceived !== null && now - lastReceived > quietMs) {
        this.out = out;
        plate.detector.flush();
        this.out = [];
      }
    }
    for (const r of this.resolver.expire(now)) out.push(...applyResolution(r, this.plates, now));
    return out;
  }

  /** End of input: changes waiting for a partner on another plate get none; an unsettled plate stays open. */
  end(now: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    for (const r of this.resolver.expire(Number.POSITIVE_INFINITY))
      out.push(...applyResolution(r, this.plates, now));
    return out;
  }

  stock(): PlateSnapshot[] {
    return [...this.plates.values()].map((p) => p.snapshot());
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
    plate.adjustGrams = 0;
    plate.foreign = [];
    plate.stock.count = null;
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

  private decide(plate: PlateState, span: SettledSpan): SpanDecision {
    const { spec } = plate;
    const delta = span.after - span.before;
    const windowSamples = Math.max(6, Math.round((this.tuning.windowMs * (plate.detector?.hz ?? 60)) / 1000));
    const sigmaDelta = span.sigma * Math.sqrt(2 / windowSamples);
    // A level at or beyond the plate's rating is not a measurement: no pick or put from or to it.
    const limit = this.limits.saturationGrams;
    if (Math.abs(span.before) >= limit || Math.abs(span.after) >= limit) return this.close(plate, span, []);
    const q = bestQty(delta, spec, sigmaDelta);
    // Back where it started (a hand resting, a lean, a pick put straight back): no event.
    if (
      q.qty === 0 &&
      Math.abs(delta) <= Math.max(0.15 * spec.unitGrams, spec.toleranceGrams + 3 * sigmaDelta)
    ) {
      return this.close(plate, span, []);
    }
    if (!q.explained) {
      if (!span.final) return 'hold';
      const change = {
        key: plate.key,
        spec,
        delta,
        sigmaDelta,
        tStart: span.tStart,
        tSettled: span.tSettled,
      };
      this.close(plate, span, []);
      for (const r of this.resolver.add(change))
        this.out.push(...applyResolution(r, this.plates, span.tSettled));
      return 'accept';
    }
    // A put that an item picked elsewhere would explain just as well (500 g: two 250 g bags, or the pasta
    // taken from the next plate) is reported with that doubt, not as certain.
    const rivals =
      delta > 0
        ? this.specs.filter(
            (o) =>
              o.sku !== spec.sku &&
              this.recentlyPicked(o.sku, plate.key, span.tStart) &&
              bestQty(delta, o, sigmaDelta).explained,
          )
        : [];
    const candidates = candidatesFor(delta, [spec, ...rivals], sigmaDelta);
    const confidence = candidates.find((c) => c.sku === spec.sku && c.qty === q.qty)?.confidence ?? 0;
    const steps = splitSteps(
      span.before,
      Math.sign(delta) * q.qty,
      span.tStart,
      span.plateaus,
      spec,
      sigmaDelta,
    );
    const events = steps.map((s) =>
      shelfEvent(s.qty < 0 ? 'shelf.pick' : 'shelf.put', s.t, spec, {
        sku: spec.sku,
        qty: Math.abs(s.qty),
        delta_grams: round1(steps.length === 1 ? delta : s.qty * spec.unitGrams),
        confidence: steps.length === 1 ? confidence : Math.min(confidence, 0.95),
        ...(confidence < 0.9 ? { ambiguous: true as const, candidates } : {}),
        ...(steps.length > 1 ? { split_of: q.qty } : {}),
        settled_at: Math.round(span.tSettled),
      }),
    );
    for (const s of steps) if (s.qty < 0) this.rememberPick(spec.sku, plate.key, s.t);
    return this.close(plate, span, events);
  }

  private close(plate: PlateState, span: SettledSpan, events: ShelfMovementEvent[]): 'accept' {
    plate.level = span.after;
    const transition = plate.stock.setFromGrams(plate.netGrams(span.after), span.tSettled);
    for (const e of events) e.data.stock = plate.stock.count;
    if (events.length > 0) plate.lastEventAt = Math.round(span.tSettled);
    this.out.push(...events, ...stockEvents(plate, transition, span.tSettled));
    return 'accept';
  }

  private recentlyPicked(sku: string, notOn: string, now: number): boolean {
    return this.recentPicks.some((p) => p.sku === sku && p.key !== notOn && now - p.t <= this.memoryMs);
  }

  private rememberPick(sku: string, key: string, t: number): void {
    this.recentPicks.push({ sku, key, t });
    if (this.recentPicks.length > 256) this.recentPicks.shift();
  }
}
