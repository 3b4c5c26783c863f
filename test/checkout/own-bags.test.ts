import { describe, expect, it } from 'vitest';
import { OwnBagWeights } from '../../gateway/src/processors/checkout/own-bags.js';
import { COLA, lane } from './harness.js';

/** One session: a bag of `bagGrams` put down before the first scan, then a cola (352 g) scanned and bagged. */
function sessionWithBag(l: ReturnType<typeof lane>, bagGrams: number) {
  l.stable(0);
  l.pos('basket-open');
  l.place(0, bagGrams);
  l.wait(2_000);
  l.scan(COLA);
  if (l.processor.state('lane-1')?.alert) l.attendant('clear'); // the attendant accepts the bag
  l.place(bagGrams, bagGrams + 352);
  l.wait(2_000);
  l.pos('payment-start');
  l.pos('payment-success');
  l.place(bagGrams + 352, 0);
  l.pos('basket-close');
  l.wait(1_000);
}

describe('checkout lane: own bags', () => {
  it('the bag bound follows the bags observed before first scans', () => {
    const l = lane();
    // A store whose shoppers bring crates of 300–420 g (over the 250 g prior): the first ones alarm.
    const crates = Array.from({ length: 24 }, (_, i) => 300 + ((i * 37) % 120));
    for (const grams of crates) sessionWithBag(l, grams);
    const early = l.alerts().length;
    expect(early).toBeGreaterThan(0);
    expect(l.processor.ownBags.limitGrams()).toBeGreaterThanOrEqual(400);
    // Learned: a 410 g crate before the first scan is a bag now.
    sessionWithBag(l, 410);
    expect(l.alerts().length).toBe(early);
    const closed = l.events.filter((e) => e.type === 'lane.session.closed').at(-1);
    expect(closed?.data).toMatchObject({ bag_grams: 410, alerts: 0 });
  });

  it('a landing heavier than the cap is never a bag, however many were seen', () => {
    const l = lane();
    for (let i = 0; i < 30; i++) sessionWithBag(l, 900); // unscanned 900 g items before the first scan
    expect(l.processor.ownBags.limitGrams()).toBe(600);
    const before = l.alerts().length;
    sessionWithBag(l, 900);
    expect(l.alerts().slice(before)).toEqual(['unexpected_item']);
  });

  it('light bags keep the configured bound: it never gets stricter than bag_max_grams', () => {
    const bags = new OwnBagWeights(250, 600);
    for (let i = 0; i < 50; i++) bags.observe(20 + i);
    expect(bags.limitGrams()).toBe(250);
  });

  it('the bound is a high quantile of the landings, so a rare heavy one does not move it', () => {
    const bags = new OwnBagWeights(250, 600);
    for (let i = 0; i < 99; i++) bags.observe(100 + i);
    bags.observe(590);
    expect(bags.limitGrams()).toBe(250);
    for (let i = 0; i < 10; i++) bags.observe(380);
    expect(bags.limitGrams()).toBe(380);
  });
});
