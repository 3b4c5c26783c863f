import { defineKind, reading } from './define.js';

/**
 * One sample of a refrigerated unit (cabinet, room, tank): whatever the source knows at that moment.
 * A Modbus case controller reports most fields per poll; a battery `env` sensor only temperature,
 * humidity and door. Absent means "this source does not say", never false.
 */
export interface ColdSampleBody {
  type: 'cold.sample';
  /** The refrigerated unit this sample is about; defaults to the device id when a device serves one unit. */
  unit?: string;
  tempC?: number;
  humidityPct?: number;
  doorOpen?: boolean;
  /** The controller reports a defrost cycle in progress. */
  defrost?: boolean;
  compressorOn?: boolean;
  /** The controller's own alarm output. */
  alarm?: boolean;
  /** The probe is open or shorted: `tempC` is not a temperature. */
  probeFault?: boolean;
}

/** A cumulative energy counter (and instantaneous power) of one meter or meter channel. */
export interface EnergyMeterBody {
  type: 'energy.meter';
  unit?: string;
  /** Cumulative active energy, kWh; resets and rollover are the processor's job. */
  kwh: number;
  powerW?: number;
}

export const coldSample = reading<ColdSampleBody>('cold.sample', {
  summary: 'temperature, door and controller status of a refrigerated unit',
  mustDeliver: false,
  // A faulty probe reads open/short values (Dixell shows "P1"): the number is not a temperature.
  quality: (s) => (s.probeFault === true ? 'bad' : 'good'),
});

export const energyMeter = reading<EnergyMeterBody>('energy.meter', {
  summary: 'cumulative kWh and power of an energy meter channel',
  mustDeliver: false,
});

/** Case and room controllers polled over Modbus RTU/TCP (connectors/modbus); no MQTT topics of their own. */
export const refrigerationKind = defineKind({
  kind: 'refrigeration',
  summary: 'refrigeration case or room controller polled over Modbus (Dixell, Carel, Eliwell…)',
  topics: {},
  readings: [coldSample],
  health: { intervalMs: 120_000, basis: 'data', note: 'a Modbus poll answer at least every 2 min' },
  commands: {},
});

export const energyKind = defineKind({
  kind: 'energy',
  summary: 'energy meter polled over Modbus',
  topics: {},
  readings: [energyMeter],
  health: { intervalMs: 300_000, basis: 'data', note: 'a Modbus poll answer at least every 5 min' },
  commands: {},
});
