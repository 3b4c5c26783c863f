import type { ColdModel } from './model.js';

const MANUAL =
  'Danfoss "Basic Modbus parameter list, AK-CC55 Compact" programming guide AU356930362198en-000301 (2022.02), parameter table "Readouts" and "Settings"';

/**
 * Danfoss AK-CC55 Compact (084B4081). Danfoss lists parameters by PNU; values are 16-bit registers with the
 * scale in the table (0.1 for temperatures). Modbus protocol address = PNU − 1 is Danfoss' usual convention
 * for AK-CC controllers but is not stated in the list itself: assumed. Line default 8E1, speed auto-detected (so no `line` here).
 */
export const danfossAkcc55: ColdModel = {
  id: 'danfoss-ak-cc55',
  vendor: 'Danfoss',
  family: 'AK-CC55 Compact',
  summary: 'Danfoss AK-CC55 Compact case controller: thermostat air temperature, control state, sum alarm',
  manual: MANUAL,
  reading: 'cold.sample',
  fields: {
    tempC: {
      fn: 3,
      address: 2531,
      type: 's16',
      scale: 0.1,
      unit: '°C',
      evidence: 'manual',
      ref: `${MANUAL}: u17 "Ther. air", PNU 2532, scale 0.1 (address PNU−1 assumed)`,
    },
    alarm: {
      fn: 3,
      address: 2540,
      type: 'u16',
      equals: [1],
      evidence: 'manual',
      ref: `${MANUAL}: "Sum alarm", PNU 2541, boolean`,
    },
    defrost: {
      fn: 3,
      address: 2006,
      type: 'u16',
      equals: [14],
      evidence: 'assumed',
      ref: `${MANUAL}: u00 "Ctrl. State", PNU 2007, 0–48; that state 14 means "defrosting" is assumed (Danfoss case-controller status codes as remembered, not checked against this guide)`,
    },
  },
  setpoints: {
    cutout: {
      summary: 'thermostat cut-out temperature r00',
      table: 'holding',
      address: 99,
      type: 's16',
      scale: 0.1,
      unit: '°C',
      min: -50,
      max: 50,
      evidence: 'manual',
      ref: `${MANUAL}: r00 "Cutout", PNU 100, RW, −500…500 × 0.1 (address PNU−1 assumed)`,
    },
    main_switch: {
      summary: 'main switch r12 (−1 service, 0 stop, 1 run)',
      table: 'holding',
      address: 116,
      type: 's16',
      min: -1,
      max: 1,
      evidence: 'manual',
      ref: `${MANUAL}: r12 "Main switch", PNU 117, RW, −1…1`,
    },
  },
};
