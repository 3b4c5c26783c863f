import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/src/config/load.js';
import { fridgeAlarmRulesFrom } from '../../gateway/src/features/opcua/alarm-rules.js';
import { FridgeAlarmProcessor } from '../../gateway/src/processors/coldchain/fridge-alarm.js';
import { FakeClock } from '../../shared/src/clock.js';
import type { Quality, ReadingOf } from '../../shared/src/readings.js';

const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);

function temp(clock: FakeClock, value: number | string, quality: Quality = 'good', point = 'fridge-3.temp') {
  const r: ReadingOf<'plant.value'> = {
    type: 'plant.value',
    deviceId: 'cold-room',
    deviceTime: clock.now(),
    receivedAt: clock.now(),
    quality,
    source: 'opcua',
    point,
    value,
    unit: '°C',
  };
  return r;
}

function setup() {
  const clock = new FakeClock(T0);
  const alarms = new FridgeAlarmProcessor([
    { deviceId: 'cold-room', point: 'fridge-3.temp', maxC: 5, forMs: 300_000, hysteresisC: 1 },
  ]);
  return { clock, alarms };
}

describe('FridgeAlarmProcessor', () => {
  it('raises only after the value stayed above max_c for for_s, then clears below max_c - hysteresis', () => {
    const { clock, alarms } = setup();
    expect(alarms.process(temp(clock, 4.5))).toEqual([]);
    expect(alarms.process(temp(clock, 6.2))).toEqual([]);
    clock.advance(299_000);
    expect(alarms.process(temp(clock, 7))).toEqual([]);
    clock.advance(1_000);
    const raised = alarms.process(temp(clock, 7.5));
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({
      type: 'plant.alarm',
      t: T0 + 300_000,
      stream: 'plant/cold-room',
      dataClass: 'must_deliver',
      data: {
        device: 'cold-room',
        point: 'fridge-3.temp',
        state: 'raised',
        value_c: 7.5,
        max_c: 5,
        above_since: T0,
        peak_c: 7.5,
      },
    });
    expect(alarms.active()).toEqual([{ deviceId: 'cold-room', point: 'fridge-3.temp', since: T0 + 300_000 }]);
    // Still in alarm: no repeat. Hovering between max_c - hysteresis and max_c does not clear (no flapping).
    clock.advance(60_000);
    expect(alarms.process(temp(clock, 8.4))).toEqual([]);
    expect(alarms.process(temp(clock, 4.5))).toEqual([]);
    expect(alarms.process(temp(clock, 5.5))).toEqual([]);
    clock.advance(60_000);
    const cleared = alarms.process(temp(clock, 4));
    expect(cleared).toHaveLength(1);
    expect(cleared[0]).toMatchObject({
      t: T0 + 420_000,
      data: {
        state: 'cleared',
        value_c: 4,
        raised_at: T0 + 300_000,
        duration_s: 120,
        peak_c: 8.4,
        hysteresis_c: 1,
      },
    });
    expect(alarms.active()).toEqual([]);
  });

  it('a short excursion above max_c resets the timer', () => {
    const { clock, alarms } = setup();
    alarms.process(temp(clock, 6));
    clock.advance(200_000);
    expect(alarms.process(temp(clock, 5))).toEqual([]); // back at max_c: not above
    clock.advance(10_000);
    alarms.process(temp(clock, 6));
    clock.advance(200_000);
    expect(alarms.process(temp(clock, 6.5))).toEqual([]);
    expect(alarms.tick(clock.now())).toEqual([]);
  });

  it('raises on tick when no new reading arrives (OPC UA reports changes only)', () => {
    const { clock, alarms } = setup();
    alarms.process(temp(clock, 9));
    clock.advance(299_999);
    expect(alarms.tick(clock.now())).toEqual([]);
    clock.advance(5_000);
    const raised = alarms.tick(clock.now());
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ t: T0 + 300_000, data: { state: 'raised', value_c: 9 } });
    expect(alarms.tick(clock.now() + 60_000)).toEqual([]);
  });

  it('ignores bad-quality and non-numeric readings, and points without a rule', () => {
    const { clock, alarms } = setup();
    alarms.process(temp(clock, 9));
    clock.advance(400_000);
    expect(alarms.process(temp(clock, 'BadSensorFailure', 'bad'))).toEqual([]);
    expect(alarms.process(temp(clock, 20, 'bad'))).toEqual([]);
    expect(alarms.process(temp(clock, 20, 'good', 'fridge-9.temp'))).toEqual([]);
    // The excursion that started at T0 is still open: the next good reading raises it.
    expect(alarms.process(temp(clock, 8))[0]).toMatchObject({ data: { state: 'raised', above_since: T0 } });
    // A bad reading does not clear either.
    expect(alarms.process(temp(clock, -30, 'bad'))).toEqual([]);
    expect(alarms.active()).toHaveLength(1);
  });

  it('for_s 0 raises on the first reading above max_c; rules come from config', () => {
    const cfg = parseConfig({
      opcua: {
        endpoints: [
          {
            id: 'cold-room',
            url: 'opc.tcp://127.0.0.1:4840',
            points: [
              { node_id: 'ns=1;s=Fridge3.Temp', name: 'fridge-3.temp', alarm: { max_c: 5, for_s: 0 } },
              { node_id: 'ns=1;s=Door3', name: 'fridge-3.door' },
            ],
          },
        ],
      },
    });
    const rules = fridgeAlarmRulesFrom(cfg.opcua);
    expect(rules).toEqual([
      { deviceId: 'cold-room', point: 'fridge-3.temp', maxC: 5, forMs: 0, hysteresisC: 1 },
    ]);
    const clock = new FakeClock(T0);
    const alarms = new FridgeAlarmProcessor(rules);
    expect(alarms.process(temp(clock, 5.1))[0]).toMatchObject({ data: { state: 'raised' } });
  });
});
