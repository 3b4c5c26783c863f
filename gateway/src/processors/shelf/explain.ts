import {
  logSumExp,
  logT,
  type Option,
  type OptionHost,
  type Segment,
  SPLIT_PRIOR,
  segmentOptions,
  shares,
} from './hypotheses.js';
import type { Plateau } from './plate-detector.js';

/** One settled span of one plate, waiting to be explained together with its neighbours'. */
export interface PlateChange {
  key: string;
  delta: number;
  sigmaDelta: number;
  before: number;
  tStart: number;
  tSettled: number;
  plateaus: readonly Plateau[];
  /** The plate's activity threshold when it settled (grams). */
  threshold: number;
  /** Sigma of a plateau level inside the span against the level before (a short window's mean), grams. */
  levelSigma: number;
}

export interface ExplainedSegment {
  segment: Segment;
  changes: PlateChange[];
  option: Option;
  /** Posterior share of `option` among this segment's explanations. */
  share: number;
  candidates: { option: Option; share: number }[];
}

/** One connected run of changed plates: the interaction(s) in it and how sure the split into them is. */
export interface ExplainedRun {
  segments: ExplainedSegment[];
  /** Posterior share of this partition of the run into interactions. */
  partitionShare: number;
  /** Best explanation of each other likely partition (for an ambiguous report). */
  alternatives: { segments: ExplainedSegment[]; share: number }[];
}

export interface ExplainHost extends OptionHost {
  order(key: string): number;
  adjacent(a: string, b: string): boolean;
}

/** Runs longer than this are explained plate by plate (2^(n−1) partitions). */
const MAX_RUN = 8;

/**
 * Explain a cluster of simultaneous changes: per plate the summed change, plates in shelf order split into
 * runs of adjacent plates, and each run into the partition into segments (one interaction each) with the
 * highest marginal likelihood. A 3-plate item is one segment; two hands on two facings are two.
 */
export function explain(changes: readonly PlateChange[], host: ExplainHost, t: number): ExplainedRun[] {
  const byKey = new Map<string, PlateChange[]>();
  for (const c of changes) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
  const keys = [...byKey.keys()].sort((a, b) => host.order(a) - host.order(b));
  const runs: string[][] = [];
  for (const k of keys) {
    const run = runs.at(-1);
    if (run && run.length < MAX_RUN && host.adjacent(run.at(-1)!, k)) run.push(k);
    else runs.push([k]);
  }
  return runs.map((run) => explainRun(run, byKey, host, t));
}

function explainRun(
  run: string[],
  byKey: Map<string, PlateChange[]>,
  host: ExplainHost,
  t: number,
): ExplainedRun {
  const memo = new Map<string, { seg: ExplainedSegment; logZ: number }>();
  const segment = (i: number, j: number) => {
    const id = `${i}-${j}`;
    const hit = memo.get(id);
    if (hit) return hit;
    const keys = run.slice(i, j + 1);
    const changes = keys.flatMap((k) => byKey.get(k)!);
    const perPlate = keys.map((k) => byKey.get(k)!.reduce((a, c) => a + c.delta, 0));
    const seg: Segment = {
      keys,
      delta: changes.reduce((a, c) => a + c.delta, 0),
      sigmaDelta: Math.hypot(...changes.map((c) => c.sigmaDelta)),
      floorGrams: Math.hypot(...keys.map((k) => Math.max(...byKey.get(k)!.map((c) => c.threshold)))),
      ...(keys.length > 1 ? { parts: keys.map((key, n) => ({ key, delta: perPlate[n]! })) } : {}),
    };
    const options = segmentOptions(seg, host, t);
    const s = shares(options);
    // One object over several plates puts the same sign on each, and any split of its weight between them is
    // as likely as another: density 1/|Δ| per extra plate. Opposite changes are two things, not one.
    const opposed = perPlate.some(
      (d) => Math.sign(d) !== Math.sign(seg.delta) && Math.abs(d) > seg.floorGrams,
    );
    const continuous = -(keys.length - 1) * Math.log(Math.max(Math.abs(seg.delta), 1));
    const splitLog = opposed
      ? Number.NEGATIVE_INFINITY
      : Math.max(continuous, wholeUnits(options[0]!, keys, perPlate, seg));
    const entry = {
      seg: {
        segment: seg,
        changes,
        option: options[0]!,
        share: s[0]!,
        candidates: options.slice(0, 6).map((option, k) => ({ option, share: s[k]! })),
      },
      logZ: logSumExp(options.map((o) => o.logL)) + splitLog,
    };
    memo.set(id, entry);
    return entry;
  };
  const partitions: { segments: ExplainedSegment[]; logZ: number }[] = [];
  for (let mask = 0; mask < 1 << (run.length - 1); mask++) {
    const segments: ExplainedSegment[] = [];
    let logZ = 0;
    let start = 0;
    for (let i = 0; i < run.length; i++) {
      if (i === run.length - 1 || mask & (1 << i)) {
        const e = segment(start, i);
        segments.push(e.seg);
        logZ += e.logZ;
        start = i + 1;
      }
    }
    partitions.push({ segments, logZ: logZ + (segments.length - 1) * Math.log(SPLIT_PRIOR) });
  }
  partitions.sort((a, b) => b.logZ - a.logZ);
  const total = logSumExp(partitions.map((p) => p.logZ));
  const share = (p: { logZ: number }) => Math.exp(p.logZ - total);
  // Partitions that report the same events (a touched neighbour as a segment of its own that explains as
  // nothing, or merged into the item's segment) are one answer, not a doubt between two.
  const same = outcome(partitions[0]!.segments);
  const agreeing = partitions.filter((p) => outcome(p.segments) === same);
  return {
    segments: partitions[0]!.segments,
    partitionShare: agreeing.reduce((a, p) => a + share(p), 0),
    alternatives: partitions
      .filter((p) => outcome(p.segments) !== same)
      .slice(0, 3)
      .map((p) => ({ segments: p.segments, share: share(p) })),
  };
}

/**
 * Several units of one facing taken from several of its plates at once: each plate's part is a whole number
 * of units (any of the k + 1 counts equally likely) within its predicted sigma. Density of that split.
 */
function wholeUnits(
  best: Option,
  keys: readonly string[],
  perPlate: readonly number[],
  seg: Segment,
): number {
  const f = best.facing;
  if (best.kind !== 'own' || !f || best.qty < 2 || !keys.every((k) => f.plates.some((p) => p.key === k))) {
    return Number.NEGATIVE_INFINITY;
  }
  let log = 0;
  for (const d of perPlate.slice(1)) {
    const j = Math.round(Math.abs(d) / f.weight.mean);
    if (j < 1 || j > best.qty) return Number.NEGATIVE_INFINITY;
    const sigma = f.weight.predictSigma(j, seg.sigmaDelta / Math.sqrt(keys.length));
    log += -Math.log(best.qty + 1) + logT((Math.abs(d) - j * f.weight.mean) / sigma) - Math.log(sigma);
  }
  return log;
}

/**
 * Neighbouring interactions that took (or put) units of the same facing are one hand movement as far as the
 * store is concerned: one segment with their units, whose steps in time then decide how many events it is.
 */
export function mergeSameFacing(segments: readonly ExplainedSegment[]): ExplainedSegment[] {
  const out: ExplainedSegment[] = [];
  for (const s of segments.filter((x) => x.option.kind !== 'nothing')) {
    const last = out.at(-1);
    const same =
      last !== undefined &&
      s.option.kind === 'own' &&
      last.option.kind === 'own' &&
      s.option.facing === last.option.facing &&
      Math.sign(s.segment.delta) === Math.sign(last.segment.delta);
    if (!same) {
      out.push(s);
      continue;
    }
    const keys = [...last.segment.keys, ...s.segment.keys];
    const parts = keys.map((key) => ({
      key,
      delta: [...last.changes, ...s.changes].filter((c) => c.key === key).reduce((a, c) => a + c.delta, 0),
    }));
    out[out.length - 1] = {
      segment: {
        keys,
        delta: last.segment.delta + s.segment.delta,
        sigmaDelta: Math.hypot(last.segment.sigmaDelta, s.segment.sigmaDelta),
        floorGrams: Math.hypot(last.segment.floorGrams, s.segment.floorGrams),
        parts,
      },
      changes: [...last.changes, ...s.changes],
      option: {
        ...last.option,
        qty: last.option.qty + s.option.qty,
        z: Math.hypot(last.option.z, s.option.z),
        residualGrams: last.option.residualGrams + s.option.residualGrams,
      },
      share: last.share * s.share,
      candidates: last.candidates,
    };
  }
  return out;
}

/** What a partition would report: its explanations (facing, kind, signed quantity), same facings merged. */
function outcome(segments: readonly ExplainedSegment[]): string {
  return mergeSameFacing(segments)
    .map(
      (s) =>
        `${s.option.facing?.spec.id ?? '?'}:${s.option.kind}:${Math.sign(s.segment.delta) * s.option.qty}`,
    )
    .join('|');
}
