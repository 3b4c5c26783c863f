import { z } from 'zod';

/**
 * The device message contract: MQTT topics and JSON payloads per device kind (docs/device-protocol.md).
 * Wire form is snake_case. Every payload object is strict: unknown keys are a rejection, not silently dropped.
 * Timestamps `t` are epoch milliseconds from the device clock; omit `t` if the device has no clock.
 */

const epochMs = z
  .number()
  .int()
  .min(946_684_800_000, 'timestamp before 2000: send epoch milliseconds, not seconds')
  .max(4_102_444_800_000, 'timestamp after 2100');
const grams = z.number().finite().min(-100_000).max(1_000_000);
const counter = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const label = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

export const shelfPayload = z.strictObject({
  t: epochMs.optional(),
  channel: z.number().int().min(0).max(63),
  grams: z.union([grams, z.array(grams).min(1).max(600)]),
  hz: z.number().positive().max(1000).optional(),
});

export const doorCountPayload = z.strictObject({ t: epochMs.optional(), in: counter, out: counter });

export const doorBeamPayload = z.strictObject({
  t: epochMs.optional(),
  beam: z.enum(['a', 'b']),
  blocked: z.boolean(),
});

export const cameraLinePayload = z.strictObject({
  t: epochMs.optional(),
  line: label,
  in: counter,
  out: counter,
});

export const cameraZonePayload = z.strictObject({
  t: epochMs.optional(),
  zone: label,
  count: z.number().int().min(0).max(10_000),
});

export const scanPayload = z.strictObject({
  t: epochMs.optional(),
  code: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[\x20-\x7e]+$/, 'printable ASCII only'),
  symbology: z.string().max(16).optional(),
});

export const scalePayload = z.strictObject({
  t: epochMs.optional(),
  grams,
  status: z.enum(['stable', 'motion', 'zero', 'under', 'over']),
});

export const statusPayload = z.strictObject({
  t: epochMs.optional(),
  firmware: z.string().max(32).optional(),
  uptime_s: z.number().int().min(0).optional(),
  rssi_dbm: z.number().min(-130).max(0).optional(),
  battery_pct: z.number().min(0).max(100).optional(),
});

export const posPayload = z.strictObject({
  t: epochMs.optional(),
  event: z.enum(['basket-open', 'payment-start', 'payment-success', 'basket-close', 'transaction']),
  lane: label.optional(),
  transaction_id: z.string().max(64).optional(),
});

export const deviceKinds = ['shelf', 'door', 'camera', 'scanner', 'scale', 'pos', 'plant'] as const;
export type DeviceKind = (typeof deviceKinds)[number];
export const deviceKindSchema = z.enum(deviceKinds);

/** Topic suffix under `devices/{id}/` → payload schema. */
export const topicPayloads = {
  shelf: shelfPayload,
  door: doorCountPayload,
  beam: doorBeamPayload,
  'camera/line': cameraLinePayload,
  'camera/zone': cameraZonePayload,
  scan: scanPayload,
  scale: scalePayload,
  status: statusPayload,
  pos: posPayload,
} as const;
export type TopicSuffix = keyof typeof topicPayloads;

/** Which suffixes each kind may publish (`status` is allowed for every kind). */
export const kindTopics: Record<DeviceKind, readonly TopicSuffix[]> = {
  shelf: ['shelf', 'status'],
  door: ['door', 'beam', 'status'],
  camera: ['camera/line', 'camera/zone', 'status'],
  scanner: ['scan', 'status'],
  scale: ['scale', 'status'],
  pos: ['pos', 'status'],
  plant: ['status'],
};

/** Hard cap on a device payload; the broker also enforces a packet cap before buffering. */
export const MAX_DEVICE_PAYLOAD_BYTES = 16 * 1024;

export const topics = {
  prefix: 'devices',
  data: (deviceId: string, suffix: TopicSuffix) => `devices/${deviceId}/${suffix}`,
  command: (deviceId: string) => `devices/${deviceId}/cmd`,
  commandResponse: (deviceId: string) => `devices/${deviceId}/cmd-response`,
  laneState: (laneId: string) => `lanes/${laneId}/state`,
} as const;

/** Device commands sent by the gateway on `devices/{id}/cmd`; responses come back on `…/cmd-response`. */
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
