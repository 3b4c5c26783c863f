import type { ColdModel } from './model.js';

const MANUAL =
  'Carel ir33+ VCC user manual +040000058 rel. 1.2 (15.02.2018), ch. 5 "Table of supervisor variables"';

/**
 * Carel ir33 family (ir33+ VCC manual; other ir33 variants and MPXpro have their own tables, not shipped). Carel lists
 * each variable with its "ModBus®" index: analogue (A) and integer (I) variables are holding registers,
 * digital (D) variables are coils. That analogue values travel in tenths (°C × 10) is assumed (Carel states it
 * for other controllers; the ir33+ table we read does not say). The index is used as the
 * protocol address as printed; whether a given firmware counts from 0 or 1 is to be checked on site
 * (docs/modbus.md, "Register maps"). Line settings are not in the table we read: set them from the controller.
 */
export const carelIr33: ColdModel = {
  id: 'carel-ir33',
  vendor: 'Carel',
  family: 'ir33 / ir33+',
  summary: 'Carel ir33+ case controller: probe 1, compressor/defrost relays, door, probe and HI/LO alarms',
  manual: MANUAL,
  reading: 'cold.sample',
  fields: {
    tempC: {
      fn: 3,
      address: 4,
      type: 's16',
      scale: 0.1,
      unit: '°C',
      evidence: 'manual',
      ref: `${MANUAL}: s_pr1 "Probe 1 reading", A 4 (scale 0.1 assumed)`,
    },
    compressorOn: {
      fn: 1,
      address: 1,
      type: 'bool',
      evidence: 'manual',
      ref: `${MANUAL}: s_rl1 "Compressor status relay", D 1`,
    },
    defrost: {
      fn: 1,
      address: 31,
      type: 'bool',
      evidence: 'manual',
      ref: `${MANUAL}: s_DEF "Defrost status", D 31`,
    },
    doorOpen: {
      fn: 1,
      address: 37,
      type: 'bool',
      evidence: 'manual',
      ref: `${MANUAL}: s_doors "Door status", D 37`,
    },
    probeFault: {
      fn: 1,
      address: 10,
      type: 'bool',
      evidence: 'manual',
      ref: `${MANUAL}: s_pre1 "Probe 1 fault alarm", D 10`,
    },
    alarm: {
      fn: 1,
      address: 16,
      type: 'bool',
      evidence: 'manual',
      ref: `${MANUAL}: s_HI "High temperature alarm", D 16 (s_LO, D 15, is not mapped)`,
    },
  },
  setpoints: {
    setpoint: {
      summary: 'temperature set point St',
      table: 'holding',
      address: 12,
      type: 's16',
      scale: 0.1,
      unit: '°C',
      min: -50,
      max: 50,
      evidence: 'assumed',
      ref: 'St is not in the excerpt of the supervisor table we could read; address 12 is a placeholder to verify',
    },
    defrost_call: {
      summary: 'start a defrost (s_cDEF, write 1)',
      table: 'coil',
      address: 34,
      type: 'bool',
      min: 0,
      max: 1,
      evidence: 'manual',
      ref: `${MANUAL}: s_cDEF "Defrost call command", D 34, R/W`,
    },
  },
};
