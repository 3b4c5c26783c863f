import { ByteReader, ByteWriter } from './bytes.js';
import { CommandCode, type CommandName, ErrorCode, nameOf } from './constants.js';
import { crc16 } from './crc.js';

/** Typed command arguments (host → device) and the data each successful response carries. */
export interface CommandArgs {
  tare: { channel: number | 'all' };
  calibrate: { channel: number; knownMilligrams: number };
  setSampleRate: { hz: number };
  readConfig: { key: number };
  writeConfig: { key: number; value: number };
  reboot: Record<string, never>;
  fwBegin: { size: number; crc32: number; chunkSize: number; version: string };
  fwChunk: { offset: number; data: Buffer };
  fwVerify: Record<string, never>;
  fwApply: Record<string, never>;
}
export interface CommandResult {
  tare: null;
  calibrate: { countsPerGram: number };
  setSampleRate: null;
  readConfig: { value: number };
  writeConfig: null;
  reboot: null;
  /** Where the device wants the transfer to continue: 0 for a fresh image, more when resuming. */
  fwBegin: { nextOffset: number };
  fwChunk: { nextOffset: number };
  fwVerify: { crc32: number };
  fwApply: null;
}

export function encodeArgs<K extends CommandName>(name: K, args: CommandArgs[K]): Buffer {
  const w = new ByteWriter();
  const a = args as CommandArgs[CommandName];
  switch (name) {
    case 'tare': {
      const ch = (a as CommandArgs['tare']).channel;
      w.u8(ch === 'all' ? 0xff : ch);
      break;
    }
    case 'calibrate': {
      const c = a as CommandArgs['calibrate'];
      w.u8(c.channel).i32(c.knownMilligrams);
      break;
    }
    case 'setSampleRate':
      w.u16((a as CommandArgs['setSampleRate']).hz);
      break;
    case 'readConfig':
      w.u8((a as CommandArgs['readConfig']).key);
      break;
    case 'writeConfig': {
      const c = a as CommandArgs['writeConfig'];
      w.u8(c.key).i32(c.value);
      break;
    }
    case 'fwBegin': {
      const c = a as CommandArgs['fwBegin'];
      w.u32(c.size).u32(c.crc32).u16(c.chunkSize).str(c.version);
      break;
    }
    case 'fwChunk': {
      const c = a as CommandArgs['fwChunk'];
      w.u32(c.offset).u16(crc16(c.data)).bytes(c.data);
      break;
    }
    default:
      break;
  }
  return w.done();
}

/** Device side: parse arguments; throws PayloadError on malformed input. */
export function decodeArgs(code: number, args: Buffer): { name: CommandName; args: unknown } | null {
  const name = nameOf(CommandCode, code);
  if (name === undefined) return null;
  const r = new ByteReader(args);
  let out: unknown = {};
  switch (name) {
    case 'tare': {
      const ch = r.u8();
      out = { channel: ch === 0xff ? 'all' : ch };
      break;
    }
    case 'calibrate':
      out = { channel: r.u8(), knownMilligrams: r.i32() };
      break;
    case 'setSampleRate':
      out = { hz: r.u16() };
      break;
    case 'readConfig':
      out = { key: r.u8() };
      break;
    case 'writeConfig':
      out = { key: r.u8(), value: r.i32() };
      break;
    case 'fwBegin':
      out = { size: r.u32(), crc32: r.u32(), chunkSize: r.u16(), version: r.str() };
      break;
    case 'fwChunk':
      out = { offset: r.u32(), crc16: r.u16(), data: r.rest() };
      break;
    default:
      break;
  }
  r.end();
  return { name, args: out };
}

export function encodeResult<K extends CommandName>(name: K, result: CommandResult[K]): Buffer {
  const w = new ByteWriter(8);
  if (name === 'calibrate') w.f32((result as CommandResult['calibrate']).countsPerGram);
  else if (name === 'readConfig') w.i32((result as CommandResult['readConfig']).value);
  else if (name === 'fwBegin' || name === 'fwChunk') w.u32((result as CommandResult['fwChunk']).nextOffset);
  else if (name === 'fwVerify') w.u32((result as CommandResult['fwVerify']).crc32);
  return w.done();
}

export function decodeResult<K extends CommandName>(name: K, data: Buffer): CommandResult[K] {
  const r = new ByteReader(data);
  let out: unknown = null;
  if (name === 'calibrate') out = { countsPerGram: r.f32() };
  else if (name === 'readConfig') out = { value: r.i32() };
  else if (name === 'fwBegin' || name === 'fwChunk') out = { nextOffset: r.u32() };
  else if (name === 'fwVerify') out = { crc32: r.u32() };
  r.end();
  return out as CommandResult[K];
}

/** A device answered with a non-zero error code. */
export class DeviceCommandError extends Error {
  override readonly name = 'DeviceCommandError';
  readonly errorName: string;
  constructor(
    readonly command: CommandName,
    readonly errorCode: number,
  ) {
    const errorName = String(nameOf(ErrorCode, errorCode) ?? `error-${errorCode}`);
    super(`device rejected ${command}: ${errorName} (${errorCode})`);
    this.errorName = errorName;
  }
}
