import type { Prng } from './shelf-prng.js';
import type { SweepParams } from './shelf-sweep-params.js';
import type { TraceBatch } from './shelf-trace.js';

/** A plate's noiseless signal and its own noise sigma. */
export interface RenderPlate {
  device: string;
  channel: number;
  sigma: number;
  signal: Float64Array;
}

/**
 * The sensor side of a sweep trace: per-plate thermal drift, vibration, white noise of the plate's own σ,
 * spikes, and the scale's resolution; then 12-sample batches as a 60 Hz controller ships them.
 */
export function renderPlates(
  plates: readonly RenderPlate[],
  p: SweepParams,
  rng: Prng,
  hz: number,
  start: number,
): TraceBatch[] {
  const n = plates[0]!.signal.length;
  const spikeP = p.spikesPerMinute / (60 * hz);
  for (const pl of plates) {
    const phase = rng.range(0, 2 * Math.PI);
    const periodS = rng.range(1800, 4 * 3600);
    const amp = (rng.range(0, p.driftPerHour) * periodS) / 3600 / Math.PI;
    const vib = rng.range(0, p.vibration) * pl.sigma;
    const vibHz = rng.range(0.3, 8);
    const vibPhase = rng.range(0, 2 * Math.PI);
    for (let j = 0; j < n; j++) {
      const drift = amp * Math.sin(phase + (2 * Math.PI * j) / (hz * periodS)) - amp * Math.sin(phase);
      const shake = vib * Math.sin(vibPhase + (2 * Math.PI * vibHz * j) / hz);
      let v = pl.signal[j]! + drift + shake + rng.gauss() * pl.sigma;
      if (rng.next() < spikeP) v += (rng.next() < 0.5 ? -1 : 1) * rng.range(200, 5000);
      pl.signal[j] = Math.round(v / p.resolution) * p.resolution;
    }
  }
  const batches: TraceBatch[] = [];
  for (let b = 0; b < n; b += 12) {
    for (const pl of plates) {
      batches.push({
        t: start + Math.round((b * 1000) / hz),
        device: pl.device,
        channel: pl.channel,
        hz,
        grams: Array.from(pl.signal.subarray(b, Math.min(n, b + 12)), (x) => Math.round(x * 100) / 100),
      });
    }
  }
  return batches;
}
