import type { Beam, BeamEdge } from './beam-debouncer.js';

export type BeamOutcome =
  | { kind: 'entry'; t: number }
  | { kind: 'exit'; t: number }
  | { kind: 'blocked'; beam: Beam; since: number; t: number }
  | { kind: 'unblocked'; beam: Beam; blockedMs: number; t: number };

/** A person between the beams; `in` walks a → b (beam a is outside), `out` walks b → a. */
interface Track {
  dir: 'in' | 'out';
  /** Has reached the far beam (for `in`: beam b). Only a track that reached it and then leaves it counts. */
  reachedFar: boolean;
}

const other = (beam: Beam): Beam => (beam === 'a' ? 'b' : 'a');
/** Direction of someone who breaks `beam` first. */
const dirFrom = (beam: Beam): Track['dir'] => (beam === 'a' ? 'in' : 'out');

/**
 * Dual-beam direction decoder (pure: time comes only from edges and `check(now)`).
 *
 * Each beam holds the tracks currently breaking it. A crossing counts when a track that broke the near beam
 * first reaches the far beam and then leaves it, which makes these cases come out right:
 * - turn-back halfway: the track leaves the near beam with the far beam clear, or leaves the far beam back
 *   onto the near one, and is dropped or stepped back;
 * - tailgating: someone breaking the near beam while the previous person is only on the far beam starts a
 *   second track, so two people count as two even if the beams are never both clear in between;
 * - a beam held blocked past `blockedAlarmMs` (pallet, propped door) raises an alarm, voids the tracks on it,
 *   and counts nothing until it clears (a single working beam cannot tell direction).
 */
export class BeamDecoder {
  private readonly blocked: Record<Beam, boolean> = { a: false, b: false };
  private readonly since: Record<Beam, number> = { a: 0, b: 0 };
  private readonly alarmed: Record<Beam, boolean> = { a: false, b: false };
  private readonly tracks: Record<Beam, Track[]> = { a: [], b: [] };
  turnBacks = 0;

  constructor(private readonly blockedAlarmMs: number) {}

  /** Apply one debounced edge (edges must come in time order). */
  apply(edge: BeamEdge): BeamOutcome[] {
    const out = this.check(edge.t);
    const x = edge.beam;
    if (edge.blocked === this.blocked[x]) return out;
    this.blocked[x] = edge.blocked;
    if (edge.blocked) {
      this.since[x] = edge.t;
      this.onBlock(x);
      return out;
    }
    if (this.alarmed[x]) {
      this.alarmed[x] = false;
      this.tracks[x] = [];
      out.push({ kind: 'unblocked', beam: x, blockedMs: edge.t - this.since[x], t: edge.t });
      return out;
    }
    out.push(...this.onClear(x, edge.t));
    return out;
  }

  /** Raise the held-blocked alarm for beams blocked longer than the limit at `now`. */
  check(now: number): BeamOutcome[] {
    const out: BeamOutcome[] = [];
    for (const beam of ['a', 'b'] as const) {
      if (!this.blocked[beam] || this.alarmed[beam]) continue;
      if (now - this.since[beam] < this.blockedAlarmMs) continue;
      this.alarmed[beam] = true;
      const voided = new Set(this.tracks[beam]);
      this.tracks[beam] = [];
      this.tracks[other(beam)] = this.tracks[other(beam)].filter((t) => !voided.has(t));
      out.push({ kind: 'blocked', beam, since: this.since[beam], t: this.since[beam] + this.blockedAlarmMs });
    }
    return out;
  }

  isAlarmed(beam: Beam): boolean {
    return this.alarmed[beam];
  }

  private usable(beam: Beam): boolean {
    return this.blocked[beam] && !this.alarmed[beam];
  }

  private onBlock(x: Beam): void {
    const y = other(x);
    if (this.usable(y)) {
      // Someone on the other beam heading our way reaches this one.
      const heading = this.tracks[y].findLast((t) => t.dir === dirFrom(y) && !t.reachedFar);
      if (heading) {
        heading.reachedFar = true;
        this.tracks[x].push(heading);
        return;
      }
    }
    this.tracks[x].push({ dir: dirFrom(x), reachedFar: false });
  }

  private onClear(x: Beam, t: number): BeamOutcome[] {
    const y = other(x);
    const out: BeamOutcome[] = [];
    const leaving = this.tracks[x];
    this.tracks[x] = [];
    for (const track of leaving) {
      const alsoOnY = this.tracks[y].includes(track);
      if (track.dir === dirFrom(x)) {
        // Left the near beam: moved on to the far one, or turned back.
        if (alsoOnY) continue;
        if (this.usable(y)) {
          track.reachedFar = true;
          this.tracks[y].push(track);
        } else {
          this.turnBacks++;
        }
      } else if (alsoOnY) {
        track.reachedFar = false; // stepped back off the far beam
      } else {
        out.push({ kind: track.dir === 'in' ? 'entry' : 'exit', t });
      }
    }
    return out;
  }
}
