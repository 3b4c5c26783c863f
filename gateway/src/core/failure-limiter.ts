/**
 * Failed-attempt limiting shared by HTTP login and the MQTT broker. An attempt is *reserved* before the
 * (expensive, scrypt) check and released only when it succeeds, so parallel wrong guesses are counted while
 * they are still in flight: with a limit of 5, the 6th concurrent attempt is refused without hashing.
 * Pure: callers pass the time.
 */
export interface FailureLimiterOptions {
  /** Failures (including attempts still in flight) allowed per key within the window. */
  maxFailures: number;
  windowMs: number;
  /** Keys tracked at most (oldest dropped first), so a scan of random names cannot grow memory. */
  maxKeys?: number;
}

interface Entry {
  failures: number[];
  inFlight: number;
}

export class FailureLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: FailureLimiterOptions) {}

  /** True when an attempt for `key` may proceed; it is then counted until `succeeded(key)` releases it. */
  tryReserve(key: string, now: number): boolean {
    const entry = this.entry(key, now);
    if (entry.failures.length + entry.inFlight >= this.options.maxFailures) return false;
    entry.inFlight += 1;
    return true;
  }

  /** The reserved attempt failed: it stays counted for the window. */
  failed(key: string, now: number): void {
    const entry = this.entry(key, now);
    entry.inFlight = Math.max(0, entry.inFlight - 1);
    entry.failures.push(now);
  }

  /** The reserved attempt succeeded: it no longer counts, and earlier failures of this key are forgotten. */
  succeeded(key: string): void {
    this.entries.delete(key);
  }

  /** Milliseconds until `key` may try again (0 when it may now). */
  retryAfterMs(key: string, now: number): number {
    const entry = this.entry(key, now);
    if (entry.failures.length + entry.inFlight < this.options.maxFailures) return 0;
    const oldest = entry.failures[0];
    return oldest === undefined ? this.options.windowMs : Math.max(0, oldest + this.options.windowMs - now);
  }

  private entry(key: string, now: number): Entry {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { failures: [], inFlight: 0 };
      this.entries.set(key, entry);
      const max = this.options.maxKeys ?? 10_000;
      if (this.entries.size > max) {
        const first = this.entries.keys().next().value;
        if (first !== undefined && first !== key) this.entries.delete(first);
      }
    }
    const since = now - this.options.windowMs;
    while (entry.failures.length > 0 && entry.failures[0]! <= since) entry.failures.shift();
    return entry;
  }
}
