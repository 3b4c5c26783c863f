import { eventsOf, type StoreEvent } from '../../gateway/src/core/events.js';
import type { SweepTrace } from './shelf-sweep-trace.js';

export interface ClassCount {
  tp: number;
  fp: number;
  fn: number;
}

export interface SweepScore {
  tp: number;
  fp: number;
  fn: number;
  f1: number;
  byClass: Map<string, ClassCount>;
  missed: SweepTrace['truth'];
  spurious: StoreEvent[];
}

export const f1Of = (c: ClassCount): number =>
  c.tp + c.fp + c.fn === 0 ? 1 : (2 * c.tp) / (2 * c.tp + c.fp + c.fn);

/**
 * Pick/put/misplaced matched on type, SKU, quantity, device, a plate the moved items touched, and time within
 * 2 s (closest first, each used once). Misses count against every tag of their truth event; a false alarm
 * against the tags of the interaction window it fell in (leans included), or `none` outside any.
 */
export function scoreSweep(trace: SweepTrace, events: readonly StoreEvent[], windowMs = 2000): SweepScore {
  const det = eventsOf(events, 'shelf.pick', 'shelf.put', 'shelf.misplaced');
  const used = new Set<number>();
  const byClass = new Map<string, ClassCount>();
  const cls = (tag: string) => {
    const c = byClass.get(tag) ?? { tp: 0, fp: 0, fn: 0 };
    byClass.set(tag, c);
    return c;
  };
  const missed: SweepTrace['truth'] = [];
  let tp = 0;
  for (const g of trace.truth) {
    let best = -1;
    let bestDt = Number.POSITIVE_INFINITY;
    det.forEach((d, idx) => {
      if (used.has(idx) || d.type !== g.type) return;
      const x = d.data;
      if (x.device !== g.device || !g.channels.includes(x.channel as number)) return;
      if (x.sku !== g.sku || x.qty !== g.qty) return;
      const dt = Math.abs(d.t - g.t);
      if (dt <= windowMs && dt < bestDt) {
        best = idx;
        bestDt = dt;
      }
    });
    const hit = best >= 0;
    if (hit) {
      used.add(best);
      tp++;
    } else missed.push(g);
    for (const tag of ['all', ...g.tags]) cls(tag)[hit ? 'tp' : 'fn']++;
  }
  const spurious = det.filter((_, idx) => !used.has(idx));
  for (const e of spurious) {
    const w = trace.windows.filter(
      (x) => x.device === e.data.device && e.t >= x.t0 - 1000 && e.t <= x.t1 + 2500,
    );
    const tags = new Set(w.length > 0 ? w.flatMap((x) => x.tags) : ['none']);
    for (const tag of ['all', ...tags]) cls(tag).fp++;
  }
  const fp = spurious.length;
  const fn = missed.length;
  return { tp, fp, fn, f1: f1Of({ tp, fp, fn }), byClass, missed, spurious };
}
