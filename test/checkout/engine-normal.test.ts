import { describe, expect, it } from 'vitest';
import { APPLES, CHIPS, COLA, GUM, lane } from './harness.js';

describe('checkout lane: honest shoppers raise nothing', () => {
  it('a full session: open, scan and bag, pay, close with totals', () => {
    const l = lane();
    l.stable(0);
    l.pos('basket-open');
    l.scan(COLA);
    l.wait(1_500);
    l.place(0, 354);
    l.scan(CHIPS);
    l.place(354, 512);
    l.pos('payment-start');
    l.pos('payment-success');
    l.place(512, 0); // bags taken after paying: not item_removed
    l.pos('basket-close');
    l.wait(30_000);
    expect(l.alerts()).toEqual([]);
    expect(l.types()).toEqual(['lane.item.verified', 'lane.item.verified', 'lane.session.closed']);
    expect(l.events[0]?.data).toMatchObject({
      gtin: COLA,
      sku: 'cola-330',
      measured_grams: 354,
      by: 'scale',
    });
    expect(l.events[0]?.stream).toBe('lane/lane-1');
    expect(l.events[0]?.dataClass).toBe('must_deliver');
    expect(l.events[2]?.data).toMatchObject({ items: 2, verified: 2, paid: true, alerts: 0, unverified: 0 });
    expect(l.processor.state('lane-1')?.phase).toBe('idle');
  });

  it('several scans before the scale settles are matched together', () => {
    const l = lane();
    l.stable(0);
    l.scan(COLA);
    l.scan(CHIPS);
    l.motion(200);
    l.wait(3_000);
    l.motion(480);
    l.place(480, 514);
    expect(l.alerts()).toEqual([]);
    expect(l.types()).toEqual(['lane.item.verified', 'lane.item.verified']);
  });

  it('leaning: motion that returns to the same weight, and a short stable lean, are not alerts', () => {
    const l = lane();
    l.stable(0);
    l.scan(COLA);
    l.place(0, 352);
    for (let i = 0; i < 20; i++) {
      l.motion(352 + 800 + i * 10);
      l.wait(200);
    }
    l.stable(1_400); // hand resting still for a moment
    l.wait(600);
    l.motion(900);
    l.stable(353);
    l.wait(10_000);
    expect(l.alerts()).toEqual([]);
  });

  it('an own bag placed at the start becomes part of the baseline', () => {
    const l = lane();
    l.stable(0);
    l.pos('basket-open');
    l.place(0, 45); // a reusable bag
    l.wait(3_000);
    l.scan(COLA);
    l.place(45, 45 + 350);
    l.pos('basket-close');
    expect(l.alerts()).toEqual([]);
    expect(l.events.at(-1)?.data).toMatchObject({ bag_grams: 45, verified: 1 });
  });

  it('a bag already on the scale at basket-open is the baseline', () => {
    const l = lane();
    l.stable(180);
    l.pos('basket-open');
    l.scan(CHIPS);
    l.place(180, 340);
    expect(l.alerts()).toEqual([]);
  });

  it('light exempt items are verified on scan and their few grams are not unexpected', () => {
    const l = lane();
    l.stable(0);
    l.scan(GUM);
    expect(l.events.at(-1)?.data).toMatchObject({ by: 'exempt', gtin: GUM });
    l.place(0, 3);
    l.scan(COLA);
    l.place(3, 355);
    l.wait(15_000);
    expect(l.alerts()).toEqual([]);
  });

  it('sold-by-weight items accept any positive weight', () => {
    const l = lane();
    l.stable(0);
    l.scan(APPLES);
    l.place(0, 1234);
    expect(l.alerts()).toEqual([]);
    expect(l.events.at(-1)?.data).toMatchObject({ measured_grams: 1234, by: 'scale' });
  });

  it('zero and over capacity: no decisions while the scale cannot weigh, none lost after', () => {
    const l = lane();
    l.status(0, 'zero');
    l.scan(COLA);
    l.place(0, 352);
    l.scan(CHIPS);
    l.status(30_000, 'over');
    l.wait(20_000);
    expect(l.alerts()).toEqual([]);
    expect(l.processor.state('lane-1')?.message).toMatch(/full/);
    l.status(-300, 'under'); // load cell fault / bag pulled mid-weighing: still no decision
    l.wait(20_000);
    expect(l.alerts()).toEqual([]);
    expect(l.processor.state('lane-1')?.message).toMatch(/attention/);
    l.place(352, 512);
    expect(l.alerts()).toEqual([]);
    expect(l.types()).toEqual(['lane.item.verified', 'lane.item.verified']);
  });

  it('slow bagging within the timeout is fine', () => {
    const l = lane();
    l.stable(0);
    l.scan(CHIPS);
    l.wait(9_000);
    l.place(0, 158);
    expect(l.alerts()).toEqual([]);
  });

  it('the lane state carries what the display needs', () => {
    const l = lane();
    l.stable(0);
    l.scan(COLA);
    expect(l.states.at(-1)).toMatchObject({
      lane: 'lane-1',
      phase: 'shopping',
      pending: [{ gtin: COLA, name: 'cola-330' }],
      message: 'Place the item in the bagging area',
    });
  });

  it('a weighed item and a sold-by-weight item bagged together are both verified', () => {
    const l = lane();
    l.stable(0);
    l.scan(CHIPS);
    l.scan(APPLES);
    l.place(0, 160 + 987);
    expect(l.alerts()).toEqual([]);
    expect(l.processor.state('lane-1')?.pending).toEqual([]);
    l.wait(20_000);
    expect(l.alerts()).toEqual([]);
  });

  it('taking the bags after payment is not item_removed, however long it takes', () => {
    const l = lane();
    l.stable(0);
    l.scan(COLA);
    l.place(0, 352);
    l.pos('payment-start');
    l.pos('payment-success');
    l.place(352, 0);
    l.wait(10_000);
    l.pos('basket-close');
    expect(l.alerts()).toEqual([]);
  });

  it('a POS that only reports the transaction: the session closes on the next scan or after 2 minutes', () => {
    const l = lane();
    l.stable(0);
    l.scan(COLA);
    l.place(0, 352);
    l.pos('transaction');
    l.place(352, 0);
    l.scan(CHIPS); // the next shopper
    expect(l.types()).toEqual(['lane.item.verified', 'lane.session.closed']);
    expect(l.events.at(-1)?.data).toMatchObject({ paid: true, items: 1 });
    l.place(0, 160);
    l.pos('payment-success');
    l.wait(121_000);
    expect(l.types().at(-1)).toBe('lane.session.closed');
    expect(l.processor.state('lane-1')?.phase).toBe('idle');
    expect(l.alerts()).toEqual([]);
  });
});
