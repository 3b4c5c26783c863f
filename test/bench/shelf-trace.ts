import type { PlanogramInput } from '../../gateway/src/core/planogram.js';
import { Prng } from './shelf-prng.js';

/**
 * Synthetic 60 Hz load-cell traces with ground truth: Gaussian noise, single-sample spikes, thermal drift,
 * hands pressing before a pick, rapid double picks, simultaneous picks on neighbouring plates, slow puts and
 * hands leaning on the shelf (which must produce no event).
 */
export interface NoiseLevel {
  name: string;
  sigmaGrams: number;
  spikesPerMinute: number;
  driftGramsPerHour: number;
}

export const NOISE_LEVELS: readonly NoiseLevel[] = [
  { name: 'quiet', sigmaGrams: 0.5, spikesPerMinute: 0.5, driftGramsPerHour: 10 },
  { name: 'normal', sigmaGrams: 2, spikesPerMinute: 2, driftGramsPerHour: 25 },
  { name: 'noisy', sigmaGrams: 5, spikesPerMinute: 5, driftGramsPerHour: 40 },
  { name: 'poor', sigmaGrams: 10, spikesPerMinute: 10, driftGramsPerHour: 60 },
];

export interface TruthEvent {
  type: 'shelf.pick' | 'shelf.put' | 'shelf.misplaced';
  t: number;
  device: string;
  channel: number;
  sku: string;
  qty: number;
  kind: string;
}

export interface TraceBatch {
  t: number;
  device: string;
  channel: number;
  hz: number;
  grams: number[];
}

export interface Trace {
  planogram: PlanogramInput;
  batches: TraceBatch[];
  truth: TruthEvent[];
  leans: number;
  samples: number;
}

export interface TraceOptions {
  seed: number;
  level: NoiseLevel;
  minutes: number;
  devices?: number;
  channelsPerDevice?: number;
  hz?: number;
  startMs?: number;
}

const SKUS: readonly [string, number][] = [
  ['choco-55', 55],
  ['tea-120', 120],
  ['pasta-500', 500],
  ['cola-330', 352],
  ['beans-410', 410],
  ['rice-1000', 1000],
  ['juice-750', 780],
  ['chips-250', 250],
];

interface PlateSignal {
  device: string;
  channel: number;
  sku: string;
  unit: number;
  count: number;
  capacity: number;
  signal: Float64Array;
}

export function generateTrace(o: TraceOptions): Trace {
  const rng = new Prng(o.seed);
  const hz = o.hz ?? 60;
  const start = o.startMs ?? 1_767_225_600_000;
  const n = Math.round(o.minutes * 60 * hz);
  const plates: PlateSignal[] = [];
  const devices = o.devices ?? 2;
  const channels = o.channelsPerDevice ?? 3;
  for (let d = 0; d < devices; d++) {
    for (let c = 0; c < channels; c++) {
      const [sku, unit] = SKUS[(d * channels + c + o.seed) % SKUS.length]!;
      const capacity = Math.max(6, Math.min(40, Math.floor(8000 / unit)));
      const count = rng.int(Math.ceil(capacity / 3), capacity);
      plates.push({
        device: `shelf-${d + 1}`,
        channel: c,
        sku,
        unit,
        count,
        capacity,
        signal: new Float64Array(n),
      });
    }
  }
  const truth: TruthEvent[] = [];
  let leans = 0;
  const ctx = { rng, hz, start, n, truth };
  for (const p of plates) p.signal.fill(p.count * p.unit);
  for (const p of plates) {
    let level = p.count * p.unit;
    // First interaction after a 10 s warm-up; then every 8–30 s per plate.
    for (let t = 10 + rng.range(0, 10); t < o.minutes * 60 - 15; t += rng.range(8, 30)) {
      const r = rng.next();
      const i = Math.round(t * hz);
      if (r < 0.12) {
        lean(ctx, p, i);
        leans++;
        continue;
      }
      const put = p.count <= 2 || (p.count < p.capacity - 3 && r > 0.65);
      if (r < 0.24 && p.count >= 3) {
        // Two picks in quick succession (300–600 ms apart).
        // The hand is already there for the second item: no press, quick ramps.
        level = step(ctx, p, i, -1, level, 'rapid', false, false);
        level = step(ctx, p, i + Math.round(rng.range(0.3, 0.6) * hz), -1, level, 'rapid', false, false);
        continue;
      }
      const qty = rng.next() < 0.8 ? 1 : rng.int(2, 3);
      const slow = put && rng.next() < 0.3;
      if (!put && qty > p.count) continue;
      level = step(ctx, p, i, put ? qty : -qty, level, slow ? 'slow-put' : put ? 'put' : 'pick', slow);
      // Simultaneous pick on the neighbouring plate (another shopper's hand, same moment).
      const next = plates[plates.indexOf(p) + 1];
      if (!put && next && next.device === p.device && next.count > 1 && rng.next() < 0.15) {
        const nl = next.signal[i]!;
        step(ctx, next, i + rng.int(0, 6), -1, nl, 'simultaneous', false);
      }
    }
  }
  const batches = toBatches(plates, o.level, rng, hz, start);
  truth.sort((a, b) => a.t - b.t);
  const planogram: PlanogramInput = {
    plates: plates.map((p) => ({
      device: p.device,
      channel: p.channel,
      sku: p.sku,
      unit_grams: p.unit,
      tolerance_grams: Math.max(2, Math.round(p.unit * 0.015)),
      capacity: p.capacity,
    })),
  };
  return { planogram, batches, truth, leans, samples: n * plates.length };
}

interface Ctx {
  rng: Prng;
  hz: number;
  start: number;
  n: number;
  truth: TruthEvent[];
}

/** A pick (qty < 0) or put: optional hand press, a smooth ramp with hand sway, then the new level. */
function step(
  c: Ctx,
  p: PlateSignal,
  i: number,
  qty: number,
  level: number,
  kind: string,
  slow: boolean,
  press = true,
): number {
  const { rng, hz } = c;
  let grams = 0;
  for (let k = 0; k < Math.abs(qty); k++) grams += p.unit * (1 + rng.gauss() * 0.004);
  const delta = Math.sign(qty) * grams;
  const ramp = Math.round(
    (slow ? rng.range(1, 2) : press ? rng.range(0.08, 0.25) : rng.range(0.08, 0.15)) * hz,
  );
  if (press && qty < 0 && rng.next() < 0.5) {
    const press = Math.round(rng.range(0.1, 0.25) * hz);
    const force = rng.range(0.05, 0.3) * Math.min(p.unit, 400);
    for (let j = Math.max(0, i - press); j < i && j < c.n; j++) p.signal[j] = p.signal[j]! + force;
  }
  const sway = rng.range(0.02, 0.08) * Math.abs(delta);
  const freq = rng.range(3, 6);
  for (let j = i; j < c.n; j++) {
    const k = j - i;
    const f = k >= ramp ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * k) / ramp);
    const wobble =
      k < ramp ? sway * Math.sin((2 * Math.PI * freq * k) / hz) * Math.sin((Math.PI * k) / ramp) : 0;
    p.signal[j] = p.signal[j]! + f * delta + wobble;
  }
  p.count += qty;
  c.truth.push({
    type: qty < 0 ? 'shelf.pick' : 'shelf.put',
    t: c.start + ((i + ramp / 2) * 1000) / hz,
    device: p.device,
    channel: p.channel,
    sku: p.sku,
    qty: Math.abs(qty),
    kind,
  });
  return level + delta;
}

/** A hand or elbow resting on the shelf for 1–4 s: weight up with tremor and sway, then back. */
function lean(c: Ctx, p: PlateSignal, i: number): void {
  const { rng, hz } = c;
  const force = rng.range(150, 2500);
  const hold = Math.round(rng.range(1, 4) * hz);
  const edge = Math.round(rng.range(0.1, 0.3) * hz);
  const sway = rng.range(0.02, 0.05) * force;
  const freq = rng.range(1, 3);
  const total = hold + 2 * edge;
  for (let k = 0; k < total && i + k < c.n; k++) {
    const env = k < edge ? k / edge : k > hold + edge ? (total - k) / edge : 1;
    const tremor = sway * Math.sin((2 * Math.PI * freq * k) / hz) + rng.gauss() * 0.01 * force;
    p.signal[i + k] = p.signal[i + k]! + env * (force + tremor);
  }
}

function toBatches(
  plates: PlateSignal[],
  level: NoiseLevel,
  rng: Prng,
  hz: number,
  start: number,
): TraceBatch[] {
  const per = 12;
  const n = plates[0]!.signal.length;
  const spikeP = level.spikesPerMinute / (60 * hz);
  for (const p of plates) {
    const phase = rng.range(0, 2 * Math.PI);
    const periodS = rng.range(3600, 3 * 3600);
    const amp = (level.driftGramsPerHour * periodS) / 3600 / Math.PI;
    for (let j = 0; j < n; j++) {
      const drift = amp * Math.sin(phase + (2 * Math.PI * j) / (hz * periodS)) - amp * Math.sin(phase);
      let v = p.signal[j]! + drift + rng.gauss() * level.sigmaGrams;
      if (rng.next() < spikeP) v += (rng.next() < 0.5 ? -1 : 1) * rng.range(200, 5000);
      p.signal[j] = Math.round(v * 10) / 10;
    }
  }
  const batches: TraceBatch[] = [];
  for (let b = 0; b < n; b += per) {
    for (const p of plates) {
      batches.push({
        t: start + Math.round((b * 1000) / hz),
        device: p.device,
        channel: p.channel,
        hz,
        grams: Array.from(p.signal.subarray(b, Math.min(n, b + per))),
      });
    }
  }
  return batches;
}
