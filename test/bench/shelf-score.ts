import type { StoreEvent } from '../../gateway/src/core/events.js';
import type { TruthEvent } from './shelf-trace.js';

export interface Score {
  truth: number;
  detected: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  missed: TruthEvent[];
  spurious: StoreEvent[];
}

/**
 * Precision/recall/F1 of pick and put events (and of any other type the truth contains, e.g. shelf.misplaced):
 * a detection matches a truth event on the same plate with the same
 * type, SKU and quantity within `windowMs`; each is matched at most once (closest in time first).
 */
export function scoreEvents(
  truth: readonly TruthEvent[],
  events: readonly StoreEvent[],
  windowMs = 2000,
): Score {
  const types = new Set<string>(['shelf.pick', 'shelf.put', ...truth.map((g) => g.type)]);
  const detections = events.filter((e) => types.has(e.type));
  const used = new Set<number>();
  const missed: TruthEvent[] = [];
  let tp = 0;
  for (const g of truth) {
    let best = -1;
    let bestDt = Number.POSITIVE_INFINITY;
    detections.forEach((d, idx) => {
      if (used.has(idx) || d.type !== g.type) return;
      const x = d.data;
      if (x.device !== g.device || x.channel !== g.channel || x.sku !== g.sku || x.qty !== g.qty) return;
      const dt = Math.abs(d.t - g.t);
      if (dt <= windowMs && dt < bestDt) {
        best = idx;
        bestDt = dt;
      }
    });
    if (best >= 0) {
      used.add(best);
      tp++;
    } else missed.push(g);
  }
  const spurious = detections.filter((_, idx) => !used.has(idx));
  const fp = spurious.length;
  const fn = missed.length;
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    truth: truth.length,
    detected: detections.length,
    tp,
    fp,
    fn,
    precision,
    recall,
    f1,
    missed,
    spurious,
  };
}
