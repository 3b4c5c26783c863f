/**
 * Scores shelf events against the independent generator's truth.
 *
 * Matching rule (one-to-one, greedy in truth time order, closest event first):
 * a decisive event (`shelf.pick`, or `shelf.put`/`shelf.misplaced` for a put, not `ambiguous`) matches a truth
 * interaction when the kind, the SKU (`sku`, or `misplaced_item` naming it) and the quantity are equal, the
 * event's `t` or `settled_at` lies in [start − 1 s, end + 6 s] of the interaction, and the event's plate, one
 * of its `spans` or its `facing` is where the weight changed or the facing it belongs to. A rapid double pick
 * (the plate never settles between the two) may instead be matched by one event of the summed quantity.
 * Unmatched decisive events are false positives (a duplicate event is one). `shelf.change` and
 * `ambiguous: true` events are neither: they are counted separately, as on an interaction or spurious, and the
 * interaction they cover stays a miss.
 */
import type { Disturbance, ShelfTruth } from './shelf-actions.js';

export interface ShelfEvent {
  type: string;
  t: number;
  device: string;
  channel: number;
  sku?: string;
  qty?: number;
  facing?: string;
  ambiguous?: boolean;
  settled_at?: number;
  misplaced_item?: unknown;
  spans?: { device: string; channel: number }[];
}

export interface ClassScore {
  truths: number;
  tp: number;
  fn: number;
  fp: number;
  ambiguous: number;
}

export interface ShelfScore {
  all: ClassScore;
  classes: Map<string, ClassScore>;
  ambiguousSpurious: number;
}

const BEFORE_MS = 1000;
const AFTER_MS = 6000;

export function f1(s: ClassScore): number {
  const d = 2 * s.tp + s.fp + s.fn;
  return d === 0 ? 1 : (2 * s.tp) / d;
}

function emptyScore(): ClassScore {
  return { truths: 0, tp: 0, fn: 0, fp: 0, ambiguous: 0 };
}

function kindOf(e: ShelfEvent): 'pick' | 'put' | undefined {
  if (e.type === 'shelf.pick') return 'pick';
  if (e.type === 'shelf.put' || e.type === 'shelf.misplaced') return 'put';
  return undefined;
}

function isAmbiguous(e: ShelfEvent): boolean {
  return e.type === 'shelf.change' || (kindOf(e) !== undefined && e.ambiguous === true);
}

function inWindow(e: ShelfEvent, t: ShelfTruth): boolean {
  const within = (x: number | undefined) => x !== undefined && x >= t.t0 - BEFORE_MS && x <= t.t1 + AFTER_MS;
  return within(e.t) || within(e.settled_at);
}

function platesOf(e: ShelfEvent): string[] {
  return [`${e.device}#${e.channel}`, ...(e.spans ?? []).map((s) => `${s.device}#${s.channel}`)];
}

export class ShelfScorer {
  constructor(private readonly facingPlates: ReadonlyMap<string, readonly string[]>) {}

  private atLocation(e: ShelfEvent, t: ShelfTruth): boolean {
    if (e.facing === t.facing) return true;
    const where = new Set([...t.plates, ...(this.facingPlates.get(t.facing) ?? [])]);
    return platesOf(e).some((p) => where.has(p));
  }

  private compatible(e: ShelfEvent, t: ShelfTruth, qty: number): boolean {
    const skuOk = e.sku === t.sku || e.misplaced_item === t.sku;
    return kindOf(e) === t.kind && skuOk && e.qty === qty && inWindow(e, t) && this.atLocation(e, t);
  }

  score(
    truths: readonly ShelfTruth[],
    events: readonly ShelfEvent[],
    disturbances: readonly Disturbance[] = [],
  ): ShelfScore {
    const ordered = [...truths].sort((a, b) => a.t0 - b.t0);
    const decisive = events.filter((e) => kindOf(e) !== undefined && !isAmbiguous(e));
    const used = new Set<ShelfEvent>();
    const matched = new Set<ShelfTruth>();
    const take = (t: ShelfTruth, qty: number): ShelfEvent | undefined => {
      let best: ShelfEvent | undefined;
      for (const e of decisive) {
        if (used.has(e) || !this.compatible(e, t, qty)) continue;
        if (!best || Math.abs(e.t - t.t0) < Math.abs(best.t - t.t0)) best = e;
      }
      if (best) used.add(best);
      return best;
    };
    for (const t of ordered) if (take(t, t.qty)) matched.add(t);
    const groups = new Map<string, ShelfTruth[]>();
    for (const t of ordered) {
      if (t.group === undefined || matched.has(t)) continue;
      const key = `${t.device}:${t.group}`;
      groups.set(key, [...(groups.get(key) ?? []), t]);
    }
    for (const members of groups.values()) {
      const first = members[0];
      const last = members[members.length - 1];
      if (members.length < 2 || !first || !last) continue;
      const span: ShelfTruth = { ...first, t1: last.t1, qty: members.reduce((n, m) => n + m.qty, 0) };
      if (take(span, span.qty)) for (const m of members) matched.add(m);
    }
    const classes = new Map<string, ClassScore>();
    const bump = (names: readonly string[], key: keyof ClassScore) => {
      for (const name of names) {
        const s = classes.get(name) ?? emptyScore();
        s[key] += 1;
        classes.set(name, s);
      }
    };
    const all = emptyScore();
    for (const t of ordered) {
      const hit = matched.has(t);
      bump(t.classes, 'truths');
      bump(t.classes, hit ? 'tp' : 'fn');
      all.truths += 1;
      all[hit ? 'tp' : 'fn'] += 1;
    }
    const nearest = (e: ShelfEvent, needLocation: boolean) =>
      ordered
        .filter((t) => t.device === e.device && inWindow(e, t) && (!needLocation || this.atLocation(e, t)))
        .sort((a, b) => Math.abs(a.t0 - e.t) - Math.abs(b.t0 - e.t))[0];
    for (const e of decisive) {
      if (used.has(e)) continue;
      all.fp += 1;
      const t = nearest(e, false);
      const d = disturbances.find(
        (x) => x.device === e.device && e.t >= x.t0 - BEFORE_MS && e.t <= x.t1 + AFTER_MS,
      );
      bump(t ? t.classes : [d ? d.kind : 'no interaction'], 'fp');
    }
    let ambiguousSpurious = 0;
    for (const e of events) {
      if (!isAmbiguous(e)) continue;
      const t = nearest(e, true);
      if (t) {
        all.ambiguous += 1;
        bump(t.classes, 'ambiguous');
      } else {
        ambiguousSpurious += 1;
      }
    }
    return { all, classes, ambiguousSpurious };
  }
}
