import type { Clock, TimerHandle } from './clock.js';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /**
   * 'none' (default): initial, 2 × initial, … up to max. 'equal' ("equal jitter"): half of that nominal delay
   * plus a random share of the other half, so a fleet of gateways does not reconnect in lockstep after a
   * cloud outage, yet every delay stays at least half the nominal one.
   */
  jitter?: 'none' | 'equal';
  /** [0, 1); injected for deterministic tests. */
  random?: () => number;
}

/**
 * The one capped exponential backoff of the repo (uplink, InfluxDB writer, OPC UA, serial supervisor, Modbus
 * TCP). `next()` is the delay of the next attempt; `schedule(fn)` also arms that attempt as the single
 * pending retry timer on the injected Clock, so `cancel()` in a stop() is all that is needed to undo it.
 */
export class Backoff {
  private attempt = 0;
  private timer: TimerHandle | null = null;
  private readonly random: () => number;

  constructor(
    private readonly clock: Clock,
    private readonly opts: BackoffOptions,
  ) {
    this.random = opts.random ?? Math.random;
  }

  /** The delay for the next attempt; each call counts one attempt. */
  next(): number {
    const nominal = Math.min(this.opts.maxMs, this.opts.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    if (this.opts.jitter !== 'equal') return nominal;
    return Math.round(nominal / 2 + this.random() * (nominal / 2));
  }

  /** Back to the first delay (after a success). Does not cancel a scheduled retry. */
  reset(): void {
    this.attempt = 0;
  }

  /** Attempts counted since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /**
   * Run `fn` after `next()` ms, replacing a retry still pending (there is never more than one).
   * Returns the delay chosen, for logs.
   */
  schedule(fn: () => void): number {
    this.cancel();
    const delay = this.next();
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      fn();
    }, delay);
    return delay;
  }

  /** Drop the pending retry, if any. */
  cancel(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** A retry is armed and has not run yet. */
  get scheduled(): boolean {
    return this.timer !== null;
  }
}
