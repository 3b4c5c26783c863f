import { checkoutSection } from '../../gateway/src/config/sections/checkout.js';
import { type CatalogItem, memoryCatalog } from '../../gateway/src/core/catalog.js';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import { CheckoutProcessor } from '../../gateway/src/processors/checkout/checkout-processor.js';
import type { LaneState } from '../../gateway/src/processors/checkout/lane-types.js';
import { WeightLearner } from '../../gateway/src/processors/checkout/weight-learner.js';
import { FakeClock } from '../../shared/src/clock.js';
import type { PosEventName, Reading } from '../../shared/src/readings.js';
import { checkedEvents } from '../support/event-samples.js';

export const COLA = '5012345678900';
export const CHIPS = '4006381333931';
export const GUM = '4000000000006';
export const APPLES = '2000000000008';
export const WINE = '8001234567897';

export function item(
  gtin: string,
  sku: string,
  grams: number | null,
  extra: Partial<CatalogItem> = {},
): CatalogItem {
  return {
    gtin,
    sku,
    name: sku,
    grams,
    toleranceGrams: null,
    weightExempt: false,
    soldByWeight: false,
    ageRestricted: false,
    ...extra,
  };
}

export const CATALOG = [
  item(COLA, 'cola-330', 352, { toleranceGrams: 8 }),
  item(CHIPS, 'chips-150', 160),
  item(GUM, 'gum', 3),
  item(APPLES, 'apples-loose', null, { soldByWeight: true }),
];

/** One lane (scanner-1, scale-1, pos-1 → lane-1) on a fake clock, collecting every event. */
export function lane(overrides: Record<string, unknown> = {}, catalog = CATALOG) {
  const config = checkoutSection.parse({
    lanes: [{ id: 'lane-1', scanner: 'scanner-1', scale: 'scale-1', pos: 'pos-1' }],
    ...overrides,
  });
  const clock = new FakeClock(1_700_000_000_000);
  const learner = new WeightLearner(config.learning);
  const states: LaneState[] = [];
  const devices: Record<string, string> = { 'scanner-1': 'lane-1', 'scale-1': 'lane-1', 'pos-1': 'lane-1' };
  const processor = new CheckoutProcessor({
    config,
    clock,
    catalog: memoryCatalog(catalog),
    learner,
    directory: { laneOf: (d) => devices[d], lanes: () => ['lane-1'] },
    onStateChange: (s) => states.push(s),
  });
  const events: StoreEvent[] = [];
  const meta = (deviceId: string) => ({
    deviceId,
    deviceTime: null,
    receivedAt: clock.now(),
    quality: 'good' as const,
    source: 'mqtt' as const,
  });
  const feed = (r: Reading) => events.push(...checkedEvents(processor.process(r)));
  /** Advance virtual time, ticking every second like the live pipeline. */
  const wait = (ms: number) => {
    const end = clock.now() + ms;
    while (clock.now() < end) {
      clock.advanceTo(Math.min(end, Math.floor(clock.now() / 1000) * 1000 + 1000));
      if (clock.now() % 1000 === 0) events.push(...checkedEvents(processor.tick(clock.now())));
    }
  };
  return {
    clock,
    processor,
    learner,
    events,
    states,
    wait,
    pos: (event: PosEventName) => feed({ ...meta('pos-1'), type: 'pos.event', event }),
    scan: (code: string) => feed({ ...meta('scanner-1'), type: 'scanner.scan', code }),
    stable: (grams: number) => feed({ ...meta('scale-1'), type: 'scale.reading', grams, status: 'stable' }),
    motion: (grams: number) => feed({ ...meta('scale-1'), type: 'scale.reading', grams, status: 'motion' }),
    status: (grams: number, status: 'zero' | 'over' | 'under') =>
      feed({ ...meta('scale-1'), type: 'scale.reading', grams, status }),
    attendant: (action: 'clear' | 'override', note = 'checked') => {
      const r = processor.attendant('lane-1', action, note, 'staff-7');
      events.push(...r.events);
      return r;
    },
    /** Place weight the way a real scale reports it: motion, then settle. */
    place: (from: number, to: number) => {
      events.push(
        ...processor.process({
          ...meta('scale-1'),
          type: 'scale.reading',
          grams: (from + to) / 2,
          status: 'motion',
        }),
      );
      clock.advance(400);
      events.push(
        ...processor.process({ ...meta('scale-1'), type: 'scale.reading', grams: to, status: 'stable' }),
      );
    },
    types: () => events.map((e) => e.type),
    alerts: () => events.filter((e) => e.type === 'lane.alert').map((e) => e.data.reason),
  };
}
