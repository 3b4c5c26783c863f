import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';
import { FakeClock } from './clock.js';

describe('Backoff', () => {
  it('doubles up to the cap and resets', () => {
    const b = new Backoff(new FakeClock(), { initialMs: 100, maxMs: 500 });
    expect(Array.from({ length: 5 }, () => b.next())).toEqual([100, 200, 400, 500, 500]);
    expect(b.attempts).toBe(5);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('with equal jitter stays within [nominal/2, nominal]', () => {
    const clock = new FakeClock();
    const lows = new Backoff(clock, { initialMs: 100, maxMs: 1000, jitter: 'equal', random: () => 0 });
    const highs = new Backoff(clock, { initialMs: 100, maxMs: 1000, jitter: 'equal', random: () => 1 });
    expect(Array.from({ length: 6 }, () => lows.next())).toEqual([50, 100, 200, 400, 500, 500]);
    expect(Array.from({ length: 6 }, () => highs.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    lows.reset();
    expect(lows.next()).toBe(50);
  });

  it('schedules one retry on the clock, replaced by the next and dropped by cancel', () => {
    const clock = new FakeClock();
    const b = new Backoff(clock, { initialMs: 100, maxMs: 1000 });
    const runs: string[] = [];
    expect(b.schedule(() => runs.push('a'))).toBe(100);
    expect(b.schedule(() => runs.push('b'))).toBe(200);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(199);
    expect(runs).toEqual([]);
    clock.advance(1);
    expect(runs).toEqual(['b']);
    expect(b.scheduled).toBe(false);
    b.schedule(() => runs.push('c'));
    b.cancel();
    clock.advance(10_000);
    expect(runs).toEqual(['b']);
    expect(clock.pendingTimers()).toBe(0);
  });
});
