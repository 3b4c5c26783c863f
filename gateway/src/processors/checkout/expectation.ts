import type { CatalogItem } from '../../core/catalog.js';
import type { LearningOptions, VerificationOptions } from './lane-options.js';
import type { WeightLearner } from './weight-learner.js';

/**
 * What the bagging scale should gain for one scanned item.
 * `weighed`: mean ± tolerance; `exempt`: too light / flagged, verified on scan; `any`: sold by weight or not yet
 * known (unknown GTIN), any positive stable gain up to `maxGrams` is accepted.
 */
export type Expectation =
  | { kind: 'weighed'; mean: number; tolerance: number; source: 'nominal' | 'learned' }
  | { kind: 'exempt'; slackGrams: number; toleranceGrams: number }
  | { kind: 'any'; maxGrams: number };

const ANY_MAX_GRAMS = 30_000;

/**
 * Patent practice (DOMAIN.md): per-item tolerance × global factor, learned std once enough samples exist.
 * The nominal tolerance is the catalog's, or the larger of a default and a percentage of the weight.
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
): Expectation {
  const minWeighable = Math.max(verification.min_weighable_grams, 2 * floor);
  const learned = learner.ready(key, at);
  const factor = verification.tolerance_factor;
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
    return { kind: 'exempt', slackGrams: grams, toleranceGrams: allowance(grams) };
  }
  if (item?.soldByWeight) return { kind: 'any', maxGrams: ANY_MAX_GRAMS };
  if (learned) {
    const tolerance = Math.max(learning.sigmas * learned.std * factor, floor);
    if (learned.mean < minWeighable)
      return {
        kind: 'exempt',
        slackGrams: learned.mean,
        toleranceGrams: Math.min(tolerance, allowance(learned.mean)),
      };
    return { kind: 'weighed', mean: learned.mean, tolerance, source: 'learned' };
  }
  if (!item || item.grams === null) return { kind: 'any', maxGrams: ANY_MAX_GRAMS };
  if (item.grams < minWeighable)
    return { kind: 'exempt', slackGrams: item.grams, toleranceGrams: allowance(item.grams) };
  const tolerance = nominalTolerance(item.grams, item.toleranceGrams, verification.default_tolerance_grams);
  return { kind: 'weighed', mean: item.grams, tolerance, source: 'nominal' };
}
