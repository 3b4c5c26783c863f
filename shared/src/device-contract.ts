import { z } from 'zod';
import type { TopicSuffix } from './devices/tables.js';

/**
 * The device message contract: MQTT topics and JSON payloads per device kind (docs/device-protocol.md).
 * Topics, payload schemas and kinds are derived from the definitions in `shared/src/devices/` and re-exported
 * here; this file adds what is the same for every kind (topic layout, size cap, the command envelope).
 * Wire form is snake_case; every payload object is strict; `t` is epoch milliseconds from the device clock.
 */
export {
  type DeviceKind,
  deviceKindSchema,
  deviceKinds,
  kindTopics,
  type TopicSuffix,
  topicPayloads,
} from './devices/tables.js';

/** Hard cap on a device payload; the broker also enforces a packet cap before buffering. */
export const MAX_DEVICE_PAYLOAD_BYTES = 16 * 1024;

export const topics = {
  prefix: 'devices',
  data: (deviceId: string, suffix: TopicSuffix) => `devices/${deviceId}/${suffix}`,
  command: (deviceId: string) => `devices/${deviceId}/cmd`,
  commandResponse: (deviceId: string) => `devices/${deviceId}/cmd-response`,
  laneState: (laneId: string) => `lanes/${laneId}/state`,
} as const;

/**
 * Device commands sent by the gateway on `devices/{id}/cmd`; responses come back on `…/cmd-response`. The
 * `args` and `data` of each command are typed by its kind's definition (`commands`).
 */
export const deviceCommand = z.strictObject({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(64),
  args: z.record(z.string(), z.unknown()).optional(),
});
export const deviceCommandResponse = z.strictObject({
  id: z.string().min(1).max(64),
  status: z.enum(['ok', 'error']),
  data: z.unknown().optional(),
  error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
});
