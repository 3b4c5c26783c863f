import type { FacingState } from './facing-state.js';

/**
 * The likelihood of one explanation of a weight change: where it happened, how much it weighed, how many.
 *
 * Priors, chosen from the physics of a shelf (a hand takes what is under it), not fitted to any trace:
 * - location: a facing whose plates changed ≫ a facing next to them ≫ the same shelf ≫ elsewhere. An item
 *   can only be picked from where it lies, so a pick from a facing that did not change needs the item to lie
 *   across a boundary (neighbour) or to be a misplaced one (recorded on the plate). A put elsewhere is a
 *   wrong-plate return, more likely for a SKU picked recently.
 * - quantity: a hand moves one unit most of the time; each further unit is QTY_RATIO as likely.
 * - weight: Student-t (ν = 4) residual against the learned unit weight, with the learned spread, the
 *   uncertainty of the learned mean and the measurement's sigma. Heavy tails: a residual of many sigmas costs
 *   less than in a Gaussian, so location can still win when the weight is off, and one odd unit cannot make a
 *   faraway SKU certain.
 */
export const LOCATION_PRIOR = { own: 1, neighbour: 0.03, shelf: 0.01, elsewhere: 0.002 } as const;
/**
 * A put of a SKU picked moments ago elsewhere (a return to the wrong plate) is at least this likely. A shopper
 * who changes their mind does so at the shelf, within about RECENT_TAU_MS: the SKU's latest pick still held
 * counts by exp(−age/τ), down to RECENT_FLOOR of the prior up to `misplaced_memory_ms`; one carried to another
 * shelf is as much less likely as a put elsewhere is against one on the same shelf. The latest, not a sum over
 * the SKU's picks: a return is one decision of the shopper at the shelf now, and several picks of a SKU a while
 * ago (other shoppers, mostly gone) do not make it likelier than the item someone took a moment ago.
 */
export const RECENT_PICK_PRIOR = 0.05;
export const RECENT_TAU_MS = 60_000;
export const RECENT_FLOOR = 0.1;
/**
 * A put of a SKU nobody is known to hold (no pick of it within the memory, or all returned) on a facing that is
 * not its own: an item carried from somewhere we did not see is as rare as one picked a long time ago (the
 * floor of a held pick), and the location still counts (neighbour ≫ shelf ≫ elsewhere, as LOCATION_PRIOR).
 * Without it a near-equal neighbour nobody touched would be as likely as the SKU taken a moment ago.
 */
export const UNTRACKED_PRIOR = RECENT_PICK_PRIOR * RECENT_FLOOR;
/** Picking a misplaced item that was recorded on this plate. */
export const FOREIGN_PRIOR = 0.5;
export const QTY_RATIO = 0.25;
/** Nothing on the planogram explains it (a foreign object, a hand): flat over the change's size. */
export const UNKNOWN_PRIOR = 0.002;
/** Two separate interactions at the same moment on adjacent plates, against one item or one hand. */
export const SPLIT_PRIOR = 0.1;
const NU = 4;
// log Γ((ν+1)/2) − log Γ(ν/2) − ½ log(νπ) for ν = 4.
const LOG_T_NORM = Math.log(1.329340388) - 0.5 * Math.log(NU * Math.PI);

export function logT(z: number): number {
  return LOG_T_NORM - ((NU + 1) / 2) * Math.log(1 + (z * z) / NU);
}

export type Location = keyof typeof LOCATION_PRIOR;

/** One plate's (or several adjacent plates') summed change, to be explained as one interaction. */
export interface Segment {
  keys: string[];
  delta: number;
  sigmaDelta: number;
  /** Grams below which this segment's change is indistinguishable from noise (its plates' thresholds). */
  floorGrams: number;
  /** Each plate's part of `delta` (summed over its changes); absent for a one-plate segment. */
  parts?: readonly { key: string; delta: number }[];
}

/**
 * An item rests mostly on its own facing (it was put there; one lying more on the next facing would have been
 * put there): of the facings a segment spans, one holding less than half of the change (by more than twice the
 * measurement's sigma of that share) while another holds more is only a neighbour of the item.
 */
function minority(seg: Segment, f: FacingState, facings: readonly FacingState[]): boolean {
  if (!seg.parts || seg.parts.length < 2 || seg.delta === 0) return false;
  const byFacing = new Map<FacingState | undefined, number>();
  for (const p of seg.parts) {
    const owner = facings.find((x) => x.plates.some((pl) => pl.key === p.key));
    byFacing.set(owner, (byFacing.get(owner) ?? 0) + p.delta / seg.delta);
  }
  const mine = byFacing.get(f) ?? 0;
  const doubt = (2 * seg.sigmaDelta) / Math.abs(seg.delta);
  return mine + doubt < 0.5 && [...byFacing.values()].some((x) => x > mine);
}

export interface ForeignItem {
  home: FacingState;
  qty: number;
  key: string;
}

export interface Option {
  kind: Location | 'foreign' | 'nothing' | 'unknown';
  facing: FacingState | null;
  foreign?: ForeignItem;
  qty: number;
  logL: number;
  /** Residual in predicted sigmas (0 for nothing/unknown). */
  z: number;
  residualGrams: number;
}

export interface OptionHost {
  facings: readonly FacingState[];
  location(f: FacingState, keys: readonly string[]): Location;
  foreignOn(keys: readonly string[]): ForeignItem[];
  /** Ages (ms) of this facing's picks within the memory that no put has returned yet. */
  heldPicks(f: FacingState, t: number): readonly number[];
}

function weightOptions(
  seg: Segment,
  f: FacingState,
  kind: Option['kind'],
  prior: number,
  maxQty: number,
  foreign?: ForeignItem,
): Option[] {
  const abs = Math.abs(seg.delta);
  const mean = f.weight.mean;
  const centre = Math.round(abs / mean);
  const out: Option[] = [];
  for (let qty = Math.max(1, centre - 1); qty <= Math.min(maxQty, centre + 1); qty++) {
    const sigma = f.weight.predictSigma(qty, seg.sigmaDelta);
    const residual = abs - qty * mean;
    const z = residual / sigma;
    const logL = Math.log(prior) + (qty - 1) * Math.log(QTY_RATIO) + logT(z) - Math.log(sigma);
    out.push({ kind, facing: f, qty, logL, z, residualGrams: residual, ...(foreign ? { foreign } : {}) });
  }
  return out;
}

/** A put of this facing's SKU on plates that are not its own: a return to the wrong plate. */
export function wrongPlatePrior(ages: readonly number[], where: Location): number {
  if (ages.length === 0) return (UNTRACKED_PRIOR * LOCATION_PRIOR[where]) / LOCATION_PRIOR.neighbour;
  const held = Math.min(1, Math.max(RECENT_FLOOR, Math.exp(-Math.min(...ages) / RECENT_TAU_MS)));
  const far = where === 'elsewhere' ? LOCATION_PRIOR.elsewhere / LOCATION_PRIOR.shelf : 1;
  return RECENT_PICK_PRIOR * held * far;
}

/** Every explanation of one segment worth keeping, best first. */
export function segmentOptions(seg: Segment, host: OptionHost, t: number): Option[] {
  const abs = Math.abs(seg.delta);
  const sigma0 = Math.hypot(seg.sigmaDelta, seg.floorGrams);
  const out: Option[] = [
    {
      kind: 'nothing',
      facing: null,
      qty: 0,
      logL: logT(abs / sigma0) - Math.log(sigma0),
      z: 0,
      residualGrams: abs,
    },
    {
      kind: 'unknown',
      facing: null,
      qty: 0,
      logL: Math.log(UNKNOWN_PRIOR) - Math.log(Math.max(abs, 10)),
      z: 0,
      residualGrams: abs,
    },
  ];
  const pick = seg.delta < 0;
  for (const f of host.facings) {
    let where = host.location(f, seg.keys);
    // An item is picked from where it lies, and lies mostly on its own facing: a facing none of whose plates
    // changed cannot have lost an item (a misplaced one lying here is `foreign`).
    if (pick && where !== 'own') continue;
    // A put on plates none of which are the facing's own is a wrong-plate return; one over its own plates holding
    // only a minority of the weight is an item of the next facing overhanging them.
    const returnedElsewhere = !pick && where !== 'own';
    if (where === 'own' && minority(seg, f, host.facings)) where = 'neighbour';
    const prior = returnedElsewhere ? wrongPlatePrior(host.heldPicks(f, t), where) : LOCATION_PRIOR[where];
    // Far-away SKUs only matter when they fit: skip the ones more than a few units' worth off.
    if (
      where !== 'own' &&
      Math.abs(abs - Math.max(1, Math.round(abs / f.weight.mean)) * f.weight.mean) > 0.3 * f.weight.mean
    )
      continue;
    out.push(...weightOptions(seg, f, where, prior, 50));
  }
  if (pick) {
    for (const item of host.foreignOn(seg.keys)) {
      out.push(...weightOptions(seg, item.home, 'foreign', FOREIGN_PRIOR, item.qty, item));
    }
  }
  return out.sort((a, b) => b.logL - a.logL);
}

/** Posterior shares of options (log-sum-exp), same order. */
export function shares(options: readonly Option[]): number[] {
  if (options.length === 0) return [];
  const best = options[0]!.logL;
  const w = options.map((o) => Math.exp(o.logL - best));
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

export function logSumExp(xs: readonly number[]): number {
  const m = Math.max(...xs);
  if (!Number.isFinite(m)) return m;
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
}
