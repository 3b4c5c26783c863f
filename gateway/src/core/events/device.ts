import { z } from 'zod';
import { CONNECTOR_SOURCES, QUALITIES } from '../../../../shared/src/devices/define.js';
import { deviceKindSchema } from '../../../../shared/src/devices/tables.js';

/** Device events: health changes (stream `health/{device}`) and forwarded raw readings (`device/{device}`). */
const healthState = z.enum(['online', 'offline', 'unknown']);

const health = {
  device: z.string(),
  kind: deviceKindSchema.nullable(),
  state: healthState,
  last_seen: z.number().nullable(),
  offline_after_ms: z.number(),
  firmware: z.string().nullable(),
};

export const deviceEvents = {
  'device.health': z
    .discriminatedUnion('change', [
      z.strictObject({
        ...health,
        change: z.literal('state'),
        previous: healthState,
        cause: z
          .enum(['silence', 'session_closed', 'heard'])
          .optional()
          .describe(
            'silence: nothing heard within offline_after_ms; session_closed: its MQTT session or port closed (offline at once); heard: a reading arrived',
          ),
      }),
      z.strictObject({ ...health, change: z.literal('firmware'), previous_firmware: z.string() }),
    ])
    .describe(
      'a device went online or offline (must-deliver; the first sighting after start is telemetry), or its firmware changed (telemetry)',
    ),
  'device.reading': z
    .looseObject({
      device: z.string(),
      reading: z.string().describe('the reading type, e.g. scale.reading'),
      device_time: z.number().nullable(),
      received_at: z.number(),
      quality: z.enum(QUALITIES),
      source: z.enum(CONNECTOR_SOURCES),
    })
    .describe('a must-deliver reading forwarded as is; the reading body follows with snake_case keys'),
} as const;
