import { describe, expect, it } from 'vitest';
import { ScaleNoise } from '../../gateway/src/processors/checkout/scale-noise.js';
import { Prng } from '../bench/shelf-prng.js';
import { CHIPS, COLA, lane } from './harness.js';

/** Stable readings of a still load with Gaussian noise σ, quantised to `division`. */
function feed(noise: ScaleNoise, sigma: number, division: number, n: number, seed = 1) {
  const rand = new Prng(seed);
  for (let i = 0; i < n; i++)
    noise.observe(Math.round((500 + sigma * rand.gauss()) / division) * division, true);
}

describe('lane noise floor', () => {
  it('starts at the configured prior and then follows the scale’s own noise', () => {
    const quiet = new ScaleNoise(4);
    expect(quiet.floor()).toBe(4);
    feed(quiet, 0.2, 0.01, 400);
    expect(quiet.sigma).toBeGreaterThan(0.15);
    expect(quiet.sigma).toBeLessThan(0.25);
    expect(quiet.floor()).toBeLessThan(1.2);
    const noisy = new ScaleNoise(4);
    feed(noisy, 2, 0.01, 400);
    expect(noisy.sigma).toBeGreaterThan(1.6);
    expect(noisy.floor()).toBeGreaterThan(6.5);
    expect(noisy.floor()).toBeGreaterThan(4 * quiet.floor());
  });

  it('a coarse division sets the floor when the noise is below it; motion breaks the pairs', () => {
    const coarse = new ScaleNoise(4);
    feed(coarse, 0.1, 5, 200);
    expect(coarse.ready).toBe(false); // always the same reading: the division is unknown, the prior holds
    expect(coarse.floor()).toBe(4);
    feed(coarse, 1.5, 5, 200);
    expect(coarse.resolution).toBe(5);
    expect(coarse.floor()).toBeGreaterThanOrEqual(10);
    const n = new ScaleNoise(4);
    for (let i = 0; i < 100; i++) n.observe(i % 2 ? 500 : 1500, i % 2 === 0); // never two stable in a row
    expect(n.ready).toBe(false);
  });

  it('a 6 g drop alarms on a quiet scale only when it matches an item, and never as noise', () => {
    const l = lane();
    // Stable readings of an empty scale wandering by ±0.1 g teach a floor well below 4 g.
    for (let i = 0; i < 60; i++) l.stable(0.1 * ((i % 3) - 1));
    l.pos('basket-open');
    l.scan(COLA);
    l.place(0, 352);
    for (let i = 0; i < 20; i++) l.stable(352 + 0.1 * ((i % 3) - 1));
    l.place(352, 346); // 6 g less: nothing on the scale weighs 6 g
    l.wait(3_000);
    l.stable(346);
    l.wait(3_000);
    expect(l.alerts()).toEqual([]);
    l.place(346, 0); // the cola (and the rest) leaves
    l.wait(13_000); // held until the next event or bag_timeout_ms
    expect(l.alerts()).toEqual(['item_removed']);
  });

  it('taking the bags away after payment-success, and while the card is processed, is no alarm', () => {
    const l = lane();
    l.stable(0);
    l.pos('basket-open');
    l.place(0, 40); // own bag
    l.scan(COLA);
    l.place(40, 392);
    l.scan(CHIPS);
    l.place(392, 552);
    l.pos('payment-start');
    l.place(552, 200); // lifts one bag while paying
    l.wait(5_000);
    l.pos('payment-success');
    l.place(200, 0);
    l.wait(5_000);
    l.pos('basket-close');
    expect(l.alerts()).toEqual([]);
    expect(l.events.find((e) => e.type === 'lane.session.closed')?.data).toMatchObject({
      verified: 2,
      bag_grams: 40,
    });
  });

  it('an item put down in stages is verified once the hand lets go, not a mismatch', () => {
    const l = lane();
    l.stable(0);
    l.scan(COLA);
    l.place(0, 200); // the hand still holds part of it
    l.wait(2_000);
    l.place(200, 352);
    l.wait(3_000);
    expect(l.alerts()).toEqual([]);
    expect(l.types()).toContain('lane.item.verified');
  });
});
