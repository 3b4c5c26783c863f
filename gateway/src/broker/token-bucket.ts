/**
 * Per-device publish rate limit: `ratePerSecond` tokens refill continuously up to `burst`; each publish takes
 * one. Time comes from the caller (the gateway clock), so tests are deterministic.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  take(now: number, count = 1): boolean {
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
    if (this.tokens < count) return false;
    this.tokens -= count;
    return true;
  }
}
