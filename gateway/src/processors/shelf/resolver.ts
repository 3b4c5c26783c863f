import type { PlateSpec } from '../../core/planogram.js';
import { bestQty, type Candidate, candidatesFor } from './classify.js';

/** A settled change its own plate's SKU could not explain. */
export interface UnexplainedChange {
  key: string;
  spec: PlateSpec;
  delta: number;
  sigmaDelta: number;
  tStart: number;
  tSettled: number;
}

export interface ForeignItem {
  sku: string;
  unitGrams: number;
  qty: number;
  home: PlateSpec;
}

export type Resolution =
  | {
      kind: 'spanning';
      home: UnexplainedChange;
      other: UnexplainedChange;
      qty: number;
      confidence: number;
      candidates: Candidate[];
    }
  | { kind: 'misplaced'; change: UnexplainedChange; item: PlateSpec; qty: number; candidates: Candidate[] }
  | { kind: 'foreign-pick'; change: UnexplainedChange; item: ForeignItem; qty: number }
  | { kind: 'ambiguous'; change: UnexplainedChange; candidates: Candidate[] };

export interface ResolverHost {
  specs(): readonly PlateSpec[];
  neighbours(key: string): readonly string[];
  foreign(key: string): ForeignItem[];
  /** SKUs picked recently elsewhere: a put of one of them on another plate is likely a wrong-plate return. */
  recentlyPicked(sku: string, notOn: string, now: number): boolean;
}

/**
 * Cross-plate reasoning for changes one plate cannot explain: an item straddling two adjacent plates (both see
 * part of it at the same moment), an item put back on the wrong plate, a misplaced item picked up again, or a
 * genuinely ambiguous delta reported with its candidates instead of a guess.
 */
export class ChangeResolver {
  private pending: { change: UnexplainedChange; expiresAt: number }[] = [];

  constructor(
    private readonly host: ResolverHost,
    private readonly pairWindowMs = 2_000,
  ) {}

  add(change: UnexplainedChange): Resolution[] {
    const neighbours = this.host.neighbours(change.key);
    const idx = this.pending.findIndex(
      (p) =>
        neighbours.includes(p.change.key) &&
        Math.sign(p.change.delta) === Math.sign(change.delta) &&
        Math.abs(p.change.tStart - change.tStart) <= this.pairWindowMs,
    );
    if (idx >= 0) {
      const other = this.pending[idx]!.change;
      const spanning = this.pair(change, other);
      if (spanning) {
        this.pending.splice(idx, 1);
        return [spanning];
      }
    }
    this.pending.push({ change, expiresAt: change.tSettled + this.pairWindowMs });
    return [];
  }

  /** Changes whose pairing window passed are resolved on their own. */
  expire(now: number): Resolution[] {
    if (this.pending.length === 0) return [];
    const out: Resolution[] = [];
    this.pending = this.pending.filter((p) => {
      if (p.expiresAt > now) return true;
      out.push(this.single(p.change, now));
      return false;
    });
    return out;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  private pair(a: UnexplainedChange, b: UnexplainedChange): Resolution | null {
    const total = a.delta + b.delta;
    const sigma = Math.hypot(a.sigmaDelta, b.sigmaDelta);
    const onA = bestQty(total, a.spec, sigma);
    const onB = bestQty(total, b.spec, sigma);
    // One object lying across two plates is likelier than several: 500 g is one pasta before two 250 g bags.
    const score = (q: typeof onA) => (q.explained ? q.likelihood / (q.qty * q.qty) : 0);
    const sA = score(onA);
    const sB = score(onB);
    if (sA === 0 && sB === 0) return null;
    const aWins = sA >= sB;
    const share = (x: number) => Math.round((x / (sA + sB)) * 1000) / 1000;
    const candidates: Candidate[] = [];
    const residual = (q: typeof onA, spec: PlateSpec) =>
      Math.round((Math.abs(total) - q.qty * spec.unitGrams) * 10) / 10;
    for (const [q, c, sc] of [
      [onA, a, sA],
      [onB, b, sB],
    ] as const) {
      if (sc > 0) {
        candidates.push({
          sku: c.spec.sku,
          qty: q.qty,
          confidence: share(sc),
          residualGrams: residual(q, c.spec),
          device: c.spec.device,
          channel: c.spec.channel,
        });
      }
    }
    candidates.sort((x, y) => y.confidence - x.confidence);
    return {
      kind: 'spanning',
      home: aWins ? a : b,
      other: aWins ? b : a,
      qty: Math.sign(total) * (aWins ? onA : onB).qty,
      confidence: share(Math.max(sA, sB)),
      candidates,
    };
  }

  private single(change: UnexplainedChange, now: number): Resolution {
    const { key, delta } = change;
    if (delta < 0) {
      for (const item of this.host.foreign(key)) {
        const probe: PlateSpec = {
          ...change.spec,
          sku: item.sku,
          unitGrams: item.unitGrams,
          toleranceGrams: item.home.toleranceGrams,
        };
        const q = bestQty(delta, probe, change.sigmaDelta);
        if (q.explained && q.qty <= item.qty) return { kind: 'foreign-pick', change, item, qty: q.qty };
      }
    } else {
      const others = this.host.specs().filter((s) => s.sku !== change.spec.sku);
      const candidates = candidatesFor(delta, others, change.sigmaDelta, 5, (s) =>
        this.host.recentlyPicked(s.sku, key, now) ? 4 : 1,
      );
      const top = candidates[0];
      const item = top
        ? others.find((s) => s.sku === top.sku && s.device === top.device && s.channel === top.channel)
        : undefined;
      if (top && item && bestQty(delta, item, change.sigmaDelta).explained) {
        return { kind: 'misplaced', change, item, qty: top.qty, candidates };
      }
    }
    const local = this.host.specs().filter((s) => s.device === change.spec.device);
    return { kind: 'ambiguous', change, candidates: candidatesFor(delta, local, change.sigmaDelta, 50) };
  }
}
