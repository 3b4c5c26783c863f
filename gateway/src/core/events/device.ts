import { z } from 'zod';
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
      z.strictObject({ ...health, change: z.literal('state'), previous: healthState }),
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
      quality: z.enum(['good', 'uncertain', 'bad']),
      source: z.enum(['mqtt', 'serial', 'gpio', 'opcua', 'replay', 'internal']),
    })
    .describe('a must-deliver reading forwarded as is; the reading body follows with snake_case keys'),
} as const;

/** Cold-chain / plant events (stream `plant/{device}`, must-deliver; docs/opcua.md). */
const alarm = {
  device: z.string(),
  point: z.string(),
  alarm: z.literal('over_temperature'),
  value_c: z.number(),
  max_c: z.number(),
  peak_c: z.number(),
};

export const plantEvents = {
  'plant.alarm': z
    .discriminatedUnion('state', [
      z.strictObject({
        ...alarm,
        state: z.literal('raised'),
        above_since: z.number().nullable(),
        for_s: z.number(),
      }),
      z.strictObject({
        ...alarm,
        state: z.literal('cleared'),
        raised_at: z.number(),
        duration_s: z.number(),
        hysteresis_c: z.number(),
      }),
    ])
    .describe('a refrigerated point stayed above its limit, or came back under it by the hysteresis'),
} as const;
