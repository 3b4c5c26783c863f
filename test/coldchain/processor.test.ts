import { describe, expect, it } from 'vitest';
import { coldchainEventData } from '../../gateway/src/core/coldchain-events.js';
import { MIN, minutes, rig, T0 } from './support.js';

describe('cold-chain processor', () => {
  it('high for N minutes raises once and clears with hysteresis; a shorter excursion does not', () => {
    const r = rig([{}]); // chilled: max 5 °C for 30 min, hysteresis 0.5
    minutes(r, 0, 10, () => ({ tempC: 3 }));
    minutes(r, 10, 35, () => ({ tempC: 6 })); // 25 min above: no alarm
    minutes(r, 35, 40, () => ({ tempC: 4 }));
    minutes(r, 40, 100, (m) => ({ tempC: m < 90 ? 6.5 + (m % 3) * 0.1 : 4.8 })); // 4.8 > 4.5: still raised
    minutes(r, 100, 110, () => ({ tempC: 4.2 }));
    expect(r.alarms()).toEqual(['u1 high raised 70', 'u1 high cleared 100']);
    const [raised, cleared] = r.events.filter((e) => e.type === 'coldchain.alarm');
    expect(raised!.data).toMatchObject({ started_at: T0 + 40 * MIN, limit_c: 5, for_s: 1800, value_c: 6.5 });
    expect(cleared!.data).toMatchObject({
      peak_c: 6.7,
      ended_at: T0 + 100 * MIN,
      duration_s: 3600,
      value_c: 4.2,
    });
    for (const e of r.events)
      expect(() => coldchainEventData[e.type as 'coldchain.alarm'].parse(e.data)).not.toThrow();
  });

  it('a defrost (controller bit) and its recovery window raise nothing; a warm case after recovery does', () => {
    const r = rig([{ class: 'frozen' }]); // max -15 for 30 min, recovery 30 min
    minutes(r, 0, 60, () => ({ tempC: -20, defrost: false }));
    minutes(r, 60, 95, (m) => ({ tempC: -20 + (m - 60) * 0.4, defrost: true })); // up to -6 °C in 35 min
    minutes(r, 95, 125, (m) => ({ tempC: -6 - (m - 95) * 0.2, defrost: false })); // still above -15 at 125
    expect(r.alarms()).toEqual([]);
    // Recovery ended at 125 and the case stays warm: a real alarm 30 min later.
    minutes(r, 125, 170, () => ({ tempC: -12, defrost: false }));
    expect(r.alarms()).toEqual(['u1 high raised 155']);
  });

  it('a scheduled defrost is honoured for controllers without a bit; a stuck bit stops hiding a warm case', () => {
    const r = rig([
      { class: 'frozen', defrost: { schedule: ['01:00'], duration_min: 30, recovery_min: 20 } },
      { class: 'frozen', source: { device: 'd2' } },
    ]);
    for (let m = 0; m < 300; m++) {
      const inDefrost = m >= 60 && m < 90;
      r.sample(T0 + m * MIN, { tempC: inDefrost || (m >= 90 && m < 105) ? -8 : -20 }, 'd1');
      r.sample(T0 + m * MIN, { tempC: m >= 60 ? -10 : -20, defrost: m >= 60 }, 'd2'); // bit never falls
    }
    // d2: the bit rose at 60; suppressed for defrost_max_min (90) + recovery (30), then 30 min: 210.
    expect(r.alarms()).toEqual(['u2 high raised 210']);
  });

  it('low for N minutes, door open too long, probe fault', () => {
    const r = rig([{ door_open_max_min: 5 }]);
    minutes(r, 0, 45, (m) => ({ tempC: m < 10 ? 2 : -2, doorOpen: false }));
    minutes(r, 45, 60, (m) => ({ tempC: 2, doorOpen: m >= 47 && m < 55 }));
    minutes(r, 60, 70, (m) => ({ tempC: 2, probeFault: m >= 62 && m < 66, doorOpen: false }));
    expect(r.alarms()).toEqual([
      'u1 low raised 40',
      'u1 low cleared 45',
      'u1 door_open raised 52',
      'u1 door_open cleared 55',
      'u1 probe_fault raised 62',
      'u1 probe_fault cleared 66',
    ]);
  });

  it('communication loss after comm_loss_min of silence, a gap in the record, cleared by the next sample', () => {
    const r = rig([{}], { comm_loss_min: 15, gap_min: 10 });
    minutes(r, 0, 20, () => ({ tempC: 3 }));
    minutes(r, 80, 90, () => ({ tempC: 3 }));
    expect(r.alarms()).toEqual(['u1 comm_loss raised 34', 'u1 comm_loss cleared 80']);
    const gap = r.events.find((e) => e.type === 'coldchain.gap');
    expect(gap?.data).toEqual({ unit: 'u1', from: T0 + 19 * MIN, to: T0 + 80 * MIN, duration_s: 3660 });
    const records = r.events.filter((e) => e.type === 'coldchain.sample');
    expect(records.map((e) => e.data.status).join(',')).toBe(
      // 5..25: the sample of minute 19 is within gap_min; 30..80 no data (the tick at 80 precedes its sample).
      `ok,ok,ok,ok,ok,${'no_data,'.repeat(11)}ok`,
    );
    expect(records[0]).toMatchObject({
      t: T0 + 5 * MIN,
      data: { temp_c: 3, in_range: true, sampled_at: T0 + 4 * MIN },
    });
  });

  it('day figures at local midnight: time-weighted, defrost excluded, door minutes, energy with a meter reset', () => {
    const r = rig([{ energy: { device: 'm1' } }]);
    const day = 1440;
    for (let m = 0; m < day + 25; m++) {
      const defrost = m >= 600 && m < 630;
      r.sample(T0 + m * MIN, {
        tempC: defrost ? 9 : m >= 700 && m < 760 ? 6 : 3,
        defrost,
        doorOpen: m >= 100 && m < 103,
      });
      if (m % 60 === 0) r.energy(T0 + m * MIN, m <= 720 ? 100 + m / 60 : (m - 720) / 60);
    }
    const [d] = r.days();
    expect(d).toMatchObject({ t: T0 + day * MIN, data: { store: 'store-1', day: '2026-06-01' } });
    expect(d!.data.units).toEqual([
      expect.objectContaining({
        unit: 'u1',
        min_c: 3,
        max_c: 9,
        covered_minutes: 1440,
        minutes_high: 60, // 700..760; the defrost and its 30 min recovery (630..660, at 3 °C) do not count
        minutes_out_of_range: 60,
        defrosts: 1,
        defrost_minutes: 30,
        door_openings: 1,
        door_open_minutes: 3,
        gap_minutes: 0,
        kwh: 12 + 12, // 12 h at 1 kWh/h, a reset to 0 at 12:00 (counted from 0), 12 more
        meter_resets: 1,
        alarms: 1,
      }),
    ]);
    expect((d!.data.units as { mean_c: number }[])[0]!.mean_c).toBeCloseTo(
      (3 * 1350 + 9 * 30 + 6 * 60) / 1440,
      2,
    );
    expect(() => coldchainEventData['coldchain.day'].parse(d!.data)).not.toThrow();
  });
});
