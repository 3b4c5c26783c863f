import { parseConfig } from '../../gateway/src/config/load.js';
import type { ColdUnitConfig } from '../../gateway/src/config/sections/coldchain.js';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import { coldChainOptions } from '../../gateway/src/features/coldchain/units.js';
import { ColdChainProcessor } from '../../gateway/src/processors/coldchain/coldchain-processor.js';
import type { ColdSampleBody, Reading } from '../../shared/src/readings.js';

export const T0 = Date.UTC(2026, 5, 1, 0, 0, 0);
export const MIN = 60_000;

/** A processor for the given units (YAML form), driven second by second like the live ticker. */
export function rig(units: Partial<ColdUnitConfig>[], extra: Record<string, unknown> = {}) {
  const config = parseConfig({
    store: { id: 'store-1', timezone: 'UTC' },
    coldchain: {
      units: units.map((u, i) => ({
        id: `u${i + 1}`,
        class: 'chilled',
        source: { device: `d${i + 1}` },
        ...u,
      })),
      ...extra,
    },
  });
  const p = new ColdChainProcessor(coldChainOptions(config));
  const events: StoreEvent[] = [];
  let now = T0;
  p.tick(now);
  const advance = (to: number) => {
    while (now + 1000 <= to) {
      now += 1000;
      events.push(...p.tick(now));
    }
  };
  return {
    p,
    events,
    now: () => now,
    sample(at: number, body: Omit<ColdSampleBody, 'type'>, device = 'd1') {
      advance(at);
      const r: Reading = {
        type: 'cold.sample',
        deviceId: device,
        deviceTime: at,
        receivedAt: at,
        quality: body.probeFault ? 'bad' : 'good',
        source: 'replay',
        ...body,
      };
      events.push(...p.process(r));
    },
    energy(at: number, kwh: number, device = 'm1') {
      advance(at);
      events.push(
        ...p.process({
          type: 'energy.meter',
          deviceId: device,
          deviceTime: at,
          receivedAt: at,
          quality: 'good',
          source: 'replay',
          kwh,
        }),
      );
    },
    advance,
    alarms: () =>
      events
        .filter((e) => e.type === 'coldchain.alarm')
        .map((e) => `${e.data.unit} ${e.data.alarm} ${e.data.state} ${(e.t - T0) / MIN}`),
    days: () => events.filter((e) => e.type === 'coldchain.day'),
  };
}

/** One sample a minute from `from` to `to` (minutes after T0), temperature by minute. */
export function minutes(
  r: ReturnType<typeof rig>,
  from: number,
  to: number,
  body: (m: number) => Omit<ColdSampleBody, 'type'>,
  device = 'd1',
) {
  for (let m = from; m < to; m++) r.sample(T0 + m * MIN, body(m), device);
}
