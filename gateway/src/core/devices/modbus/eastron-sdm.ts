import type { EnergyModel } from './model.js';

const SDM120 =
  'Eastron SDM120-Modbus protocol V2.x, "Input Registers" table (IEEE 754 float, 2 registers, high word first)';
const SDM630 =
  'Eastron SDM630-Modbus V2 protocol, "Modbus Protocol Input Registers" table (IEEE 754 float, high word first)';

/** Eastron SDM120 single-phase DIN-rail meter: active power and total active energy (input registers). */
export const eastronSdm120: EnergyModel = {
  id: 'eastron-sdm120',
  vendor: 'Eastron',
  family: 'SDM120-Modbus',
  summary: 'Eastron SDM120 single-phase energy meter: total kWh and active power W',
  manual: SDM120,
  line: { baud: 2_400, parity: 'none', stopBits: 1 },
  reading: 'energy.meter',
  fields: {
    powerW: {
      fn: 4,
      address: 0x000c,
      type: 'float32',
      wordOrder: 'high_first',
      unit: 'W',
      evidence: 'manual',
      ref: `${SDM120}: 30013 "Active power", address 0x000C`,
    },
    kwh: {
      fn: 4,
      address: 0x0156,
      type: 'float32',
      wordOrder: 'high_first',
      unit: 'kWh',
      evidence: 'manual',
      ref: `${SDM120}: 30343 "Total active energy", address 0x0156`,
    },
  },
  setpoints: {},
};

/** Eastron SDM630 three-phase meter: total system power and total active energy. */
export const eastronSdm630: EnergyModel = {
  id: 'eastron-sdm630',
  vendor: 'Eastron',
  family: 'SDM630-Modbus V2',
  summary: 'Eastron SDM630 three-phase energy meter: total kWh and total system power W',
  manual: SDM630,
  line: { baud: 9_600, parity: 'none', stopBits: 1 },
  reading: 'energy.meter',
  fields: {
    powerW: {
      fn: 4,
      address: 0x0034,
      type: 'float32',
      wordOrder: 'high_first',
      unit: 'W',
      evidence: 'manual',
      ref: `${SDM630}: 30053 "Total system power", address 0x0034`,
    },
    kwh: {
      fn: 4,
      address: 0x0156,
      type: 'float32',
      wordOrder: 'high_first',
      unit: 'kWh',
      evidence: 'manual',
      ref: `${SDM630}: 30343 "Total kWh", address 0x0156`,
    },
  },
  setpoints: {},
};
