import { describe, expect, it } from 'vitest';
import { BaggingTimes } from '../../gateway/src/processors/checkout/bagging-times.js';
import { CHIPS, COLA, lane } from './harness.js';

describe('checkout lane: slow bagging', () => {
  it('a slow shopper is prompted, and no alert comes when the item is bagged after the prompt', () => {
    const l = lane();
    l.stable(0);
    l.pos('basket-open');
    l.scan(COLA);
    l.wait(13_000); // past bag_timeout_ms (12 s)
    expect(l.processor.state('lane-1')?.prompt).toMatchObject({ reason: 'place_item', gtin: COLA });
    expect(l.processor.state('lane-1')?.message).toBe('Please place cola-330 in the bagging area');
    const published = l.states.at(-1);
    expect(published?.prompt?.gtin).toBe(COLA); // the display was told, on the tick
    l.wait(5_000);
    l.place(0, 352); // 18 s after the scan
    l.wait(2_000);
    expect(l.alerts()).toEqual([]);
    expect(l.processor.state('lane-1')?.prompt).toBeNull();
    expect(l.types()).toContain('lane.item.verified');
  });

  it('escalates to item_not_bagged when the prompted shopper scans on without bagging', () => {
    const l = lane();
    l.stable(0);
    l.pos('basket-open');
    l.scan(COLA);
    l.wait(13_000);
    expect(l.alerts()).toEqual([]);
    l.scan(CHIPS); // moved on: the cola was not bagged
    expect(l.alerts()).toEqual(['item_not_bagged']);
    expect(l.events.find((e) => e.type === 'lane.alert')?.data).toMatchObject({ gtin: COLA });
  });

  it('escalates when the prompted shopper pays without bagging', () => {
    const l = lane();
    l.stable(0);
    l.pos('basket-open');
    l.scan(COLA);
    l.wait(13_000);
    l.pos('payment-start');
    expect(l.alerts()).toEqual(['item_not_bagged']);
  });

  it('the prompt time follows the store: slower shoppers are prompted later, never earlier than configured', () => {
    const times = new BaggingTimes(12_000);
    for (let i = 0; i < 19; i++) times.observe(15_000 + i * 300);
    expect(times.promptMs()).toBe(12_000); // too few weighings: the configured time
    for (let i = 0; i < 20; i++) times.observe(15_000 + i * 300);
    expect(times.promptMs()).toBeGreaterThan(20_000);
    const quick = new BaggingTimes(12_000);
    for (let i = 0; i < 50; i++) quick.observe(2_000 + i * 20);
    expect(quick.promptMs()).toBe(12_000);
  });

  it('a lane whose shoppers bag slowly learns it: an item scanned after that is prompted later', () => {
    const l = lane();
    for (let i = 0; i < 22; i++) {
      l.stable(0);
      l.pos('basket-open');
      l.scan(COLA);
      l.wait(20_000); // every shopper takes ~20 s
      l.place(0, 352);
      l.wait(1_000);
      l.pos('payment-start');
      l.pos('payment-success');
      l.place(352, 0);
      l.pos('basket-close');
    }
    expect(l.alerts()).toEqual([]);
    expect(l.processor.baggingTimes.promptMs()).toBeGreaterThan(20_000);
    l.stable(0);
    l.pos('basket-open');
    l.scan(COLA);
    l.wait(15_000);
    expect(l.processor.state('lane-1')?.prompt).toBeNull(); // not prompted yet at 15 s
  });
});
