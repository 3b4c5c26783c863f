import type { CatalogItem } from '../../core/catalog.js';
import type { LearningOptions, VerificationOptions } from './lane-options.js';
import type { WeightLearner } from './weight-learner.js';

/**
 * What the bagging scale should gain for one scanned item.
 * `weighed`: mean ± tolerance; `exempt`: too light / flagged, verified on scan; `any`: sold by weight or not yet
 * known (unknown GTIN), any positive stable gain up to `maxGrams` is accepted.
 */
export type Expectation =
  | {
      kind: 'weighed';
      mean: number;
      tolerance: number;
      /** σ of what the scale gains for this item (unit spread, master data off), scale noise excluded. */
      sigma: number;
      source: 'nominal' | 'learned';
    }
  | {
      kind: 'exempt';
      slackGrams: number;
      toleranceGrams: number;
      /** Why it is not weighed: flagged in the catalog, lighter than the scale tells from noise, or than configured. */
      reason: 'catalog_exempt' | 'below_resolution' | 'below_min_weighable';
    }
  | { kind: 'any'; maxGrams: number };

const ANY_MAX_GRAMS = 30_000;

/**
 * What a scanned item should add to the scale. A tolerance is `sigmas` × `tolerance_factor` σ of what the scale
 * measures for the item, never below the floor: σ is the item's learned spread once `min_samples` weighings were
 * learned, else the catalog's observed spread around nominal weights (catalog-accuracy.ts) times the nominal
 * weight — either at least the σ of a step on this scale (noise of two readings and their division). Until the
 * catalog's spread is known, the prior is the catalog tolerance, else max(default g, default %), × factor. A
 * catalog tolerance stays a lower bound: master data may know a product varies more than most.
 */
export function expectationFor(
  item: CatalogItem | undefined,
  key: string,
  learner: WeightLearner,
  verification: VerificationOptions,
  learning: LearningOptions,
  /** The lane scale's noise floor (g): lighter items cannot be told from noise, tolerances never go below it. */
  floor = verification.noise_grams,
  at?: number,
  /** σ of (true − nominal) / nominal learned across the catalog (catalog-accuracy.ts), if known. */
  catalogSigma: number | null = null,
  /** σ of a step measured on this lane's scale (scale-noise.ts stepSigma), g. */
  stepSigma = floor / 4,
): Expectation {
  const minWeighable = Math.max(verification.min_weighable_grams, 2 * floor);
  const lightReason = (grams: number) =>
    grams < 2 * floor ? ('below_resolution' as const) : ('below_min_weighable' as const);
  const learned = learner.ready(key, at);
  const factor = verification.tolerance_factor;
  const k = learning.sigmas * factor;
  // The tolerance a nominal weight gets: the catalog's, or max(default g, default %), widened to how far master
  // data is off across the catalog (it must not reject the right item at every sale: it would never be learned).
  const nominalTolerance = (grams: number, catalogTolerance: number | null, minGrams: number) => {
    const base = catalogTolerance ?? Math.max(minGrams, (verification.default_tolerance_pct / 100) * grams);
    const catalogSpread = catalogSigma === null ? 0 : learning.sigmas * catalogSigma * grams;
    return Math.max(base * factor, catalogSpread, floor);
  };
  // An exempt item is not verified by weight, but its weight lands: the allowance it leaves for unweighed gains
  // carries the relative tolerance its weight would have (units and master data are a few % off), not the
  // absolute minimum meant for weighed items (that would hide an unscanned item next to a stick of gum).
  const allowance = (grams: number) => nominalTolerance(grams, item?.toleranceGrams ?? null, 0);
  if (item?.weightExempt) {
    const grams = item.grams ?? verification.min_weighable_grams;
    return { kind: 'exempt', slackGrams: grams, toleranceGrams: allowance(grams), reason: 'catalog_exempt' };
  }
  if (item?.soldByWeight) return { kind: 'any', maxGrams: ANY_MAX_GRAMS };
  if (learned) {
    const tolerance = Math.max(k * Math.max(learned.std, stepSigma), floor);
    if (learned.mean < minWeighable)
      return {
        kind: 'exempt',
        slackGrams: learned.mean,
        toleranceGrams: Math.min(tolerance, allowance(learned.mean)),
        reason: lightReason(learned.mean),
      };
    return { kind: 'weighed', mean: learned.mean, tolerance, sigma: learned.std, source: 'learned' };
  }
  if (!item || item.grams === null) return { kind: 'any', maxGrams: ANY_MAX_GRAMS };
  if (item.grams < minWeighable)
    return {
      kind: 'exempt',
      slackGrams: item.grams,
      toleranceGrams: allowance(item.grams),
      reason: lightReason(item.grams),
    };
  if (catalogSigma === null) {
    // Stated prior until the catalog's spread is known: the catalog's tolerance, else max(default g, default %).
    const prior = nominalTolerance(item.grams, item.toleranceGrams, verification.default_tolerance_grams);
    return { kind: 'weighed', mean: item.grams, tolerance: prior, sigma: prior / k, source: 'nominal' };
  }
  const sigma = Math.hypot(catalogSigma * item.grams, stepSigma);
  const tolerance = Math.max(k * sigma, (item.toleranceGrams ?? 0) * factor, floor);
  return { kind: 'weighed', mean: item.grams, tolerance, sigma, source: 'nominal' };
}
