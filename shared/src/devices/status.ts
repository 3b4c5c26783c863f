import { z } from 'zod';
import { reading, topic } from './define.js';
import type { Simulator } from './simulate.js';

export interface DeviceStatusBody {
  type: 'device.status';
  firmware?: string;
  uptimeS?: number;
  rssiDbm?: number;
  batteryPct?: number;
}

export const deviceStatus = reading<DeviceStatusBody>('device.status', {
  summary: 'heartbeat and self-report of any device',
  mustDeliver: false,
});

/** `devices/{id}/status`: every kind may publish it; it keeps a quiet device online (health). */
export const statusTopic = topic(deviceStatus, {
  wire: {
    firmware: z
      .string({ error: 'must be a string' })
      .max(32, { error: 'must be at most 32 characters' })
      .optional(),
    uptime_s: z
      .number({ error: 'must be whole seconds' })
      .int({ error: 'must be whole seconds' })
      .min(0)
      .optional(),
    rssi_dbm: z.number({ error: 'must be dBm' }).min(-130).max(0).optional(),
    battery_pct: z.number({ error: 'must be a percentage' }).min(0).max(100).optional(),
  },
  fields: { firmware: 'firmware', uptimeS: 'uptime_s', rssiDbm: 'rssi_dbm', batteryPct: 'battery_pct' },
  doc: 'heartbeat: optional `firmware`, `uptime_s`, `rssi_dbm` (−130…0), `battery_pct` (0–100)',
  example: { firmware: '1.4.2', uptime_s: 86400, rssi_dbm: -61 },
});

const FIRMWARE = '1.4.2';

/** Every simulated device says hello when it connects and sends a heartbeat every 30 s. */
export const statusSimulator: Simulator<{ since: number }> = {
  everyMs: 30_000,
  init: (_ctx, now) => ({
    state: { since: now },
    publish: [{ suffix: 'status', payload: { t: now, firmware: FIRMWARE, uptime_s: 0 }, qos: 0 }],
  }),
  step: (state, now) => ({
    state,
    publish: [
      {
        suffix: 'status',
        payload: { t: now, firmware: FIRMWARE, uptime_s: Math.round((now - state.since) / 1000) },
        qos: 0,
      },
    ],
  }),
};
