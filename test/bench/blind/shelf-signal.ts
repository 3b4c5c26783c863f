/**
 * Turns a shelf's contributions into what its load cells send: noise (white, heavy-tailed per plate, and a
 * slow wander), drift and thermal swing, vibration bursts, spikes, quantisation, batches at the device rate.
 */
import type { Rng } from './prng.js';
import type { Contribution, ShelfScript } from './shelf-actions.js';
import type { ShelfParams, ShelfSim } from './shelf-world.js';

function contributionAt(c: Contribution, t: number): number {
  if (t < c.t0) return 0;
  if (t >= c.t1) {
    const since = t - c.t1;
    return c.delta + c.oscAmp * Math.exp(-since / 0.15) * Math.sin(2 * Math.PI * c.oscHz * since);
  }
  const u = (t - c.t0) / (c.t1 - c.t0);
  const hand = c.hand * Math.sin(Math.PI * u) * (1 + 0.15 * Math.sin(2 * Math.PI * c.wobbleHz * t));
  const moved = Math.min(1, Math.max(0, (t - c.tItem) / c.rampS));
  return hand + c.delta * moved;
}

/** Sums a plate's contributions at increasing times; finished ones fold into a constant. */
class PlateLoad {
  private settled = 0;
  private next = 0;
  private active: Contribution[] = [];

  constructor(private readonly sorted: Contribution[]) {}

  at(t: number): number {
    while (this.next < this.sorted.length && (this.sorted[this.next]?.t0 ?? Number.POSITIVE_INFINITY) <= t) {
      const c = this.sorted[this.next++];
      if (c) this.active.push(c);
    }
    let sum = this.settled;
    const keep: Contribution[] = [];
    for (const c of this.active) {
      if (t > c.t1 + 2) this.settled += c.delta;
      else keep.push(c);
    }
    this.active = keep;
    sum = this.settled;
    for (const c of keep) sum += contributionAt(c, t);
    return sum;
  }
}

export interface ShelfLine {
  t: number;
  line: string;
}

/** NDJSON batch lines of one shelf device, in time order across its channels (200 ms batches). */
export function renderShelf(
  rng: Rng,
  p: ShelfParams,
  shelf: ShelfSim,
  script: ShelfScript,
  startMs: number,
  durationS: number,
): ShelfLine[] {
  const batch = Math.max(1, Math.round(shelf.hz / 5));
  const samples = Math.floor(durationS * shelf.hz);
  const lines: ShelfLine[] = [];
  shelf.plates.forEach((plate, index) => {
    const load = new PlateLoad(
      script.contributions.filter((c) => c.plate === index).sort((a, b) => a.t0 - b.t0),
    );
    const vibGain = rng.uniform(0.4, 1.5);
    const phase = rng.uniform(0, 2 * Math.PI);
    let wander = 0;
    const alpha = Math.exp(-1 / (shelf.hz * 3)); // ~3 s correlation
    for (let k0 = 0; k0 < samples; k0 += batch) {
      const grams: number[] = [];
      for (let k = k0; k < Math.min(samples, k0 + batch); k++) {
        const t = k / shelf.hz;
        wander = alpha * wander + Math.sqrt(1 - alpha * alpha) * rng.normal(0, plate.wanderSigma);
        let g = plate.load + load.at(t) + plate.driftPerMin * (t / 60) + wander;
        g += plate.thermalAmp * Math.sin((2 * Math.PI * t) / plate.thermalPeriodS);
        g += rng.normal(0, plate.sigma);
        for (const v of script.vibrations) {
          if (t >= v.t0 && t <= v.t1)
            g += vibGain * v.amp * (Math.sin(2 * Math.PI * v.hz * t + phase) + 0.5 * rng.normal());
        }
        if (p.spikeRate > 0 && rng.chance(p.spikeRate))
          g += (rng.chance(0.5) ? 1 : -1) * rng.logUniform(80, 6000);
        const q = Math.round(Math.max(0, g) / shelf.resolution) * shelf.resolution;
        grams.push(Number(q.toFixed(2)));
      }
      const t = startMs + Math.round((k0 * 1000) / shelf.hz);
      lines.push({
        t,
        line: JSON.stringify({ t, device: shelf.device, channel: plate.channel, hz: shelf.hz, grams }),
      });
    }
  });
  return lines.sort((a, b) => a.t - b.t);
}
