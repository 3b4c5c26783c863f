import { NoiseEstimator, RollingWindow } from './rolling-window.js';
import { SpikeFilter } from './spike-filter.js';

export interface DetectorTuning {
  /** Window whose spread and slope decide "stable". */
  windowMs: number;
  /** Short window used to find intermediate plateaus inside one busy span (two picks 300 ms apart). */
  plateauMs: number;
  /** Stable this long after activity before an event is closed. */
  settleMs: number;
  /** Extra wait when the processor cannot explain the delta yet (a hand still resting, a neighbour busy). */
  holdMs: number;
  /** Activity starts when the signal leaves the baseline by this many noise sigmas… */
  triggerSigma: number;
  /** …and by at least this many grams. */
  minTriggerGrams: number;
  /** Auto-zero: how fast the baseline may follow a stable signal (thermal drift), grams per minute. */
  maxDriftGramsPerMin: number;
  /** An event this long is forced to close, so a plate cannot stay busy forever. */
  maxActiveMs: number;
}

export const DEFAULT_TUNING: DetectorTuning = {
  windowMs: 400,
  plateauMs: 100,
  settleMs: 450,
  holdMs: 2500,
  triggerSigma: 5,
  minTriggerGrams: 5,
  maxDriftGramsPerMin: 3,
  maxActiveMs: 60_000,
};

/** A flat stretch inside a busy span; tStart..tEnd spans the ends of consecutive flat short windows. */
export interface Plateau {
  level: number;
  tStart: number;
  tEnd: number;
}

/** One busy span from stable to stable, handed to the processor to explain. */
export interface SettledSpan {
  before: number;
  after: number;
  /** First sample that left the baseline. */
  tStart: number;
  /** When the signal had been stable long enough to close the span. */
  tSettled: number;
  plateaus: readonly Plateau[];
  /** Noise sigma of the plate at settle time (grams). */
  sigma: number;
  /** True when the processor must accept now (hold time or max span reached). */
  final: boolean;
}

/** The processor's answer: close the span (`accept`) or keep it open a little longer (`hold`). */
export type SpanDecision = 'accept' | 'hold';

const MAX_PLATEAUS = 32;

/**
 * Per-plate signal chain: spike filter → noise estimate → stability → baseline (auto-zero) → busy spans.
 * Pure and deterministic: time comes only from the sample timestamps it is fed.
 */
export class PlateDetector {
  readonly spikes = new SpikeFilter();
  readonly noise: NoiseEstimator;
  private readonly long: RollingWindow;
  private readonly short: RollingWindow;
  private readonly settleSamples: number;
  private readonly holdSamples: number;
  private readonly dtMs: number;
  /** Baseline while stable; frozen during a span (never re-zero across an unfinished event). */
  baseline = Number.NaN;
  /** Total baseline movement attributed to drift (auto-zero), grams. */
  driftGrams = 0;
  /**
   * Spread and |half difference| of the long window while idle: vibration and slow wander that first
   * differences do not see. Stability and activity thresholds follow whichever is larger.
   */
  private idleStd: number;
  private idleHalfDiff: number;
  /** Mean |sample − baseline| while idle: slow wander (sub-hertz vibration, air) that a window cannot see. */
  private idleDev: number;
  /** ~10 s average of the window mean while idle, and the mean |window mean − it|: the window's wander. */
  private slowMean = Number.NaN;
  private meanWander = 0;
  private active = false;
  private tStart = 0;
  private before = 0;
  private triggerRun = 0;
  private firstTriggerT = 0;
  private stableRun = 0;
  private holding = false;
  private plateaus: Plateau[] = [];
  private open: (Plateau & { first: number }) | null = null;
  private samples = 0;
  private lastT = Number.NaN;

  constructor(
    readonly hz: number,
    initialSigma: number,
    private readonly tuning: DetectorTuning,
    private readonly decide: (span: SettledSpan) => SpanDecision,
  ) {
    this.dtMs = 1000 / hz;
    this.noise = new NoiseEstimator(initialSigma);
    this.idleStd = initialSigma;
    this.idleHalfDiff = 0;
    this.idleDev = 0;
    this.long = new RollingWindow(Math.max(6, Math.round(tuning.windowMs / this.dtMs)));
    this.short = new RollingWindow(Math.max(4, Math.round(tuning.plateauMs / this.dtMs)));
    this.settleSamples = Math.max(this.long.size, Math.round(tuning.settleMs / this.dtMs));
    this.holdSamples = Math.round(tuning.holdMs / this.dtMs);
  }

  get busy(): boolean {
    return this.active;
  }

  get stable(): boolean {
    return !this.active && !Number.isNaN(this.baseline);
  }

  /**
   * Noise of this plate as stability sees it (grams): white noise from first differences, or the idle window
   * spread when vibration makes that larger.
   */
  get sigma(): number {
    return Math.max(this.noise.sigma, this.idleStd);
  }

  /** Grams below which a change is indistinguishable from this plate's noise and resolution. */
  get floorGrams(): number {
    return this.noise.resolution + 0.05;
  }

  get activityThreshold(): number {
    return Math.max(
      this.tuning.triggerSigma * this.sigma,
      this.tuning.minTriggerGrams,
      3 * this.noise.resolution,
      3 * this.idleDev,
    );
  }

  /**
   * A step the window's mean shows but no single sample does: a light item on a noisy plate (30 g under σ = 12 g),
   * or the rest of a slow put after an early settle. Averaging n samples divides white noise by √n, but not the
   * slow wander (sub-hertz sway, air) that a window mean follows: judged against trigger_sigma standard errors
   * σ/√n and 3 × how far the window mean strays from its own few-second average while idle (not from the
   * baseline: an offset the baseline has not caught up with must not read as wander and raise the threshold),
   * never less than min_trigger_grams or 3 divisions.
   */
  get meanThreshold(): number {
    return Math.max(
      (this.tuning.triggerSigma * this.sigma) / Math.sqrt(this.long.size),
      this.tuning.minTriggerGrams,
      3 * this.noise.resolution,
      3 * this.meanWander,
    );
  }

  private isStable(w: RollingWindow, stdK: number): boolean {
    const white = this.noise.sigma;
    const floor = this.floorGrams;
    const maxStd = Math.max(stdK * white, 1.3 * this.idleStd) + floor;
    const maxDiff = Math.max(4 * white * w.halfDiffScale, 4 * this.idleHalfDiff) + floor;
    return w.within(maxStd, maxDiff);
  }

  /** Idle windows teach the spread; clipped at twice the current value so a step barely moves it. */
  private learnIdle(x: number): void {
    // Every 4th sample is plenty for a 10 s time constant, and keeps the per-sample cost down.
    if (!this.long.full || (this.samples & 3) !== 0) return;
    const a = this.samples < 600 ? 1 / 15 : 1 / 150;
    const dev = Math.min(Math.abs(x - this.baseline), 2 * this.idleDev + this.sigma);
    this.idleDev += (dev - this.idleDev) * a;
    const std = Math.min(this.long.std(), 2 * this.idleStd + this.floorGrams);
    const hd = Math.min(Math.abs(this.long.halfDiff()), 2 * this.idleHalfDiff + this.floorGrams);
    this.idleStd += (std - this.idleStd) * a;
    this.idleHalfDiff += (hd - this.idleHalfDiff) * a;
  }

  /** Feed one raw sample taken at `t` (epoch ms). */
  push(raw: number, t: number): void {
    const sigma = this.sigma;
    const x = this.spikes.push(raw, sigma);
    if (Number.isNaN(x)) return;
    // The filter lags by two samples: date the output accordingly.
    const tx = t - 2 * this.dtMs;
    this.noise.push(x);
    this.long.push(x);
    // The plateau window only matters inside a span; `begin` fills it from the long window's newest samples.
    if (this.active) this.short.push(x);
    this.samples++;
    const dtMs = Number.isNaN(this.lastT) ? this.dtMs : tx - this.lastT;
    this.lastT = tx;
    if (this.active) this.pushActive(tx, sigma);
    else this.pushIdle(x, tx, dtMs, sigma);
  }

  private pushIdle(x: number, t: number, dtMs: number, _sigma: number): void {
    const stable = this.isStable(this.long, 1.7);
    if (Number.isNaN(this.baseline)) {
      if (stable) this.baseline = this.long.mean();
      return;
    }
    if (Math.abs(x - this.baseline) > this.activityThreshold) {
      if (this.triggerRun++ === 0) this.firstTriggerT = t;
      if (this.triggerRun >= 2) this.begin();
      return;
    }
    this.triggerRun = 0;
    const mean = this.long.mean();
    if (this.long.full && (this.samples & 3) === 0) {
      // Learnt before the trigger is judged, so sway that would fire it teaches it first.
      if (Number.isNaN(this.slowMean)) this.slowMean = mean;
      const a = this.samples < 600 ? 1 / 15 : 1 / 150;
      const dev = Math.min(Math.abs(mean - this.slowMean), 2 * this.meanWander + this.sigma);
      this.meanWander += (dev - this.meanWander) * a;
      this.slowMean += (mean - this.slowMean) * a;
    }
    const meanDev = Math.abs(mean - this.baseline);
    // Only a window at rest on its new level: on a plate whose vibration keeps its windows unsteady a span
    // opened by the mean could not settle (and would hold its neighbours' events back).
    // Armed once the wander has been learnt (the fast-learning first 600 samples): the sample trigger covers boot.
    if (
      stable &&
      this.samples >= 600 &&
      meanDev > this.tuning.minTriggerGrams &&
      meanDev > this.meanThreshold
    ) {
      // The window is at rest on the new level: the step happened before it.
      this.firstTriggerT = t - this.long.size * this.dtMs;
      this.begin();
      return;
    }
    this.learnIdle(x);
    if (stable) {
      // Auto-zero only while stable, rate-limited so a slow put is not mistaken for drift.
      const limit = (this.tuning.maxDriftGramsPerMin / 60_000) * Math.max(dtMs, 0);
      const step = Math.min(limit, Math.max(-limit, this.long.mean() - this.baseline));
      this.baseline += step;
      this.driftGrams += step;
    }
  }

  private begin(): void {
    this.active = true;
    this.before = this.baseline;
    this.tStart = this.firstTriggerT;
    this.stableRun = 0;
    this.holding = false;
    this.plateaus = [];
    this.open = null;
    this.triggerRun = 0;
    this.short.refillFrom(this.long);
  }

  private pushActive(t: number, sigma: number): void {
    this.trackPlateau(t, sigma);
    const stable = this.isStable(this.long, 1.7);
    this.stableRun = stable ? this.stableRun + 1 : 0;
    if (!stable && this.holding) this.holding = false;
    const tooLong = t - this.tStart >= this.tuning.maxActiveMs;
    const settled = this.stableRun === this.settleSamples;
    const holdOver = this.holding && this.stableRun === this.settleSamples + this.holdSamples;
    if (settled || holdOver || (tooLong && stable)) {
      const final = tooLong || this.holding;
      const span: SettledSpan = {
        before: this.before,
        after: this.long.mean(),
        tStart: this.tStart,
        tSettled: t,
        plateaus: this.plateaus,
        sigma,
        final,
      };
      if (this.decide(span) === 'accept' || final) this.end(span.after);
      else this.holding = true;
    }
  }

  /**
   * No more samples are coming for a while (end of a replay, a device gone quiet): close an open span now if the
   * signal was stable at its end, as a final decision. An unstable tail stays open (never re-zero mid-event).
   */
  flush(): void {
    if (!this.active || !this.isStable(this.long, 1.7) || this.stableRun === 0) return;
    const span: SettledSpan = {
      before: this.before,
      after: this.long.mean(),
      tStart: this.tStart,
      tSettled: this.lastT,
      plateaus: this.plateaus,
      sigma: this.sigma,
      final: true,
    };
    this.decide(span);
    this.end(span.after);
  }

  private trackPlateau(t: number, sigma: number): void {
    if (!this.isStable(this.short, 2)) {
      this.open = null;
      return;
    }
    const level = this.short.mean();
    const open = this.open;
    // Compared with where the plateau began, so a slow ramp cannot creep along as one "plateau".
    const drift = 3 * sigma * Math.sqrt(2 / this.short.size) + 0.5 + this.floorGrams;
    if (open && Math.abs(level - open.first) <= drift) {
      open.level = level;
      open.tEnd = t;
      return;
    }
    if (this.plateaus.length >= MAX_PLATEAUS) this.plateaus.shift();
    this.open = { level, first: level, tStart: t, tEnd: t };
    this.plateaus.push(this.open);
  }

  private end(after: number): void {
    this.active = false;
    this.baseline = after;
    this.slowMean = after;
    this.plateaus = [];
    this.open = null;
    this.stableRun = 0;
    this.holding = false;
  }

  /** Samples consumed (after the spike filter's lag). */
  get sampleCount(): number {
    return this.samples;
  }
}
