import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../shared/src/clock.js';
import { RequestRateLimit } from './request-rate.js';

describe('RequestRateLimit', () => {
  it('allows maxPerSecond requests within a second and flags the next one', () => {
    const clock = new FakeClock(1_000);
    const limit = new RequestRateLimit(5, () => clock.now());
    for (let i = 0; i < 5; i++) expect(limit.record()).toBe(false);
    expect(limit.record()).toBe(true);
  });

  it('a steady rate at the limit never trips; a burst above it does', () => {
    const clock = new FakeClock(0);
    const limit = new RequestRateLimit(10, () => clock.now());
    for (let i = 0; i < 1_000; i++) {
      clock.advance(100); // exactly 10 per second
      expect(limit.record()).toBe(false);
    }
    let tripped = false;
    for (let i = 0; i < 20 && !tripped; i++) {
      clock.advance(1);
      tripped = limit.record();
    }
    expect(tripped).toBe(true);
  });

  it('reset forgets earlier requests', () => {
    const clock = new FakeClock(0);
    const limit = new RequestRateLimit(2, () => clock.now());
    limit.record();
    limit.record();
    limit.reset();
    expect(limit.record()).toBe(false);
    expect(limit.record()).toBe(false);
    expect(limit.record()).toBe(true);
  });
});
