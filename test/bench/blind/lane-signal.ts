/**
 * What a bagging scale reports for a lane's load: ramps and drop impacts, creep after each step, hands and
 * leaning, a wandering zero, noise, quantisation, and its own `stable` flag (range of the last half second).
 */

import type { LaneScript } from './lane-sessions.js';
import type { ScaleSim } from './lane-world.js';
import type { Rng } from './prng.js';

export function scaleReadings(
  rng: Rng,
  scale: ScaleSim,
  script: LaneScript,
  startMs: number,
): { t: number; grams: number; stable: boolean }[] {
  const steps = [...script.steps].sort((a, b) => a.t - b.t);
  const out: { t: number; grams: number; stable: boolean }[] = [];
  const window: number[] = [];
  const k = Math.max(2, Math.ceil(scale.hz * 0.5));
  const band = Math.max(scale.resolution, 3 * scale.sigma);
  const foldAfterS = 10 * scale.creepTauS; // creep is complete by then: fold the step into a constant
  let zero = 0;
  let folded = 0;
  let next = 0;
  let active: typeof steps = [];
  const dt = 1 / scale.hz;
  for (let t = 0; t <= script.endS; t += dt) {
    // The zero wanders but is pulled back (a scale's zero tracking): an Ornstein–Uhlenbeck walk, τ = 60 s.
    zero += -zero * (dt / 60) + rng.normal(0, scale.zeroWalk * Math.sqrt((2 * dt) / 60));
    while (next < steps.length && (steps[next]?.t ?? Number.POSITIVE_INFINITY) <= t)
      active.push(steps[next++] as (typeof steps)[number]);
    active = active.filter((s) => {
      if (t - s.t < foldAfterS) return true;
      folded += s.delta * (1 + scale.creep);
      return false;
    });
    let load = zero + folded;
    for (const s of active) {
      const since = t - s.t;
      const moved = Math.min(1, since / s.rampS);
      load += s.delta * moved;
      if (since < s.rampS + 0.3 && since > s.rampS)
        load += s.impact * Math.sin((Math.PI * (since - s.rampS)) / 0.3);
      load += scale.creep * s.delta * (1 - Math.exp(-since / scale.creepTauS));
    }
    for (const p of script.presses) {
      if (t < p.t0 || t > p.t1) continue;
      const edge = Math.min(1, (t - p.t0) / 0.3, (p.t1 - t) / 0.3);
      load += p.force * edge * (1 + 0.05 * Math.sin(2 * Math.PI * 3 * t));
    }
    const grams = Math.round((load + rng.normal(0, scale.sigma)) / scale.resolution) * scale.resolution;
    window.push(grams);
    if (window.length > k) window.shift();
    const still = window.length >= k && Math.max(...window) - Math.min(...window) <= band;
    out.push({
      t: Math.round(startMs + t * 1000),
      grams: Number(grams.toFixed(1)),
      stable: still && !rng.chance(scale.flicker),
    });
  }
  return out;
}
