import type { Reading } from '../../shared/src/readings.js';
import type { BenchProduct } from './checkout-catalog.js';

const TOLERANCE = 0.02;
const WINDOW_MS = 5_000;
/** Smallest stable change the reconciler treats as a scale event (the reference publishes every change). */
const MIN_CHANGE_G = 3;

interface LaneBook {
  open: boolean;
  lastStable: number | null;
  scans: Array<{ expected: number | null; t: number }>;
}

/**
 * Baseline in the same run: the reconciler rule of Intel's open reference design (rtsf-at-checkout): each scanned
 * item must be matched by a scale change within a 5 s window and within 2 % of its catalog weight; a scale change
 * without a scan inside the window, or a scan without a scale change, is a suspect. No own-bag, leaning, light-item
 * or learning logic.
 */
export class IntelReconcilerBaseline {
  private readonly lanes = new Map<string, LaneBook>();
  private readonly weights: Map<string, number | null>;

  constructor(
    products: readonly BenchProduct[],
    private readonly laneOf: (deviceId: string) => string,
  ) {
    this.weights = new Map(products.map((p) => [p.gtin, p.nominal]));
  }

  private book(lane: string): LaneBook {
    let b = this.lanes.get(lane);
    if (!b) {
      b = { open: false, lastStable: null, scans: [] };
      this.lanes.set(lane, b);
    }
    return b;
  }

  /** Returns the lanes with a new suspect. */
  process(r: Reading): string[] {
    const lane = this.laneOf(r.deviceId);
    const b = this.book(lane);
    const t = r.deviceTime!;
    if (r.type === 'pos.event') {
      if (r.event === 'basket-open') b.open = true;
      if (r.event === 'payment-success' || r.event === 'basket-close') {
        b.open = false;
        b.scans = [];
      }
      return [];
    }
    if (r.type === 'scanner.scan') {
      b.scans.push({ expected: this.weights.get(r.code) ?? null, t });
      return [];
    }
    if (r.type !== 'scale.reading' || (r.status !== 'stable' && r.status !== 'zero')) return [];
    const g = r.status === 'zero' ? 0 : r.grams;
    const prev = b.lastStable;
    b.lastStable = g;
    if (prev === null || !b.open || Math.abs(g - prev) < MIN_CHANGE_G) return [];
    const delta = g - prev;
    const scan = b.scans.find((s) => Math.abs(s.t - t) <= WINDOW_MS);
    if (!scan) return [lane];
    b.scans.splice(b.scans.indexOf(scan), 1);
    if (scan.expected === null) return [];
    return Math.abs(delta - scan.expected) <= TOLERANCE * scan.expected ? [] : [lane];
  }

  tick(now: number): string[] {
    const out: string[] = [];
    for (const [lane, b] of this.lanes) {
      const late = b.scans.filter((s) => now - s.t > WINDOW_MS);
      if (late.length > 0) {
        b.scans = b.scans.filter((s) => now - s.t <= WINDOW_MS);
        out.push(lane);
      }
    }
    return out;
  }

  clear(lane: string): void {
    const b = this.book(lane);
    b.scans = [];
  }
}
