import { type Reading, type ReadingType, readingTime } from '../../../../shared/src/readings.js';
import type { ColdAlarmData, ColdDayData } from '../../core/coldchain-events.js';
import type { StoreEvent } from '../../core/events.js';
import type { Processor } from '../../ports/pipeline.js';
import { LocalDays } from './local-days.js';
import type { ColdChainOptions } from './options.js';
import { type UnitInput, UnitMonitor } from './unit-monitor.js';

const HANDLES: readonly ReadingType[] = ['cold.sample', 'plant.value', 'energy.meter', 'device.status'];

type PointField = 'temp' | 'door' | 'defrost';

/**
 * The cold chain of a store: routes `cold.sample` readings (Modbus controllers, env sensors), OPC UA
 * `plant.value` points and `energy.meter` channels to their configured units, and emits alarms, the HACCP
 * record's samples every `recordIntervalMs`, gaps, and every unit's day figures at local midnight. Pure and
 * deterministic: time comes from readings and `tick(now)`, which is what lets `storegate replay` run it.
 */
export class ColdChainProcessor implements Processor {
  readonly name = 'coldchain';
  readonly handles = HANDLES;
  private readonly monitors: UnitMonitor[];
  private readonly bySample = new Map<string, UnitMonitor>();
  private readonly byPoint = new Map<string, { monitor: UnitMonitor; field: PointField }>();
  private readonly byPointDevice = new Map<string, UnitMonitor[]>();
  private readonly byMeter = new Map<string, UnitMonitor>();
  private readonly days: LocalDays;
  private day: { start: number; end: number } | null = null;
  private nextRecord = 0;

  constructor(private readonly opts: ColdChainOptions) {
    this.days = new LocalDays(opts.timeZone);
    this.monitors = opts.units.map((u) => new UnitMonitor(u, opts, this.days));
    for (const m of this.monitors) {
      const s = m.unit.source;
      if (s.kind === 'sample') this.bySample.set(key(s.device, s.unit ?? ''), m);
      else {
        this.byPoint.set(key(s.device, s.temp), { monitor: m, field: 'temp' });
        if (s.door) this.byPoint.set(key(s.device, s.door), { monitor: m, field: 'door' });
        if (s.defrost) this.byPoint.set(key(s.device, s.defrost), { monitor: m, field: 'defrost' });
        this.byPointDevice.set(s.device, [...(this.byPointDevice.get(s.device) ?? []), m]);
      }
      if (m.unit.energy) this.byMeter.set(key(m.unit.energy.device, m.unit.energy.unit ?? ''), m);
    }
  }

  process(reading: Reading): StoreEvent[] {
    const t = readingTime(reading);
    switch (reading.type) {
      case 'cold.sample': {
        const m = this.lookup(this.bySample, reading.deviceId, reading.unit);
        if (!m) return [];
        const input: UnitInput = { t };
        // A bad sample without a probe fault flag (a Modbus exception, a bad register) says nothing.
        if (reading.tempC !== undefined && reading.quality !== 'bad') input.tempC = reading.tempC;
        if (reading.probeFault !== undefined) input.probeFault = reading.probeFault;
        if (reading.humidityPct !== undefined) input.humidityPct = reading.humidityPct;
        if (reading.doorOpen !== undefined) input.doorOpen = reading.doorOpen;
        if (reading.defrost !== undefined) input.defrost = reading.defrost;
        return m.input(input);
      }
      case 'plant.value': {
        const hit = this.byPoint.get(key(reading.deviceId, reading.point));
        if (!hit) return [];
        if (hit.field === 'temp') {
          // A Bad status or a non-numeric value on the temperature point is a dead probe, not a temperature.
          const ok = reading.quality !== 'bad' && typeof reading.value === 'number';
          return hit.monitor.input(
            ok ? { t, tempC: reading.value as number, probeFault: false } : { t, probeFault: true },
          );
        }
        if (reading.quality === 'bad') return hit.monitor.heard(t);
        const on = reading.value === true || (typeof reading.value === 'number' && reading.value !== 0);
        return hit.monitor.input(hit.field === 'door' ? { t, doorOpen: on } : { t, defrost: on });
      }
      case 'energy.meter': {
        this.lookup(this.byMeter, reading.deviceId, reading.unit)?.energy(t, reading.kwh);
        return [];
      }
      case 'device.status':
        return (this.byPointDevice.get(reading.deviceId) ?? []).flatMap((m) => m.heard(t));
      default:
        return [];
    }
  }

  tick(now: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    if (this.day === null) {
      this.day = this.days.dayOf(now);
      this.nextRecord = Math.ceil(now / this.opts.recordIntervalMs) * this.opts.recordIntervalMs;
      for (const m of this.monitors) m.watchFrom(now);
    }
    while (now >= this.day.end + this.opts.dayCloseDelayMs) {
      out.push(this.closeDay(this.day));
      this.day = this.days.dayOf(this.day.end);
    }
    for (const m of this.monitors) out.push(...m.tick(now));
    while (now >= this.nextRecord) {
      for (const m of this.monitors) out.push(m.record(this.nextRecord));
      this.nextRecord += this.opts.recordIntervalMs;
    }
    return out;
  }

  /**
   * The input is over (replay): close the day not yet closed for the delay, and the day in progress up to
   * `now` (a partial day; nothing if it has just begun). Open alarms stay open: the record says so.
   */
  end(now: number): StoreEvent[] {
    const out = this.tick(now);
    if (this.day === null) return out;
    if (now >= this.day.end) {
      out.push(this.closeDay(this.day));
      this.day = this.days.dayOf(this.day.end);
    }
    if (now > this.day.start) out.push(this.closeDay({ start: this.day.start, end: now }));
    return out;
  }

  /** Alarms currently raised, for the API and health. */
  active(): ColdAlarmData[] {
    return this.monitors.flatMap((m) => m.active());
  }

  private closeDay(day: { start: number; end: number }): StoreEvent {
    const data: ColdDayData = {
      store: this.opts.store,
      day: this.days.label(day.start),
      day_start: day.start,
      day_end: day.end, // before the local midnight only for the partial day at the end of a replay
      units: this.monitors.map((m) => m.closeDay(day.start, day.end)),
    };
    return { type: 'coldchain.day', t: day.end, stream: 'coldchain/day', dataClass: 'must_deliver', data };
  }

  private lookup(
    map: Map<string, UnitMonitor>,
    device: string,
    unit: string | undefined,
  ): UnitMonitor | undefined {
    return (unit === undefined ? undefined : map.get(key(device, unit))) ?? map.get(key(device, ''));
  }
}

function key(device: string, sub: string): string {
  return `${device}\u0000${sub}`;
}
