/** Samples before the learned estimate replaces the configured prior. */
const MIN_SAMPLES = 30;
/** Exponential window of the estimate (samples). */
const WINDOW = 200;
/** A change this many σ above the noise is a real change (a false trigger every ~10^4 stable samples). */
const SIGMAS = 4;
/** E|x − y| of two independent N(0, σ²) samples is 2σ/√π. */
const MEAN_ABS_DIFF_PER_SIGMA = 2 / Math.sqrt(Math.PI);

/**
 * The bagging scale's own noise, learned online from its stable readings (issue 11 item 4). Successive stable
 * readings differ by noise only, unless the load changed: the mean absolute difference of successive stable
 * readings estimates σ, and differences beyond twice the current floor (a real change) are not noise. The division is
 * the smallest non-zero difference seen. The floor, the smallest change the lane treats as real, is
 * max(4σ, 2 divisions); until enough readings were seen it is the configured `noise_grams`.
 */
export class ScaleNoise {
  private last: number | null = null;
  private meanAbsDiff = 0;
  private n = 0;
  private division = Number.POSITIVE_INFINITY;

  constructor(private readonly priorFloor: number) {}

  /** One reading; only consecutive stable readings teach (motion in between breaks the pair). */
  observe(grams: number, stable: boolean): void {
    if (!stable || !Number.isFinite(grams)) {
      this.last = null;
      return;
    }
    const prev = this.last;
    this.last = grams;
    if (prev === null) return;
    const d = Math.abs(grams - prev);
    if (d > 0 && d < this.division) this.division = d;
    if (d > 2 * this.floor()) return; // a load change, not noise
    this.n++;
    const alpha = 1 / Math.min(this.n, WINDOW);
    this.meanAbsDiff += alpha * (d - this.meanAbsDiff);
  }

  /** Enough pairs, and at least one step seen (readings that never change tell nothing of the division). */
  get ready(): boolean {
    return this.n >= MIN_SAMPLES && Number.isFinite(this.division);
  }

  /** Estimated σ of one stable reading (g); null until ready. */
  get sigma(): number | null {
    return this.ready ? this.meanAbsDiff / MEAN_ABS_DIFF_PER_SIGMA : null;
  }

  get resolution(): number | null {
    return Number.isFinite(this.division) ? this.division : null;
  }

  /**
   * σ of the difference of two stable readings (g): what a step measured on this scale is off by, noise of both
   * readings plus their rounding to the division (r²/12 each). Until learned: the prior floor read as 4σ.
   */
  stepSigma(): number {
    const sigma = this.sigma;
    if (sigma === null) return this.priorFloor / SIGMAS;
    const r = this.resolution ?? 0;
    return Math.sqrt(2 * sigma * sigma + (r * r) / 6);
  }

  /** Smallest change that is not noise (g). */
  floor(): number {
    const sigma = this.sigma;
    if (sigma === null) return this.priorFloor;
    return Math.max(SIGMAS * sigma, 2 * (this.resolution ?? 0), 0.05);
  }

  /** Wire form for the lane state (`scale.noise`). */
  snapshot() {
    const r = (x: number) => Math.round(x * 100) / 100;
    const sigma = this.sigma;
    const resolution = this.resolution;
    return {
      sigma_grams: sigma === null ? null : r(sigma),
      resolution_grams: resolution === null ? null : r(resolution),
      floor_grams: r(this.floor()),
      samples: this.n,
    };
  }
}
