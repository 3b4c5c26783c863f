import { ByteReader, ByteWriter, PayloadError } from './bytes.js';
import {
  DeviceKindCode,
  MessageType,
  nameOf,
  SampleEncoding,
  ScaleStatusCode,
  type SerialDeviceKind,
} from './constants.js';

export type ScaleStatusName = keyof typeof ScaleStatusCode;

export interface Hello {
  type: 'hello';
  kind: SerialDeviceKind;
  channels: number;
  uptimeMs: number;
  deviceId: string;
  serialNumber: string;
  hardware: string;
  firmware: string;
}
export interface Identify {
  type: 'identify';
}
/** Channel calibration: grams = (counts - offset) / countsPerGram. */
export interface Calibration {
  offset: number;
  countsPerGram: number;
}
export interface ShelfBatch {
  type: 'shelfBatch';
  uptimeMs: number;
  hz: number;
  channels: number;
  /** Samples per channel in this batch. */
  samples: number;
  encoding: 'rawCounts' | 'milligrams';
  /** One entry per channel when encoding is rawCounts, empty otherwise. */
  calibration: Calibration[];
  /** Sample-major: values[s * channels + c]. Counts or milligrams per `encoding`. */
  values: Int32Array;
}
export interface ScaleReading {
  type: 'scaleReading';
  uptimeMs: number;
  status: ScaleStatusName;
  milligrams: number;
}
export interface DoorBeam {
  type: 'doorBeam';
  uptimeMs: number;
  beam: 'a' | 'b';
  blocked: boolean;
}
export interface DoorCount {
  type: 'doorCount';
  uptimeMs: number;
  in: number;
  out: number;
}
export interface Heartbeat {
  type: 'heartbeat';
  uptimeMs: number;
  rxCrcErrors: number;
  txDropped: number;
  /** Deci-degrees Celsius; null when the device has no sensor (wire value -32768). */
  temperatureDeciC: number | null;
}
export interface Command {
  type: 'command';
  command: number;
  args: Buffer;
}
export interface Response {
  type: 'response';
  requestSeq: number;
  command: number;
  error: number;
  data: Buffer;
}

export type Message =
  | Hello
  | Identify
  | ShelfBatch
  | ScaleReading
  | DoorBeam
  | DoorCount
  | Heartbeat
  | Command
  | Response;

export function encodeMessage(m: Message): { type: number; payload: Buffer } {
  const w = new ByteWriter();
  switch (m.type) {
    case 'hello':
      w.u8(DeviceKindCode[m.kind]).u8(m.channels).u32(m.uptimeMs);
      w.str(m.deviceId).str(m.serialNumber).str(m.hardware).str(m.firmware);
      break;
    case 'identify':
      break;
    case 'shelfBatch': {
      if (m.values.length !== m.channels * m.samples)
        throw new RangeError('values length != channels × samples');
      w.u32(m.uptimeMs).u16(m.hz).u8(m.channels).u8(m.samples).u8(SampleEncoding[m.encoding]);
      if (m.encoding === 'rawCounts') {
        if (m.calibration.length !== m.channels) throw new RangeError('one calibration per channel required');
        for (const c of m.calibration) w.i32(c.offset).f32(c.countsPerGram);
      }
      for (const v of m.values) w.i32(v);
      break;
    }
    case 'scaleReading':
      w.u32(m.uptimeMs).u8(ScaleStatusCode[m.status]).i32(m.milligrams);
      break;
    case 'doorBeam':
      w.u32(m.uptimeMs)
        .u8(m.beam === 'a' ? 0 : 1)
        .u8(m.blocked ? 1 : 0);
      break;
    case 'doorCount':
      w.u32(m.uptimeMs).u32(m.in).u32(m.out);
      break;
    case 'heartbeat':
      w.u32(m.uptimeMs)
        .u16(m.rxCrcErrors)
        .u16(m.txDropped)
        .i16(m.temperatureDeciC ?? -32768);
      break;
    case 'command':
      w.u8(m.command).bytes(m.args);
      break;
    case 'response':
      w.u8(m.requestSeq).u8(m.command).u8(m.error).bytes(m.data);
      break;
  }
  return { type: MessageType[m.type], payload: w.done() };
}

function enumOf<T extends Record<string, number>>(table: T, code: number, what: string): keyof T {
  const name = nameOf(table, code);
  if (name === undefined) throw new PayloadError(`unknown ${what} ${code}`);
  return name;
}

/** Decode a frame's payload. Throws PayloadError for truncated/trailing bytes, unknown types and enum values. */
export function decodeMessage(type: number, payload: Buffer): Message {
  const r = new ByteReader(payload);
  let m: Message;
  switch (type) {
    case MessageType.hello:
      m = {
        type: 'hello',
        kind: enumOf(DeviceKindCode, r.u8(), 'device kind'),
        channels: r.u8(),
        uptimeMs: r.u32(),
        deviceId: r.str(),
        serialNumber: r.str(),
        hardware: r.str(),
        firmware: r.str(),
      };
      break;
    case MessageType.identify:
      m = { type: 'identify' };
      break;
    case MessageType.shelfBatch: {
      const uptimeMs = r.u32();
      const hz = r.u16();
      const channels = r.u8();
      const samples = r.u8();
      const encoding = enumOf(SampleEncoding, r.u8(), 'sample encoding');
      const calibration: Calibration[] = [];
      if (encoding === 'rawCounts') {
        for (let c = 0; c < channels; c++) calibration.push({ offset: r.i32(), countsPerGram: r.f32() });
      }
      const values = r.i32Array(channels * samples);
      m = { type: 'shelfBatch', uptimeMs, hz, channels, samples, encoding, calibration, values };
      break;
    }
    case MessageType.scaleReading:
      m = {
        type: 'scaleReading',
        uptimeMs: r.u32(),
        status: enumOf(ScaleStatusCode, r.u8(), 'scale status'),
        milligrams: r.i32(),
      };
      break;
    case MessageType.doorBeam: {
      const uptimeMs = r.u32();
      const beam = r.u8();
      if (beam > 1) throw new PayloadError(`unknown beam ${beam}`);
      m = { type: 'doorBeam', uptimeMs, beam: beam === 0 ? 'a' : 'b', blocked: r.u8() !== 0 };
      break;
    }
    case MessageType.doorCount:
      m = { type: 'doorCount', uptimeMs: r.u32(), in: r.u32(), out: r.u32() };
      break;
    case MessageType.heartbeat: {
      const uptimeMs = r.u32();
      const rxCrcErrors = r.u16();
      const txDropped = r.u16();
      const t = r.i16();
      m = { type: 'heartbeat', uptimeMs, rxCrcErrors, txDropped, temperatureDeciC: t === -32768 ? null : t };
      break;
    }
    case MessageType.command:
      m = { type: 'command', command: r.u8(), args: r.rest() };
      break;
    case MessageType.response:
      m = { type: 'response', requestSeq: r.u8(), command: r.u8(), error: r.u8(), data: r.rest() };
      break;
    default:
      throw new PayloadError(`unknown message type 0x${type.toString(16).padStart(2, '0')}`);
  }
  r.end();
  return m;
}

/** Grams for channel c of sample s, whatever the encoding. */
export function sampleGrams(b: ShelfBatch, s: number, c: number): number {
  const v = b.values[s * b.channels + c]!;
  if (b.encoding === 'milligrams') return v / 1000;
  const cal = b.calibration[c]!;
  return (v - cal.offset) / cal.countsPerGram;
}
