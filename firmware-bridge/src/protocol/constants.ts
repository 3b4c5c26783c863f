/**
 * Storegate serial protocol v1 constants (firmware-bridge/PROTOCOL.md is the normative text).
 * A frame on the wire is COBS(version | type | seq | payload | crc16be) followed by one 0x00 delimiter.
 */
export const PROTOCOL_VERSION = 1;
export const FRAME_DELIMITER = 0x00;
/** version + type + seq */
export const HEADER_BYTES = 3;
export const CRC_BYTES = 2;
export const MAX_PAYLOAD_BYTES = 1024;
/** Largest decoded frame (header + payload + CRC). */
export const MAX_FRAME_BYTES = HEADER_BYTES + MAX_PAYLOAD_BYTES + CRC_BYTES;
/** COBS adds one byte per 254 (rounded up); the delimiter is not counted. */
export const MAX_ENCODED_BYTES = MAX_FRAME_BYTES + Math.ceil(MAX_FRAME_BYTES / 254);

export const MessageType = {
  hello: 0x01,
  identify: 0x02,
  shelfBatch: 0x10,
  scaleReading: 0x11,
  doorBeam: 0x12,
  doorCount: 0x13,
  heartbeat: 0x20,
  command: 0x30,
  response: 0x31,
} as const;
export type MessageTypeName = keyof typeof MessageType;

export const DeviceKindCode = { shelf: 1, scale: 2, door: 3, scanner: 4 } as const;
export type SerialDeviceKind = keyof typeof DeviceKindCode;

export const CommandCode = {
  tare: 0x01,
  calibrate: 0x02,
  setSampleRate: 0x03,
  readConfig: 0x04,
  writeConfig: 0x05,
  reboot: 0x06,
  fwBegin: 0x40,
  fwChunk: 0x41,
  fwVerify: 0x42,
  fwApply: 0x43,
} as const;
export type CommandName = keyof typeof CommandCode;

export const ErrorCode = {
  ok: 0,
  unknownCommand: 1,
  badArgument: 2,
  busy: 3,
  notStable: 4,
  hardwareFault: 5,
  unsupported: 6,
  crcMismatch: 7,
  badState: 8,
  storage: 9,
} as const;
export type DeviceErrorName = keyof typeof ErrorCode;

export const ScaleStatusCode = { stable: 0, motion: 1, zero: 2, under: 3, over: 4 } as const;

/** Shelf batch sample encodings. */
export const SampleEncoding = { rawCounts: 0, milligrams: 1 } as const;

/** Config keys for readConfig/writeConfig (u8 key → i32 value). */
export const ConfigKey = {
  sampleRateHz: 1,
  samplesPerBatch: 2,
  heartbeatMs: 3,
  motionThresholdMg: 4,
} as const;

const reverse = new WeakMap<object, Map<number, string>>();

/** Code → name for one of the tables above (reverse maps built once: this runs per frame). */
export function nameOf<T extends Record<string, number>>(table: T, code: number): keyof T | undefined {
  let map = reverse.get(table);
  if (!map) {
    map = new Map(Object.entries(table).map(([k, v]) => [v, k]));
    reverse.set(table, map);
  }
  return map.get(code) as keyof T | undefined;
}
