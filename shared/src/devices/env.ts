import { z } from 'zod';
import { coldSample } from './cold.js';
import { defineKind, topic } from './define.js';
import type { SimContext, SimStep, Simulator } from './simulate.js';
import { gaussian, hashString } from './simulate.js';
import { flag, label } from './wire.js';

/**
 * Battery environment sensors (temperature, humidity, door contact) in cabinets and rooms, over MQTT.
 * Their battery level travels on the shared `status` topic (`battery_pct`), where device health keeps it.
 */

// EN 12830 recorders cover −40…+40 °C or wider; a reading outside ±60 °C is no cabinet temperature.
const tempC = z
  .number({ error: 'must be °C' })
  .finite({ error: 'must be a finite number of °C' })
  .min(-60, { error: 'must be at least -60 °C' })
  .max(60, { error: 'must be at most 60 °C' });

const humidityPct = z
  .number({ error: 'must be a percentage' })
  .min(0, { error: 'must be 0..100 %' })
  .max(100, { error: 'must be 0..100 %' });

const envTopic = topic(coldSample, {
  wire: {
    unit: label.optional(),
    temp_c: tempC.optional(),
    humidity_pct: humidityPct.optional(),
    door_open: flag.optional(),
    probe_fault: flag.optional(),
    // A sensor with a dry-contact input wired to the case's defrost, compressor or alarm relay.
    defrost: flag.optional(),
    compressor_on: flag.optional(),
    alarm: flag.optional(),
  },
  fields: {
    unit: 'unit',
    tempC: 'temp_c',
    humidityPct: 'humidity_pct',
    doorOpen: 'door_open',
    probeFault: 'probe_fault',
    defrost: 'defrost',
    compressorOn: 'compressor_on',
    alarm: 'alarm',
  },
  doc: 'optional `unit` (cabinet id, default the device), `temp_c` (−60…60), `humidity_pct`, `door_open`, `probe_fault`, `defrost`, `compressor_on`, `alarm` (bools); battery on `status`',
  example: { t: 1732262400000, unit: 'chiller-3', temp_c: 3.4, humidity_pct: 71, door_open: false },
});

interface EnvSimState {
  tempC: number;
  doorOpenUntil: number;
  battery: number;
  batterySentAt: number;
}

/**
 * A chilled cabinet at about 3 °C: every minute a sample with a little noise; now and then a shopper opens
 * the door for 10–40 s and the air warms by a degree or two, recovering once it closes. Its battery level
 * goes out on `status` once an hour.
 */
const envSimulator: Simulator<EnvSimState> = {
  everyMs: 60_000,
  init: (ctx, now) => {
    const battery = 60 + (hashString(ctx.device.id) % 40);
    const state = { tempC: 3, doorOpenUntil: 0, battery, batterySentAt: now };
    // A battery sensor reports a first sample when it wakes, not a minute later.
    const first = envSample(state, now, ctx);
    return {
      state: first.state,
      publish: [{ suffix: 'status', payload: { t: now, battery_pct: battery }, qos: 0 }, ...first.publish],
    };
  },
  step(state, now, ctx) {
    const sendBattery = now - state.batterySentAt >= 3_600_000;
    const next = envSample(state, now, ctx);
    return {
      state: { ...next.state, batterySentAt: sendBattery ? now : state.batterySentAt },
      publish: [
        ...(sendBattery
          ? [
              {
                suffix: 'status',
                payload: { t: now, battery_pct: Math.round(next.state.battery) },
                qos: 0 as const,
              },
            ]
          : []),
        ...next.publish,
      ],
    };
  },
};

function envSample(state: EnvSimState, now: number, { random, device }: SimContext): SimStep<EnvSimState> {
  const opened = state.doorOpenUntil <= now && random() < 0.15;
  const doorOpenUntil = opened ? now + 10_000 + random() * 30_000 : state.doorOpenUntil;
  const target = doorOpenUntil > now ? 5 : 3;
  const tempC = state.tempC + (target - state.tempC) * 0.4 + gaussian(random) * 0.1;
  const battery = Math.max(0, state.battery - 0.001);
  return {
    state: { ...state, tempC, doorOpenUntil, battery },
    publish: [
      {
        suffix: 'env',
        payload: {
          t: now,
          unit: device.location.fixture ?? device.id,
          temp_c: Math.round(tempC * 10) / 10,
          humidity_pct: Math.round(70 + gaussian(random) * 3),
          door_open: doorOpenUntil > now,
        },
        qos: 0,
      },
    ],
  };
}

export const envKind = defineKind({
  kind: 'env',
  summary: 'battery environment sensor in a cabinet or room: temperature, humidity, door contact (MQTT)',
  topics: { env: envTopic },
  readings: [coldSample],
  health: {
    intervalMs: 300_000,
    basis: 'data',
    note: 'a sample at least every 5 min (battery sensors sleep)',
  },
  commands: {},
  simulate: envSimulator,
});
