import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../shared/src/clock.js';
import { RateLimiter } from './rate-limiter.js';

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
