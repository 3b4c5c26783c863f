import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../shared/src/clock.js';
import { Backoff } from './backoff.js';
import { RateLimiter } from './rate-limiter.js';

describe('Backoff', () => {
  it('doubles up to the cap, with jitter within [nominal/2, nominal], and resets', () => {
    const lows = new Backoff(100, 1000, () => 0);
    const highs = new Backoff(100, 1000, () => 1);
    expect(Array.from({ length: 6 }, () => lows.next())).toEqual([50, 100, 200, 400, 500, 500]);
    expect(Array.from({ length: 6 }, () => highs.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    lows.reset();
    expect(lows.next()).toBe(50);
  });
});

describe('RateLimiter', () => {
  it('allows a burst, then the configured rate', () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(100, 10, () => clock.now());
    let sent = 0;
    while (limiter.tryTake()) sent++;
    expect(sent).toBe(10);
    expect(limiter.waitMs()).toBe(10);
    clock.advance(1000);
    sent = 0;
    while (limiter.tryTake()) sent++;
    expect(sent).toBe(10); // refill is capped at the burst
    clock.advance(50);
    expect(limiter.tryTake()).toBe(true);
  });
});
