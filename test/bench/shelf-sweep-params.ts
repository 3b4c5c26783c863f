import { Prng } from './shelf-prng.js';

/**
 * Every parameter of one sweep run, drawn from ranges wider than we expect to meet. Nothing in the gateway
 * reads these: the detector must estimate noise and weights from the samples alone.
 */
export interface SweepParams {
  seed: number;
  minutes: number;
  shelves: number;
  platesPerShelf: number;
  /** Probabilities of a facing covering 1, 2 or 3 plates. */
  facingWidth: [number, number, number];
  /** Chance that a facing's SKU weighs within 2 % of its left neighbour's (one brand, another flavour). */
  nearEqual: number;
  /** Real mean = nominal × (1 + U(−bias, bias)). */
  bias: number;
  /** Unit-to-unit sd as a fraction of the real mean. */
  unitSpread: number;
  /** Per-plate noise σ is log-normal with this median and log-sd (heavy-tailed across plates). */
  noiseMedian: number;
  noiseLogSd: number;
  resolution: number;
  /** Per-plate thermal drift up to this many g/h. */
  driftPerHour: number;
  /** Per-plate vibration amplitude up to this many × the plate's σ. */
  vibration: number;
  spikesPerMinute: number;
  /** Mean seconds between interactions on one shelf. */
  gapS: number;
  /** Chance that an item lies across two plates of its facing (else on one plate). */
  across: number;
  /** Chance that an item lies across the boundary into the neighbouring facing. */
  acrossFacing: number;
  /** Ramp duration range (s) of a normal pick or put: interaction speed. */
  rampS: [number, number];
  doublePick: number;
  multiQty: number;
  slowPut: number;
  lean: number;
  handRest: number;
  misplaced: number;
  simultaneous: number;
}

export function drawParams(seed: number, minutes: number): SweepParams {
  const r = new Prng(seed * 7919 + 17);
  const w1 = r.range(0.2, 0.7);
  const w2 = r.range(0.3, 0.7) * (1 - w1);
  const fast = r.range(0.05, 0.15);
  return {
    seed,
    minutes,
    shelves: r.int(2, 3),
    platesPerShelf: r.int(8, 14),
    facingWidth: [w1, w2, 1 - w1 - w2],
    nearEqual: r.range(0.15, 0.6),
    bias: r.range(0.01, 0.05),
    unitSpread: r.range(0.01, 0.03),
    noiseMedian: r.range(0.4, 1.4),
    noiseLogSd: r.range(0.8, 1.35),
    resolution: r.pick([0.01, 0.1, 0.1, 0.5, 1]),
    driftPerHour: r.range(2, 80),
    vibration: r.range(0, 2),
    spikesPerMinute: r.range(0, 12),
    gapS: r.range(4, 14),
    across: r.range(0.1, 0.45),
    acrossFacing: r.range(0.03, 0.15),
    rampS: [fast, fast + r.range(0.1, 0.4)],
    doublePick: r.range(0.03, 0.15),
    multiQty: r.range(0.05, 0.25),
    slowPut: r.range(0.1, 0.4),
    lean: r.range(0.05, 0.15),
    handRest: r.range(0.05, 0.25),
    misplaced: r.range(0.02, 0.08),
    simultaneous: r.range(0.02, 0.1),
  };
}

/** Per-plate noise: log-normal, capped where a real plate would be flagged broken. */
export function plateSigma(r: Prng, p: SweepParams): number {
  return Math.min(25, p.noiseMedian * Math.exp(r.gauss() * p.noiseLogSd));
}
