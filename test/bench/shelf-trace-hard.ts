import type { PlanogramInput } from '../../gateway/src/core/planogram.js';
import { Prng } from './shelf-prng.js';
import type { NoiseLevel, Trace, TraceBatch, TruthEvent } from './shelf-trace.js';

/**
 * Hard cases the pick/put score does not cover, with ground truth: items put back on the wrong plate (then taken
 * again from there) and items straddling two adjacent plates (put, later picked). Three plates on one device.
 */
const PLATES: readonly { sku: string; unit: number; start: number }[] = [
  { sku: 'cola-330', unit: 352, start: 10 },
  { sku: 'pasta-500', unit: 500, start: 8 },
  { sku: 'chips-250', unit: 250, start: 12 },
];

export function generateHardCases(o: {
  seed: number;
  level: NoiseLevel;
  minutes: number;
  hz?: number;
}): Trace {
  const rng = new Prng(o.seed);
  const hz = o.hz ?? 60;
  const start = 1_767_225_600_000;
  const n = Math.round(o.minutes * 60 * hz);
  const signals = PLATES.map((p) => new Float64Array(n).fill(p.start * p.unit));
  const truth: TruthEvent[] = [];
  const add = (ch: number, i: number, grams: number, rampS: number) => {
    const ramp = Math.max(1, Math.round(rampS * hz));
    const sig = signals[ch]!;
    for (let j = i; j < n; j++) {
      const k = j - i;
      sig[j] = sig[j]! + grams * (k >= ramp ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * k) / ramp));
    }
  };
  const mark = (type: TruthEvent['type'], i: number, ch: number, sku: string, kind: string) =>
    truth.push({ type, t: start + (i * 1000) / hz, device: 'shelf-h', channel: ch, sku, qty: 1, kind });
  const at = (s: number) => Math.round(s * hz);
  for (let s = 10; s < o.minutes * 60 - 40; s += rng.range(30, 45)) {
    const home = rng.int(0, 2);
    const item = PLATES[home]!;
    const weight = item.unit * (1 + rng.gauss() * 0.004);
    if (rng.next() < 0.5) {
      // Wrong-plate return: taken from home, put on another plate, later taken from there.
      const other = (home + rng.int(1, 2)) % 3;
      const t1 = at(s);
      const t2 = at(s + rng.range(4, 10));
      const t3 = at(s + rng.range(14, 22));
      add(home, t1, -weight, 0.15);
      add(other, t2, weight, 0.2);
      add(other, t3, -weight, 0.15);
      truth.push({
        type: 'shelf.pick',
        t: start + (t1 * 1000) / hz,
        device: 'shelf-h',
        channel: home,
        sku: item.sku,
        qty: 1,
        kind: 'pick',
      });
      truth.push({
        type: 'shelf.misplaced',
        t: start + (t2 * 1000) / hz,
        device: 'shelf-h',
        channel: other,
        sku: item.sku,
        qty: 1,
        kind: 'misplaced',
      });
      mark('shelf.pick', t3, other, item.sku, 'misplaced-pick');
    } else {
      // Straddling item: put across its home plate and the next one, later picked up again.
      const home2 = Math.min(home, 1);
      const it = PLATES[home2]!;
      const w = it.unit * (1 + rng.gauss() * 0.004);
      const f = rng.range(0.35, 0.7);
      const t1 = at(s);
      const t2 = at(s + rng.range(8, 16));
      add(home2, t1, w * f, 0.2);
      add(home2 + 1, t1, w * (1 - f), 0.2);
      add(home2, t2, -w * f, 0.15);
      add(home2 + 1, t2, -w * (1 - f), 0.15);
      mark('shelf.put', t1, home2, it.sku, 'straddle-put');
      mark('shelf.pick', t2, home2, it.sku, 'straddle-pick');
    }
  }
  const batches: TraceBatch[] = [];
  for (const sig of signals) {
    for (let j = 0; j < n; j++) sig[j] = Math.round((sig[j]! + rng.gauss() * o.level.sigmaGrams) * 10) / 10;
  }
  for (let b = 0; b < n; b += 12) {
    for (const [ch, sig] of signals.entries()) {
      const grams = Array.from(sig.subarray(b, b + 12));
      batches.push({ t: start + Math.round((b * 1000) / hz), device: 'shelf-h', channel: ch, hz, grams });
    }
  }
  const planogram: PlanogramInput = {
    plates: PLATES.map((p, ch) => ({
      device: 'shelf-h',
      channel: ch,
      sku: p.sku,
      unit_grams: p.unit,
      tolerance_grams: 6,
      capacity: 30,
    })),
  };
  truth.sort((a, b) => a.t - b.t);
  return { planogram, batches, truth, leans: 0, samples: n * PLATES.length };
}
