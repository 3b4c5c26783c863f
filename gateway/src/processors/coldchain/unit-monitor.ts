import type { ColdAlarmKind } from '../../core/coldchain.js';
import type { ColdDayUnit, ColdSampleData } from '../../core/coldchain-events.js';
import type { StoreEvent } from '../../core/events.js';
import { AlarmTracker } from './alarm-tracker.js';
import { DayAccumulator, type HeldState } from './day-accumulator.js';
import { type LocalDays, splitByDay } from './local-days.js';
import type { ColdChainOptions, ColdUnitOptions } from './options.js';

/** What one reading says about a unit; an absent field means the source does not say (the last value holds). */
export interface UnitInput {
  t: number;
  tempC?: number;
  humidityPct?: number;
  doorOpen?: boolean;
  defrost?: boolean;
  probeFault?: boolean;
}

const MIN = 60_000;

/**
 * One refrigerated unit: its alarms (high/low for N minutes with hysteresis, door open too long, probe fault,
 * communication loss), defrost awareness (the controller's bit or a schedule, then a recovery window during
 * which no high alarm counts), gaps, and its day figures. Time comes only from inputs and `tick`.
 */
export class UnitMonitor {
  private readonly high: AlarmTracker;
  private readonly low: AlarmTracker;
  private readonly door: AlarmTracker;
  private readonly probe: AlarmTracker;
  private readonly comm: AlarmTracker;
  private readonly days = new Map<number, DayAccumulator>();
  private tempC: number | null = null;
  private humidityPct: number | null = null;
  private doorOpen: boolean | null = null;
  private probeFault = false;
  private defrostBit = false;
  private defrostBitSince = 0;
  private defrosting = false;
  private recoveryUntil = 0;
  private lastSampleAt: number | null = null;
  private lastHeardAt: number | null = null;
  private accountedTo: number | null = null;
  private lastKwh: { t: number; kwh: number } | null = null;

  constructor(
    readonly unit: ColdUnitOptions,
    private readonly opts: ColdChainOptions,
    private readonly localDays: LocalDays,
  ) {
    const tracker = (kind: ColdAlarmKind, forMs: number, limitC: number | null): AlarmTracker => {
      const a: AlarmTracker = new AlarmTracker(
        unit,
        kind,
        forMs,
        limitC,
        () => this.day(a.raisedAt!).alarms++,
      );
      return a;
    };
    this.high = tracker('high', unit.highForMs, unit.maxC);
    this.low = tracker('low', unit.lowForMs, unit.minC);
    this.door = tracker('door_open', unit.doorOpenMaxMs ?? 0, null);
    this.probe = tracker('probe_fault', 0, null);
    this.comm = tracker('comm_loss', opts.commLossMs, null);
  }

  /** The source device was heard (e.g. an OPC UA heartbeat) without new values. */
  heard(t: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    push(out, this.comm.clear(t, this.tempC));
    this.lastHeardAt = Math.max(this.lastHeardAt ?? t, t);
    return out;
  }

  /** Start watching for communication loss from `t` if the unit was never heard. */
  watchFrom(t: number): void {
    if (this.lastHeardAt === null) this.lastHeardAt = t;
  }

  input(s: UnitInput): StoreEvent[] {
    const out: StoreEvent[] = [];
    const t = s.t;
    if (this.lastSampleAt !== null && t < this.lastSampleAt) return out; // late duplicate: the record is in order
    this.advance(t);
    if (this.lastSampleAt !== null && t - this.lastSampleAt > this.opts.gapMs) {
      out.push(this.gapEvent(this.lastSampleAt, t));
    }
    out.push(...this.heard(t));
    this.lastSampleAt = t;
    // Battery sensors send the flag only while the probe is faulty: a temperature without it is a good probe.
    if (s.probeFault !== undefined) this.probeFault = s.probeFault;
    else if (s.tempC !== undefined) this.probeFault = false;
    if (s.tempC !== undefined) this.tempC = this.probeFault ? null : s.tempC;
    else if (this.probeFault) this.tempC = null;
    if (s.humidityPct !== undefined) this.humidityPct = s.humidityPct;
    if (s.defrost !== undefined && s.defrost !== this.defrostBit) {
      this.defrostBit = s.defrost;
      if (s.defrost) this.defrostBitSince = t;
    }
    this.evalDefrost(t);
    if (this.probeFault) push(out, this.probe.holds(t, null));
    else if (s.tempC !== undefined) push(out, this.probe.clear(t, s.tempC));
    if (s.doorOpen !== undefined) out.push(...this.evalDoor(t, s.doorOpen));
    if (this.tempC !== null) {
      this.day(t).observe(this.tempC);
      out.push(...this.evalTemp(t, this.tempC));
    }
    return out;
  }

  tick(now: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    this.evalDefrost(now);
    if (this.lastHeardAt !== null && now - this.lastHeardAt >= this.opts.commLossMs && !this.comm.raised) {
      this.comm.since = this.lastHeardAt;
      this.comm.note(this.tempC);
      push(out, this.comm.due(now));
    }
    // OPC UA reports changes only: a case stuck warm sends nothing new, so timers also fire here, but never
    // on a value from a source that has gone silent.
    if (!this.comm.raised) {
      if (this.suppressed(now)) this.high.reset();
      else push(out, this.high.due(now));
      push(out, this.low.due(now));
    }
    if (this.door.since !== null && this.unit.doorOpenMaxMs !== null) push(out, this.door.due(now));
    return out;
  }

  energy(t: number, kwh: number): void {
    const last = this.lastKwh;
    this.lastKwh = { t, kwh };
    if (!last || t <= last.t) return;
    let delta = kwh - last.kwh;
    if (delta < 0) {
      // A counter below the last one was reset (meter replaced, power loss on a meter without memory):
      // what it reads now is what it counted since.
      this.day(t).meterResets++;
      delta = kwh;
    }
    const span = t - last.t;
    splitByDay(this.localDays, last.t, t, (_start, a, b) => this.day(a).addEnergy((delta * (b - a)) / span));
  }

  /** The HACCP record's sample at `t`. */
  record(t: number): StoreEvent {
    const fresh = this.lastSampleAt !== null && t - this.lastSampleAt <= this.opts.gapMs;
    const status = !fresh ? 'no_data' : this.probeFault ? 'probe_fault' : 'ok';
    const temp = fresh ? this.tempC : null;
    const data: ColdSampleData = {
      unit: this.unit.id,
      class: this.unit.cls,
      status,
      temp_c: temp,
      humidity_pct: fresh ? this.humidityPct : null,
      door_open: fresh ? this.doorOpen : null,
      defrost: this.suppressed(t),
      in_range: temp === null ? null : this.inRange(temp),
      sampled_at: this.lastSampleAt,
    };
    return { type: 'coldchain.sample', t, stream: `coldchain/${this.unit.id}`, dataClass: 'telemetry', data };
  }

  /** Close the day [start, end): its figures, and forget it. */
  closeDay(start: number, end: number): ColdDayUnit {
    this.advance(end);
    const acc = this.days.get(start) ?? new DayAccumulator(this.unit);
    this.days.delete(start);
    for (const old of [...this.days.keys()]) if (old < start) this.days.delete(old);
    return acc.result();
  }

  /** Alarms currently raised. */
  active() {
    return [this.high, this.low, this.door, this.probe, this.comm].flatMap((a) => a.snapshot() ?? []);
  }

  private inRange(t: number): boolean {
    return !(
      (this.unit.maxC !== null && t > this.unit.maxC) ||
      (this.unit.minC !== null && t < this.unit.minC)
    );
  }

  private evalTemp(t: number, temp: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    const { maxC, minC, hysteresisC } = this.unit;
    if (maxC !== null) {
      if (this.high.raised) {
        this.high.note(temp);
        if (temp <= maxC - hysteresisC) push(out, this.high.clear(t, temp));
      } else if (temp > maxC && !this.suppressed(t)) push(out, this.high.holds(t, temp));
      else this.high.reset();
    }
    if (minC !== null) {
      if (this.low.raised) {
        this.low.note(temp, true);
        if (temp >= minC + hysteresisC) push(out, this.low.clear(t, temp));
      } else if (temp < minC) push(out, this.low.holds(t, temp, true));
      else this.low.reset();
    }
    return out;
  }

  private evalDoor(t: number, open: boolean): StoreEvent[] {
    const out: StoreEvent[] = [];
    if (open && this.doorOpen !== true) this.day(t).doorOpenings++;
    this.doorOpen = open;
    if (!open) push(out, this.door.clear(t, this.tempC));
    else if (this.unit.doorOpenMaxMs !== null) push(out, this.door.holds(t, this.tempC));
    return out;
  }

  private evalDefrost(t: number): void {
    const bit = this.defrostBit && t - this.defrostBitSince < this.opts.defrostMaxMs;
    const now = bit || this.scheduled(t);
    if (now && !this.defrosting) this.day(t).defrosts++;
    if (!now && this.defrosting) this.recoveryUntil = t + this.unit.defrost.recoveryMs;
    this.defrosting = now;
  }

  private scheduled(t: number): boolean {
    const { scheduleMin, durationMs } = this.unit.defrost;
    if (scheduleMin.length === 0) return false;
    const minute = this.localDays.minuteOfDay(t);
    const durationMin = durationMs / MIN;
    return scheduleMin.some((s) => minute >= s && minute < s + durationMin);
  }

  private suppressed(t: number): boolean {
    return this.defrosting || t < this.recoveryUntil;
  }

  /** Account the time up to `t` to the day figures, in the state of the last sample. */
  private advance(t: number): void {
    const from = this.accountedTo ?? this.lastSampleAt;
    if (from === null || t <= from) return;
    const covered = this.lastSampleAt !== null && t - this.lastSampleAt <= this.opts.gapMs;
    const state: HeldState = {
      tempC: this.tempC,
      doorOpen: this.doorOpen === true,
      defrosting: this.defrosting,
      suppressed: this.suppressed(from),
    };
    splitByDay(this.localDays, from, t, (_s, a, b) => this.day(a).span(a, b, state, covered));
    this.accountedTo = t;
  }

  private gapEvent(from: number, to: number): StoreEvent {
    return {
      type: 'coldchain.gap',
      t: to,
      stream: `coldchain/${this.unit.id}`,
      dataClass: 'must_deliver',
      data: { unit: this.unit.id, from, to, duration_s: Math.round((to - from) / 1000) },
    };
  }

  private day(t: number): DayAccumulator {
    const start = this.localDays.dayOf(t).start;
    let acc = this.days.get(start);
    if (!acc) {
      acc = new DayAccumulator(this.unit);
      this.days.set(start, acc);
    }
    return acc;
  }
}

function push(out: StoreEvent[], e: StoreEvent | null): void {
  if (e) out.push(e);
}
