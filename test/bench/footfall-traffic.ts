import { Prng } from './shelf-prng.js';

/** Beam spacing of a typical dual-beam door counter (m). */
const BEAM_GAP_M = 0.1;

export interface Walker {
  /** Time the body's leading edge reaches the first beam it meets (ms). */
  t: number;
  dir: 'in' | 'out';
  speed: number; // m/s
  depth: number; // body depth along the walking direction, m
  /** Walks to this depth past the first beam, then back out the way they came (a turn-back). */
  turnBackAt?: number;
}

export interface BeamEdgeTruth {
  t: number;
  beam: 'a' | 'b';
  blocked: boolean;
}

export interface Scenario {
  name: string;
  walkers: Walker[];
  /** Chance an edge bounces, and how many 2–10 ms glitches it gets. */
  bounce?: { p: number; max: number };
  target: number;
}

/** Per-beam blocked intervals from walkers (overlapping bodies merge, as a real beam sees them). */
function intervals(walkers: readonly Walker[]): Record<'a' | 'b', [number, number][]> {
  const out: Record<'a' | 'b', [number, number][]> = { a: [], b: [] };
  for (const w of walkers) {
    const [first, second] = w.dir === 'in' ? (['a', 'b'] as const) : (['b', 'a'] as const);
    const ms = (m: number) => (m / w.speed) * 1000;
    if (w.turnBackAt !== undefined) {
      // Leading edge goes turnBackAt (< body depth) past the first beam, then the person walks back out:
      // the first beam stays broken until the leading edge is back at it.
      const reach = w.turnBackAt;
      const back = w.t + ms(reach) * 2;
      out[first].push([w.t, back]);
      if (reach > BEAM_GAP_M) out[second].push([w.t + ms(BEAM_GAP_M), back - ms(BEAM_GAP_M)]);
      continue;
    }
    out[first].push([w.t, w.t + ms(w.depth)]);
    out[second].push([w.t + ms(BEAM_GAP_M), w.t + ms(BEAM_GAP_M + w.depth)]);
  }
  for (const beam of ['a', 'b'] as const) {
    const sorted = out[beam].sort((x, y) => x[0] - y[0]);
    const merged: [number, number][] = [];
    for (const iv of sorted) {
      const last = merged.at(-1);
      if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
      else merged.push([iv[0], iv[1]]);
    }
    out[beam] = merged;
  }
  return out;
}

/** Beam edges for a scenario, with optional bounce glitches around real edges, in time order. */
export function beamEdges(s: Scenario, rng: Prng): BeamEdgeTruth[] {
  const edges: BeamEdgeTruth[] = [];
  const iv = intervals(s.walkers);
  for (const beam of ['a', 'b'] as const) {
    for (const [from, to] of iv[beam]) {
      for (const [t, blocked] of [
        [Math.round(from), true],
        [Math.round(to), false],
      ] as const) {
        edges.push({ t, beam, blocked });
        if (s.bounce && rng.next() < s.bounce.p) {
          // Glitches just after the edge: the level flips back briefly, then settles.
          let g = t;
          for (let i = rng.int(1, s.bounce.max); i > 0; i--) {
            g += rng.int(2, 6);
            edges.push({ t: g, beam, blocked: !blocked });
            g += rng.int(2, 6);
            edges.push({ t: g, beam, blocked });
          }
        }
      }
    }
  }
  return edges.sort((x, y) => x.t - y.t);
}

function walker(rng: Prng, t: number, dir?: 'in' | 'out'): Walker {
  return {
    t,
    dir: dir ?? (rng.next() < 0.5 ? 'in' : 'out'),
    speed: rng.range(0.8, 1.8),
    depth: rng.range(0.25, 0.45),
  };
}

/** The benchmark's traffic mixes, each with ground truth in the walkers themselves. */
export function scenarios(seed: number, people: number): Scenario[] {
  const rng = new Prng(seed);
  const singleFile: Walker[] = [];
  for (let i = 0, t = 0; i < people; i++, t += rng.range(1_500, 6_000)) singleFile.push(walker(rng, t));

  const bursts: Walker[] = [];
  for (let t = 0; bursts.length < people; t += rng.range(5_000, 20_000)) {
    const dir = rng.next() < 0.6 ? 'in' : 'out';
    for (let k = rng.int(3, 6), tt = t; k > 0; k--, tt += rng.range(700, 1_400))
      bursts.push(walker(rng, tt, dir));
  }

  // Pairs walking close together: the second body 5–30 cm behind the first, beams never both clear between.
  const tailgating: Walker[] = [];
  for (let t = 0; tailgating.length < people; t += rng.range(3_000, 8_000)) {
    const first = walker(rng, t);
    const gap = rng.range(0.05, 0.3);
    const second: Walker = {
      ...first,
      depth: rng.range(0.25, 0.45),
      t: first.t + ((first.depth + gap) / first.speed) * 1000,
    };
    tailgating.push(first, second);
  }

  // Bodies touching or almost (gap 0–5 cm): beyond what two beams can separate; shown, not targeted.
  const touching: Walker[] = [];
  for (let t = 0; touching.length < people; t += rng.range(3_000, 8_000)) {
    const first = walker(rng, t);
    const gap = rng.range(0, 0.05);
    touching.push(first, {
      ...first,
      depth: rng.range(0.25, 0.45),
      t: first.t + ((first.depth + gap) / first.speed) * 1000,
    });
  }

  const turnBacks: Walker[] = [];
  for (let i = 0, t = 0; i < people; i++, t += rng.range(2_000, 6_000)) {
    const w = walker(rng, t);
    if (rng.next() < 0.2) w.turnBackAt = rng.range(0.05, 0.22);
    turnBacks.push(w);
  }

  return [
    { name: 'single file', walkers: singleFile, target: 0.01 },
    { name: 'single file + bounce noise', walkers: singleFile, bounce: { p: 0.3, max: 3 }, target: 0.01 },
    { name: 'bursts', walkers: bursts, target: 0.01 },
    { name: 'turn-backs (20%)', walkers: turnBacks, target: 0.01 },
    { name: 'tailgating', walkers: tailgating, target: 0.03 },
    { name: 'tailgating + bounce noise', walkers: tailgating, bounce: { p: 0.3, max: 3 }, target: 0.03 },
    { name: 'touching (gap 0–5 cm), informational', walkers: touching, target: Number.POSITIVE_INFINITY },
  ];
}

export function truth(s: Scenario): { in: number; out: number } {
  const counted = s.walkers.filter((w) => w.turnBackAt === undefined);
  return {
    in: counted.filter((w) => w.dir === 'in').length,
    out: counted.filter((w) => w.dir === 'out').length,
  };
}
