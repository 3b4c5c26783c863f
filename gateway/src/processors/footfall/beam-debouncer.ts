export type Beam = 'a' | 'b';

export interface BeamEdge {
  beam: Beam;
  blocked: boolean;
  t: number;
}

/**
 * Debounces raw beam edges without a timer of its own: an edge is held for `debounceMs`; if the same beam
 * flips back within that window both edges are dropped as a glitch (a bounce on break or on release).
 * Survivors are released in time order with their original timestamps once the window has passed, so the
 * decoder downstream sees the two beams' edges correctly interleaved.
 */
export class BeamDebouncer {
  private readonly pending: BeamEdge[] = [];
  /** Last state per beam as the decoder will see it after all pending edges are released. */
  private readonly effective: Record<Beam, boolean> = { a: false, b: false };
  glitches = 0;

  constructor(private readonly debounceMs: number) {}

  /** Offer a raw edge; returns edges that are now final (older than the window). */
  push(edge: BeamEdge): BeamEdge[] {
    const released = this.release(edge.t);
    if (edge.blocked === this.effective[edge.beam]) return released; // repeated level, not an edge
    const lastIdx = this.findPending(edge.beam);
    if (lastIdx >= 0 && edge.t - this.pending[lastIdx]!.t < this.debounceMs) {
      this.pending.splice(lastIdx, 1);
      this.effective[edge.beam] = edge.blocked;
      this.glitches++;
      return released;
    }
    this.effective[edge.beam] = edge.blocked;
    if (this.debounceMs === 0) {
      released.push(edge);
    } else {
      this.pending.push(edge);
    }
    return released;
  }

  /** Release every edge whose debounce window closed at or before `now`. */
  release(now: number): BeamEdge[] {
    const out: BeamEdge[] = [];
    while (this.pending.length > 0 && now - this.pending[0]!.t >= this.debounceMs) {
      const e = this.pending.shift()!;
      out.push(e);
    }
    return out;
  }

  private findPending(beam: Beam): number {
    for (let i = this.pending.length - 1; i >= 0; i--) if (this.pending[i]!.beam === beam) return i;
    return -1;
  }
}
