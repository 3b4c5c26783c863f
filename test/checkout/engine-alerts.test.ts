import { describe, expect, it } from 'vitest';
import { CHIPS, COLA, lane } from './harness.js';

describe('checkout lane: alerts', () => {
  it('weight added without a scan raises unexpected_item; taking it off clears it', () => {
    const l = lane();
    l.stable(0);
    l.pos('basket-open');
    l.scan(COLA);
    l.place(0, 352);
    l.place(352, 352 + 500); // an unscanned item
    l.wait(2_000);
    expect(l.alerts()).toEqual([]); // held: a resting hand would be lifted again
    l.wait(11_000); // no scan or POS event since: it outlasts bag_timeout_ms
    expect(l.alerts()).toEqual(['unexpected_item']);
    expect(l.processor.state('lane-1')?.alert?.reason).toBe('unexpected_item');
    l.place(852, 352);
    const cleared = l.events.find((e) => e.type === 'lane.alert.cleared');
    expect(cleared?.data).toMatchObject({ reason: 'unexpected_item', action: 'shopper' });
  });

  it('an unexpected item is resolved by scanning it', () => {
    const l = lane();
    l.stable(0);
    l.pos('basket-open');
    l.place(0, 352); // heavier than any own bag
    l.wait(13_000); // held until the shopper moves on, or bag_timeout_ms
    expect(l.alerts()).toEqual(['unexpected_item']);
    l.scan(CHIPS); // chips (160 g) do not explain 352 g
    expect(l.processor.state('lane-1')?.alert?.reason).toBe('unexpected_item');
    l.scan(COLA);
    expect(l.processor.state('lane-1')?.alert).toBeNull();
    expect(l.types().slice(-2)).toEqual(['lane.item.verified', 'lane.alert.cleared']);
  });

  it('a scan without weight prompts after the timeout, raises item_not_bagged once ignored; bagging it clears', () => {
    const l = lane();
    l.stable(0);
    l.scan(COLA);
    l.wait(13_000);
    expect(l.alerts()).toEqual([]); // prompted: the display asks, no attendant yet
    expect(l.processor.state('lane-1')?.prompt).toMatchObject({ reason: 'place_item', gtin: COLA });
    l.wait(30_000); // bag_escalate_ms after the prompt
    expect(l.alerts()).toEqual(['item_not_bagged']);
    expect(l.events.at(-1)?.data).toMatchObject({ reason: 'item_not_bagged', gtin: COLA, sku: 'cola-330' });
    l.place(0, 351);
    expect(l.types().slice(-2)).toEqual(['lane.item.verified', 'lane.alert.cleared']);
  });

  it('a swapped barcode raises weight_mismatch, which only an attendant clears', () => {
    const l = lane();
    l.stable(0);
    l.scan(COLA); // scanned cola 352 g, bagged a 900 g bottle of wine
    l.place(0, 900);
    l.wait(2_000);
    // A hand could still rest on the bag: the level is held until the shopper moves on (here: scans the next item).
    expect(l.alerts()).toEqual([]);
    l.scan(CHIPS);
    expect(l.alerts()).toEqual(['weight_mismatch']);
    expect(l.events.find((e) => e.type === 'lane.alert')?.data).toMatchObject({
      gtin: COLA,
      expected_grams: 352,
      delta_grams: 900,
    });
    l.place(900, 0); // taking it off does not make it go away
    l.wait(5_000);
    expect(l.processor.state('lane-1')?.alert?.reason).toBe('weight_mismatch');
    const r = l.attendant('clear', 'wrong item removed');
    expect(r.error).toBeNull();
    expect(l.events.at(-1)?.data).toMatchObject({
      reason: 'weight_mismatch',
      action: 'clear',
      note: 'wrong item removed',
      attendant: 'staff-7',
    });
    expect(l.processor.state('lane-1')?.alert).toBeNull();
  });

  it('weight leaving the scale raises item_removed; putting it back clears', () => {
    const l = lane();
    l.stable(0);
    l.scan(COLA);
    l.place(0, 352);
    l.scan(CHIPS);
    l.place(352, 512);
    l.place(512, 160); // cola taken out of the bag
    l.wait(13_000); // held (a bag lifted to rearrange comes back) until the next event or bag_timeout_ms
    expect(l.alerts()).toEqual(['item_removed']);
    expect(l.events.at(-1)?.data).toMatchObject({ delta_grams: -352 });
    l.place(160, 511);
    expect(l.events.at(-1)?.data).toMatchObject({ reason: 'item_removed', action: 'shopper' });
  });

  it('attendant override of a mismatch verifies the item but never teaches its weight', () => {
    const l = lane();
    l.stable(0);
    l.scan(CHIPS);
    l.place(0, 230); // a bigger bag of the same chips
    l.wait(2_000);
    l.pos('payment-start'); // the shopper moved on: the held level is decided
    expect(l.alerts()).toEqual(['weight_mismatch']);
    l.attendant('override', 'new pack size');
    const verified = l.events.filter((e) => e.type === 'lane.item.verified');
    expect(verified.at(-1)?.data).toMatchObject({ by: 'attendant', measured_grams: 230 });
    expect(l.learner.get(`0${CHIPS}`)).toBeUndefined();
    expect(l.attendant('clear').error).toMatch(/no open alert/);
  });

  it('a hand resting on the bags longer than confirm_ms is no alarm: the level returns before the shopper moves on', () => {
    const l = lane();
    l.stable(0);
    l.scan(COLA);
    l.place(0, 352);
    l.place(352, 352 + 180); // a hand rests on the bag
    l.wait(3_000);
    l.place(352 + 180, 352); // and is lifted
    l.scan(CHIPS);
    l.place(352, 512);
    l.wait(2_000);
    expect(l.alerts()).toEqual([]);
  });

  it('a held unexplained gain is decided at the next scan, before the new item could explain it', () => {
    const l = lane();
    l.stable(0);
    l.scan(COLA);
    l.place(0, 352);
    l.place(352, 352 + 160); // unscanned chips
    l.wait(2_000);
    expect(l.alerts()).toEqual([]);
    l.scan(CHIPS); // the shopper moves on: the weight was put down unscanned
    expect(l.alerts()).toEqual(['unexpected_item']);
  });

  it('a removal held when the shopper goes to pay is decided as shopping, not waved through', () => {
    const l = lane();
    l.stable(0);
    l.scan(COLA);
    l.place(0, 352);
    l.scan(CHIPS);
    l.place(352, 512);
    l.place(512, 160); // cola taken out again
    l.wait(2_000);
    l.pos('payment-start');
    expect(l.alerts()).toEqual(['item_removed']);
  });

  it('each own bag before the first scan may weigh up to bag_max_grams, not all of them together', () => {
    const l = lane();
    l.stable(0);
    l.pos('basket-open');
    l.place(0, 200);
    l.place(200, 400); // a second bag: 400 g together, over bag_max_grams (250)
    l.wait(13_000);
    l.scan(COLA);
    l.place(400, 752);
    l.wait(2_000);
    expect(l.alerts()).toEqual([]);
    l.pos('basket-close');
    expect(l.events.find((e) => e.type === 'lane.session.closed')?.data).toMatchObject({ bag_grams: 400 });
  });
});
