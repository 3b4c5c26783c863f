import type { PlateChange } from './explain.js';

/** One settled step of an interaction: `qty` signed units (negative = pick) starting at `t`, mostly on `key`. */
export interface SettledStep {
  qty: number;
  t: number;
  key: string;
}

export interface StepLimits {
  unitGrams: number;
  /** Grams a level of k units, measured with this sigma, may deviate from k × unit. */
  allowed(k: number, measureSigma: number): number;
  /** A plateau shorter than this is a hand passing through a level, not a rest (ms). */
  minPlateauMs?: number;
  /** A step must reach its plateau this quickly: a slow put passes through every level on its way (ms). */
  maxTransitionMs?: number;
}

/**
 * Split one interaction with a facing (one or several plates, one or several spans each) into the settled
 * steps it went through: moments when every changed plate was at rest — before its span, after it, or on a
 * plateau inside it — and the summed offset was a whole number of units between 0 and the total. Two items taken
 * 300 ms apart, from one plate or from two, are two steps; a level that is not whole units (a hand pressing) or
 * one against the direction of the whole change (a hand resting before it lifts with the item) splits nothing.
 */
export function settledSteps(
  changes: readonly PlateChange[],
  totalQty: number,
  limits: StepLimits,
): SettledStep[] {
  const minPlateauMs = limits.minPlateauMs ?? 40;
  const maxTransitionMs = limits.maxTransitionMs ?? 400;
  const sign = Math.sign(totalQty);
  const total = Math.abs(totalQty);
  const first = [...changes].sort((a, b) => a.tStart - b.tStart)[0]!;
  /** The change that moved most between two sets of levels: where a step happened, and when it began. */
  const mover = (from: readonly number[], to: readonly number[]) => {
    let best = 0;
    for (let i = 1; i < changes.length; i++)
      if (Math.abs(to[i]! - from[i]!) > Math.abs(to[best]! - from[best]!)) best = i;
    return changes[best]!;
  };
  const finalLevels = changes.map((c) => c.delta);
  if (total <= 1) {
    const m = mover(
      changes.map(() => 0),
      finalLevels,
    );
    return [{ qty: totalQty, t: m.tStart, key: m.key }];
  }

  // Candidate moments: the end of each plateau, and the instant before each span starts.
  const moments = new Set<number>();
  for (const c of changes) {
    moments.add(c.tStart - 1);
    for (const p of c.plateaus) if (p.tEnd - p.tStart >= minPlateauMs) moments.add(p.tEnd);
  }
  const steps: SettledStep[] = [];
  let reached = 0;
  let t = first.tStart;
  let prev = changes.map(() => 0);
  for (const tau of [...moments].sort((a, b) => a - b)) {
    if (tau <= t) continue;
    const levels: number[] = [];
    let variance = 0;
    let quick = true;
    for (const c of changes) {
      if (tau < c.tStart) levels.push(0);
      else if (tau >= c.tSettled) {
        levels.push(c.delta);
        variance += c.sigmaDelta ** 2;
      } else {
        const p = c.plateaus.find(
          (x) => x.tStart <= tau && tau <= x.tEnd && x.tEnd - x.tStart >= minPlateauMs,
        );
        if (!p) break;
        levels.push(p.level - c.before);
        variance += c.levelSigma ** 2;
        if (p.tStart - t > maxTransitionMs) quick = false;
      }
    }
    if (levels.length < changes.length || !quick) continue;
    const offset = sign * levels.reduce((a, x) => a + x, 0);
    const k = Math.round(offset / limits.unitGrams);
    if (k <= reached || k >= total) continue;
    if (Math.abs(offset - k * limits.unitGrams) > limits.allowed(k, Math.sqrt(variance))) continue;
    const m = mover(prev, levels);
    steps.push({ qty: sign * (k - reached), t: Math.max(t, m.tStart), key: m.key });
    reached = k;
    prev = levels;
    // The next step starts when something moves again: the plateau's end, or the next span's start.
    t = tau + 1;
    const next = changes.filter((c) => c.tStart > tau).map((c) => c.tStart);
    if (next.length > 0 && !changes.some((c) => c.tStart <= tau && tau < c.tSettled)) t = Math.min(...next);
  }
  const m = mover(prev, finalLevels);
  steps.push({ qty: sign * (total - reached), t: Math.max(t, m.tStart), key: m.key });
  return steps;
}
