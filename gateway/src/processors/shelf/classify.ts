import type { PlateSpec } from '../../core/planogram.js';

/** A possible reading of a weight change: this many units of this SKU, with a normalised confidence. */
export interface Candidate {
  sku: string;
  qty: number;
  confidence: number;
  /** |delta| − qty × unit weight, grams. */
  residualGrams: number;
  device: string;
  channel: number;
}

/**
 * Grams a change of `qty` units may deviate from qty × unit weight: item-to-item variation adds up like
 * independent errors (√qty), plus 3 sigmas of the measured delta and half a gram of resolution.
 */
export function allowedResidual(spec: PlateSpec, qty: number, sigmaDelta: number): number {
  return spec.toleranceGrams * Math.sqrt(Math.max(qty, 1)) + 3 * sigmaDelta + 0.5;
}

function likelihood(absDelta: number, spec: PlateSpec, qty: number, sigmaDelta: number): number {
  const s = allowedResidual(spec, qty, sigmaDelta) / 3;
  const z = (absDelta - qty * spec.unitGrams) / s;
  return Math.exp(-0.5 * z * z);
}

/** Units of `spec` that best explain |delta|, whether that is within tolerance, and the likelihood. */
export function bestQty(
  delta: number,
  spec: PlateSpec,
  sigmaDelta: number,
): { qty: number; explained: boolean; likelihood: number } {
  const abs = Math.abs(delta);
  const qty = Math.round(abs / spec.unitGrams);
  if (qty === 0) return { qty: 0, explained: false, likelihood: 0 };
  const explained = Math.abs(abs - qty * spec.unitGrams) <= allowedResidual(spec, qty, sigmaDelta);
  return { qty, explained, likelihood: likelihood(abs, spec, qty, sigmaDelta) };
}

/**
 * Every (SKU, qty) among `specs` that could explain |delta|, most likely first, with confidences that are
 * shares of the likelihood (summing to about 1 over the list) and the residual each leaves. Shares are relative:
 * a delta halfway between one and two units is reported as a 50/50 doubt, not dropped.
 */
export function candidatesFor(
  delta: number,
  specs: readonly PlateSpec[],
  sigmaDelta: number,
  maxQty = 50,
  weight: (spec: PlateSpec) => number = () => 1,
): Candidate[] {
  const abs = Math.abs(delta);
  const raw: (Candidate & { logL: number })[] = [];
  for (const spec of specs) {
    const centre = Math.round(abs / spec.unitGrams);
    for (let qty = Math.max(1, centre - 1); qty <= Math.min(maxQty, centre + 1); qty++) {
      // Shares use at least a quarter unit as the scale: far in the tails the Gaussian model would otherwise
      // call one of two equally bad fits certain.
      const s = Math.max(allowedResidual(spec, qty, sigmaDelta) / 3, 0.25 * spec.unitGrams);
      const z = (abs - qty * spec.unitGrams) / s;
      const residualGrams = Math.round((abs - qty * spec.unitGrams) * 10) / 10;
      const logL = -0.5 * z * z + Math.log(weight(spec));
      raw.push({
        sku: spec.sku,
        qty,
        confidence: 0,
        residualGrams,
        device: spec.device,
        channel: spec.channel,
        logL,
      });
    }
  }
  if (raw.length === 0) return [];
  const best = Math.max(...raw.map((c) => c.logL));
  let total = 0;
  for (const c of raw) total += Math.exp(c.logL - best);
  return raw
    .map(({ logL, ...c }) => ({
      ...c,
      confidence: Math.round((Math.exp(logL - best) / total) * 1000) / 1000,
    }))
    .filter((c) => c.confidence >= 0.01)
    .sort((a, b) => b.confidence - a.confidence);
}

/** How well the best candidate fits in absolute terms: 1 on the unit weight, ~0.14 half a unit off. */
export function fitOf(c: Candidate, unitGrams: number): number {
  const z = c.residualGrams / (0.25 * unitGrams);
  return Math.exp(-0.5 * z * z);
}
