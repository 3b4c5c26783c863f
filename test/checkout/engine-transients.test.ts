import { describe, expect, it } from 'vitest';
import { CATALOG, CHIPS, COLA, GUM, item, lane } from './harness.js';

/** Rules for what a hand, a lean or a shopper's staging does to the bagging scale (docs/checkout.md). */
describe('checkout lane: transients and staging', () => {
  it('a hand resting on an item while it is weighed, then lifted, is no alarm: the weighing is revised', () => {
    const l = lane();
    l.stable(0);
    l.pos('basket-open');
    l.place(0, 12); // an own bag
    l.scan(CHIPS); // 160 g, tolerance max(10 g, 3 %) × 1.5 = 15 g
    l.place(12, 182); // chips with a finger still on them: 170 g fits 160 ± 15
    l.place(182, 172); // the finger lifts: a 10 g drop, as heavy as the bag, but the chips now fit better
    l.wait(3_000);
    l.scan(COLA);
    l.place(172, 524);
    l.wait(2_000);
    expect(l.alerts()).toEqual([]);
    const verified = l.events.filter((e) => e.type === 'lane.item.verified').map((e) => e.data.gtin);
    expect(verified).toEqual([CHIPS, COLA]);
  });

  it('a drop after the shopper moved on is no longer a revision: a removal that matches the item is one', () => {
    const l = lane();
    l.stable(0);
    l.scan(CHIPS);
    l.place(0, 160);
    l.scan(COLA);
    l.place(160, 512);
    l.place(512, 352); // the chips taken out again after the cola was scanned
    l.wait(2_000);
    l.pos('payment-start');
    expect(l.alerts()).toEqual(['item_removed']);
  });

  it('a gain lighter than any item the lane weighs, with nothing pending, is no unscanned item', () => {
    const l = lane();
    l.stable(0);
    l.scan(COLA);
    l.place(0, 352);
    l.place(352, 357); // 5 g (< min_weighable_grams 8): creep after a lean, a crumb of packaging
    l.wait(2_000);
    l.scan(CHIPS);
    l.place(357, 517);
    l.wait(2_000);
    expect(l.alerts()).toEqual([]);
  });

  it('the first part of an item put down in stages is not spent on a light exempt item', () => {
    const mints = '4000000000013';
    const l = lane({}, [...CATALOG, item(mints, 'mints', 30, { weightExempt: true })]);
    l.stable(0);
    l.scan(mints); // verified on scan; its 30 g may land unweighed
    l.scan(CHIPS);
    l.place(0, 25); // part of the chips (the hand still holds the rest)
    l.wait(1_500);
    l.place(25, 160); // the rest; the mints stay in the shopper's hand
    l.wait(2_000);
    expect(l.alerts()).toEqual([]);
    expect(l.events.filter((e) => e.type === 'lane.item.verified').map((e) => e.data.by)).toEqual([
      'exempt',
      'scale',
    ]);
  });

  it('an unscanned item of weighable weight with nothing pending is still raised at the next scan', () => {
    const l = lane();
    l.stable(0);
    l.scan(GUM); // 3 g: exempt, verified on scan
    l.place(0, 3);
    l.place(3, 163); // unscanned chips
    l.wait(2_000);
    l.scan(COLA);
    expect(l.alerts()).toEqual(['unexpected_item']);
  });

  it('a weighing teaches only once final and undisturbed: the next scan makes it final, a revision spoils it', () => {
    const l = lane();
    l.stable(0);
    l.scan(CHIPS);
    l.place(0, 161);
    expect(l.learner.get(`0${CHIPS}`)).toBeUndefined(); // a hand may still be on it
    l.scan(COLA); // moved on: final
    expect(l.learner.get(`0${CHIPS}`)?.n).toBe(1);
    l.place(161, 161 + 362); // cola with a finger on it (352 + 10, within 8 × 1.5)
    l.place(161 + 362, 161 + 352); // the finger lifts: the weighing is revised, so it teaches nothing
    l.scan(CHIPS);
    expect(l.learner.get(`0${COLA}`)).toBeUndefined();
    expect(l.alerts()).toEqual([]);
  });
});
