import { describe, expect, it } from 'vitest';
import { checkoutSection } from '../../gateway/src/config/sections/checkout.js';
import { memoryCatalog } from '../../gateway/src/core/catalog.js';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import { CheckoutProcessor } from '../../gateway/src/processors/checkout/checkout-processor.js';
import { WeightLearner } from '../../gateway/src/processors/checkout/weight-learner.js';
import { FakeClock } from '../../shared/src/clock.js';
import type { PosEventName } from '../../shared/src/readings.js';
import { CATALOG, COLA, lane } from './harness.js';

function twoLanes() {
  const config = checkoutSection.parse({});
  const clock = new FakeClock(1_700_000_000_000);
  const devices: Record<string, string> = { 'pos-1': 'lane-1', 'pos-2': 'lane-2', 'scanner-1': 'lane-1' };
  const foreign: string[] = [];
  const p = new CheckoutProcessor({
    config,
    clock,
    catalog: memoryCatalog(CATALOG),
    learner: new WeightLearner(config.learning),
    directory: { laneOf: (d) => devices[d], lanes: () => ['lane-1', 'lane-2'] },
    onForeignLane: (device, claimed) => foreign.push(`${device}->${claimed}`),
  });
  const events: StoreEvent[] = [];
  const pos = (deviceId: string, event: PosEventName, laneField?: string) =>
    events.push(
      ...p.process({
        deviceId,
        deviceTime: null,
        receivedAt: clock.now(),
        quality: 'good',
        source: 'mqtt',
        type: 'pos.event',
        event,
        ...(laneField ? { lane: laneField } : {}),
      }),
    );
  return { p, clock, events, pos, foreign };
}

describe('lane integrity (issue 12 item 4)', () => {
  it('a POS naming another lane is rejected and counted; its own lane field is accepted', () => {
    const l = twoLanes();
    l.pos('pos-1', 'basket-open', 'lane-1');
    expect(l.p.state('lane-1')?.phase).toBe('shopping');
    l.pos('pos-2', 'basket-close', 'lane-1'); // lane-2's terminal tries to close lane-1's session
    expect(l.p.state('lane-1')?.phase).toBe('shopping');
    expect(l.p.counters.foreignLane).toBe(1);
    expect(l.foreign).toEqual(['pos-2->lane-1']);
    l.pos('pos-1', 'basket-close');
    expect(l.p.state('lane-1')?.phase).toBe('idle');
  });

  it('lanes exist only when configured: a payload cannot create one', () => {
    const l = twoLanes();
    for (let i = 0; i < 50; i++) l.pos('pos-9', 'basket-open', `ghost-${i}`); // a device in no lane
    expect(l.p.states().map((s) => s.lane)).toEqual(['lane-1', 'lane-2']);
    expect(l.p.state('ghost-1')).toBeUndefined();
    expect(l.p.counters.unmapped).toBe(50);
    expect(l.p.attendant('ghost-1', 'clear', null, null).error).toMatch(/unknown lane/);
  });
});

describe('bounded lanes (issue 13 item 5)', () => {
  it('a lane with no POS caps its pending items and closes an idle session on a FakeClock', () => {
    const l = lane();
    l.stable(0);
    for (let i = 0; i < 200; i++) l.scan(COLA); // nobody bags, no POS ever closes the session
    const state = l.processor.state('lane-1')!;
    expect(state.pending_count).toBe(50);
    expect(state.pending.length).toBeLessThanOrEqual(10);
    expect(JSON.stringify(state).length).toBeLessThan(4_000);
    expect(l.processor.counters.pendingDropped).toBe(150);
    l.wait(601_000); // ten minutes without a scan, POS event or weight change
    const closed = l.events.find((e) => e.type === 'lane.session.closed');
    expect(closed?.data).toMatchObject({ idle_timeout: true, items: 200 });
    expect(l.processor.state('lane-1')?.phase).toBe('idle');
    expect(l.processor.counters.idleClosed).toBe(1);
  });

  it('stable readings of an unchanged weight are not activity; a weight change is', () => {
    const l = lane();
    l.stable(0);
    l.pos('basket-open');
    for (let i = 0; i < 9; i++) {
      l.wait(60_000);
      l.stable(0);
    }
    l.place(0, 40); // own bag at minute 9 keeps the session open
    l.wait(300_000);
    expect(l.processor.state('lane-1')?.phase).toBe('shopping');
    l.wait(301_000);
    expect(l.processor.state('lane-1')?.phase).toBe('idle');
  });
});
