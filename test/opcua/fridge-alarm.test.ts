import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/src/config/load.js';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import { coldChainOptions, opcuaAlarmUnits } from '../../gateway/src/features/coldchain/units.js';
import { ColdChainProcessor } from '../../gateway/src/processors/coldchain/coldchain-processor.js';
import { FakeClock } from '../../shared/src/clock.js';
import type { Quality, ReadingOf } from '../../shared/src/readings.js';

/**
 * OPC UA fridge alarms (`opcua.endpoints[].points[].alarm`) run on the cold-chain processor since issue 14:
 * the same scenarios as the former FridgeAlarmProcessor, now as `coldchain.alarm` events of the unit named
 * after the point. What changed on purpose: a Bad or non-numeric temperature raises a probe_fault alarm.
 */

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

const alarmConfig = (alarm: Record<string, number>) =>
  parseConfig({
    opcua: {
      endpoints: [
        {
          id: 'cold-room',
          url: 'opc.tcp://127.0.0.1:4840',
          points: [
            { node_id: 'ns=1;s=Fridge3.Temp', name: 'fridge-3.temp', alarm },
            { node_id: 'ns=1;s=Door3', name: 'fridge-3.door' },
          ],
        },
      ],
    },
  });

function setup(alarm: Record<string, number> = { max_c: 5, for_s: 300, hysteresis_c: 1 }) {
  const clock = new FakeClock(T0);
  const alarms = new ColdChainProcessor(coldChainOptions(alarmConfig(alarm)));
  alarms.tick(T0);
  const only = (events: StoreEvent[]) => events.filter((e) => e.type === 'coldchain.alarm');
  return {
    clock,
    alarms,
    process: (r: ReadingOf<'plant.value'>) => only(alarms.process(r)),
    tick: (now: number) => only(alarms.tick(now)),
  };
}

describe('OPC UA fridge alarms on the cold-chain processor', () => {
  it('raises only after the value stayed above max_c for for_s, then clears below max_c - hysteresis', () => {
    const { clock, alarms, process } = setup();
    expect(process(temp(clock, 4.5))).toEqual([]);
    expect(process(temp(clock, 6.2))).toEqual([]);
    clock.advance(299_000);
    expect(process(temp(clock, 7))).toEqual([]);
    clock.advance(1_000);
    const raised = process(temp(clock, 7.5));
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({
      type: 'coldchain.alarm',
      t: T0 + 300_000,
      stream: 'coldchain/fridge-3.temp',
      dataClass: 'must_deliver',
      data: {
        id: `fridge-3.temp:high:${T0}`,
        unit: 'fridge-3.temp',
        alarm: 'high',
        state: 'raised',
        value_c: 7.5,
        limit_c: 5,
        started_at: T0,
        raised_at: T0 + 300_000,
        peak_c: 7.5,
        source: 'cold-room/fridge-3.temp',
      },
    });
    expect(alarms.active()).toMatchObject([
      { unit: 'fridge-3.temp', alarm: 'high', raised_at: T0 + 300_000 },
    ]);
    // Still in alarm: no repeat. Hovering between max_c - hysteresis and max_c does not clear (no flapping).
    clock.advance(60_000);
    expect(process(temp(clock, 8.4))).toEqual([]);
    expect(process(temp(clock, 4.5))).toEqual([]);
    expect(process(temp(clock, 5.5))).toEqual([]);
    clock.advance(60_000);
    const cleared = process(temp(clock, 4));
    expect(cleared).toHaveLength(1);
    expect(cleared[0]).toMatchObject({
      t: T0 + 420_000,
      data: {
        state: 'cleared',
        value_c: 4,
        raised_at: T0 + 300_000,
        ended_at: T0 + 420_000,
        duration_s: 420,
        peak_c: 8.4,
      },
    });
    expect(alarms.active()).toEqual([]);
  });

  it('a short excursion above max_c resets the timer', () => {
    const { clock, process, tick } = setup();
    process(temp(clock, 6));
    clock.advance(200_000);
    expect(process(temp(clock, 5))).toEqual([]); // back at max_c: not above
    clock.advance(10_000);
    process(temp(clock, 6));
    clock.advance(200_000);
    expect(process(temp(clock, 6.5))).toEqual([]);
    expect(tick(clock.now())).toEqual([]);
  });

  it('raises on tick when no new reading arrives (OPC UA reports changes only)', () => {
    const { clock, process, tick } = setup();
    process(temp(clock, 9));
    clock.advance(299_999);
    expect(tick(clock.now())).toEqual([]);
    clock.advance(5_000);
    const raised = tick(clock.now());
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ t: T0 + 300_000, data: { state: 'raised', value_c: 9 } });
    expect(tick(clock.now() + 60_000)).toEqual([]);
  });

  it('a Bad or non-numeric temperature is a probe fault: it neither raises nor clears the high alarm', () => {
    const { clock, alarms, process } = setup();
    process(temp(clock, 9));
    clock.advance(400_000);
    const fault = process(temp(clock, 'BadSensorFailure', 'bad'));
    expect(fault).toMatchObject([{ data: { alarm: 'probe_fault', state: 'raised' } }]);
    expect(process(temp(clock, 20, 'bad'))).toEqual([]);
    expect(process(temp(clock, 20, 'good', 'fridge-9.temp'))).toEqual([]);
    // The excursion that started at T0 is still open: the next good reading clears the fault and raises it.
    const next = process(temp(clock, 8));
    expect(next.map((e) => [e.data.alarm, e.data.state])).toEqual([
      ['probe_fault', 'cleared'],
      ['high', 'raised'],
    ]);
    expect(next[1]).toMatchObject({ data: { started_at: T0 } });
    // A bad reading does not clear the high alarm either.
    process(temp(clock, -30, 'bad'));
    expect(alarms.active().map((a) => a.alarm)).toEqual(['high', 'probe_fault']);
  });

  it('for_s 0 raises on the first reading above max_c; units come from the point config', () => {
    const cfg = alarmConfig({ max_c: 5, for_s: 0 });
    expect(opcuaAlarmUnits(cfg.opcua)).toMatchObject([
      {
        id: 'fridge-3.temp',
        minC: null,
        maxC: 5,
        highForMs: 0,
        hysteresisC: 1,
        source: { kind: 'points', device: 'cold-room', temp: 'fridge-3.temp' },
      },
    ]);
    const { clock, process } = setup({ max_c: 5, for_s: 0 });
    expect(process(temp(clock, 5.1))[0]).toMatchObject({ data: { state: 'raised' } });
  });
});
