import type { StoreEvent } from '../../gateway/src/core/events.js';
import { parsePlanogram } from '../../gateway/src/core/planogram.js';
import { ShelfProcessor } from '../../gateway/src/processors/shelf/shelf-processor.js';
import { Confusion } from './shelf-sweep-confusion.js';
import { drawParams } from './shelf-sweep-params.js';
import { type ClassCount, f1Of, scoreSweep } from './shelf-sweep-score.js';
import { generateSweep, type SweepTrace } from './shelf-sweep-trace.js';

/** Uncalibrated plates, as a fresh install: noise and unit weights must come from the data. */
function detect(trace: SweepTrace): StoreEvent[] {
  const processor = new ShelfProcessor({ plates: parsePlanogram(trace.planogram) });
  const events: StoreEvent[] = [];
  const b = trace.batches;
  let nextTick = b[0]!.t + 1000;
  for (const x of b) {
    while (x.t >= nextTick) {
      events.push(...processor.tick(nextTick));
      nextTick += 1000;
    }
    events.push(
      ...processor.process({
        type: 'shelf.weight',
        deviceId: x.device,
        channel: x.channel,
        grams: x.grams,
        hz: x.hz,
        deviceTime: x.t,
        receivedAt: x.t,
        quality: 'good',
        source: 'replay',
      }),
    );
  }
  for (let i = 0; i < 10; i++, nextTick += 1000) events.push(...processor.tick(nextTick));
  return events;
}

/** Mean over the worst 10 % of runs (at least one run). */
function worstDecile(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = Math.max(1, Math.ceil(s.length / 10));
  return s.slice(0, k).reduce((a, b) => a + b, 0) / k;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** `1-20`, `101-140`, `3,7,9` or a mix: the seeds of a sweep. */
export function parseSeeds(spec: string): number[] {
  return spec.split(',').flatMap((part) => {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) throw new Error(`bad --seeds part "${part}" (want e.g. 1-20,101-140)`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    return Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);
  });
}

export interface SweepOptions {
  seeds: readonly number[];
  minutes: number;
  verbose: boolean;
  /** Print, per class, which event was expected and what was emitted instead. */
  confusion: boolean;
}

export function runSweep({ seeds, minutes, verbose, confusion }: SweepOptions): {
  ok: boolean;
  mean: number;
  worst: number;
} {
  console.log(
    `\nsweep: ${seeds.length} runs × ${minutes} min, every generator parameter drawn per run (seeds ${seeds[0]}…${seeds.at(-1)}); uncalibrated plates`,
  );
  const confused = new Confusion();
  const f1s: number[] = [];
  const perClass = new Map<string, { f1: number[]; total: ClassCount }>();
  for (const seed of seeds) {
    const params = drawParams(seed, minutes);
    const trace = generateSweep(params);
    const events = detect(trace);
    const score = scoreSweep(trace, events);
    if (confusion) confused.add(seed, trace, score, events);
    f1s.push(score.f1);
    for (const [tag, c] of score.byClass) {
      const e = perClass.get(tag) ?? { f1: [], total: { tp: 0, fp: 0, fn: 0 } };
      e.f1.push(f1Of(c));
      e.total.tp += c.tp;
      e.total.fp += c.fp;
      e.total.fn += c.fn;
      perClass.set(tag, e);
    }
    if (verbose) {
      console.log(
        `  seed ${params.seed}: F1 ${pct(score.f1)} tp ${score.tp} fp ${score.fp} fn ${score.fn}; noise median ${params.noiseMedian.toFixed(2)} g, resolution ${params.resolution} g, bias ±${pct(params.bias)}, spread ${pct(params.unitSpread)}`,
      );
      for (const m of score.missed.slice(0, 6)) console.log('    missed', JSON.stringify(m));
      for (const s of score.spurious.slice(0, 6))
        console.log('    spurious', s.type, s.t, JSON.stringify(s.data));
    }
  }
  const mean = f1s.reduce((a, b) => a + b, 0) / f1s.length;
  const worst = worstDecile(f1s);
  console.log('class            truth   TP   FP   FN   F1 mean   worst decile');
  const order = [...perClass.keys()].sort((a, b) =>
    a === 'all' ? -1 : b === 'all' ? 1 : a.localeCompare(b),
  );
  for (const tag of order) {
    const e = perClass.get(tag)!;
    const m = e.f1.reduce((a, b) => a + b, 0) / e.f1.length;
    const t = e.total;
    console.log(
      `${tag.padEnd(15)} ${String(t.tp + t.fn).padStart(6)} ${String(t.tp).padStart(4)} ${String(t.fp).padStart(4)} ${String(t.fn).padStart(4)}   ${pct(m).padStart(7)}   ${pct(worstDecile(e.f1)).padStart(7)}`,
    );
  }
  if (confusion) confused.print();
  const ok = mean >= 0.97 && worst >= 0.93;
  console.log(
    `sweep F1: mean ${pct(mean)}, worst decile ${pct(worst)} (per run min ${pct(Math.min(...f1s))}); target mean >= 97%, worst decile >= 93%: ${ok ? 'ok' : 'MISS'}`,
  );
  return { ok, mean, worst };
}
