import { gaussian, seeded } from '../../shared/src/devices/simulate.js';

/**
 * A week of a store with 40 cabinets, as `storegate replay` input (NDJSON) plus its config and the ground
 * truth the scenario was built from. Cabinets are Modbus case controllers polled once a minute (a cold.sample
 * per poll, plus one at each door transition) and a meter each read every 15 min. Scripted: four defrosts a
 * day (controller bit; ice cream cabinets on a configured schedule), door openings, one door left open, one
 * failing compressor, one probe fault, a meter replaced, and a 2-hour power cut on the sales floor (the
 * gateway runs on; controllers and meters are dark).
 *
 * The truth is what the scenario does, stated from its physics: when a temperature crosses a limit
 * (exponential pull-down, linear warm-up), how long doors were open, what the meters counted.
 */

export const TZ = 'Europe/Amsterdam';
/** Monday 2026-06-01 00:00 in Amsterdam (CEST, UTC+2). */
export const WEEK_START = Date.UTC(2026, 4, 31, 22, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

type Cls = 'chilled' | 'frozen' | 'ice_cream' | 'live_seafood';
interface Profile {
  base: number;
  max: number;
  /** Defrost: warm-up to `peak` over `defrostMin`, then pull-down with time constant `tauMin`. */
  peak: number;
  defrostMin: number;
  tauMin: number;
  /** After the power cut: the temperature reached, and the pull-down time constant. */
  cutPeak: number;
  cutTauMin: number;
  kw: number;
  highForMin: number;
}

export const PROFILES: Record<Cls, Profile> = {
  chilled: {
    base: 3,
    max: 5,
    peak: 9.5,
    defrostMin: 40,
    tauMin: 8,
    cutPeak: 11,
    cutTauMin: 30,
    kw: 0.4,
    highForMin: 30,
  },
  frozen: {
    base: -21,
    max: -15,
    peak: -5,
    defrostMin: 30,
    tauMin: 10,
    cutPeak: -9,
    cutTauMin: 25,
    kw: 0.8,
    highForMin: 30,
  },
  ice_cream: {
    base: -24,
    max: -18,
    peak: -12,
    defrostMin: 20,
    tauMin: 12,
    cutPeak: -13,
    cutTauMin: 15,
    kw: 0.6,
    highForMin: 15,
  },
  live_seafood: {
    base: 5,
    max: 8,
    peak: 5,
    defrostMin: 0,
    tauMin: 1,
    cutPeak: 9,
    cutTauMin: 30,
    kw: 0.3,
    highForMin: 15,
  },
};

export interface Unit {
  id: string;
  cls: Cls;
  device: string;
  meter: string;
  /** Defrost starts, ms after local midnight. */
  defrostAt: number[];
}

export const UNITS: Unit[] = [
  ...Array.from({ length: 24 }, (_, i) => unit(`c${pad(i + 1)}`, 'chilled', i)),
  ...Array.from({ length: 10 }, (_, i) => unit(`f${pad(i + 1)}`, 'frozen', i)),
  ...Array.from({ length: 4 }, (_, i) => unit(`i${pad(i + 1)}`, 'ice_cream', i)),
  ...Array.from({ length: 2 }, (_, i) => unit(`s${pad(i + 1)}`, 'live_seafood', i)),
];

function unit(id: string, cls: Cls, i: number): Unit {
  const offset = (i % 4) * 5 * MIN;
  const defrostAt = cls === 'live_seafood' ? [] : [1, 7, 13, 19].map((h) => h * HOUR + offset);
  return { id, cls, device: `xr-${id}`, meter: `em-${id}`, defrostAt };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

// The scripted events (days from 0 = Monday).
const at = (day: number, hour: number, minute = 0) => WEEK_START + day * DAY + hour * HOUR + minute * MIN;
export const DOOR_LEFT_OPEN = { unit: 'c05', from: at(1, 15), to: at(1, 15, 12) };
export const PROBE_FAULT = { unit: 'f03', from: at(2, 4), to: at(2, 7) };
export const COMPRESSOR = {
  unit: 'c10',
  from: at(3, 10),
  rampH: 4,
  stuckC: 8.5,
  repaired: at(4, 9),
  tauMin: 20,
};
export const METER_RESET = { unit: 'c07', at: at(2, 12) };
export const POWER_CUT = { from: at(5, 15), to: at(5, 17) };

export interface ExpectedAlarm {
  unit: string;
  alarm: string;
  startedAt: number;
  raisedAt: number;
  endedAt: number;
  /** How far the noisy samples may move a crossing: 3 σ of noise over the temperature's slope there. */
  startTolMs: number;
  endTolMs: number;
}

const NOISE_C = 0.15;
/** Tolerance for a crossing on a slope of `cPerMin`; at least 2 min (polls are a minute apart). */
const tol = (cPerMin: number) => Math.max(2, (3 * NOISE_C) / cPerMin) * MIN;
const EXACT = tol(Number.POSITIVE_INFINITY);

export interface Week {
  lines: string[];
  config: Record<string, unknown>;
  expected: ExpectedAlarm[];
  /** unit → day index → figures the scenario implies. */
  kwh: Map<string, number[]>;
  doorOpenMs: Map<string, number[]>;
  doorOpenings: Map<string, number[]>;
  /** Minutes above max outside defrost and its recovery, per unit and day (sampled once a minute). */
  minutesHigh: Map<string, number[]>;
}

/** One week; `withDefrostInfo: false` drops defrost bits and schedules (what a naive monitor would see). */
export function generateWeek(seed = 14, withDefrostInfo = true): Week {
  const random = seeded(seed);
  const lines: { t: number; line: Record<string, unknown> }[] = [];
  const days = 7;
  const kwh = new Map<string, number[]>();
  const doorOpenMs = new Map<string, number[]>();
  const doorOpenings = new Map<string, number[]>();
  const minutesHigh = new Map<string, number[]>();
  const dayOf = (t: number) => Math.floor((t - WEEK_START) / DAY);
  const dark = (t: number) => t >= POWER_CUT.from && t < POWER_CUT.to;

  UNITS.forEach((u, index) => {
    const p = PROFILES[u.cls];
    const doors = doorSchedule(u, random);
    const add = (m: Map<string, number[]>, d: number, v: number) => {
      const list = m.get(u.id) ?? new Array(days).fill(0);
      if (d >= 0 && d < days) list[d] += v;
      m.set(u.id, list);
    };
    for (const [from, to] of doors) {
      add(doorOpenMs, dayOf(from), to - from);
      add(doorOpenings, dayOf(from), 1);
    }
    add(minutesHigh, 0, 0);
    const defrostStart = (t: number): number | null => {
      const dayStart = WEEK_START + dayOf(t) * DAY;
      for (const d of [
        ...u.defrostAt.map((o) => dayStart + o),
        ...u.defrostAt.map((o) => dayStart - DAY + o),
      ])
        if (t >= d && t < d + p.defrostMin * MIN + 5 * p.tauMin * MIN) return d;
      return null;
    };
    const temperature = (t: number): number => {
      let base = p.base;
      if (u.id === COMPRESSOR.unit && t >= COMPRESSOR.from) {
        const rampEnd = COMPRESSOR.from + COMPRESSOR.rampH * HOUR;
        if (t < rampEnd)
          base =
            p.base + ((COMPRESSOR.stuckC - p.base) * (t - COMPRESSOR.from)) / (rampEnd - COMPRESSOR.from);
        else if (t < COMPRESSOR.repaired) base = COMPRESSOR.stuckC;
        else
          base =
            p.base +
            (COMPRESSOR.stuckC - p.base) * Math.exp(-(t - COMPRESSOR.repaired) / (COMPRESSOR.tauMin * MIN));
      }
      if (t >= POWER_CUT.to)
        base += (p.cutPeak - p.base) * Math.exp(-(t - POWER_CUT.to) / (p.cutTauMin * MIN));
      const d = defrostStart(t);
      if (d === null) return base;
      const end = d + p.defrostMin * MIN;
      const bump = p.peak - p.base;
      return t < end
        ? base + (bump * (t - d)) / (end - d)
        : base + bump * Math.exp(-(t - end) / (p.tauMin * MIN));
    };
    const inDefrost = (t: number) => {
      const d = defrostStart(t);
      return d !== null && t < d + p.defrostMin * MIN;
    };
    const suppressed = (t: number) => {
      const d = defrostStart(t);
      return d !== null && t < d + (p.defrostMin + 30) * MIN;
    };
    const doorOpen = (t: number) => doors.some(([a, b]) => t >= a && t < b);
    const sample = (t: number) => {
      const line: Record<string, unknown> = { t, device: u.device };
      const faulty = u.id === PROBE_FAULT.unit && t >= PROBE_FAULT.from && t < PROBE_FAULT.to;
      // An open probe reads the bottom of its range.
      line.temp_c = faulty ? -58 : Math.round((temperature(t) + gaussian(random) * NOISE_C) * 10) / 10;
      if (faulty) line.probe_fault = true;
      line.door_open = doorOpen(t);
      if (withDefrostInfo && u.cls !== 'ice_cream' && u.cls !== 'live_seafood') line.defrost = inDefrost(t);
      line.compressor_on = !inDefrost(t);
      lines.push({ t, line });
      return line;
    };
    // One poll a minute (controllers staggered by a second each), and the door contact's transitions.
    for (let m = 0; m <= days * 1440; m++) {
      const t = WEEK_START + m * MIN + index * 1000;
      if (dark(t)) continue;
      const line = sample(t);
      const temp = line.temp_c as number;
      if (!line.probe_fault && temp > p.max && !suppressed(t) && m < days * 1440)
        add(minutesHigh, dayOf(t), 1);
    }
    for (const [from, to] of doors) {
      if (!dark(from)) sample(from);
      if (!dark(to)) sample(to);
    }
    // Energy: a cumulative counter every 15 min; the replaced meter starts again from 0.
    let counter = 1000 + index * 37.5;
    for (let q = 0; q <= days * 96; q++) {
      const t = WEEK_START + q * 15 * MIN;
      if (q > 0) {
        const inc = dark(t - 1) ? 0 : p.kw * 0.25;
        if (u.id === METER_RESET.unit && t === METER_RESET.at) counter = 0;
        counter += inc;
        add(kwh, dayOf(t - 1), inc);
      }
      if (!dark(t)) lines.push({ t, line: { t, device: u.meter, kwh: Math.round(counter * 1000) / 1000 } });
    }
  });

  lines.sort((a, b) => a.t - b.t);
  return {
    lines: lines.map((l) => JSON.stringify(l.line)),
    config: weekConfig(withDefrostInfo),
    expected: expectedAlarms(),
    kwh,
    doorOpenMs,
    doorOpenings,
    minutesHigh,
  };
}

/** Shopper openings: 10–60 s, about 30 a day while the store is open (08:00–21:00), plus the scripted one. */
function doorSchedule(u: Unit, random: () => number): [number, number][] {
  const doors: [number, number][] = [];
  for (let d = 0; d < 7; d++) {
    let t = WEEK_START + d * DAY + 8 * HOUR;
    const close = WEEK_START + d * DAY + 21 * HOUR;
    while (true) {
      t += Math.round((5 + random() * 40) * MIN);
      if (t >= close) break;
      const to = t + Math.round((10 + random() * 50) * 1000);
      const near = (w: { from: number; to: number }) => to > w.from - MIN && t < w.to + MIN;
      // Nobody shops in the dark; the scripted opening stays the only long one on its cabinet.
      const clash = near(POWER_CUT) || (u.id === DOOR_LEFT_OPEN.unit && near(DOOR_LEFT_OPEN));
      if (!clash) doors.push([t, to]);
      t = to;
    }
  }
  if (u.id === DOOR_LEFT_OPEN.unit) doors.push([DOOR_LEFT_OPEN.from, DOOR_LEFT_OPEN.to]);
  return doors.sort((a, b) => a[0] - b[0]);
}

function weekConfig(withDefrostInfo: boolean): Record<string, unknown> {
  return {
    store: { id: 'hema-042', timezone: TZ },
    coldchain: {
      units: UNITS.map((u) => ({
        id: u.id,
        class: u.cls,
        source: { device: u.device },
        energy: { device: u.meter },
        ...(u.cls === 'ice_cream' && withDefrostInfo
          ? {
              defrost: {
                schedule: u.defrostAt.map((o) => `${pad(Math.floor(o / HOUR))}:${pad((o % HOUR) / MIN)}`),
                duration_min: PROFILES.ice_cream.defrostMin,
              },
            }
          : {}),
      })),
    },
  };
}

/** The alarms the scenario must raise, from its physics (times to the minute; the test allows a few). */
function expectedAlarms(): ExpectedAlarm[] {
  const out: ExpectedAlarm[] = [];
  const door = DOOR_LEFT_OPEN;
  out.push({
    unit: door.unit,
    alarm: 'door_open',
    startedAt: door.from,
    raisedAt: door.from + 5 * MIN,
    endedAt: door.to,
    startTolMs: EXACT,
    endTolMs: EXACT,
  });
  out.push({
    unit: PROBE_FAULT.unit,
    alarm: 'probe_fault',
    startedAt: PROBE_FAULT.from,
    raisedAt: PROBE_FAULT.from,
    endedAt: PROBE_FAULT.to,
    startTolMs: EXACT,
    endTolMs: EXACT,
  });
  // The failing compressor: the ramp crosses max_c, and after the repair the pull-down crosses max - hysteresis.
  const c = COMPRESSOR;
  const p = PROFILES.chilled;
  const crossing = c.from + ((p.max - p.base) / (c.stuckC - p.base)) * c.rampH * HOUR;
  const cleared = c.repaired + c.tauMin * MIN * Math.log((c.stuckC - p.base) / (p.max - 0.5 - p.base));
  out.push({
    unit: c.unit,
    alarm: 'high',
    startedAt: crossing,
    raisedAt: crossing + p.highForMin * MIN,
    endedAt: cleared,
    startTolMs: tol((c.stuckC - p.base) / (c.rampH * 60)),
    endTolMs: tol((p.max - 0.5 - p.base) / c.tauMin),
  });
  for (const u of UNITS) {
    const q = PROFILES[u.cls];
    // Dark for two hours: silent controllers (15 min to the alarm), back at the first poll.
    out.push({
      unit: u.id,
      alarm: 'comm_loss',
      startedAt: POWER_CUT.from,
      raisedAt: POWER_CUT.from + 15 * MIN,
      endedAt: POWER_CUT.to,
      startTolMs: EXACT,
      endTolMs: EXACT,
    });
    // Warm after the cut: a high alarm where the pull-down stays above max_c longer than high_for.
    const aboveMin = q.cutTauMin * Math.log((q.cutPeak - q.base) / (q.max - q.base));
    if (aboveMin > q.highForMin) {
      const hyst = u.cls === 'chilled' || u.cls === 'live_seafood' ? 0.5 : 1;
      out.push({
        unit: u.id,
        alarm: 'high',
        startedAt: POWER_CUT.to,
        raisedAt: POWER_CUT.to + q.highForMin * MIN,
        endedAt: POWER_CUT.to + q.cutTauMin * MIN * Math.log((q.cutPeak - q.base) / (q.max - hyst - q.base)),
        startTolMs: EXACT,
        endTolMs: tol((q.max - hyst - q.base) / q.cutTauMin),
      });
    }
  }
  return out;
}
