import type { Config } from '../../config/schema.js';
import type { ColdUnitConfig } from '../../config/sections/coldchain.js';
import type { OpcuaSection } from '../../config/sections/opcua.js';
import { COLD_CLASS_DEFAULTS } from '../../core/coldchain.js';
import type { ColdChainOptions, ColdUnitOptions } from '../../processors/coldchain/options.js';

const MIN = 60_000;

/** The processor's options: `coldchain.units` plus every OPC UA point with an `alarm` block. */
export function coldChainOptions(config: Pick<Config, 'store' | 'coldchain' | 'opcua'>): ColdChainOptions {
  const c = config.coldchain;
  return {
    store: config.store.id,
    timeZone: config.store.timezone,
    recordIntervalMs: c.record_interval_s * 1000,
    commLossMs: c.comm_loss_min * MIN,
    gapMs: c.gap_min * MIN,
    defrostMaxMs: c.defrost_max_min * MIN,
    dayCloseDelayMs: c.day_close_delay_min * MIN,
    units: [...c.units.map(unitOptions), ...opcuaAlarmUnits(config.opcua, new Set(c.units.map((u) => u.id)))],
  };
}

export function unitOptions(u: ColdUnitConfig): ColdUnitOptions {
  const d = COLD_CLASS_DEFAULTS[u.class];
  const doorMin = u.door_open_max_min ?? d.doorOpenMaxMin;
  return {
    id: u.id,
    cls: u.class,
    minC: u.min_c ?? d.minC,
    maxC: u.max_c ?? d.maxC,
    highForMs: (u.high_for_min ?? d.highForMin) * MIN,
    lowForMs: (u.low_for_min ?? d.lowForMin) * MIN,
    hysteresisC: u.hysteresis_c ?? d.hysteresisC,
    doorOpenMaxMs: doorMin * MIN,
    source:
      'opcua' in u.source
        ? {
            kind: 'points',
            device: u.source.opcua,
            temp: u.source.temp_point,
            door: u.source.door_point ?? null,
            defrost: u.source.defrost_point ?? null,
          }
        : { kind: 'sample', device: u.source.device, unit: u.source.unit ?? null },
    energy: u.energy ? { device: u.energy.device, unit: u.energy.unit ?? null } : null,
    defrost: {
      scheduleMin: u.defrost.schedule.map((hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))),
      durationMs: u.defrost.duration_min * MIN,
      recoveryMs: u.defrost.recovery_min * MIN,
    },
  };
}

/**
 * `opcua.endpoints[].points[].alarm` (`max_c`, `for_s`, `hysteresis_c`) predates the cold chain: each such
 * point is a unit named after the point, with only a high limit (no low limit, no door), class `chilled`
 * for labels. A unit configured in `coldchain.units` with the same id wins.
 */
export function opcuaAlarmUnits(
  section: OpcuaSection,
  taken: ReadonlySet<string> = new Set(),
): ColdUnitOptions[] {
  const units: ColdUnitOptions[] = [];
  for (const ep of section.endpoints) {
    for (const p of ep.points) {
      if (!p.alarm || taken.has(p.name)) continue;
      units.push({
        id: p.name,
        cls: 'chilled',
        minC: null,
        maxC: p.alarm.max_c,
        highForMs: p.alarm.for_s * 1000,
        lowForMs: 0,
        hysteresisC: p.alarm.hysteresis_c,
        doorOpenMaxMs: null,
        source: { kind: 'points', device: ep.id, temp: p.name, door: null, defrost: null },
        energy: null,
        defrost: { scheduleMin: [], durationMs: 0, recoveryMs: 0 },
      });
    }
  }
  return units;
}
