/** Register widths cumulative counters are seen to wrap at (16-bit PLC counters, 32-bit firmware counters). */
const WRAPS = [2 ** 16, 2 ** 32] as const;
/** A wrap is believed only if the old value was in the top and the new one in the bottom of the register. */
const WRAP_BAND = 0.1;

export type DeltaKind = 'baseline' | 'step' | 'rollover' | 'reset';

export interface CounterDelta {
  delta: number;
  kind: DeltaKind;
  /** For rollover: the register width assumed. */
  wrap?: number;
}

/**
 * Delta between two readings of a cumulative hardware counter; never negative.
 * - first reading: a baseline (what happened before we listened is unknown), delta 0;
 * - going up: the difference;
 * - going down from near the top of a 16/32-bit register to near zero: a rollover, delta across the wrap;
 * - any other decrease: the device restarted (power loss), and counted `current` since then.
 */
export function counterDelta(previous: number | undefined, current: number): CounterDelta {
  if (previous === undefined) return { delta: 0, kind: 'baseline' };
  if (current >= previous) return { delta: current - previous, kind: 'step' };
  for (const wrap of WRAPS) {
    if (previous >= wrap) continue;
    if (previous >= wrap * (1 - WRAP_BAND) && current <= wrap * WRAP_BAND) {
      return { delta: wrap - previous + current, kind: 'rollover', wrap };
    }
  }
  return { delta: current, kind: 'reset' };
}

/** Remembers the last value per counter key and turns each new reading into a delta. */
export class CounterTracker {
  private readonly last = new Map<string, number>();

  update(key: string, current: number): CounterDelta {
    const result = counterDelta(this.last.get(key), current);
    this.last.set(key, current);
    return result;
  }

  /** Last raw values, so a restart can resume deltas instead of losing the first interval. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.last);
  }

  restore(values: Record<string, number>): void {
    for (const [k, v] of Object.entries(values)) this.last.set(k, v);
  }
}
