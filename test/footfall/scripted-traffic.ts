import type { StoreEvent } from '../../gateway/src/core/events.js';
import type { DayRecord, MinuteRecord } from '../../gateway/src/core/footfall-records.js';
import { FootfallProcessor } from '../../gateway/src/processors/footfall/footfall-processor.js';
import type { Reading } from '../../shared/src/readings.js';

/**
 * Deterministic traffic for storage tests: two counter doors and a POS over `hours` hours starting at
 * `start`, run through the real processor; returns its minute and day records in emission order.
 */
export function scriptedTraffic(
  start: number,
  hours: number,
  seed = 7,
): { minutes: MinuteRecord[]; days: DayRecord[]; events: StoreEvent[] } {
  let s = seed;
  const rand = () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const p = new FootfallProcessor({
    store: 'test-store',
    timeZone: 'UTC',
    storeEmptyTime: '03:00',
    driftCorrection: 'exits',
    debounceMs: 0,
    blockedAlarmMs: 30_000,
    transactionEvents: ['transaction'],
  });
  const totals = { 'door-1': { in: 1_000, out: 990 }, 'door-2': { in: 65_500, out: 20 } };
  const events: StoreEvent[] = [];
  const meta = (t: number, deviceId: string) =>
    ({ deviceId, deviceTime: t, receivedAt: t, quality: 'good', source: 'mqtt' }) as const;
  for (let t = start; t < start + hours * 3_600_000; t += 20_000) {
    for (const [door, c] of Object.entries(totals)) {
      c.in = (c.in + Math.floor(rand() * 4)) % 65_536; // door-2 rolls over its 16-bit register
      c.out = c.out + Math.floor(rand() * 3.6);
      const r: Reading = { ...meta(t, door), type: 'door.count', in: c.in, out: c.out };
      events.push(...p.process(r));
    }
    if (rand() < 0.3)
      events.push(...p.process({ ...meta(t + 1, 'pos-1'), type: 'pos.event', event: 'transaction' }));
    events.push(...p.tick(t + 10_000));
  }
  events.push(...p.tick(start + hours * 3_600_000 + 120_000));
  return {
    minutes: events.filter((e) => e.type === 'footfall.minute').map((e) => e.data as unknown as MinuteRecord),
    days: events.filter((e) => e.type === 'footfall.day').map((e) => e.data as unknown as DayRecord),
    events,
  };
}
