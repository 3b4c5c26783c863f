import type { Clock } from '../../../../shared/src/clock.js';
import type { ClockStep } from './internal-events.js';

/**
 * NTP steps the clock when it is off by more than 128 ms and slews below that; a second is far above slewing
 * and far below what an RTC-less boot or an operator's `date -s` does.
 */
export const CLOCK_STEP_TOLERANCE_MS = 1_000;

/**
 * Detects wall-clock steps: the offset between wall and monotonic time is constant while the clock runs
 * freely, so a change of that offset beyond the tolerance is a step (back or forward).
 */
export class ClockWatch {
  private offset: number;

  constructor(
    private readonly clock: Clock,
    private readonly toleranceMs = CLOCK_STEP_TOLERANCE_MS,
  ) {
    this.offset = clock.now() - clock.monotonic();
  }

  /** A step since the last sample, or null. Slow drift below the tolerance is absorbed, not accumulated. */
  sample(): ClockStep | null {
    const mono = this.clock.monotonic();
    const actual = this.clock.now();
    const offset = actual - mono;
    const expected = this.offset + mono;
    if (Math.abs(offset - this.offset) < this.toleranceMs) {
      this.offset = offset;
      return null;
    }
    this.offset = offset;
    return { expected, actual };
  }
}
