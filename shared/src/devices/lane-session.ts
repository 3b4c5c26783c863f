import {
  gaussian,
  hashString,
  type SimContext,
  type SimPublication,
  type Simulator,
  seeded,
  uniform,
} from './simulate.js';

/**
 * The demo's checkout lane: one shopper session every 40 s (open, scan and bag 2–4 items, pay, close); about one
 * in five shoppers also bags an item they did not scan (the lane should raise `unexpected_item`),
 * acted out by the lane's scanner, scale and POS. Each session is a pure function of the lane and its index,
 * so the three devices, each running its own simulator, agree on what happens without sharing state.
 */
export type LaneRole = 'scanner' | 'scale' | 'pos';

interface LaneEvent extends SimPublication {
  role: LaneRole;
  t: number;
}

const FIRST_MS = 3_000;
const PERIOD_MS = 40_000;
/** Longest session: 4 items × (3 + 1.6 + 0.4 s) + an unscanned one (3 s) + 2 + 3 + 3 s, rounded up. */
const LONGEST_MS = 33_000;
/** Share of sessions with an unscanned item in the bag. */
const DISHONEST = 0.2;

export function laneSession(ctx: SimContext, lane: string, index: number): LaneEvent[] {
  const random = seeded(hashString(lane) ^ index);
  let t = ctx.scene.startedAt + FIRST_MS + index * PERIOD_MS;
  const events: LaneEvent[] = [];
  const at = (role: LaneRole, suffix: string, payload: Record<string, unknown>) =>
    events.push({ role, t, suffix, payload: { t, ...payload }, qos: 1 });
  let total = 0;
  at('pos', 'pos', { event: 'basket-open', lane });
  at('scale', 'scale', { grams: 0, status: 'zero' });
  const items = 2 + Math.floor(random() * 3);
  for (let i = 0; i < items && ctx.scene.catalog.length > 0; i++) {
    const item = ctx.scene.catalog[Math.floor(random() * ctx.scene.catalog.length)]!;
    t += Math.round(uniform(random, 1500, 3000));
    at('scanner', 'scan', { code: item.gtin, symbology: ']E0' });
    t += Math.round(uniform(random, 800, 1600));
    at('scale', 'scale', { grams: Math.round((total + item.grams * 0.6) * 10) / 10, status: 'motion' });
    t += 400;
    total += item.grams + gaussian(random) * 1.5;
    at('scale', 'scale', { grams: Math.round(total * 10) / 10, status: 'stable' });
  }
  if (random() < DISHONEST && ctx.scene.catalog.length > 0) {
    const item = ctx.scene.catalog[Math.floor(random() * ctx.scene.catalog.length)]!;
    t += Math.round(uniform(random, 1500, 3000));
    total += item.grams + gaussian(random) * 1.5;
    at('scale', 'scale', { grams: Math.round(total * 10) / 10, status: 'stable' });
  }
  t += 2000;
  at('pos', 'pos', { event: 'payment-start', lane });
  t += 3000;
  at('pos', 'pos', { event: 'payment-success', lane, transaction_id: `T-${t}` });
  at('pos', 'pos', { event: 'basket-close', lane });
  t += 3000;
  at('scale', 'scale', { grams: 0, status: 'zero' });
  return events;
}

/** The simulator of one lane device: its own part of every session that falls into (last step, now]. */
export function laneSimulator(role: LaneRole): Simulator<{ last: number }> {
  return {
    everyMs: 200,
    init: (_ctx, now) => ({ state: { last: now }, publish: [] }),
    step(state, now, ctx) {
      const lane = ctx.device.location.lane;
      if (!lane) return { state: { last: now }, publish: [] };
      const since = (t: number) => (t - ctx.scene.startedAt - FIRST_MS) / PERIOD_MS;
      const publish: SimPublication[] = [];
      const first = Math.max(0, Math.floor(since(state.last - LONGEST_MS)));
      for (let k = first; k <= Math.floor(since(now)); k++) {
        for (const e of laneSession(ctx, lane, k)) {
          if (e.role === role && e.t > state.last && e.t <= now)
            publish.push({ suffix: e.suffix, payload: e.payload, qos: e.qos });
        }
      }
      return { state: { last: now }, publish };
    },
  };
}
