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
  | { kind: 'exempt'; slackGrams: number }
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
  if (item?.weightExempt)
    return { kind: 'exempt', slackGrams: item.grams ?? verification.min_weighable_grams };
  if (item?.soldByWeight) return { kind: 'any', maxGrams: ANY_MAX_GRAMS };
  const factor = verification.tolerance_factor;
  if (learned) {
    if (learned.mean < minWeighable) return { kind: 'exempt', slackGrams: learned.mean };
    const tolerance = Math.max(learning.sigmas * learned.std * factor, floor);
    return { kind: 'weighed', mean: learned.mean, tolerance, source: 'learned' };
  }
  if (!item || item.grams === null) return { kind: 'any', maxGrams: ANY_MAX_GRAMS };
  if (item.grams < minWeighable) return { kind: 'exempt', slackGrams: item.grams };
  const base =
    item.toleranceGrams ??
    Math.max(verification.default_tolerance_grams, (verification.default_tolerance_pct / 100) * item.grams);
  // Master data a few percent off must not reject the right item at every sale (it would never be learned).
  const catalogSpread = catalogSigma === null ? 0 : learning.sigmas * catalogSigma * item.grams;
  return {
    kind: 'weighed',
    mean: item.grams,
    tolerance: Math.max(base * factor, catalogSpread, floor),
    source: 'nominal',
  };
}
